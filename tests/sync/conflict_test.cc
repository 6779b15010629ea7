#include "sync/conflict.h"

#include <gtest/gtest.h>

namespace funkygibbon::sync {
namespace {

Entity At(const std::string& version, const std::string& updated_at = "") {
  Entity e;
  e.id = "x";
  e.version = version;
  e.updated_at = updated_at;
  return e;
}

const Micros kNow = *ParseTimestamp("2020-06-01T00:00:00+00:00");

TEST(ConflictTest, NewerWins) {
  auto old = At("2020-01-01T00:00:00.000000+00:00-000001-zz");
  auto neu = At("2020-01-01T00:00:02.000000+00:00-000001-aa");
  EXPECT_EQ(ResolveConflict(old, neu, kNow).winner, Winner::kRemote);
  EXPECT_EQ(ResolveConflict(neu, old, kNow).winner, Winner::kLocal);
}

TEST(ConflictTest, WithinOneSecondLexicallyGreaterWins) {
  auto a = At("2020-01-01T00:00:00.000000+00:00-000001-zz");
  auto b = At("2020-01-01T00:00:00.999000+00:00-000001-aa");
  EXPECT_EQ(ResolveConflict(a, b, kNow).winner, Winner::kRemote);  // b > a lexically
  EXPECT_EQ(ResolveConflict(b, a, kNow).winner, Winner::kLocal);
  // Exactly 1000 ms apart is no longer a tie: newer wins.
  auto c = At("2020-01-01T00:00:01.000000+00:00-000001-aa");
  auto d = At("2020-01-01T00:00:00.000000+00:00-000001-zz");
  EXPECT_EQ(ResolveConflict(d, c, kNow).winner, Winner::kRemote);
}

TEST(ConflictTest, NonCanonicalVersionsUseUpdatedAt) {
  auto a = At("v-1", "2020-01-01T00:00:00Z");
  auto b = At("v-0", "2020-01-01T00:00:05.123Z");
  EXPECT_EQ(ResolveConflict(a, b, kNow).winner, Winner::kRemote);
  EXPECT_FALSE(EditTime(At("v-2")).has_value());
  // No time at all: lexical.
  EXPECT_EQ(ResolveConflict(At("v-2"), At("v-10"), kNow).winner, Winner::kLocal);
}

TEST(ConflictTest, FutureClockIsClamped) {
  // A version from a device whose clock is a year ahead.
  Entity liar = At("2021-06-01T00:00:00.000000+00:00-000001-aa");
  // Deciding now against an honest edit from 10 s ago: the liar counts as now + 5 s.
  auto honest_old = At(FormatTimestamp(kNow - 10'000'000) + "-000001-zz");
  EXPECT_EQ(ResolveConflict(honest_old, liar, kNow).winner, Winner::kRemote);
  // The hub stored the liar with updated_at clamped at receipt...
  ClampUpdatedAt(&liar, kNow);
  EXPECT_EQ(liar.updated_at, FormatTimestamp(kNow + kMaxClockSkewMicros));
  EXPECT_EQ(*EditTime(liar), kNow + kMaxClockSkewMicros);
  // ...so an honest edit made 10 s later beats it (without the clamp it would lose for a year).
  auto honest_later = At(FormatTimestamp(kNow + 10'000'000) + "-000001-aa");
  EXPECT_EQ(ResolveConflict(liar, honest_later, kNow + 11'000'000).winner, Winner::kRemote);
  Entity unclamped = At("2021-06-01T00:00:00.000000+00:00-000001-aa");
  EXPECT_EQ(ResolveConflict(unclamped, honest_later, kNow + 11'000'000).winner, Winner::kLocal)
      << "an unclamped future version keeps winning until real time catches up";
}

}  // namespace
}  // namespace funkygibbon::sync
