#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include "graph/graph_index.h"
#include "graph_fixture.h"

namespace funkygibbon::graph {
namespace {

using E = EntityType;
using R = RelationshipType;

TEST(StatisticsTest, EmptyGraph) {
  GraphIndex g;
  GraphStatistics st = g.Statistics();
  EXPECT_EQ(st.entities, 0u);
  EXPECT_EQ(st.relationships, 0u);
  EXPECT_EQ(st.average_degree, 0.0);
  EXPECT_EQ(st.max_degree, 0u);
  EXPECT_TRUE(st.max_degree_entity_id.empty());
  EXPECT_TRUE(st.entities_by_type.empty());
}

TEST(StatisticsTest, ExampleHome) {
  GraphIndex g;
  fixture::BuildHome(g);
  GraphStatistics st = g.Statistics();
  EXPECT_EQ(st.entities, 21u);
  EXPECT_EQ(st.deleted_entities, 0u);
  EXPECT_EQ(st.relationships, 25u);
  EXPECT_EQ(st.entities_by_type,
            (std::map<std::string, size_t>{{"automation", 1}, {"device", 6}, {"door", 3},
                                           {"home", 1}, {"manual", 2}, {"note", 1},
                                           {"room", 5}, {"zone", 2}}));
  EXPECT_EQ(st.relationships_by_type,
            (std::map<std::string, size_t>{{"connects_to", 7}, {"controls", 2},
                                           {"documented_by", 2}, {"located_in", 11},
                                           {"part_of", 2}, {"triggered_by", 1}}));
  EXPECT_DOUBLE_EQ(st.average_degree, 50.0 / 21.0);
  // ground: part_of home + kitchen, hall, living located_in it = 4; hall: 5
  // (ground, door-kh, door-lh, bedroom, thermostat).
  EXPECT_EQ(st.max_degree, 5u);
  EXPECT_EQ(st.max_degree_entity_id, "hall");
  EXPECT_EQ(st.isolated_entities, 1u);
  EXPECT_EQ(st.isolated_sample, std::vector<std::string>{"note-1"});
}

TEST(StatisticsTest, DeletesAndDanglingEdgesCountAsLiveOnly) {
  GraphIndex g;
  fixture::BuildHome(g);
  g.PutEntity(fixture::Tombstone(g.Get("hall")));
  fixture::Link(g, "dangling", "tv", R::kControls, "not-yet-synced");
  GraphStatistics st = g.Statistics();
  EXPECT_EQ(st.entities, 20u);
  EXPECT_EQ(st.deleted_entities, 1u);
  EXPECT_EQ(st.relationships, 20u);  // hall had 5 edges; the dangling one is not walked
  EXPECT_EQ(g.relationship_count(), 26u);  // but every stored edge is kept
  EXPECT_EQ(st.entities_by_type.at("room"), 4u);
  EXPECT_EQ(st.max_degree, 4u);
  // kitchen and living both have 4; the smaller id wins the tie.
  EXPECT_EQ(st.max_degree_entity_id, "kitchen");
  EXPECT_EQ(st.isolated_entities, 1u);
}

TEST(StatisticsTest, IsolatedSampleIsCappedAndSorted) {
  GraphIndex g;
  for (int i = 0; i < 30; ++i) {
    char id[16];  // room for any int (-O1 cannot see the range)
    std::snprintf(id, sizeof id, "n%02d", 29 - i);
    fixture::Add(g, id, E::kNote, "n");
  }
  fixture::Link(g, "e", "n00", R::kConnectsTo, "n01");
  GraphStatistics st = g.Statistics();
  EXPECT_EQ(st.isolated_entities, 28u);
  ASSERT_EQ(st.isolated_sample.size(), 20u);
  EXPECT_EQ(st.isolated_sample.front(), "n02");
  EXPECT_EQ(st.isolated_sample.back(), "n21");
  EXPECT_DOUBLE_EQ(st.average_degree, 2.0 / 30.0);
}

}  // namespace
}  // namespace funkygibbon::graph
