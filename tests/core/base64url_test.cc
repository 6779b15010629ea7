#include "core/base64url.h"

#include <gtest/gtest.h>

#include <string>

namespace funkygibbon {
namespace {

TEST(Base64UrlTest, EncodesRfc4648VectorsWithoutPadding) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64UrlEncode("\xFB\xFF\xBF"), "-_-_");  // the two url-safe letters
}

TEST(Base64UrlTest, RoundTripsEveryByteAndLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= all.size(); n += 7) {
    const std::string bytes = all.substr(0, n);
    auto back = Base64UrlDecode(Base64UrlEncode(bytes));
    ASSERT_TRUE(back.has_value()) << n;
    EXPECT_EQ(*back, bytes) << n;
  }
}

TEST(Base64UrlTest, DecodingIsStrict) {
  EXPECT_FALSE(Base64UrlDecode("Zg==").has_value());   // padding
  EXPECT_FALSE(Base64UrlDecode("Zm9v+/").has_value()); // the other alphabet
  EXPECT_FALSE(Base64UrlDecode("Z").has_value());      // 1 mod 4
  EXPECT_FALSE(Base64UrlDecode("Zh").has_value());     // stray bits after 'f'
  EXPECT_FALSE(Base64UrlDecode("Zm9 v").has_value());
  EXPECT_EQ(Base64UrlDecode("Zg"), std::optional<std::string>("f"));
  EXPECT_EQ(Base64UrlDecode(""), std::optional<std::string>(""));
}

}  // namespace
}  // namespace funkygibbon
