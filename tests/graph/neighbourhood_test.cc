#include <gtest/gtest.h>

#include <algorithm>
#include <array>

#include "graph/graph_index.h"
#include "graph_fixture.h"

namespace funkygibbon::graph {
namespace {

using E = EntityType;
using R = RelationshipType;
using Strings = std::vector<std::string>;

struct Got {
  Strings ids;
  std::vector<int> distances;
};

Got Flatten(const NeighbourhoodResult& r) {
  Got g;
  for (const Neighbour& n : r.neighbours) {
    g.ids.push_back(n.entity->id);
    g.distances.push_back(n.distance);
  }
  return g;
}

class NeighbourhoodTest : public ::testing::Test {
 protected:
  void SetUp() override { fixture::BuildHome(g_); }
  // Also checks that the same walk as summaries (summaries_only) gives the
  // same neighbours, in the same order, with the same edges.
  NeighbourhoodResult Run(std::string_view id, NeighbourhoodOptions o) {
    auto r = g_.Neighbourhood(id, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return NeighbourhoodResult{};
    o.summaries_only = true;
    auto s = g_.Neighbourhood(id, o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (s.ok()) {
      EXPECT_EQ(s->total, r->total);
      EXPECT_EQ(s->truncated, r->truncated);
      EXPECT_EQ(s->neighbours.size(), r->neighbours.size());
      for (size_t i = 0; i < std::min(s->neighbours.size(), r->neighbours.size()); ++i) {
        const Neighbour& a = r->neighbours[i];
        const Neighbour& b = s->neighbours[i];
        EXPECT_EQ(b.entity, nullptr);
        EXPECT_EQ(b.via, nullptr);
        EXPECT_EQ(b.summary.id, a.entity->id);
        EXPECT_EQ(b.summary.name, a.entity->name);
        EXPECT_EQ(b.summary.entity_type, a.entity->entity_type);
        EXPECT_EQ(b.distance, a.distance);
        EXPECT_EQ(b.forward, a.forward);
        EXPECT_EQ(b.via_id, a.via->id);
        EXPECT_EQ(b.via_type, a.via->relationship_type);
      }
    }
    return *r;
  }
  GraphIndex g_;
};

TEST_F(NeighbourhoodTest, OneHopBothWays) {
  NeighbourhoodOptions o;
  NeighbourhoodResult r = Run("kitchen", o);
  Got got = Flatten(r);
  EXPECT_EQ(got.ids, (Strings{"door-kh", "fridge", "ground", "lamp-k"}));
  EXPECT_EQ(got.distances, (std::vector<int>{1, 1, 1, 1}));
  EXPECT_EQ(r.total, 4u);
  EXPECT_FALSE(r.truncated);
  // via and forward describe the edge that reached each one.
  EXPECT_EQ(r.neighbours[0].via->id, "e-kitchen-doorkh");
  EXPECT_TRUE(r.neighbours[0].forward);
  EXPECT_EQ(r.neighbours[1].via->id, "e-fridge-kitchen");
  EXPECT_FALSE(r.neighbours[1].forward);
}

TEST_F(NeighbourhoodTest, DistancesByHopsOrderedByDistanceThenId) {
  NeighbourhoodOptions o;
  o.depth = 2;
  Got got = Flatten(Run("kitchen", o));
  EXPECT_EQ(got.ids, (Strings{"door-kh", "fridge", "ground", "lamp-k",           // 1
                              "hall", "home", "living", "manual-fridge"}));  // 2
  EXPECT_EQ(got.distances, (std::vector<int>{1, 1, 1, 1, 2, 2, 2, 2}));
  // The start is never in the result.
  for (const std::string& id : got.ids) EXPECT_NE(id, "kitchen");
}

TEST_F(NeighbourhoodTest, DirectionAndRelationshipTypeFilterWalking) {
  NeighbourhoodOptions o;
  o.depth = 5;
  o.direction = Direction::kOut;
  Got up = Flatten(Run("lamp-k", o));
  EXPECT_EQ(up.ids, (Strings{"kitchen", "door-kh", "ground", "hall", "home", "bedroom", "door-bb",
                             "first"}));
  EXPECT_EQ(up.distances, (std::vector<int>{1, 2, 2, 3, 3, 4, 5, 5}));
  o.relationship_types = {R::kLocatedIn, R::kPartOf};
  up = Flatten(Run("lamp-k", o));
  EXPECT_EQ(up.ids, (Strings{"kitchen", "ground", "home"}));
  EXPECT_EQ(up.distances, (std::vector<int>{1, 2, 3}));

  o.direction = Direction::kIn;
  o.depth = 2;
  Got down = Flatten(Run("ground", o));
  EXPECT_EQ(down.ids, (Strings{"hall", "kitchen", "living", "fridge", "lamp-k", "lamp-l",
                               "thermostat", "tv"}));  // still located_in/part_of only
  o.relationship_types.clear();
  down = Flatten(Run("ground", o));
  EXPECT_EQ(down.ids, (Strings{"hall", "kitchen", "living", "door-kh", "door-lh", "fridge",
                               "lamp-k", "lamp-l", "thermostat", "tv"}));
}

TEST_F(NeighbourhoodTest, EntityTypeFilterStillWalksThrough) {
  NeighbourhoodOptions o;
  o.depth = 3;
  o.direction = Direction::kIn;
  o.entity_types = {E::kDevice};
  NeighbourhoodResult r = Run("ground", o);
  Got got = Flatten(r);
  // Devices are two hops down, behind rooms that are not returned.
  EXPECT_EQ(got.ids, (Strings{"fridge", "lamp-k", "lamp-l", "thermostat", "tv"}));
  EXPECT_EQ(got.distances, (std::vector<int>{2, 2, 2, 2, 2}));
  EXPECT_EQ(r.total, 5u);
}

TEST_F(NeighbourhoodTest, LimitReportsTotalAndTruncation) {
  NeighbourhoodOptions o;
  o.depth = 10;
  o.limit = 3;
  NeighbourhoodResult r = Run("home", o);
  EXPECT_EQ(r.neighbours.size(), 3u);
  EXPECT_EQ(r.total, 19u);  // everything but the home and the isolated note
  EXPECT_TRUE(r.truncated);
  o.limit = 0;
  r = Run("home", o);
  EXPECT_TRUE(r.neighbours.empty());
  EXPECT_EQ(r.total, 19u);
}

TEST_F(NeighbourhoodTest, DeletedEntitiesAreNotWalked) {
  g_.PutEntity(fixture::Tombstone(g_.Get("kitchen")));
  NeighbourhoodOptions o;
  o.depth = 2;
  Got got = Flatten(Run("lamp-k", o));
  EXPECT_TRUE(got.ids.empty());
  EXPECT_EQ(g_.Neighbourhood("kitchen", o).status().code(), StatusCode::kNotFound);
}

TEST_F(NeighbourhoodTest, BadArguments) {
  NeighbourhoodOptions o;
  for (int d : {0, -1, 11}) {
    o.depth = d;
    auto r = g_.Neighbourhood("home", o);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << d;
    EXPECT_NE(r.status().message().find("depth"), std::string::npos);
  }
  o.depth = 1;
  auto r = g_.Neighbourhood("nope", o);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "entity 'nope' not found");
}

TEST(NeighbourhoodViaTest, ViaIsDeterministic) {
  for (int order = 0; order < 2; ++order) {
    GraphIndex g;
    fixture::Add(g, "a", E::kRoom, "A");
    fixture::Add(g, "b", E::kRoom, "B");
    fixture::Add(g, "c", E::kRoom, "C");
    fixture::Add(g, "t", E::kRoom, "T");
    std::vector<std::array<std::string, 3>> edges = {
        {"e9", "b", "t"}, {"e1", "c", "t"}, {"e5", "b", "t"}, {"ab", "a", "b"}, {"ac", "a", "c"}};
    if (order == 1) std::reverse(edges.begin(), edges.end());
    for (auto& [id, f, t] : edges) fixture::Link(g, id, f, R::kConnectsTo, t);
    NeighbourhoodOptions o;
    o.depth = 2;
    auto r = g.Neighbourhood("a", o);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->neighbours.size(), 3u);
    EXPECT_EQ(r->neighbours[2].entity->id, "t");
    // Reached first from b (smaller id than c), by b's smaller edge id.
    EXPECT_EQ(r->neighbours[2].via->id, "e5");
  }
}

}  // namespace
}  // namespace funkygibbon::graph
