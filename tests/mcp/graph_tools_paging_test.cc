// Large answers page: get_entity_details pages an entity's relationships,
// get_entity_history its versions, so no single tool answer grows with a
// hub entity's degree. Also what find_path answers (names of the entities
// on the path, not their content). Runs the real tools.json and handlers on
// an in-memory graph.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "graph/knowledge_graph.h"
#include "mcp/tool_handlers.h"
#include "mcp/tool_registry.h"
#include "testutil.h"
#include "tools_json.h"

namespace funkygibbon::mcp {
namespace {

class GraphToolsPagingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kg_ = funkygibbon::testing::MemoryGraph();
    // The sync tools live in the app module; stand-ins keep tools.json whole.
    std::vector<ToolBinding> bindings = GraphToolBindings(*kg_);
    std::set<std::string> bound;
    for (const auto& b : bindings) bound.insert(b.name);
    for (const auto& t : Json::parse(kToolsJson)) {
      const std::string name = t.value("name", "");
      if (bound.count(name) == 0) {
        bindings.push_back({name, [](const Json&, ToolContext&) -> StatusOr<Json> {
                              return Status::Unavailable("not in this test");
                            }});
      }
    }
    auto registry = ToolRegistry::Create(kToolsJson, std::move(bindings));
    ASSERT_TRUE(registry.ok()) << registry.status().ToString();
    registry_ = std::move(registry).value();
  }

  std::string Create(EntityType type, const std::string& name) {
    graph::NewEntity e;
    e.entity_type = type;
    e.name = name;
    auto made = kg_->CreateEntity(e, "test");
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return made.ok() ? made->id : "";
  }

  void Relate(const std::string& from, const std::string& to, RelationshipType type) {
    graph::NewRelationship r;
    r.from_entity_id = from;
    r.to_entity_id = to;
    r.relationship_type = type;
    auto made = kg_->CreateRelationship(r, "test");
    ASSERT_TRUE(made.ok()) << made.status().ToString();
  }

  // The structuredContent of a successful call.
  Json Call(const std::string& tool, const Json& args) {
    ToolContext ctx;
    auto out = registry_->Call(tool, args, ctx);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    if (!out.ok()) return Json::object();
    EXPECT_FALSE(out->value("isError", false)) << out->dump();
    return (*out)["structuredContent"];
  }

  std::unique_ptr<graph::KnowledgeGraph> kg_;
  std::unique_ptr<ToolRegistry> registry_;
};

TEST_F(GraphToolsPagingTest, RelationshipsOfABusyEntityComeInPages) {
  const std::string room = Create(EntityType::kRoom, "Hall");
  const std::string home = Create(EntityType::kHome, "Home");
  Relate(room, home, RelationshipType::kLocatedIn);
  constexpr int kDevices = 250;
  std::set<std::string> devices;
  for (int i = 0; i < kDevices; ++i) {
    const std::string d = Create(EntityType::kDevice, "Lamp " + std::to_string(i));
    devices.insert(d);
    Relate(d, room, RelationshipType::kLocatedIn);
  }

  Json first = Call("get_entity_details", Json{{"entity_id", room}});
  EXPECT_EQ(first["incoming_total"], kDevices);
  EXPECT_EQ(first["outgoing_total"], 1);
  EXPECT_EQ(first["incoming"].size(), 100u) << "default page size";
  EXPECT_EQ(first["outgoing"].size(), 1u);
  EXPECT_EQ(first["truncated"], true);
  EXPECT_EQ(first["next_relationship_offset"], 100);

  // Walking the pages yields every relationship once.
  std::set<std::string> seen;
  size_t offset = 0;
  int pages = 0;
  while (true) {
    Json page = Call("get_entity_details", Json{{"entity_id", room},
                                                {"relationship_limit", 60},
                                                {"relationship_offset", offset}});
    ++pages;
    for (const auto& r : page["incoming"]) {
      EXPECT_EQ(r["to_entity_id"], room);
      EXPECT_TRUE(seen.insert(r["from_entity_id"].get<std::string>()).second) << "duplicate";
    }
    EXPECT_LE(page["incoming"].size(), 60u);
    EXPECT_EQ(page["truncated"], true) << "every page but a lone full one leaves something out";
    if (!page.contains("next_relationship_offset")) break;
    offset = page["next_relationship_offset"].get<size_t>();
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 5);
  EXPECT_EQ(seen, devices);

  // A small entity: everything in one answer, nothing truncated, as before.
  const std::string lamp = *devices.begin();
  Json small = Call("get_entity_details", Json{{"entity_id", lamp}, {"include_connected", true}});
  EXPECT_EQ(small["truncated"], false);
  EXPECT_FALSE(small.contains("next_relationship_offset"));
  EXPECT_EQ(small["outgoing"].size(), 1u);
  EXPECT_EQ(small["connected"].size(), 1u);

  // include_connected follows the page too.
  Json connected = Call("get_entity_details", Json{{"entity_id", room},
                                                   {"include_connected", true},
                                                   {"relationship_limit", 10}});
  EXPECT_EQ(connected["connected"].size(), 11u);  // 10 devices and the home

  // Out-of-range limits are refused by the schema.
  ToolContext ctx;
  auto bad = registry_->Call("get_entity_details",
                             Json{{"entity_id", room}, {"relationship_limit", 0}}, ctx);
  ASSERT_TRUE(bad.ok());
  EXPECT_TRUE(bad->value("isError", false));
}

TEST_F(GraphToolsPagingTest, HistoryComesInPagesOldestFirst) {
  const std::string note = Create(EntityType::kNote, "v0");
  for (int i = 1; i < 12; ++i) {
    graph::EntityEdit edit;
    edit.name = "v" + std::to_string(i);
    ASSERT_TRUE(kg_->UpdateEntity(note, edit, "test").ok());
  }
  Json all = Call("get_entity_history", Json{{"entity_id", note}});
  EXPECT_EQ(all["count"], 12);
  EXPECT_EQ(all["versions"].size(), 12u);
  EXPECT_EQ(all["truncated"], false);
  EXPECT_FALSE(all.contains("next_offset"));

  std::vector<std::string> names;
  size_t offset = 0;
  while (true) {
    Json page = Call("get_entity_history", Json{{"entity_id", note}, {"limit", 5}, {"offset", offset}});
    EXPECT_EQ(page["count"], 12);
    EXPECT_EQ(page["truncated"], true);
    for (const auto& v : page["versions"]) names.push_back(v["name"].get<std::string>());
    if (!page.contains("next_offset")) break;
    offset = page["next_offset"].get<size_t>();
    ASSERT_LT(offset, 100u);
  }
  ASSERT_EQ(names.size(), 12u);
  for (size_t i = 0; i < names.size(); ++i) EXPECT_EQ(names[i], "v" + std::to_string(i));
}

TEST_F(GraphToolsPagingTest, FindPathNamesEachEntityOnThePathWithoutItsContent) {
  const std::string lamp = Create(EntityType::kDevice, "Desk lamp");
  const std::string room = Create(EntityType::kRoom, "Study");
  const std::string home = Create(EntityType::kHome, "Home");
  Relate(lamp, room, RelationshipType::kLocatedIn);
  Relate(room, home, RelationshipType::kLocatedIn);

  Json p = Call("find_path", Json{{"from_entity_id", lamp}, {"to_entity_id", home}});
  EXPECT_EQ(p["found"], true);
  EXPECT_EQ(p["length"], 2);
  const Json want = Json::array({Json{{"id", lamp}, {"name", "Desk lamp"}, {"entity_type", "device"}},
                                 Json{{"id", room}, {"name", "Study"}, {"entity_type", "room"}},
                                 Json{{"id", home}, {"name", "Home"}, {"entity_type", "home"}}});
  EXPECT_EQ(p["nodes"], want);
  ASSERT_EQ(p["edges"].size(), 2u);
  EXPECT_EQ(p["edges"][0]["from_entity_id"], lamp);
  EXPECT_EQ(p["edges"][0]["walked"], "forward");

  // Unknown and deleted endpoints are named by the argument that held them.
  auto error_text = [&](const Json& args) {
    ToolContext ctx;
    auto out = registry_->Call("find_path", args, ctx);
    EXPECT_TRUE(out.ok());
    if (!out.ok()) return std::string();
    EXPECT_TRUE(out->value("isError", false)) << out->dump();
    return (*out)["content"][0]["text"].get<std::string>();
  };
  EXPECT_THAT(error_text(Json{{"from_entity_id", "nope"}, {"to_entity_id", home}}),
              ::testing::HasSubstr("from_entity_id: entity 'nope' not found"));
  ASSERT_TRUE(kg_->DeleteEntity(home, "test").ok());
  EXPECT_THAT(error_text(Json{{"from_entity_id", lamp}, {"to_entity_id", home}}),
              ::testing::HasSubstr("to_entity_id: entity '" + home + "' not found"));
}

}  // namespace
}  // namespace funkygibbon::mcp
