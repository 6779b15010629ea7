// GraphResources over a real KnowledgeGraph on an in-memory SQLite store.
#include "mcp/graph_resources.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "graph/knowledge_graph.h"
#include "mcp/dispatcher.h"
#include "mcp/json_text.h"
#include "mcp/test_tools.h"
#include "testutil.h"

namespace funkygibbon::mcp {
namespace {

class GraphResourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kg_ = funkygibbon::testing::MemoryGraph();
    Add("home", EntityType::kHome, "Our House");
    Add("kitchen", EntityType::kRoom, "Kitchen");
    Add("lamp-1", EntityType::kDevice, "Kitchen Lamp");
    Add("lamp-2", EntityType::kDevice, "Desk Lamp");
    Add("a b/c", EntityType::kNote, "Odd id");
    Relate("lamp-1", "kitchen", RelationshipType::kLocatedIn);
    Relate("kitchen", "home", RelationshipType::kPartOf);
  }

  void Add(const std::string& id, EntityType type, const std::string& name) {
    graph::NewEntity e;
    e.id = id;
    e.entity_type = type;
    e.name = name;
    e.content = Json{{"note", "for " + name}};
    auto made = kg_->CreateEntity(e, "tester");
    ASSERT_TRUE(made.ok()) << made.status().ToString();
  }
  void Relate(const std::string& from, const std::string& to,
              RelationshipType type) {
    graph::NewRelationship r;
    r.from_entity_id = from;
    r.to_entity_id = to;
    r.relationship_type = type;
    auto made = kg_->CreateRelationship(r, "tester");
    ASSERT_TRUE(made.ok()) << made.status().ToString();
  }

  // The single text content of a read, parsed.
  static Json ReadDoc(const GraphResources& res, std::string_view uri) {
    auto contents = res.Read(uri);
    EXPECT_TRUE(contents.ok()) << contents.status().ToString();
    if (!contents.ok()) return nullptr;
    EXPECT_EQ(contents->size(), 1u);
    EXPECT_EQ((*contents)[0]["uri"], uri);
    EXPECT_EQ((*contents)[0]["mimeType"], "application/json");
    return Json::parse((*contents)[0]["text"].get<std::string>());
  }

  std::unique_ptr<graph::KnowledgeGraph> kg_;
};

TEST_F(GraphResourcesTest, EntityUrisArePercentEncoded) {
  EXPECT_EQ(EntityUri("lamp-1"), "funkygibbon://entity/lamp-1");
  EXPECT_EQ(EntityUri("a b/c"), "funkygibbon://entity/a%20b%2Fc");
  GraphResources res(*kg_);
  EXPECT_EQ(ReadDoc(res, "funkygibbon://entity/a%20b%2Fc")["entity"]["id"],
            "a b/c");
}

TEST_F(GraphResourcesTest, ListStaticResourcesThenEntitiesById) {
  GraphResources res(*kg_);
  auto page = res.List("");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  std::vector<std::string> uris;
  for (const auto& r : page->resources) {
    uris.push_back(r["uri"]);
    EXPECT_TRUE(r.contains("name"));
  }
  EXPECT_EQ(uris,
            (std::vector<std::string>{
                "funkygibbon://schema", "funkygibbon://statistics",
                "funkygibbon://entity/a%20b%2Fc", "funkygibbon://entity/home",
                "funkygibbon://entity/kitchen", "funkygibbon://entity/lamp-1",
                "funkygibbon://entity/lamp-2"}));
  EXPECT_TRUE(page->next_cursor.empty());
  EXPECT_EQ(page->resources[5]["name"], "Kitchen Lamp");
  EXPECT_EQ(page->resources[5]["mimeType"], "application/json");
}

TEST_F(GraphResourcesTest, ListPaginatesByIdCursor) {
  GraphResources res(*kg_, GraphResourcesOptions{2});
  std::vector<std::string> uris;
  std::string cursor;
  int pages = 0;
  do {
    auto page = res.List(cursor);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const auto& r : page->resources) uris.push_back(r["uri"]);
    cursor = page->next_cursor;
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(uris.size(), 7u);
  EXPECT_EQ(uris.back(), "funkygibbon://entity/lamp-2");
  for (const char* bad : {"zzz", "!"}) {
    EXPECT_EQ(res.List(bad).status().code(), StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(res.List(EncodeCursor("tools:1")).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(GraphResourcesTest, ReadEntityWithRelationships) {
  GraphResources res(*kg_);
  Json doc = ReadDoc(res, "funkygibbon://entity/kitchen");
  EXPECT_EQ(doc["entity"]["id"], "kitchen");
  EXPECT_EQ(doc["entity"]["entity_type"], "room");
  EXPECT_EQ(doc["entity"]["name"], "Kitchen");
  ASSERT_EQ(doc["outgoing"].size(), 1u);
  EXPECT_EQ(doc["outgoing"][0]["relationship_type"], "part_of");
  EXPECT_EQ(doc["outgoing"][0]["to_entity_id"], "home");
  ASSERT_EQ(doc["incoming"].size(), 1u);
  EXPECT_EQ(doc["incoming"][0]["from_entity_id"], "lamp-1");
}

TEST_F(GraphResourcesTest, ReadErrors) {
  GraphResources res(*kg_);
  EXPECT_EQ(res.Read("funkygibbon://entity/nope").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(res.Read("funkygibbon://elsewhere").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(res.Read("https://example.com/").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(res.Read("funkygibbon://entity/%zz").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(res.Read("funkygibbon://entity/").status().code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(kg_->DeleteEntity("lamp-2", "tester").ok());
  auto deleted = res.Read("funkygibbon://entity/lamp-2");
  EXPECT_EQ(deleted.status().code(), StatusCode::kNotFound);
  EXPECT_NE(deleted.status().message().find("deleted"), std::string::npos);
}

TEST_F(GraphResourcesTest, SchemaAndStatistics) {
  GraphResources res(*kg_);
  Json schema = ReadDoc(res, "funkygibbon://schema");
  EXPECT_TRUE(schema.contains("entity_types"));
  EXPECT_TRUE(schema.contains("relationship_types"));
  Json stats = ReadDoc(res, "funkygibbon://statistics");
  EXPECT_EQ(stats["entities"], 5);
  EXPECT_EQ(stats["relationships"], 2);
  EXPECT_EQ(stats["entities_by_type"]["device"], 2);
}

TEST_F(GraphResourcesTest, Templates) {
  GraphResources res(*kg_);
  Json t = res.Templates();
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0]["uriTemplate"], "funkygibbon://entity/{id}");
  EXPECT_TRUE(t[0].contains("name"));
}

TEST_F(GraphResourcesTest, CompletionOffersIdsByIdOrNamePrefix) {
  GraphResources res(*kg_);
  auto by_id =
      res.Complete("funkygibbon://entity/{id}", "id", "lamp", Json::object());
  ASSERT_TRUE(by_id.ok()) << by_id.status().ToString();
  EXPECT_EQ(by_id->values, (std::vector<std::string>{"lamp-1", "lamp-2"}));
  EXPECT_FALSE(by_id->has_more);
  auto by_name =
      res.Complete("funkygibbon://entity/{id}", "id", "kit", Json::object());
  ASSERT_TRUE(by_name.ok());
  // "kitchen" matches by id; "Kitchen" and "Kitchen Lamp" by name.
  EXPECT_EQ(by_name->values, (std::vector<std::string>{"kitchen", "lamp-1"}));
  auto desk =
      res.Complete("funkygibbon://entity/{id}", "id", "DESK", Json::object());
  EXPECT_EQ(desk->values, (std::vector<std::string>{"lamp-2"}));
  EXPECT_EQ(res.Complete("funkygibbon://other/{id}", "id", "", Json::object())
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      res.Complete("funkygibbon://entity/{id}", "name", "", Json::object())
          .status()
          .code(),
      StatusCode::kInvalidArgument);
}

TEST_F(GraphResourcesTest, CompletionCapsAt100) {
  for (int i = 0; i < 120; ++i) {
    char id[24];  // room for any int (-O1 cannot see the range)
    std::snprintf(id, sizeof id, "bulk-%03d", i);
    Add(id, EntityType::kNote, "bulk note");
  }
  GraphResources res(*kg_);
  auto c =
      res.Complete("funkygibbon://entity/{id}", "id", "bulk", Json::object());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->values.size(), 100u);
  EXPECT_TRUE(c->has_more);
}

TEST_F(GraphResourcesTest, ThroughTheDispatcher) {
  auto registry = testtools::MakeTestRegistry();
  GraphResources res(*kg_);
  Dispatcher d(*registry, &res, testtools::Harness::DefaultOptions());
  Session s;
  d.Handle(
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})",
      s);
  Json ok = Json::parse(*d.Handle(
      R"({"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"funkygibbon://entity/lamp-1"}})",
      s));
  EXPECT_EQ(Json::parse(ok["result"]["contents"][0]["text"]
                            .get<std::string>())["entity"]["name"],
            "Kitchen Lamp");
  Json missing = Json::parse(*d.Handle(
      R"({"jsonrpc":"2.0","id":3,"method":"resources/read","params":{"uri":"funkygibbon://entity/ghost"}})",
      s));
  EXPECT_EQ(missing["error"]["code"], kResourceNotFound);
  EXPECT_EQ(missing["error"]["data"]["uri"], "funkygibbon://entity/ghost");
  Json templates = Json::parse(*d.Handle(
      R"({"jsonrpc":"2.0","id":4,"method":"resources/templates/list"})", s));
  EXPECT_EQ(templates["result"]["resourceTemplates"][0]["uriTemplate"],
            "funkygibbon://entity/{id}");
  Json complete = Json::parse(*d.Handle(
      R"({"jsonrpc":"2.0","id":5,"method":"completion/complete","params":{"ref":{"type":"ref/resource","uri":"funkygibbon://entity/{id}"},"argument":{"name":"id","value":"lamp"}}})",
      s));
  EXPECT_EQ(complete["result"]["completion"]["values"],
            Json::parse(R"(["lamp-1","lamp-2"])"));
  EXPECT_EQ(complete["result"]["completion"]["total"], 2);
}

}  // namespace
}  // namespace funkygibbon::mcp
