#include "graph/knowledge_graph.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <thread>

namespace funkygibbon::graph {
namespace {

std::unique_ptr<KnowledgeGraph> NewGraph(const std::string& path = ":memory:") {
  auto store = store::OpenSqliteStore(store::StoreOptions{}, path);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  auto kg = KnowledgeGraph::Open(std::move(store).value());
  EXPECT_TRUE(kg.ok()) << kg.status().ToString();
  return std::move(kg).value();
}

Entity Make(KnowledgeGraph& kg, EntityType t, const std::string& name, Json content = Json::object()) {
  NewEntity e;
  e.entity_type = t;
  e.name = name;
  e.content = std::move(content);
  auto r = kg.CreateEntity(e, "tester");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return *r;
}

Relationship Link(KnowledgeGraph& kg, const Entity& a, RelationshipType t, const Entity& b) {
  auto r = kg.CreateRelationship({a.id, b.id, t, Json::object()}, "tester");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return *r;
}

TEST(KnowledgeGraphTest, EditKeepsRelationshipsAndHistory) {
  auto kg = NewGraph();
  Entity room = Make(*kg, EntityType::kRoom, "Kitchen");
  Entity lamp = Make(*kg, EntityType::kDevice, "Lamp", {{"brightness", 10}});
  Relationship r = Link(*kg, lamp, RelationshipType::kLocatedIn, room);

  EntityEdit edit;
  edit.content = Json{{"brightness", 80}, {"colour", "warm"}};
  auto updated = kg->UpdateEntity(lamp.id, edit, "tester");
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->parent_versions, std::vector<std::string>{lamp.version});
  EXPECT_GT(CompareVersions(updated->version, lamp.version), 0);
  EXPECT_EQ(updated->content["brightness"], 80);
  EXPECT_EQ(updated->content["colour"], "warm");

  // The edge is still there, in memory and after a reload from the store.
  kg->Read([&](const GraphIndex& g) {
    auto out = g.Outgoing(lamp.id);
    EXPECT_EQ(out.size(), 1u);
    EXPECT_EQ(g.Get(lamp.id)->version, updated->version);
    return 0;
  });
  auto history = kg->History(lamp.id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].version, lamp.version);
  EXPECT_EQ((*history)[1].version, updated->version);
}

TEST(KnowledgeGraphTest, ReloadMatchesMemory) {
  std::string path = ::testing::TempDir() + "/kg_reload.db";
  std::remove(path.c_str());
  std::string lamp_id, version;
  {
    auto kg = NewGraph(path);
    Entity room = Make(*kg, EntityType::kRoom, "Hall");
    Entity lamp = Make(*kg, EntityType::kDevice, "Lamp");
    Link(*kg, lamp, RelationshipType::kLocatedIn, room);
    EntityEdit edit;
    edit.name = "Hall lamp";
    auto u = kg->UpdateEntity(lamp.id, edit, "tester");
    ASSERT_TRUE(u.ok());
    lamp_id = lamp.id;
    version = u->version;
  }
  auto kg = NewGraph(path);
  kg->Read([&](const GraphIndex& g) {
    EXPECT_EQ(g.entity_count(), 2u);
    EXPECT_EQ(g.relationship_count(), 1u);
    EXPECT_EQ(g.Get(lamp_id)->version, version);
    EXPECT_EQ(g.Get(lamp_id)->name, "Hall lamp");
    EXPECT_EQ(g.Outgoing(lamp_id).size(), 1u);
    return 0;
  });
}

TEST(KnowledgeGraphTest, DeleteTombstonesEntityAndItsEdges) {
  auto kg = NewGraph();
  Entity room = Make(*kg, EntityType::kRoom, "Study");
  Entity lamp = Make(*kg, EntityType::kDevice, "Desk lamp");
  Link(*kg, lamp, RelationshipType::kLocatedIn, room);
  auto del = kg->DeleteEntity(lamp.id, "tester");
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  EXPECT_TRUE(del->tombstone.deleted());
  EXPECT_EQ(del->removed_relationships.size(), 1u);
  kg->Read([&](const GraphIndex& g) {
    EXPECT_TRUE(g.Get(lamp.id)->deleted());
    EXPECT_EQ(g.entity_count(), 1u);
    EXPECT_EQ(g.relationship_count(), 0u);
    EXPECT_TRUE(g.Incoming(room.id).empty());
    return 0;
  });
  auto history = kg->History(lamp.id);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 2u);  // nothing is erased
  EXPECT_EQ(kg->DeleteEntity(lamp.id, "tester").status().code(), StatusCode::kNotFound);
  EntityEdit edit;
  edit.name = "x";
  EXPECT_EQ(kg->UpdateEntity(lamp.id, edit, "tester").status().code(), StatusCode::kNotFound);
}

TEST(KnowledgeGraphTest, RelationshipChecks) {
  auto kg = NewGraph();
  Entity room = Make(*kg, EntityType::kRoom, "Kitchen");
  Entity lamp = Make(*kg, EntityType::kDevice, "Lamp");
  Entity manual = Make(*kg, EntityType::kManual, "Lamp manual");
  auto bad = kg->CreateRelationship({room.id, lamp.id, RelationshipType::kLocatedIn, Json::object()}, "t");
  ASSERT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("not allowed from a room to a device"), std::string::npos)
      << bad.status().message();
  auto missing = kg->CreateRelationship({lamp.id, "nope", RelationshipType::kLocatedIn, Json::object()}, "t");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("nope"), std::string::npos);
  Link(*kg, lamp, RelationshipType::kDocumentedBy, manual);
  auto dup = kg->CreateRelationship({lamp.id, manual.id, RelationshipType::kDocumentedBy, Json::object()}, "t");
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  auto self = kg->CreateRelationship({lamp.id, lamp.id, RelationshipType::kControls, Json::object()}, "t");
  EXPECT_EQ(self.status().code(), StatusCode::kInvalidArgument);
}

TEST(KnowledgeGraphTest, ParentEdgesMayNotMakeACycle) {
  auto kg = NewGraph();
  Entity floor = Make(*kg, EntityType::kZone, "Ground floor");
  Entity room = Make(*kg, EntityType::kRoom, "Kitchen");
  Entity light = Make(*kg, EntityType::kDevice, "Spotlights");
  Entity strip = Make(*kg, EntityType::kDevice, "LED strip");
  Link(*kg, room, RelationshipType::kLocatedIn, floor);
  Link(*kg, light, RelationshipType::kLocatedIn, room);
  Link(*kg, strip, RelationshipType::kPartOf, light);

  auto two = kg->CreateRelationship({light.id, strip.id, RelationshipType::kPartOf, Json::object()}, "t");
  ASSERT_EQ(two.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(two.status().message().find("would make a cycle"), std::string::npos) << two.status().message();
  // Through located_in and part_of together: the floor would sit inside the spotlights.
  auto three = kg->CreateRelationship({floor.id, light.id, RelationshipType::kPartOf, Json::object()}, "t");
  ASSERT_EQ(three.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(three.status().message().find("is already inside zone 'Ground floor'"), std::string::npos)
      << three.status().message();
  auto contained =
      kg->CreateRelationship({room.id, strip.id, RelationshipType::kContainedIn, Json::object()}, "t");
  EXPECT_EQ(contained.status().code(), StatusCode::kInvalidArgument);

  // Two paths to the same parent are not a cycle, and other relationship
  // types may go round in circles.
  Link(*kg, strip, RelationshipType::kLocatedIn, room);
  Link(*kg, light, RelationshipType::kConnectsTo, strip);
  Link(*kg, strip, RelationshipType::kConnectsTo, light);
  Link(*kg, light, RelationshipType::kDependsOn, strip);
  Link(*kg, strip, RelationshipType::kDependsOn, light);
}

TEST(KnowledgeGraphTest, ContentMergeAndRemoval) {
  auto kg = NewGraph();
  Entity lamp = Make(*kg, EntityType::kDevice, "Lamp", {{"a", 1}, {"b", 2}});
  EntityEdit edit;
  edit.content = Json{{"a", nullptr}, {"c", 3}};
  auto u = kg->UpdateEntity(lamp.id, edit, "t");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->content, (Json{{"b", 2}, {"c", 3}}));
  edit.content = Json{{"deleted", true}};
  EXPECT_EQ(kg->UpdateEntity(lamp.id, edit, "t").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(kg->UpdateEntity(lamp.id, EntityEdit{}, "t").status().code(), StatusCode::kInvalidArgument);
  NewEntity dup;
  dup.entity_type = EntityType::kDevice;
  dup.name = "Other";
  dup.id = lamp.id;
  EXPECT_EQ(kg->CreateEntity(dup, "t").status().code(), StatusCode::kAlreadyExists);
}

TEST(KnowledgeGraphTest, ConcurrentReadersAndWriters) {
  auto kg = NewGraph();
  Entity room = Make(*kg, EntityType::kRoom, "Hall");
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) {
    readers.emplace_back([&] {
      while (!stop) {
        kg->Read([&](const GraphIndex& g) { return g.Incoming(room.id).size(); });
      }
    });
  }
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 50; ++i) {
        Entity d = Make(*kg, EntityType::kDevice, "d" + std::to_string(w) + "-" + std::to_string(i));
        Link(*kg, d, RelationshipType::kLocatedIn, room);
      }
    });
  }
  for (auto& t : writers) t.join();
  stop = true;
  for (auto& t : readers) t.join();
  kg->Read([&](const GraphIndex& g) {
    EXPECT_EQ(g.Incoming(room.id).size(), 100u);
    EXPECT_EQ(g.entity_count(), 101u);
    return 0;
  });
}

// Readers racing to build the name trigram index (the first `name
// contains` query builds it under a shared lock) while writers add
// entities it must then index.
TEST(KnowledgeGraphTest, NameContainsQueriesWhileWriting) {
  auto kg = NewGraph();
  Make(*kg, EntityType::kRoom, "Hall");
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  StructuredQuery q;
  q.filters = {FieldFilter{"name", FilterOp::kContains, "LAMP"}};
  q.limit = 1000;
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) {
    readers.emplace_back([&] {
      while (!stop) {
        kg->Read([&](const GraphIndex& g) {
          auto r = g.Query(q);
          if (!r.ok() || r->total > 100 || r->entities.size() != r->total) ++bad;
          return 0;
        });
      }
    });
  }
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 50; ++i) {
        Make(*kg, EntityType::kDevice, "Desk lamp " + std::to_string(w) + "-" + std::to_string(i));
        Make(*kg, EntityType::kDevice, "Fan " + std::to_string(w) + "-" + std::to_string(i));
      }
    });
  }
  for (auto& t : writers) t.join();
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0);
  kg->Read([&](const GraphIndex& g) {
    auto r = g.Query(q);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r->total, 100u);
    return 0;
  });
}

}  // namespace
}  // namespace funkygibbon::graph
