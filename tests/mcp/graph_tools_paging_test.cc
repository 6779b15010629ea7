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
#include "mcp/json_text.h"
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

  // The new relationship's id ("" after a reported failure).
  std::string RelateId(const std::string& from, const std::string& to, RelationshipType type) {
    graph::NewRelationship r;
    r.from_entity_id = from;
    r.to_entity_id = to;
    r.relationship_type = type;
    auto made = kg_->CreateRelationship(r, "test");
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return made.ok() ? made->id : "";
  }

  void Relate(const std::string& from, const std::string& to, RelationshipType type) {
    ASSERT_FALSE(RelateId(from, to, type).empty());
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

// get_entity_details writes its answer as text: it must say exactly what
// the entity and edge records say, in the form DumpJson gives (the registry
// here checks the form; this checks the content), whatever the strings hold.
TEST_F(GraphToolsPagingTest, DetailsAnswerIsTheRecordsWordForWord) {
  graph::NewEntity tricky;
  tricky.entity_type = EntityType::kDevice;
  tricky.name = "Lamp \"A\" \\ caf\xC3\xA9 \x01 tab\t line\n \xE2\x80\xA8 \xF0\x9F\x92\xA1";
  tricky.content = Json{{"watts", 7.5},   {"count", -3},
                        {"big", 18446744073709551615u},
                        {"nested", {{"z", nullptr}, {"a", Json::array({1, "two", false})}}},
                        {"empty", Json::object()}, {"text", "x\u00e9\ny"}};
  auto made = kg_->CreateEntity(tricky, "test");
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  const std::string lamp = made->id;
  const std::string room = Create(EntityType::kRoom, "K\xC3\xBC" "che");
  const std::string hub = Create(EntityType::kDevice, "Hub");
  graph::NewRelationship r;
  r.from_entity_id = lamp;
  r.to_entity_id = room;
  r.relationship_type = RelationshipType::kLocatedIn;
  r.properties = Json{{"since", "2024"}, {"weight", 0.25}};
  ASSERT_TRUE(kg_->CreateRelationship(r, "test").ok());
  Relate(hub, lamp, RelationshipType::kControls);
  Relate(lamp, hub, RelationshipType::kConnectsTo);
  graph::EntityEdit edit;
  edit.name = "Lamp 2";
  ASSERT_TRUE(kg_->UpdateEntity(lamp, edit, "test").ok());  // two versions, a parent

  // The answer built from the records as a Json tree.
  auto expected = [&](const Json& args) {
    const size_t limit = args.value("relationship_limit", 100);
    const size_t offset = args.value("relationship_offset", 0);
    const bool rels = args.value("include_relationships", true);
    const bool connected = args.value("include_connected", false);
    Json j;
    kg_->Read([&](const graph::GraphIndex& g) {
      graph::EntityPtr e = g.Get(lamp);
      j = Json{{"entity", ToJson(*e)}, {"deleted", e->deleted()}};
      size_t out_total = 0, in_total = 0;
      auto outs = g.OutgoingPage(lamp, offset, limit, &out_total);
      auto ins = g.IncomingPage(lamp, offset, limit, &in_total);
      auto view = [&](const Relationship& rel) {
        const std::string& other = rel.from_entity_id == lamp ? rel.to_entity_id : rel.from_entity_id;
        auto s = g.GetSummary(other);
        return Json{{"id", rel.id}, {"relationship_type", ToString(rel.relationship_type)},
                    {"from_entity_id", rel.from_entity_id}, {"to_entity_id", rel.to_entity_id},
                    {"properties", rel.properties},
                    {"other", {{"id", s->id}, {"name", s->name},
                               {"entity_type", ToString(s->entity_type)}}}};
      };
      if (rels || connected) {
        j["outgoing_total"] = out_total;
        j["incoming_total"] = in_total;
        const bool more = out_total > offset + limit || in_total > offset + limit;
        j["truncated"] = offset > 0 || more;
        if (more) j["next_relationship_offset"] = offset + limit;
      }
      if (rels) {
        j["outgoing"] = Json::array();
        j["incoming"] = Json::array();
        for (const auto& x : outs) j["outgoing"].push_back(view(*x));
        for (const auto& x : ins) j["incoming"].push_back(view(*x));
      }
      if (connected) {
        j["connected"] = Json::array();
        std::set<std::string> seen;
        for (const auto* list : {&outs, &ins}) {
          for (const auto& x : *list) {
            const std::string& other = x->from_entity_id == lamp ? x->to_entity_id : x->from_entity_id;
            if (seen.insert(other).second) j["connected"].push_back(ToJson(*g.Get(other)));
          }
        }
      }
      return 0;
    });
    j["version_count"] = 2;
    return j;
  };
  for (const Json& args :
       {Json{{"entity_id", lamp}}, Json{{"entity_id", lamp}, {"include_connected", true}},
        Json{{"entity_id", lamp}, {"include_relationships", false}},
        Json{{"entity_id", lamp}, {"include_relationships", false}, {"include_connected", true}},
        Json{{"entity_id", lamp}, {"relationship_limit", 1}},
        Json{{"entity_id", lamp}, {"relationship_limit", 1}, {"relationship_offset", 1}},
        Json{{"entity_id", lamp}, {"relationship_offset", 5}}}) {
    SCOPED_TRACE(args.dump());
    ToolContext ctx;
    auto served = registry_->CallSerialized("get_entity_details", args, ctx);
    ASSERT_TRUE(served.ok()) << served.status().ToString();
    ASSERT_FALSE(served->is_error);
    EXPECT_EQ(served->structured, DumpJson(expected(args)));
  }
  Json first = Call("get_entity_details", Json{{"entity_id", lamp}});
  EXPECT_EQ(first["entity"]["name"], "Lamp 2");
  EXPECT_EQ(first["entity"]["content"]["watts"], 7.5);
  EXPECT_EQ(first["entity"]["parent_versions"].size(), 1u);
  EXPECT_EQ(first["outgoing"].size(), 2u);
  EXPECT_EQ(first["incoming"].size(), 1u);

  // A deleted entity still answers, marked deleted.
  ASSERT_TRUE(kg_->DeleteEntity(hub, "test").ok());
  Json gone = Call("get_entity_details", Json{{"entity_id", hub}});
  EXPECT_EQ(gone["deleted"], true);
  ToolContext ctx;
  auto unknown = registry_->CallSerialized("get_entity_details", Json{{"entity_id", "nope"}}, ctx);
  ASSERT_TRUE(unknown.ok());
  EXPECT_TRUE(unknown->is_error);
}

// get_connected_entities names each neighbour (id, name, type), its
// distance, and the edge that first reached it, walked which way.
TEST_F(GraphToolsPagingTest, ConnectedEntitiesNameEachNeighbourAndTheEdgeThatReachedIt) {
  const std::string home = Create(EntityType::kHome, "Home");
  const std::string room = Create(EntityType::kRoom, "Hall");
  const std::string lamp = Create(EntityType::kDevice, "Lamp");
  const std::string room_in_home = RelateId(room, home, RelationshipType::kLocatedIn);
  const std::string lamp_in_room = RelateId(lamp, room, RelationshipType::kLocatedIn);

  Json out = Call("get_connected_entities", Json{{"entity_id", lamp}, {"depth", 2}});
  EXPECT_EQ(out["entity_id"], lamp);
  EXPECT_EQ(out["total"], 2);
  EXPECT_EQ(out["truncated"], false);
  ASSERT_EQ(out["results"].size(), 2u) << out.dump();
  struct Want {
    std::string id, name, type;
    int distance;
    std::string via;
  };
  const Want want[] = {{room, "Hall", "room", 1, lamp_in_room},
                       {home, "Home", "home", 2, room_in_home}};
  for (size_t i = 0; i < std::size(want); ++i) {
    const Json& got = out["results"][i];
    EXPECT_EQ(got["id"], want[i].id);
    EXPECT_EQ(got["name"], want[i].name);
    EXPECT_EQ(got["entity_type"], want[i].type);
    EXPECT_EQ(got["distance"], want[i].distance);
    EXPECT_EQ(got["via_relationship_id"], want[i].via);
    EXPECT_EQ(got["via_relationship_type"], "located_in");
    EXPECT_EQ(got["walked"], "forward");
  }

  // From the home the same edges are walked backward.
  Json back = Call("get_connected_entities", Json{{"entity_id", home}, {"depth", 1}});
  ASSERT_EQ(back["results"].size(), 1u) << back.dump();
  EXPECT_EQ(back["results"][0]["id"], room);
  EXPECT_EQ(back["results"][0]["walked"], "backward");

  // An id that is not a live entity is a tool error naming it.
  ToolContext ctx;
  auto missing = registry_->Call("get_connected_entities", Json{{"entity_id", "no-such-id"}}, ctx);
  ASSERT_TRUE(missing.ok()) << missing.status().ToString();
  EXPECT_TRUE(missing->value("isError", false));
  EXPECT_NE(missing->dump().find("no-such-id"), std::string::npos) << missing->dump();
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

  // The whole answer, as written (find_path writes its text itself): a
  // backward walk, and no path.
  ToolContext served_ctx;
  auto back = registry_->CallSerialized(
      "find_path", Json{{"from_entity_id", home}, {"to_entity_id", lamp}}, served_ctx);
  ASSERT_TRUE(back.ok());
  ASSERT_FALSE(back->is_error);
  const Json reversed = Json::array({want[2], want[1], want[0]});
  kg_->Read([&](const graph::GraphIndex& g) {
    auto in_room = g.Incoming(room);  // lamp -> room
    auto in_home = g.Incoming(home);  // room -> home
    EXPECT_EQ(back->structured,
              DumpJson(Json{{"found", true},
                            {"from_entity_id", home},
                            {"to_entity_id", lamp},
                            {"length", 2},
                            {"explored", Json::parse(back->structured)["explored"]},
                            {"nodes", reversed},
                            {"edges", Json::array({Json{{"id", in_home.at(0)->id},
                                                        {"relationship_type", "located_in"},
                                                        {"from_entity_id", room},
                                                        {"to_entity_id", home},
                                                        {"walked", "backward"}},
                                                   Json{{"id", in_room.at(0)->id},
                                                        {"relationship_type", "located_in"},
                                                        {"from_entity_id", lamp},
                                                        {"to_entity_id", room},
                                                        {"walked", "backward"}}})}}));
    return 0;
  });
  const std::string lone = Create(EntityType::kNote, "Lone \"note\"");
  auto none = registry_->CallSerialized(
      "find_path", Json{{"from_entity_id", lamp}, {"to_entity_id", lone}, {"max_depth", 3}},
      served_ctx);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->structured,
            DumpJson(Json{{"found", false},
                          {"from_entity_id", lamp},
                          {"to_entity_id", lone},
                          {"explored", Json::parse(none->structured)["explored"]},
                          {"nodes", Json::array()},
                          {"edges", Json::array()},
                          {"message",
                           "no path within 3 relationships with direction 'both'; try direction "
                           "'both', a larger max_depth or fewer relationship types"}}));
  EXPECT_GE(Json::parse(none->structured)["explored"].get<int>(), 3);

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

// search_entities writes its text itself: every hit's summary, score and
// snippet as the store and graph give them, in the store's order.
TEST_F(GraphToolsPagingTest, SearchAnswerIsTheStoreHitsWordForWord) {
  for (int i = 0; i < 5; ++i) {
    graph::NewEntity e;
    e.entity_type = i % 2 ? EntityType::kDevice : EntityType::kNote;
    e.name = "Widget \"" + std::to_string(i) + "\" caf\xC3\xA9";
    e.content = Json{{"notes", std::string(static_cast<size_t>(i + 1), 'w') + " widget widget"}};
    ASSERT_TRUE(kg_->CreateEntity(e, "test").ok());
  }
  for (const Json& args : {Json{{"query", "widget"}}, Json{{"query", "widget"}, {"limit", 2}},
                           Json{{"query", "widget caf\xC3\xA9"}, {"entity_types", {"device"}}},
                           Json{{"query", "absent"}}}) {
    SCOPED_TRACE(args.dump());
    store::SearchRequest req;
    req.query = args["query"];
    if (args.contains("entity_types")) req.entity_types = {EntityType::kDevice};
    req.limit = args.value("limit", 10);
    auto res = kg_->Search(req);
    ASSERT_TRUE(res.ok());
    Json results = Json::array();
    kg_->Read([&](const graph::GraphIndex& g) {
      for (const auto& h : res->hits) {
        auto s = g.GetSummary(h.id);
        results.push_back(Json{{"id", s->id}, {"name", s->name},
                               {"entity_type", ToString(s->entity_type)},
                               {"score", h.score}, {"snippet", h.snippet}});
      }
      return 0;
    });
    ToolContext ctx;
    auto served = registry_->CallSerialized("search_entities", args, ctx);
    ASSERT_TRUE(served.ok()) << served.status().ToString();
    ASSERT_FALSE(served->is_error);
    EXPECT_EQ(served->structured,
              DumpJson(Json{{"query", req.query}, {"total", res->total}, {"results", results}}));
    if (req.query == "widget") {
      EXPECT_EQ(res->total, 5u);
    }
  }
}

}  // namespace
}  // namespace funkygibbon::mcp
