#include "core/version.h"

#include <gtest/gtest.h>

namespace funkygibbon {
namespace {

TEST(VersionTest, FormatsCanonicalTimestamp) {
  auto t = ParseTimestamp("2026-06-15T09:41:02.581234+00:00");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatTimestamp(*t), "2026-06-15T09:41:02.581234+00:00");
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

}  // namespace
}  // namespace funkygibbon
