#include <gtest/gtest.h>

#include "app/export_import.h"
#include "app/seed.h"
#include "graph/knowledge_graph.h"
#include "testutil.h"

namespace funkygibbon::app {
namespace {

using graph::GraphIndex;
using graph::KnowledgeGraph;

std::unique_ptr<KnowledgeGraph> NewGraph() { return funkygibbon::testing::MemoryGraph(); }

graph::EntityPtr ByName(const KnowledgeGraph& kg, const std::string& name) {
  return kg.Read([&](const GraphIndex& g) {
    auto found = g.FindByName(name, std::nullopt);
    return found.empty() ? nullptr : found.front();
  });
}

TEST(SeedTest, ExampleHomeIsRealistic) {
  auto kg = NewGraph();
  auto r = SeedExampleHome(*kg);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto stats = kg->Read([](const GraphIndex& g) { return g.Statistics(); });
  EXPECT_GE(stats.entities_by_type["room"], 15u);
  EXPECT_GE(stats.entities_by_type["device"], 40u);
  EXPECT_GE(stats.entities_by_type["zone"], 3u);
  for (const char* t : {"home", "door", "window", "manual", "procedure", "automation", "schedule", "app", "note"}) {
    EXPECT_GE(stats.entities_by_type[t], 1u) << t;
  }
  EXPECT_GE(stats.relationships, 150u);
  // A second seed is refused rather than duplicating the house.
  EXPECT_EQ(SeedExampleHome(*kg).status().code(), StatusCode::kFailedPrecondition);
}

TEST(SeedTest, RealPathsExist) {
  auto kg = NewGraph();
  ASSERT_TRUE(SeedExampleHome(*kg).ok());
  auto lamp = ByName(*kg, "Living Room Floor Lamp");
  auto living = ByName(*kg, "Living Room");
  auto home = ByName(*kg, "Maple House");
  auto kitchen = ByName(*kg, "Kitchen");
  auto dining = ByName(*kg, "Dining Room");
  ASSERT_TRUE(lamp && living && home && kitchen && dining);
  kg->Read([&](const GraphIndex& g) {
    // device -> room -> (zone) -> home, following child -> parent edges only.
    graph::PathOptions out;
    out.direction = graph::Direction::kOut;
    auto p = g.FindPath(lamp->id, home->id, out);
    EXPECT_TRUE(p.ok() && p->found);
    EXPECT_EQ(p->nodes[1].id, living->id);
    EXPECT_EQ(p->nodes.back().id, home->id);
    // room -> door -> room through connects_to.
    graph::PathOptions doors;
    doors.relationship_types = {RelationshipType::kConnectsTo};
    doors.direction = graph::Direction::kOut;
    auto q = g.FindPath(kitchen->id, ByName(*kg, "Utility Room")->id, doors);
    EXPECT_TRUE(q.ok() && q->found);
    ASSERT_EQ(q->nodes.size(), 3u);
    EXPECT_EQ(q->nodes[1].entity_type, EntityType::kDoor);
  });
}

TEST(ExportImportTest, RoundTripsExactly) {
  auto kg = NewGraph();
  ASSERT_TRUE(SeedExampleHome(*kg).ok());
  // History, a tombstone and a removed edge must survive the trip too.
  auto lamp = ByName(*kg, "Living Room Floor Lamp");
  graph::EntityEdit edit;
  edit.content = Json{{"brightness", 75}};
  ASSERT_TRUE(kg->UpdateEntity(lamp->id, edit, "t").ok());
  ASSERT_TRUE(kg->DeleteEntity(ByName(*kg, "Tumble Dryer")->id, "t").ok());

  auto doc = ExportGraph(*kg);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  auto kg2 = NewGraph();
  auto imported = ImportGraph(*kg2, *doc);
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  auto doc2 = ExportGraph(*kg2);
  ASSERT_TRUE(doc2.ok());
  EXPECT_EQ(doc->dump(), doc2->dump());
  // Importing again changes nothing.
  auto again = ImportGraph(*kg2, *doc);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->versions_added, 0u);
  EXPECT_EQ(ExportGraph(*kg2)->dump(), doc->dump());
}

TEST(ExportImportTest, BadDocumentWritesNothing) {
  auto kg = NewGraph();
  ASSERT_TRUE(SeedExampleHome(*kg).ok());
  Json doc = *ExportGraph(*kg);
  doc["entities"][3]["entity_type"] = "spaceship";
  auto kg2 = NewGraph();
  auto r = ImportGraph(*kg2, doc);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("entities[3].entity_type"), std::string::npos) << r.status().message();
  EXPECT_EQ(kg2->Read([](const GraphIndex& g) { return g.entity_count(); }), 0u);
  EXPECT_FALSE(ImportGraph(*kg2, Json{{"format", "other"}}).ok());
}

}  // namespace
}  // namespace funkygibbon::app
