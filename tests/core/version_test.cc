#include "core/version.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <random>
#include <string>

namespace funkygibbon {
namespace {

TEST(VersionTest, FormatsCanonicalTimestamp) {
  auto t = ParseTimestamp("2026-06-15T09:41:02.581234+00:00");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatTimestamp(*t), "2026-06-15T09:41:02.581234+00:00");
}

// FormatTimestamp and FormatVersion write their digits by hand; they must
// agree with the printf formats they replaced across the whole range.
TEST(VersionTest, FormattingMatchesPrintfAcrossTheRange) {
  const Micros first = *ParseTimestamp("0000-01-01T00:00:00.000000+00:00");
  const Micros last = *ParseTimestamp("9999-12-31T23:59:59.999999+00:00");
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<Micros> any(first, last);
  for (int i = 0; i < 20000; ++i) {
    const Micros t = i == 0 ? first : i == 1 ? last : any(rng);
    const std::string text = FormatTimestamp(t);
    ASSERT_EQ(text.size(), 32u) << text;
    ASSERT_EQ(ParseTimestamp(text), t) << text;
    // The fields, re-derived the slow way.
    const std::time_t secs = static_cast<std::time_t>((t >= 0 ? t : t - 999999) / 1000000);
    std::tm tm{};
    if (gmtime_r(&secs, &tm) != nullptr && tm.tm_year + 1900 >= 0) {
      char want[128];  // room for any int in each field
      std::snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld+00:00",
                    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                    tm.tm_sec, static_cast<long long>(((t % 1000000) + 1000000) % 1000000));
      ASSERT_EQ(text, want);
    }
  }
  for (int counter : {0, 1, 9, 10, 417, 99999, 100000, 999999}) {
    ParsedVersion v;
    v.time = *ParseTimestamp("2026-06-15T09:41:02.581234+00:00");
    v.counter = counter;
    v.user_id = "hub";
    char want[96];
    std::snprintf(want, sizeof want, "2026-06-15T09:41:02.581234+00:00-%06d-hub", counter);
    EXPECT_EQ(FormatVersion(v), want);
  }
}

TEST(VersionTest, ParsesClientTimestampForms) {
  auto canonical = ParseTimestamp("2026-06-15T09:41:02.581000+00:00");
  ASSERT_TRUE(canonical);
  EXPECT_EQ(ParseTimestamp("2026-06-15T09:41:02.581Z"), canonical);
  EXPECT_EQ(ParseTimestamp("2026-06-15T11:41:02.581+02:00"), canonical);
  EXPECT_EQ(ParseTimestamp("2026-06-15 09:41:02.581"), canonical);
  EXPECT_EQ(ParseTimestamp("2026-06-15T04:41:02.581-0500"), canonical);
  EXPECT_FALSE(ParseTimestamp("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(ParseTimestamp("2026-02-30T00:00:00Z"));
  EXPECT_FALSE(ParseTimestamp("yesterday"));
  EXPECT_FALSE(ParseTimestamp("2026-06-15T09:41:02.Z"));
  EXPECT_FALSE(ParseTimestamp(""));
}

// Found by fuzz/version_fuzzer.cc (fuzz/regressions/version/): a zone offset
// carried 9999-12-31 into year 10000, which FormatTimestamp wrote in 33
// characters that ParseTimestamp could not read back (a sync client's
// created_at would have been stored and served that way).
TEST(VersionTest, RefusesInstantsOutsideYears0000To9999) {
  EXPECT_FALSE(ParseTimestamp("9999-12-31T23:59:59.999999999-08:00"));
  EXPECT_FALSE(ParseTimestamp("9999-12-31T23:30:00-00:31"));
  EXPECT_FALSE(ParseTimestamp("0000-01-01T00:00:00+00:01"));
  EXPECT_FALSE(ParseTimestamp("0000-01-01 00:30:00.5+01:00"));
  // The edges themselves parse and round-trip.
  for (const char* edge : {"0000-01-01T00:00:00.000000+00:00", "9999-12-31T23:59:59.999999+00:00"}) {
    auto t = ParseTimestamp(edge);
    ASSERT_TRUE(t) << edge;
    EXPECT_EQ(FormatTimestamp(*t), edge);
  }
  EXPECT_EQ(ParseTimestamp("9999-12-31T23:00:00-00:59"),
            ParseTimestamp("9999-12-31T23:59:00.000000+00:00"));
}

TEST(VersionTest, ParsesCanonicalAndLegacyVersions) {
  auto v = ParseVersion("2026-06-15T09:41:02.581234+00:00-000417-alice");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->counter, 417);
  EXPECT_EQ(v->user_id, "alice");
  EXPECT_FALSE(v->legacy_z);
  EXPECT_EQ(FormatVersion(*v), "2026-06-15T09:41:02.581234+00:00-000417-alice");

  auto legacy = ParseVersion("2026-06-15T09:41:02.581234Z-000417-user-with-dashes");
  ASSERT_TRUE(legacy);
  EXPECT_TRUE(legacy->legacy_z);
  EXPECT_EQ(legacy->time, v->time);
  EXPECT_EQ(legacy->user_id, "user-with-dashes");

  EXPECT_FALSE(ParseVersion("v-1718000000000"));
  EXPECT_FALSE(ParseVersion("2026-06-15T09:41:02.581234+00:00-41-alice"));
  EXPECT_FALSE(ParseVersion("2026-06-15T09:41:02.581234+00:00-000417-"));
}

TEST(VersionTest, ComparesByTimeThenCounter) {
  EXPECT_LT(CompareVersions("2026-06-15T09:41:02.581234+00:00-000417-alice",
                            "2026-06-15T09:41:02.581235+00:00-000000-alice"), 0);
  EXPECT_LT(CompareVersions("2026-06-15T09:41:02.581234+00:00-000001-zed",
                            "2026-06-15T09:41:02.581234+00:00-000002-alice"), 0);
  // Legacy Z and canonical forms of the same instant compare by counter/user.
  EXPECT_EQ(CompareVersions("2026-06-15T09:41:02.581234Z-000001-a",
                            "2026-06-15T09:41:02.581234+00:00-000001-a"), 0);
  EXPECT_GT(CompareVersions("v-2", "v-1"), 0);
}

TEST(VersionTest, GeneratorIsStrictlyIncreasingAndOutranksFloor) {
  VersionGenerator gen;
  std::string prev = gen.Next("u");
  for (int i = 0; i < 10000; ++i) {
    std::string next = gen.Next("u");
    ASSERT_LT(prev, next);  // lexical order is time order
    ASSERT_LT(CompareVersions(prev, next), 0);
    prev = next;
  }
  const std::string future = "2999-01-01T00:00:00.000000+00:00-000005-other";
  std::string after = gen.Next("u", future);
  EXPECT_GT(CompareVersions(after, future), 0);
  EXPECT_GT(after, future);
}

// Found by fuzz/version_fuzzer.cc (fuzz/regressions/version/): a floor at
// the last representable microsecond made the next version
// "10000-01-01T00:00:00.000000+00:00-...", which does not parse and so sorted
// (as a plain string) before the version it superseded.
TEST(VersionTest, GeneratorStaysWithinYear9999AndStillOutranksTheFloor) {
  VersionGenerator gen;
  const std::string last = "9999-12-31T23:59:59.999999+00:00-000005-zed";
  std::string prev = last;
  for (int i = 0; i < 3; ++i) {
    const std::string next = gen.Next("alice", last);
    auto parsed = ParseVersion(next);
    ASSERT_TRUE(parsed) << next;
    EXPECT_EQ(parsed->time, kLastMicros);
    EXPECT_GT(CompareVersions(next, prev), 0) << next << " vs " << prev;
    prev = next;
  }
  EXPECT_EQ(ParseVersion(prev)->counter, 8);
  // Timestamps stop there too, so they still format in 32 characters.
  EXPECT_EQ(FormatTimestamp(gen.NextMicros()), "9999-12-31T23:59:59.999999+00:00");
  // With the counter of the last instant used up nothing later exists; the
  // version still parses.
  VersionGenerator other;
  const std::string end = other.Next("u", "9999-12-31T23:59:59.999999+00:00-999999-zed");
  EXPECT_EQ(end, "9999-12-31T23:59:59.999999+00:00-999999-u");
}

}  // namespace
}  // namespace funkygibbon
