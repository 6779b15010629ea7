#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

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


// The graph of RoundTripsExactly: history, a tombstone, a removed edge.
std::unique_ptr<KnowledgeGraph> EditedHome() {
  auto kg = NewGraph();
  EXPECT_TRUE(SeedExampleHome(*kg).ok());
  graph::EntityEdit edit;
  edit.content = Json{{"brightness", 75}};
  EXPECT_TRUE(kg->UpdateEntity(ByName(*kg, "Living Room Floor Lamp")->id, edit, "t").ok());
  EXPECT_TRUE(kg->DeleteEntity(ByName(*kg, "Tumble Dryer")->id, "t").ok());
  return kg;
}

std::string ExportText(KnowledgeGraph& kg) {
  std::ostringstream out;
  Status s = ExportGraphTo(kg, out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out.str();
}

size_t EntityCount(const KnowledgeGraph& kg) {
  return kg.Read([](const GraphIndex& g) { return g.entity_count(); });
}

TEST(ExportImportTest, StreamedExportIsTheDocumentsBytes) {
  std::vector<std::unique_ptr<KnowledgeGraph>> graphs;
  graphs.push_back(NewGraph());
  graphs.push_back(EditedHome());
  for (auto& kg : graphs) {
    auto doc = ExportGraph(*kg);
    ASSERT_TRUE(doc.ok());
    EXPECT_EQ(ExportText(*kg), doc->dump(1, ' ', false, Json::error_handler_t::replace) + "\n");
  }
}

TEST(ExportImportTest, StreamedExportReportsAFailedWrite) {
  auto kg = EditedHome();
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  Status s = ExportGraphTo(*kg, out);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("export"), std::string::npos) << s.message();
}

TEST(ExportImportTest, TextImportRoundTripsExactly) {
  auto kg = EditedHome();
  const std::string text = ExportText(*kg);
  auto kg2 = NewGraph();
  auto imported = ImportGraphText(*kg2, text);
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_EQ(imported->versions_added, ExportGraph(*kg)->at("entities").size());
  EXPECT_EQ(imported->relationships, ExportGraph(*kg)->at("relationships").size());
  EXPECT_EQ(ExportText(*kg2), text);
  auto again = ImportGraphText(*kg2, text);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->versions_added, 0u);
  EXPECT_EQ(ExportText(*kg2), text);
}

// Every document the tree import refuses, the text import refuses with the
// same message, and neither writes anything.
TEST(ExportImportTest, TextImportRefusesWhatTheTreeImportRefuses) {
  auto home = EditedHome();
  const Json good = *ExportGraph(*home);
  std::vector<std::pair<std::string, Json>> bad;
  Json d = good;
  d["entities"][3]["entity_type"] = "spaceship";
  bad.emplace_back("entities[3].entity_type", d);
  d = good;
  d["relationships"][2].erase("from_entity_id");
  bad.emplace_back("relationships[2].from_entity_id", d);
  d = good;
  d["entities"][2]["current"] = "yes";  // once an uncaught exception: the CLI aborted
  bad.emplace_back("entities[2].current: must be true or false", d);
  d = good;
  d["relationships"][1]["deleted"] = 1;
  bad.emplace_back("relationships[1].deleted: must be true or false", d);
  d = good;
  d["entities"][1] = "not an entity";
  bad.emplace_back("entities[1]", d);
  d = good;
  const Json first = d["entities"][0];
  d["entities"].push_back(first);
  bad.emplace_back("duplicate version", d);
  d = good;
  d["entities"][3]["entity_type"] = "spaceship";  // a bad record and a bad header:
  d["format"] = "something-else";                 // the header is reported
  bad.emplace_back("format: not a funkygibbon-export document", d);
  d = good;
  d["format_version"] = 2;
  bad.emplace_back("format_version", d);
  d = good;
  d["entities"] = Json::object();
  bad.emplace_back("entities: must be an array", d);
  d = good;
  d.erase("relationships");
  bad.emplace_back("relationships: must be an array", d);
  bad.emplace_back("format: not a funkygibbon-export document", Json::array({good}));
  for (const auto& [want, doc] : bad) {
    auto kg = NewGraph();
    auto tree = ImportGraph(*kg, doc);
    auto text = ImportGraphText(*kg, doc.dump(1));
    ASSERT_FALSE(tree.ok()) << want;
    ASSERT_FALSE(text.ok()) << want;
    EXPECT_NE(text.status().message().find(want), std::string::npos) << text.status().message();
    EXPECT_EQ(text.status().message(), tree.status().message());
    EXPECT_EQ(EntityCount(*kg), 0u) << want;
  }
}

// What only text can hold: broken JSON and a member given twice.
TEST(ExportImportTest, TextImportRefusesBrokenTextAndRepeatedMembers) {
  const std::string good = ExportText(*EditedHome());
  auto kg = NewGraph();
  auto cut = ImportGraphText(*kg, good.substr(0, good.size() / 2));
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.status().message().find("not valid JSON"), std::string::npos)
      << cut.status().message();
  auto empty = ImportGraphText(*kg, "");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("not valid JSON"), std::string::npos);
  // A second "entities" member (a JSON object parser would keep only one).
  std::string twice = good;
  const size_t format = twice.find("\n \"format\": ");  // the top-level member
  ASSERT_NE(format, std::string::npos);
  twice.insert(format + 2, "\"entities\": [],\n ");
  auto repeated = ImportGraphText(*kg, twice);
  ASSERT_FALSE(repeated.ok());
  EXPECT_NE(repeated.status().message().find("entities: appears twice"), std::string::npos)
      << repeated.status().message();
  EXPECT_EQ(EntityCount(*kg), 0u);
}

}  // namespace
}  // namespace funkygibbon::app
