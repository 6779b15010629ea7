#include "mcp/json_text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace funkygibbon::mcp {
namespace {

std::string Nested(int depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

TEST(ParseJsonTest, ParsesValidText) {
  auto j = ParseJson(R"({"a":[1,2,{"b":null}]})");
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ((*j)["a"][2]["b"], nullptr);
}

TEST(ParseJsonTest, SyntaxErrorIsInvalidArgumentWithoutThrowing) {
  auto j = ParseJson(R"({"a":)");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(j.status().message().find("parse error"), std::string::npos)
      << j.status().message();
  EXPECT_EQ(j.status().message().find("[json.exception"), std::string::npos);
}

TEST(ParseJsonTest, DepthLimit) {
  EXPECT_TRUE(ParseJson(Nested(64)).ok());
  auto deep = ParseJson(Nested(65));
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().code(), StatusCode::kResourceExhausted);
  // A million levels must not reach the recursive parser at all.
  auto very_deep = ParseJson(std::string(1000000, '['));
  EXPECT_EQ(very_deep.status().code(), StatusCode::kResourceExhausted);
}

TEST(ParseJsonTest, BracketsInsideStringsDoNotCount) {
  const std::string s =
      "[\"" + std::string(200, '[') + "\\\"" + std::string(200, '{') + "\"]";
  EXPECT_FALSE(ExceedsDepth(s, 2));
  EXPECT_TRUE(ParseJson(s).ok());
}

TEST(ParseJsonTest, ANulByteIsAParseErrorWhereverItIs) {
  // Before the check, everything after a NUL was silently ignored.
  for (const std::string& text :
       {std::string("{\"a\":1}\0{\"b\":2}", 15),
        std::string("{\"a\":\"x\0y\"}", 11), std::string("[1,\n\0]", 6)}) {
    auto j = ParseJson(text);
    ASSERT_FALSE(j.ok()) << j->dump();
    EXPECT_EQ(j.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(j.status().message().find("a NUL byte is not allowed"),
              std::string::npos)
        << j.status().message();
  }
  EXPECT_NE(ParseJson(std::string("[1,\n\0]", 6))
                .status()
                .message()
                .find("line 2, column 1"),
            std::string::npos);
  EXPECT_EQ(ParseJson("[\"\\u0000\"]")->at(0), std::string(1, '\0'));
}

TEST(ParseJsonTest, InvalidUtf8IsAParseErrorNotACrash) {
  auto j = ParseJson("\"\xff\xfe\"");
  EXPECT_FALSE(j.ok());
  EXPECT_TRUE(IsValidUtf8(j.status().message()));
}

TEST(DumpJsonTest, ReplacesInvalidUtf8AndEscapesNewlines) {
  Json j{{"text", std::string("a\xff"
                              "b\nc")}};
  const std::string out = DumpJson(j);
  EXPECT_TRUE(IsValidUtf8(out));
  EXPECT_EQ(out.find('\n'), std::string::npos);
  EXPECT_EQ(out,
            "{\"text\":\"a\xEF\xBF\xBD"
            "b\\nc\"}");
}

TEST(Utf8Test, ValidityAndSanitizing) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(
      IsValidUtf8("\xE2\x82\xAC \xF0\x9F\x98\x80"));  // euro sign, emoji
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));              // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));          // surrogate
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));              // truncated
  EXPECT_EQ(SanitizeUtf8("a\xE2\x82z"),
            "a\xEF\xBF\xBDz");  // one U+FFFD for the subpart
  EXPECT_EQ(SanitizeUtf8("\xff\xfe"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeUtf8("ok \xE2\x82\xAC"), "ok \xE2\x82\xAC");
  EXPECT_EQ(CountCodePoints("a\xE2\x82\xAC\xF0\x9F\x98\x80"), 3u);
}

TEST(CursorTest, RoundTripsAndRejectsForeignText) {
  for (const std::string& p : std::vector<std::string>{
           "", "a", "ab", "abc", "tools:50", std::string("\0\xff", 2)}) {
    auto back = DecodeCursor(EncodeCursor(p));
    ASSERT_TRUE(back.has_value()) << p;
    EXPECT_EQ(*back, p);
  }
  EXPECT_FALSE(DecodeCursor("not a cursor!").has_value());
  EXPECT_FALSE(DecodeCursor("a").has_value());
  EXPECT_FALSE(DecodeCursor("ab").has_value());  // non-zero leftover bits
}

}  // namespace
}  // namespace funkygibbon::mcp
