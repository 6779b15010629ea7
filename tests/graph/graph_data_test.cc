// The private building blocks behind GraphIndex (src/graph/graph_data.h,
// packed.h, field.h), checked against plain standard containers.
#include "graph/graph_data.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "graph/field.h"
#include "graph/packed.h"

namespace funkygibbon::graph::internal {
namespace {

struct PlainLess {
  bool operator()(uint32_t a, uint32_t b) const { return a < b; }
};

TEST(BlockSetTest, BehavesLikeStdSet) {
  std::mt19937 rng(3);
  BlockSet<PlainLess> blocks;
  std::set<uint32_t> ref;
  for (int step = 0; step < 60000; ++step) {
    const uint32_t v = static_cast<uint32_t>(rng() % 5000);
    if (rng() % 3 == 0) {
      EXPECT_EQ(blocks.erase(v), ref.erase(v) == 1);
    } else {
      blocks.insert(v);
      ref.insert(v);
    }
    if (step % 5000 == 0 || step == 59999) {
      ASSERT_EQ(blocks.size(), ref.size());
      ASSERT_TRUE(std::equal(blocks.begin(), blocks.end(), ref.begin(), ref.end()));
      for (uint32_t k = 0; k < 5001; k += 7) {
        auto lb = blocks.lower_bound(k);
        auto rlb = ref.lower_bound(k);
        ASSERT_EQ(lb == blocks.end(), rlb == ref.end());
        if (rlb != ref.end()) {
          ASSERT_EQ(*lb, *rlb);
        }
        auto ub = blocks.upper_bound(k);
        auto rub = ref.upper_bound(k);
        ASSERT_EQ(ub == blocks.end(), rub == ref.end());
        if (rub != ref.end()) {
          ASSERT_EQ(*ub, *rub);
        }
      }
    }
  }
  while (!ref.empty()) {
    EXPECT_TRUE(blocks.erase(*ref.begin()));
    ref.erase(ref.begin());
  }
  EXPECT_TRUE(blocks.empty());
  EXPECT_TRUE(blocks.begin() == blocks.end());
}

TEST(ChunkedVectorTest, KeepsEverySlotInPlaceAcrossChunkSizes) {
  // 20,000 slots cross the doubling chunks (64 .. 2,048 slots) and several
  // 4,096-slot ones: each slot keeps its value and its address as the
  // vector grows, and distinct indices never share a slot.
  ChunkedVector<uint64_t> v;
  std::vector<const uint64_t*> where;
  for (uint64_t i = 0; i < 20000; ++i) {
    v.emplace_back();
    ASSERT_EQ(v.size(), i + 1);
    EXPECT_EQ(v[i], 0u) << "new slot " << i << " is not value-initialised";
    v[i] = i * 7 + 1;
    where.push_back(&v[i]);
  }
  std::set<const uint64_t*> distinct(where.begin(), where.end());
  EXPECT_EQ(distinct.size(), where.size());
  const ChunkedVector<uint64_t>& cv = v;
  for (uint64_t i = 0; i < 20000; ++i) {
    ASSERT_EQ(cv[i], i * 7 + 1) << "slot " << i;
    ASSERT_EQ(&cv[i], where[i]) << "slot " << i << " moved";
  }
  // Neighbours within a chunk are adjacent in memory: around each chunk
  // boundary the slots before and after are contiguous within their chunk.
  for (uint64_t i : {0u, 62u, 64u, 190u, 4030u, 4032u, 8126u, 8128u}) {
    EXPECT_EQ(where[i] + 1, where[i + 1]) << "slots " << i << " and " << i + 1;
  }
}

TEST(HandleTableTest, FindsWhatWasInsertedThroughChurn) {
  std::vector<std::string> keys;
  for (int i = 0; i < 4000; ++i) keys.push_back("k" + std::to_string(i * 7919 % 100003));
  HandleTable table;
  auto key_of = [&](uint32_t h) { return std::string_view(keys[h]); };
  std::vector<bool> in(keys.size(), false);
  std::mt19937 rng(5);
  for (int step = 0; step < 40000; ++step) {
    const uint32_t h = static_cast<uint32_t>(rng() % keys.size());
    if (in[h]) {
      EXPECT_TRUE(table.Erase(keys[h], key_of));
      in[h] = false;
    } else {
      table.Insert(h, key_of);
      in[h] = true;
    }
  }
  for (uint32_t h = 0; h < keys.size(); ++h) {
    EXPECT_EQ(table.Find(keys[h], key_of), in[h] ? h : kNone);
  }
  EXPECT_EQ(table.Find("absent", key_of), kNone);
}

TEST(PackedStringTest, KeepsTextExactly) {
  for (std::string s : {std::string(), std::string("a"), std::string(15, 'x'), std::string(16, 'y'),
                        std::string("0f8e2a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5b"),
                        std::string("0f8e2a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5B"),
                        std::string("0f8e2a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5"),
                        std::string("0f8e2a4c_1b3d-4e5f-8a9b-0c1d2e3f4a5b"), std::string(1000, 'z'),
                        std::string("with\\0nul", 9)}) {
    PackedString p(s);
    EXPECT_EQ(p.ToString(), s);
    EXPECT_EQ(p.empty(), s.empty());
    PackedString moved(std::move(p));
    EXPECT_EQ(moved.ToString(), s);
    PackedString assigned;
    assigned = std::move(moved);
    EXPECT_EQ(assigned.ToString(), s);
  }
  PackedString a("0f8e2a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5b"), b("1f8e2a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5b"),
      c("0f8e2a4c"), d("zz");
  EXPECT_LT(PackedString::Compare(a, b), 0);
  EXPECT_GT(PackedString::Compare(a, c), 0);
  EXPECT_LT(PackedString::Compare(b, d), 0);
  EXPECT_EQ(PackedString::Compare(a, a), 0);
}

TEST(FieldTest, ParsesPathsAndComparesValues) {
  auto f = ParseFieldPath("content.a.b");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->kind, FieldKind::kContent);
  EXPECT_EQ(f->path, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ParseFieldPath("a.b")->path, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ParseFieldPath("created_at")->kind, FieldKind::kCreatedAt);
  EXPECT_FALSE(ParseFieldPath(std::string(600, 'a')).ok());
  Entity e;
  e.id = "X1";
  e.name = "Lamp";
  e.content = {{"n", 5}, {"s", "abc"}, {"arr", {1, "two", nullptr}}, {"nul", nullptr}};
  const EntityHandle handle(EntityRecord::Make(e));
  auto get = [&](const char* path) { return GetField(*handle, *ParseFieldPath(path)); };
  const FieldPath id = *ParseFieldPath("id");
  EXPECT_TRUE(Matches(get("id"), id, MatchOp::kEq, "X1"));
  EXPECT_FALSE(Matches(get("id"), id, MatchOp::kEq, "x1"));
  const FieldPath n = *ParseFieldPath("n");
  EXPECT_TRUE(Matches(get("n"), n, MatchOp::kEq, 5.0));
  EXPECT_TRUE(Matches(get("n"), n, MatchOp::kGt, 4.5));
  EXPECT_FALSE(Matches(get("n"), n, MatchOp::kGt, "4"));
  EXPECT_TRUE(Matches(get("n"), n, MatchOp::kNe, "5"));
  EXPECT_TRUE(Matches(get("arr"), n, MatchOp::kContains, "TWO"));
  EXPECT_TRUE(Matches(get("arr"), n, MatchOp::kContains, 1));
  EXPECT_TRUE(Matches(get("arr.2"), n, MatchOp::kNotExists, nullptr));
  EXPECT_TRUE(Matches(get("nul"), n, MatchOp::kNotExists, nullptr));
  EXPECT_TRUE(Matches(get("nul"), n, MatchOp::kEq, nullptr));
  EXPECT_TRUE(Matches(get("s"), n, MatchOp::kStartsWith, "AB"));
  EXPECT_FALSE(Matches(get("s"), n, MatchOp::kIn, "abc"));  // in needs an array
  EXPECT_TRUE(Matches(get("s"), n, MatchOp::kIn, Json::array({1, "ABC"})));
  EXPECT_LT(CompareForOrder(get("n"), get("s")), 0);  // numbers before strings
}

}  // namespace
}  // namespace funkygibbon::graph::internal
