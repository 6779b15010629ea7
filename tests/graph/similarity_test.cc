#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "graph/graph_index.h"
#include "graph_fixture.h"

namespace funkygibbon::graph {
namespace {

using E = EntityType;
using Strings = std::vector<std::string>;

Strings HitIds(const std::vector<SimilarHit>& hits) {
  Strings out;
  for (const SimilarHit& h : hits) out.push_back(h.entity->id);
  return out;
}

class SimilarityTest : public ::testing::Test {
 protected:
  void SetUp() override { fixture::BuildHome(g_); }
  std::vector<SimilarHit> Similar(std::string_view id, double threshold, size_t limit = 100,
                                  std::vector<EntityType> types = {}) {
    SimilarOptions o;
    o.threshold = threshold;
    o.limit = limit;
    o.entity_types = std::move(types);
    auto r = g_.FindSimilar(id, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<SimilarHit>{};
  }
  GraphIndex g_;
};

TEST_F(SimilarityTest, MostSimilarLightComesFirst) {
  auto hits = Similar("lamp-k", 0.3);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].entity->id, "lamp-l");  // same maker, same model line, also a light
  Strings ids = HitIds(hits);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "lamp-b"), ids.end());
  for (size_t i = 0; i < hits.size(); ++i) {
    EXPECT_GE(hits[i].score, 0.3);
    EXPECT_LE(hits[i].score, 1.0);
    EXPECT_NE(hits[i].entity->id, "lamp-k");
    if (i > 0) {
      EXPECT_GE(hits[i - 1].score, hits[i].score);
    }
  }
}

TEST_F(SimilarityTest, ThresholdReallyFilters) {
  auto all = Similar("lamp-k", 0.0);
  auto mid = Similar("lamp-k", 0.3);
  auto high = Similar("lamp-k", 0.5);
  auto none = Similar("lamp-k", 1.0);
  EXPECT_GT(all.size(), mid.size());
  EXPECT_GT(mid.size(), high.size());
  EXPECT_FALSE(high.empty());
  EXPECT_TRUE(none.empty());
  // Raising the threshold only drops the low scorers.
  std::set<std::string> mid_ids;
  for (const auto& h : mid) mid_ids.insert(h.entity->id);
  for (const auto& h : high) EXPECT_TRUE(mid_ids.count(h.entity->id));
  for (const auto& h : all) {
    EXPECT_EQ(h.score >= 0.3, mid_ids.count(h.entity->id) == 1) << h.entity->id;
  }
  // 0 returns everything with any overlap (a shared term or neighbour) and
  // nothing without: the kitchen shares the word "kitchen"; the ground
  // floor shares the kitchen as a neighbour; the note shares nothing.
  Strings ids = HitIds(all);
  for (const char* want : {"lamp-l", "lamp-b", "fridge", "tv", "thermostat", "door-kh",
                           "kitchen", "ground"}) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), want), ids.end()) << want;
  }
  for (const char* not_want : {"note-1", "home", "lamp-k", "manual-tv"}) {
    EXPECT_EQ(std::find(ids.begin(), ids.end(), not_want), ids.end()) << not_want;
  }
}

TEST_F(SimilarityTest, ReasonsExplainTheScore) {
  auto hits = Similar("lamp-k", 0.0);
  auto find = [&](const std::string& id) {
    for (const auto& h : hits) {
      if (h.entity->id == id) return h;
    }
    return SimilarHit{};
  };
  SimilarHit lamp = find("lamp-l");
  ASSERT_NE(lamp.entity, nullptr);
  EXPECT_EQ(lamp.reasons[0], "same type (device)");
  ASSERT_GE(lamp.reasons.size(), 2u);
  EXPECT_EQ(lamp.reasons[1].rfind("shares 7 terms: ", 0), 0u) << lamp.reasons[1];
  // At most five terms are named.
  EXPECT_EQ(lamp.reasons[1], "shares 7 terms: brightness, hue, light, manufacturer, model");
  SimilarHit fridge = find("fridge");
  ASSERT_NE(fridge.entity, nullptr);
  EXPECT_EQ(fridge.reasons.back(), "1 common neighbour");
  SimilarHit ground = find("ground");
  ASSERT_NE(ground.entity, nullptr);
  EXPECT_EQ(ground.reasons, Strings{"1 common neighbour"});
}

TEST_F(SimilarityTest, TypeFilterAndLimit) {
  EXPECT_EQ(HitIds(Similar("lamp-k", 0.0, 100, {E::kDoor})), Strings{"door-kh"});
  auto two = Similar("lamp-k", 0.0, 2);
  EXPECT_EQ(two.size(), 2u);
  const Strings all = HitIds(Similar("lamp-k", 0.0));
  EXPECT_EQ(HitIds(two), Strings(all.begin(), all.begin() + 2));
}

TEST_F(SimilarityTest, DeletedEntitiesAreNeitherTargetsNorHits) {
  g_.PutEntity(fixture::Tombstone(g_.Get("lamp-l")));
  Strings ids = HitIds(Similar("lamp-k", 0.0));
  EXPECT_EQ(std::find(ids.begin(), ids.end(), "lamp-l"), ids.end());
  SimilarOptions o;
  EXPECT_EQ(g_.FindSimilar("lamp-l", o).status().code(), StatusCode::kNotFound);
  // A new live version is indexed again with its new words.
  g_.PutEntity(fixture::MakeEntity("lamp-l", E::kDevice, "Kitchen Ceiling Light",
                                   {{"manufacturer", "Philips"}}, "v3"));
  EXPECT_EQ(Similar("lamp-k", 0.0)[0].entity->id, "lamp-l");
}

TEST_F(SimilarityTest, BadArguments) {
  SimilarOptions o;
  EXPECT_EQ(g_.FindSimilar("nope", o).status().code(), StatusCode::kNotFound);
  for (double t : {-0.1, 1.5}) {
    o.threshold = t;
    EXPECT_EQ(g_.FindSimilar("lamp-k", o).status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(SimilarityTermsTest, StopWordsNumbersAndCaseAreIgnored) {
  GraphIndex g;
  fixture::Add(g, "a", E::kNote, "The Red Lamp", {{"note", "It is on the table"}, {"n", 42}});
  fixture::Add(g, "b", E::kDevice, "red TABLE", Json::object());
  fixture::Add(g, "c", E::kDevice, "the and of 42", Json::object());
  SimilarOptions o;
  o.threshold = 0;
  auto hits = g.FindSimilar("a", o);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].entity->id, "b");
  EXPECT_EQ((*hits)[0].reasons, Strings{"shares 2 terms: red, table"});
}

}  // namespace
}  // namespace funkygibbon::graph
