#include "core/json_escape.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/types.h"

namespace funkygibbon {
namespace {

std::string Dumped(const std::string& s) {
  return Json(s).dump(-1, ' ', false, Json::error_handler_t::replace);
}

TEST(AppendJsonStringTest, EscapesExactlyAsNlohmannDumps) {
  const std::vector<std::string> cases = {
      "",
      "plain",
      "quote \" and backslash \\ and slash /",
      "new\nline\ttab\rreturn\bback\fform",
      std::string("nul ") + '\0' + " and \x01 \x1f \x7f",
      "unicode: \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
      R"({"already":"json","n":[1,2,{"x":"a\"b"}]})",
  };
  for (const auto& s : cases) {
    for (InvalidUtf8 mode : {InvalidUtf8::kCopy, InvalidUtf8::kReplace}) {
      std::string out = "prefix:";
      AppendJsonString(&out, s, mode);
      EXPECT_EQ(out, "prefix:" + Dumped(s)) << s;
    }
  }
}

TEST(AppendJsonStringTest, ReplacesIllFormedUtf8AsNlohmannDoes) {
  const std::vector<std::string> cases = {
      "\xFF",
      "a\x80z",
      "\xC3",               // truncated two-byte sequence
      "\xE2\x82",           // truncated three-byte sequence
      "\xC0\xAF",           // overlong '/'
      "\xED\xA0\x80",       // a surrogate
      "\xF4\x90\x80\x80",   // past U+10FFFF
      "ok \xC3\xA9 \xFE\xFF then \"quoted\" \xF0\x9F\x98",
  };
  for (const auto& s : cases) {
    std::string out;
    AppendJsonString(&out, s, InvalidUtf8::kReplace);
    EXPECT_EQ(out, Dumped(s)) << s;
  }
  // kCopy trusts its input: the bytes pass through unchanged.
  std::string copied;
  AppendJsonString(&copied, "\xFF", InvalidUtf8::kCopy);
  EXPECT_EQ(copied, "\"\xFF\"");
}

// Plain text is passed over a word (8 bytes) at a time: a byte that needs a
// look must be found wherever it sits in or across words, alone or with
// another, in both modes.
TEST(AppendJsonStringTest, FindsWhatNeedsEscapingAtEveryPosition) {
  const std::vector<std::string> valid = {"\"", "\\", "\n", std::string(1, '\0'), "\x01",
                                          "\x1f", "\x7f", "\xC3\xA9", "\xE2\x82\xAC",
                                          "\xF0\x9F\x98\x80"};
  const std::vector<std::string> invalid = {"\xFF", "\xC3", "\xED\xA0\x80", "\x80\x80"};
  size_t checked = 0;
  for (size_t len = 0; len <= 20; ++len) {
    for (size_t at = 0; at <= len; ++at) {
      for (size_t at2 = at; at2 <= len; at2 += 3) {
        for (const auto* set : {&valid, &invalid}) {
          for (size_t k = 0; k < set->size(); ++k) {
            std::string s(len, 'a');
            for (size_t j = 0; j < len; ++j) s[j] = static_cast<char>('a' + (j % 26));
            s.insert(at2, (*set)[(k + 1) % set->size()]);
            s.insert(at, (*set)[k]);
            SCOPED_TRACE(testing::PrintToString(s));
            std::string out = ">";
            AppendJsonString(&out, s, InvalidUtf8::kReplace);
            ASSERT_EQ(out, ">" + Dumped(s));
            if (set == &valid) {
              out = ">";
              AppendJsonString(&out, s, InvalidUtf8::kCopy);
              ASSERT_EQ(out, ">" + Dumped(s));
            }
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 9000u);
}

// The quote-dense writer gives AppendJsonString's bytes (kCopy) for any
// text: JSON answers, every byte value alone, and random byte strings with
// control characters (which take the fallback).
TEST(AppendQuoteDenseJsonStringTest, WritesWhatAppendJsonStringWrites) {
  std::vector<std::string> cases = {
      "",
      R"({"id":"3f1c","name":"Lamp \"big\"","path":"C:\\lamps","n":[1,2,{"x":"a\"b"}]})",
      "\"\"\"\\\\\\",
      "new\nline",
      std::string(1, '\0'),
      "unicode: \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
      "\xFF\xFE",
  };
  for (int c = 0; c < 256; ++c) cases.push_back(std::string("x") + static_cast<char>(c) + "y");
  std::mt19937_64 rng(7);
  const std::string pool("\"\\{}[]:,abc\xC3\xA9\n\x01\x1f\x7f", 17);
  for (int i = 0; i < 5000; ++i) {
    std::string s(rng() % 64, 'a');
    for (char& ch : s) ch = pool[rng() % (i % 2 ? pool.size() : 11)];  // odd: with controls
    cases.push_back(s);
  }
  for (const std::string& s : cases) {
    std::string want = "prefix:";
    AppendJsonString(&want, s, InvalidUtf8::kCopy);
    std::string got = "prefix:";
    AppendQuoteDenseJsonString(&got, s);
    ASSERT_EQ(got, want) << testing::PrintToString(s);
  }
}

TEST(Utf8SequenceLengthTest, MeasuresWellFormedAndIllFormedSequences) {
  size_t bad = 0;
  EXPECT_EQ(Utf8SequenceLength("a", 0, &bad), 1u);
  EXPECT_EQ(Utf8SequenceLength("\xC3\xA9", 0, &bad), 2u);
  EXPECT_EQ(Utf8SequenceLength("\xE2\x82\xAC", 0, &bad), 3u);
  EXPECT_EQ(Utf8SequenceLength("\xF0\x9F\x98\x80", 0, &bad), 4u);
  EXPECT_EQ(Utf8SequenceLength("\xF0\x9F\x98", 0, &bad), 0u);
  EXPECT_EQ(bad, 3u);  // the maximal subpart: one U+FFFD for all three bytes
  EXPECT_EQ(Utf8SequenceLength("\xE0\x80\x80", 0, &bad), 0u);  // overlong
  EXPECT_EQ(bad, 1u);
  EXPECT_EQ(Utf8SequenceLength("x\xC3\xA9", 1, &bad), 2u);
}

}  // namespace
}  // namespace funkygibbon
