#include "mcp/json_text.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <optional>
#include <random>
#include <string>
#include <string_view>
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

// ---- The fast path against nlohmann's parser -------------------------------------------

// Same tree, same value types (operator== would call 1, 1u and 1.0 equal).
::testing::AssertionResult Identical(const Json& a, const Json& b, const std::string& at = "$") {
  if (a.type() != b.type()) {
    return ::testing::AssertionFailure() << at << ": type " << a.type_name() << " vs "
                                         << b.type_name();
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return ::testing::AssertionFailure() << at << ": sizes differ";
    for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
      if (ia.key() != ib.key()) return ::testing::AssertionFailure() << at << ": keys differ";
      auto r = Identical(ia.value(), ib.value(), at + "." + ia.key());
      if (!r) return r;
    }
    return ::testing::AssertionSuccess();
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return ::testing::AssertionFailure() << at << ": sizes differ";
    for (size_t i = 0; i < a.size(); ++i) {
      auto r = Identical(a[i], b[i], at + "[" + std::to_string(i) + "]");
      if (!r) return r;
    }
    return ::testing::AssertionSuccess();
  }
  if (a != b) return ::testing::AssertionFailure() << at << ": " << a.dump() << " vs " << b.dump();
  return ::testing::AssertionSuccess();
}

std::optional<Json> Nlohmann(std::string_view text) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::exception&) {
    return std::nullopt;
  }
}

TEST(ParseJsonFastTest, BuildsWhatNlohmannBuildsOrLeavesItToNlohmann) {
  struct Case {
    std::string text;
    bool fast;  // the fast path takes it
  };
  const std::vector<Case> cases = {
      {R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"search_entities","arguments":{"query":"lamp","limit":10}}})", true},
      {" \t\r\n{ \"a\" : [ 1 , -2 , 0 , -0 , true , false , null , \"\" , [ ] , { } ] } \n", true},
      {R"({"a":1,"a":2,"b":{"c":3},"b":[4]})", true},  // a repeated key keeps its last value
      {R"(["\"\\\/\b\f\n\r\t", "\u0041\u00e9\u20ac\ud83d\ude00", "\u0000x"])", true},
      {"[\"K\xC3\xBC" "che \xE2\x82\xAC \xF0\x9F\x98\x80 \xED\x9F\xBF \xEF\xBF\xBF\"]", true},
      {"[999999999999999999, -999999999999999999, 18446744073709551615]", false},  // 20 digits
      {"[999999999999999999, -999999999999999999]", true},
      {"[1.5]", false},
      {"[1e3]", false},
      {"[-1E-3]", false},
      {"\"just a string\"", true},
      {"42", true},
      {"-7", true},
      {"true", true},
      {"nul", false},
      {"[01]", false},
      {"[-]", false},
      {"[1,]", false},
      {"{\"a\":1,}", false},
      {"{\"a\" 1}", false},
      {"{a:1}", false},
      {"[1] x", false},
      {"", false},
      {"   ", false},
      {"\xEF\xBB\xBF[1]", false},     // a byte order mark: nlohmann skips it
      {R"(["\ud83d"])", false},        // a lone high surrogate
      {R"(["\ude00"])", false},        // a lone low surrogate
      {R"(["\ud83d\u0041"])", false},
      {R"(["\u12"])", false},
      {R"(["\x"])", false},
      {"[\"a\tb\"]", false},           // a raw control character
      {"[\"\xC0\x80\"]", false},       // overlong
      {"[\"\xED\xA0\x80\"]", false},   // an encoded surrogate
      {"[\"\xF4\x90\x80\x80\"]", false},  // above U+10FFFF
      {"[\"\xE2\x82\"]", false},       // truncated
      {"[\"\x80\"]", false},
      {"[\"abc", false},
      {std::string("[\"a\0b\"]", 7), false},
      {Nested(64), true},
      {Nested(65), false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    const std::optional<Json> fast = ParseJsonFast(c.text);
    const std::optional<Json> reference = Nlohmann(c.text);
    EXPECT_EQ(fast.has_value(), c.fast);
    if (fast) {
      ASSERT_TRUE(reference.has_value());
      EXPECT_TRUE(Identical(*fast, *reference));
    }
    // Whichever path runs, ParseJson answers as nlohmann (after the depth
    // and NUL checks) would.
    const StatusOr<Json> parsed = ParseJson(c.text);
    if (reference && !ExceedsDepth(c.text, kMaxJsonDepth) &&
        c.text.find('\0') == std::string::npos) {
      ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
      EXPECT_TRUE(Identical(*parsed, *reference));
    } else {
      EXPECT_FALSE(parsed.ok());
    }
  }
  EXPECT_EQ((*ParseJsonFast(R"({"a":1,"a":2})"))["a"], 2);
}

// Random edits of real messages: whatever the fast path accepts, nlohmann
// accepts too and builds the same tree from.
TEST(ParseJsonFastTest, AgreesWithNlohmannOnEditedMessages) {
  const std::vector<std::string> seeds = {
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_entity_details","arguments":{"entity_id":"3f1c9a2e-7b4d-4e8a-9c1f-2d6b8e0a4c7e"}}})",
      R"({"jsonrpc":"2.0","id":"req-9","method":"tools/call","params":{"name":"create_entity","arguments":{"entity_type":"device","name":"K\u00fcche Lamp \ud83d\udca1","content":{"watts":[60,-40,0],"on":true,"note":null}}}})",
      "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\",\"params\":{\"_meta\":{\"k\":\"\xC3\xA9\\n\\t\"}}}",
      R"([{"a":[[],{},[{"b":[1,2,3]}]],"c":"\\\"/"},18446744073709551615,-9223372036854775808,1.25e-3])",
  };
  std::mt19937_64 rng(20261207);
  static const char kAlphabet[] = "{}[]\",:\\ \t\n-0123456789.eEtrufalsn\0\x7f\xc3\xa9\xed\xa0\xf0\x9f\xc0\xf4\x90";
  const std::string alphabet(kAlphabet, sizeof kAlphabet - 1);
  size_t fast_taken = 0, total = 0;
  for (int round = 0; round < 60000; ++round) {
    std::string text = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const size_t at = rng() % text.size();
      const char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0: text[at] = c; break;
        case 1: text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c); break;
        default: text.erase(at, 1 + rng() % 3); break;
      }
    }
    ++total;
    const std::optional<Json> fast = ParseJsonFast(text);
    if (!fast) continue;
    ++fast_taken;
    const std::optional<Json> reference = Nlohmann(text);
    ASSERT_TRUE(reference.has_value()) << "the fast path accepted what nlohmann rejects: " << text;
    ASSERT_TRUE(Identical(*fast, *reference)) << text;
  }
  // The edits leave a good share of valid text for the fast path to take.
  EXPECT_GT(fast_taken, total / 20) << fast_taken << " of " << total;
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
