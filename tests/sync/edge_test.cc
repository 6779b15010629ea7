// The edge side and convergence: one hub and three edges over an
// in-process transport, random concurrent writes, many seeds.
#include "sync/edge.h"

#include <random>
#include <set>

#include <gtest/gtest.h>

#include "sync/hub.h"
#include "sync/sync_test_util.h"

namespace funkygibbon::sync {
namespace {

using testing::MemoryGraph;

graph::NewEntity NE(EntityType t, std::string name) {
  graph::NewEntity e;
  e.entity_type = t;
  e.name = std::move(name);
  return e;
}

graph::EntityEdit Rename(std::string name) {
  graph::EntityEdit e;
  e.name = std::move(name);
  return e;
}

graph::NewRelationship NR(const std::string& from, const std::string& to, RelationshipType t) {
  graph::NewRelationship r;
  r.from_entity_id = from;
  r.to_entity_id = to;
  r.relationship_type = t;
  return r;
}

struct Edge {
  std::unique_ptr<graph::KnowledgeGraph> kg = MemoryGraph();
  InProcessTransport* transport = nullptr;
  std::unique_ptr<SyncClient> client;
  std::string user;
};

class Fleet {
 public:
  explicit Fleet(int n) {
    for (int i = 0; i < n; ++i) {
      auto e = std::make_unique<Edge>();
      auto t = std::make_unique<InProcessTransport>(hub);
      e->transport = t.get();
      e->user = "edge" + std::to_string(i);
      SyncClientOptions o;
      o.user_id = e->user;
      o.device_id = "device-" + std::to_string(i);
      e->client = std::make_unique<SyncClient>(*e->kg, std::move(t), o);
      edges.push_back(std::move(e));
    }
  }
  std::unique_ptr<graph::KnowledgeGraph> hub_kg = MemoryGraph();
  SyncHub hub{*hub_kg, SyncHubOptions{.page_size = 7}};
  std::vector<std::unique_ptr<Edge>> edges;
};

std::vector<std::pair<std::string, std::string>> Snapshot(const graph::KnowledgeGraph& kg) {
  std::vector<std::pair<std::string, std::string>> out;
  kg.Read([&](const graph::GraphIndex& g) {
    for (const auto& e : g.AllEntities()) out.emplace_back(e->id, e->version + "|" + e->name);
    for (const auto& r : g.AllRelationships()) out.emplace_back("rel:" + r->id, r->from_entity_id + ">" + r->to_entity_id);
    return 0;
  });
  return out;
}

TEST(EdgeTest, LocalWritesArePendingInTheSameTransactionAndClearedOnAck) {
  Fleet f(1);
  Edge& e = *f.edges[0];
  auto room = e.kg->CreateEntity(NE(EntityType::kRoom, "Kitchen"), "edge0");
  ASSERT_TRUE(room.ok());
  auto lamp = e.kg->CreateEntity(NE(EntityType::kDevice, "Lamp"), "edge0");
  ASSERT_TRUE(lamp.ok());
  ASSERT_TRUE(e.kg->CreateRelationship(NR(lamp->id, room->id, RelationshipType::kLocatedIn), "edge0").ok());
  EXPECT_EQ(e.client->PendingCount(), 3u);
  auto r = e.client->SyncNow();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->pushed_entities, 2u);
  EXPECT_EQ(r->pushed_relationships, 1u);
  EXPECT_EQ(e.client->PendingCount(), 0u);
  EXPECT_EQ(StateDigest(*f.hub_kg), StateDigest(*e.kg));
  EXPECT_EQ(Snapshot(*f.hub_kg), Snapshot(*e.kg));
  Json s = e.client->Status();
  EXPECT_EQ(s["watermark"], r->server_time);
  EXPECT_EQ(s["pending_changes"], 0);
}

TEST(EdgeTest, OfflineEdgeKeepsWritingAndCatchesUp) {
  Fleet f(2);
  Edge& a = *f.edges[0];
  Edge& b = *f.edges[1];
  a.transport->SetOnline(false);
  auto x = a.kg->CreateEntity(NE(EntityType::kNote, "Offline note"), "edge0");
  ASSERT_TRUE(x.ok());
  auto r = a.client->SyncNow();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("unreachable"), std::string::npos);
  EXPECT_EQ(a.client->PendingCount(), 1u);
  EXPECT_EQ(a.client->Status()["consecutive_failures"], 1);
  EXPECT_FALSE(a.client->DueForRetry());  // backing off
  // Meanwhile b writes and syncs.
  ASSERT_TRUE(b.kg->CreateEntity(NE(EntityType::kNote, "From b"), "edge1").ok());
  ASSERT_TRUE(b.client->SyncNow().ok());
  a.transport->SetOnline(true);
  ASSERT_TRUE(a.client->SyncNow().ok());
  ASSERT_TRUE(b.client->SyncNow().ok());
  EXPECT_EQ(a.client->PendingCount(), 0u);
  EXPECT_EQ(Snapshot(*a.kg), Snapshot(*b.kg));
  EXPECT_EQ(Snapshot(*a.kg), Snapshot(*f.hub_kg));
  EXPECT_EQ(Snapshot(*a.kg).size(), 2u);
}

TEST(EdgeTest, ConcurrentEditsConvergeAndLoserIsInHistory) {
  Fleet f(2);
  Edge& a = *f.edges[0];
  Edge& b = *f.edges[1];
  auto x = a.kg->CreateEntity(NE(EntityType::kDevice, "Lamp"), "edge0");
  ASSERT_TRUE(x.ok());
  ASSERT_TRUE(a.client->SyncNow().ok());
  ASSERT_TRUE(b.client->SyncNow().ok());
  auto ea = a.kg->UpdateEntity(x->id, Rename(std::string("Lamp A")), "edge0");
  auto eb = b.kg->UpdateEntity(x->id, Rename(std::string("Lamp B")), "edge1");
  ASSERT_TRUE(ea.ok() && eb.ok());
  ASSERT_TRUE(a.client->SyncNow().ok());
  auto rb = b.client->SyncNow();
  ASSERT_TRUE(rb.ok());
  EXPECT_EQ(rb->conflicts.size(), 1u);
  ASSERT_TRUE(a.client->SyncNow().ok());
  EXPECT_EQ(Snapshot(*a.kg), Snapshot(*b.kg));
  EXPECT_EQ(Snapshot(*a.kg), Snapshot(*f.hub_kg));
  for (const auto& v : {ea->version, eb->version}) {
    auto held = f.hub_kg->store().GetVersion(x->id, v);
    ASSERT_TRUE(held.ok());
    EXPECT_TRUE(held->has_value()) << v;
  }
}

void RunConvergence(uint32_t seed) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  Fleet f(3);
  std::vector<std::pair<std::string, std::string>> acknowledged;  // (id, version) written on edges
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  auto live = [](const graph::KnowledgeGraph& kg, std::optional<EntityType> t) {
    return kg.Read([&](const graph::GraphIndex& g) { return g.List(t, "", 100000); });
  };
  for (int step = 0; step < 60; ++step) {
    Edge& e = *f.edges[pick(f.edges.size())];
    const size_t op = pick(10);
    if (op < 3) {
      auto t = pick(2) ? EntityType::kDevice : EntityType::kRoom;
      auto r = e.kg->CreateEntity(NE(t, "n" + std::to_string(step)), e.user);
      ASSERT_TRUE(r.ok());
      acknowledged.emplace_back(r->id, r->version);
    } else if (op < 5) {
      auto all = live(*e.kg, std::nullopt);
      if (all.empty()) continue;
      auto r = e.kg->UpdateEntity(all[pick(all.size())]->id, Rename("u" + std::to_string(step)), e.user);
      ASSERT_TRUE(r.ok());
      acknowledged.emplace_back(r->id, r->version);
    } else if (op < 6) {
      auto all = live(*e.kg, std::nullopt);
      if (all.empty()) continue;
      auto r = e.kg->DeleteEntity(all[pick(all.size())]->id, e.user);
      ASSERT_TRUE(r.ok());
      acknowledged.emplace_back(r->tombstone.id, r->tombstone.version);
    } else if (op < 8) {
      auto devices = live(*e.kg, EntityType::kDevice);
      auto rooms = live(*e.kg, EntityType::kRoom);
      if (devices.empty() || rooms.empty()) continue;
      auto r = e.kg->CreateRelationship(
          NR(devices[pick(devices.size())]->id, rooms[pick(rooms.size())]->id, RelationshipType::kLocatedIn),
          e.user);
      ASSERT_TRUE(r.ok() || r.status().code() == StatusCode::kAlreadyExists) << r.status().ToString();
    } else {
      if (pick(4) == 0) e.transport->SetOnline(false);
      (void)e.client->SyncNow();
      e.transport->SetOnline(true);
    }
  }
  // Quiesce: everyone syncs until nothing is pending (bounded rounds).
  for (int round = 0; round < 4; ++round) {
    for (auto& e : f.edges) {
      auto r = e->client->SyncNow();
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
  }
  const std::string hub_digest = StateDigest(*f.hub_kg);
  for (auto& e : f.edges) {
    EXPECT_EQ(e->client->PendingCount(), 0u);
    EXPECT_EQ(StateDigest(*e->kg), hub_digest);
    EXPECT_EQ(Snapshot(*e->kg), Snapshot(*f.hub_kg));
  }
  for (const auto& [id, version] : acknowledged) {
    auto held = f.hub_kg->store().GetVersion(id, version);
    ASSERT_TRUE(held.ok());
    EXPECT_TRUE(held->has_value()) << id << " " << version << " missing on the hub";
  }
}

TEST(EdgeTest, HubAndThreeEdgesConvergeForManySeeds) {
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    RunConvergence(seed);
    if (::testing::Test::HasFailure()) break;
  }
}

}  // namespace
}  // namespace funkygibbon::sync
