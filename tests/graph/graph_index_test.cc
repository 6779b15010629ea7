#include "graph/graph_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "graph_fixture.h"

namespace funkygibbon::graph {
namespace {

using fixture::Add;
using fixture::Ids;
using fixture::Link;
using fixture::MakeEdge;
using fixture::MakeEntity;
using E = EntityType;
using R = RelationshipType;

std::vector<std::string> RelIds(const std::vector<RelationshipPtr>& rs) {
  std::vector<std::string> out;
  for (const auto& r : rs) out.push_back(r->id);
  return out;
}

TEST(GraphIndexTest, ParsesDirectionsAndOps) {
  EXPECT_EQ(ParseDirection("OUT"), Direction::kOut);
  EXPECT_EQ(ParseDirection("in"), Direction::kIn);
  EXPECT_EQ(ParseDirection("Both"), Direction::kBoth);
  EXPECT_FALSE(ParseDirection("sideways"));
  EXPECT_EQ(ToString(Direction::kOut), "out");
  EXPECT_EQ(ToString(Direction::kIn), "in");
  EXPECT_EQ(ToString(Direction::kBoth), "both");
  EXPECT_EQ(ParseFilterOp("eq"), FilterOp::kEq);
  EXPECT_EQ(ParseFilterOp("NOT_EXISTS"), FilterOp::kNotExists);
  EXPECT_EQ(ParseFilterOp("gte"), FilterOp::kGte);
  EXPECT_EQ(ParseFilterOp("in"), FilterOp::kIn);
  EXPECT_FALSE(ParseFilterOp("like"));
}

TEST(GraphIndexTest, PutGetAndCounts) {
  GraphIndex g;
  EXPECT_EQ(g.Get("x"), nullptr);
  EXPECT_EQ(g.entity_count(), 0u);
  EntityPtr a = Add(g, "a", E::kRoom, "Kitchen");
  Add(g, "b", E::kDevice, "Lamp");
  Link(g, "r1", "b", R::kLocatedIn, "a");
  ASSERT_NE(g.Get("a"), nullptr);
  EXPECT_EQ(*g.Get("a"), *a);  // an equal copy: entities are held compactly
  EXPECT_EQ(g.entity_count(), 2u);
  EXPECT_EQ(g.relationship_count(), 1u);
  RelationshipPtr r = g.GetRelationship("r1");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->from_entity_id, "b");
  EXPECT_EQ(r->to_entity_id, "a");
  EXPECT_EQ(r->relationship_type, R::kLocatedIn);
  EXPECT_EQ(g.GetRelationship("nope"), nullptr);
}

TEST(GraphIndexTest, RelationshipRoundTripsEveryField) {
  GraphIndex g;
  Add(g, "a", E::kRoom, "A");
  Add(g, "b", E::kDevice, "B");
  auto r = std::make_shared<Relationship>();
  r->id = "r";
  r->from_entity_id = "b";
  r->from_entity_version = "vb";
  r->to_entity_id = "a";
  r->to_entity_version = "va";
  r->relationship_type = R::kLocatedIn;
  r->properties = {{"since", 2020}};
  r->user_id = "alice";
  r->created_at = "2026-01-01T00:00:00.000000+00:00";
  r->updated_at = "2026-01-02T00:00:00.000000+00:00";
  g.PutRelationship(r);
  EXPECT_EQ(*g.GetRelationship("r"), *r);
  // A lean edge comes back with the defaults.
  Link(g, "lean", "a", R::kConnectsTo, "b");
  EXPECT_EQ(*g.GetRelationship("lean"), *MakeEdge("lean", "a", R::kConnectsTo, "b"));
}

TEST(GraphIndexTest, CompactEdgeStorageRoundTripsOddValues) {
  GraphIndex g;
  Add(g, "a", E::kRoom, "A");
  Add(g, "b", E::kDevice, "B");
  struct Case {
    std::string id, from_version, to_version, created_at, updated_at, user;
  } cases[] = {
      // canonical UUID, versions and timestamps (stored as numbers)
      {"0f8e2a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5b", "2026-06-15T09:41:02.581234+00:00-000417-alice",
       "2026-06-15T09:41:03.000001+00:00-999999-bob", "2026-06-15T09:41:02.581234+00:00",
       "1970-01-01T00:00:00.000000+00:00", "alice"},
      // upper-case UUID, legacy Z version, non-canonical timestamps: kept verbatim
      {"0F8E2A4C-1B3D-4E5F-8A9B-0C1D2E3F4A5B", "2026-06-15T09:41:02.581234Z-000001-alice",
       "v-1718000000000", "2026-06-15T09:41:02Z", "2026-06-15 09:41:02.5+00:00", ""},
      // ids of every length around the inline limit
      {"123456789012345", "", "", "", "", "carol"},
      {"1234567890123456", "", "", "", "", ""},
      {"edge-with-a-rather-long-identifier-that-is-not-a-uuid-at-all", "x", "", "", "", "dave"},
  };
  for (const Case& c : cases) {
    auto r = std::make_shared<Relationship>();
    r->id = c.id;
    r->from_entity_id = "b";
    r->to_entity_id = "a";
    r->from_entity_version = c.from_version;
    r->to_entity_version = c.to_version;
    r->created_at = c.created_at;
    r->updated_at = c.updated_at;
    r->user_id = c.user;
    r->relationship_type = R::kLocatedIn;
    g.PutRelationship(r);
    RelationshipPtr back = g.GetRelationship(c.id);
    ASSERT_NE(back, nullptr) << c.id;
    EXPECT_EQ(*back, *r) << c.id;
  }
  // Ordering by edge id is by text whatever the storage.
  std::vector<std::string> want;
  for (const Case& c : cases) want.push_back(c.id);
  std::sort(want.begin(), want.end());
  EXPECT_EQ(RelIds(g.Outgoing("b")), want);
  EXPECT_EQ(RelIds(g.AllRelationships()), want);
}

// A page of a node's edges is that slice of the whole sorted list, for
// every offset and limit, in both directions.
TEST(GraphIndexTest, EdgePagesAreSlicesOfTheSortedLists) {
  GraphIndex g;
  fixture::Add(g, "hub", EntityType::kRoom, "Hub");
  const RelationshipType types[] = {RelationshipType::kLocatedIn, RelationshipType::kControls,
                                    RelationshipType::kConnectsTo, RelationshipType::kMonitors};
  for (int i = 0; i < 37; ++i) {
    const std::string other = "n" + std::to_string((i * 7) % 23);  // repeats: same other, other edges
    fixture::Add(g, other, EntityType::kDevice, other);
    const RelationshipType t = types[i % 4];
    fixture::Link(g, "in-" + std::to_string(i * 13 % 37), other, t, "hub");
    fixture::Link(g, "out-" + std::to_string(i * 11 % 37), "hub", t, other);
  }
  const std::vector<std::string> out_all = RelIds(g.Outgoing("hub"));
  const std::vector<std::string> in_all = RelIds(g.Incoming("hub"));
  ASSERT_EQ(out_all.size(), 37u);
  ASSERT_EQ(in_all.size(), 37u);
  const auto slice = [](const std::vector<std::string>& all, size_t offset, size_t limit) {
    const size_t b = std::min(offset, all.size());
    const size_t e = b + std::min(limit, all.size() - b);
    return std::vector<std::string>(all.begin() + static_cast<long>(b),
                                    all.begin() + static_cast<long>(e));
  };
  for (size_t offset : {0u, 1u, 5u, 36u, 37u, 50u}) {
    for (size_t limit : {1u, 4u, 10u, 37u, 100u}) {
      SCOPED_TRACE("offset " + std::to_string(offset) + " limit " + std::to_string(limit));
      size_t total = 0;
      EXPECT_EQ(RelIds(g.OutgoingPage("hub", offset, limit, &total)),
                slice(out_all, offset, limit));
      EXPECT_EQ(total, 37u);
      EXPECT_EQ(RelIds(g.IncomingPage("hub", offset, limit, &total)),
                slice(in_all, offset, limit));
      EXPECT_EQ(total, 37u);
    }
  }
  size_t total = 5;
  EXPECT_TRUE(g.OutgoingPage("nobody", 0, 10, &total).empty());
  EXPECT_EQ(total, 0u);
}

// VisitEdgePage reads in place what OutgoingPage/IncomingPage build: the
// same entries in the same order, with the other end's summary as
// GetSummary gives it. Self-loops, an edge to an entity that has not
// arrived, a tombstoned end and edges with properties included.
TEST(GraphIndexTest, VisitedEdgePagesEqualTheBuiltOnes) {
  GraphIndex g;
  Add(g, "hub", E::kRoom, "Hub");
  const R types[] = {R::kLocatedIn, R::kControls, R::kConnectsTo, R::kMonitors};
  for (int i = 0; i < 29; ++i) {
    const std::string other = "n" + std::to_string((i * 7) % 11);
    Add(g, other, E::kDevice, "Device " + other);
    Relationship in = *MakeEdge("in-" + std::to_string(i * 13 % 29), other, types[i % 4], "hub");
    if (i % 3 == 0) in.properties = Json{{"weight", i}, {"note", "n\u00e9"}};
    g.PutRelationship(in);
    Link(g, "out-" + std::to_string(i * 11 % 29), "hub", types[(i + 1) % 4], other);
  }
  Link(g, "loop-1", "hub", R::kConnectsTo, "hub");
  Link(g, "loop-2", "hub", R::kMonitors, "hub");
  Link(g, "to-ghost", "hub", R::kControls, "ghost");  // "ghost" never arrives
  Link(g, "from-ghost", "ghost", R::kMonitors, "hub");
  Entity gone = *MakeEntity("n3", E::kDevice, "Device n3", Json{{"deleted", true}}, "v2");
  g.PutEntity(std::make_shared<Entity>(gone));

  for (bool outgoing : {true, false}) {
    for (size_t offset : {0u, 1u, 7u, 31u, 32u, 40u}) {
      for (size_t limit : {0u, 1u, 5u, 32u, 100u}) {
        SCOPED_TRACE(std::string(outgoing ? "out" : "in") + " offset " + std::to_string(offset) +
                     " limit " + std::to_string(limit));
        size_t built_total = 0;
        const std::vector<RelationshipPtr> built =
            outgoing ? g.OutgoingPage("hub", offset, limit, &built_total)
                     : g.IncomingPage("hub", offset, limit, &built_total);
        std::vector<GraphIndex::EdgeBrief> seen;
        std::vector<std::string> ids, others, names;  // the views end with each call
        const size_t total = g.VisitEdgePage("hub", outgoing, offset, limit,
                                             [&](const GraphIndex::EdgeBrief& b) {
          seen.push_back(b);
          ids.emplace_back(b.id);
          others.emplace_back(b.other_id);
          names.emplace_back(b.other_name);
          EXPECT_EQ(b.from_entity_id, built[seen.size() - 1]->from_entity_id);
          EXPECT_EQ(b.to_entity_id, built[seen.size() - 1]->to_entity_id);
        });
        EXPECT_EQ(total, built_total);
        ASSERT_EQ(seen.size(), built.size());
        for (size_t i = 0; i < built.size(); ++i) {
          const Relationship& r = *built[i];
          EXPECT_EQ(ids[i], r.id);
          EXPECT_EQ(seen[i].relationship_type, r.relationship_type);
          ASSERT_NE(seen[i].properties, nullptr);
          EXPECT_EQ(*seen[i].properties, r.properties) << r.id;
          const std::string& other = r.from_entity_id == "hub" ? r.to_entity_id : r.from_entity_id;
          EXPECT_EQ(others[i], other);
          std::optional<EntitySummary> summary = g.GetSummary(other);
          EXPECT_EQ(seen[i].other_known, summary.has_value()) << r.id;
          if (summary) {
            EXPECT_EQ(names[i], summary->name);
            EXPECT_EQ(seen[i].other_type, summary->entity_type);
          }
        }
      }
    }
  }
  size_t calls = 0;
  EXPECT_EQ(g.VisitEdgePage("nobody", true, 0, 10, [&](const GraphIndex::EdgeBrief&) { ++calls; }),
            0u);
  EXPECT_EQ(calls, 0u);
}

// AppendEntityJson writes what DumpJson(ToJson(*Get(id))) does, for live
// entities and tombstones, and nothing for an unknown id.
TEST(GraphIndexTest, EntityJsonInPlaceEqualsTheDumpOfTheBuiltEntity) {
  GraphIndex g;
  Add(g, "a", E::kDevice, "Lamp \"A\" \xC3\xA9",
      Json{{"brightness", 0.75}, {"tags", {"x", "y"}}, {"n", -3}, {"nested", {{"k", nullptr}}}});
  Entity b = *MakeEntity("b", E::kNote, "", Json::object(), "v2");
  b.parent_versions = {"v1", "v0"};
  b.source_type = SourceType::kImported;
  b.user_id = "someone";
  g.PutEntity(std::make_shared<Entity>(b));
  Add(g, "c", E::kRoom, "Gone", Json{{"deleted", true}});
  for (const char* id : {"a", "b", "c"}) {
    SCOPED_TRACE(id);
    std::string out = "prefix";
    bool deleted = true;
    ASSERT_TRUE(g.AppendEntityJson(id, &out, &deleted));
    EntityPtr e = g.Get(id);
    EXPECT_EQ(out, "prefix" + ToJson(*e).dump(-1, ' ', false, Json::error_handler_t::replace));
    EXPECT_EQ(deleted, e->deleted());
  }
  std::string out = "x";
  EXPECT_FALSE(g.AppendEntityJson("nobody", &out));
  EXPECT_EQ(out, "x");
}

TEST(GraphIndexTest, NewVersionKeepsEdges) {
  GraphIndex g;
  Add(g, "room", E::kRoom, "Kitchen");
  Add(g, "lamp", E::kDevice, "Lamp", {{"brightness", 10}});
  Link(g, "r1", "lamp", R::kLocatedIn, "room");
  EntityPtr v2 = MakeEntity("lamp", E::kDevice, "Lamp", {{"brightness", 80}}, "v2");
  g.PutEntity(v2);
  ASSERT_NE(g.Get("lamp"), nullptr);
  EXPECT_EQ(*g.Get("lamp"), *v2);
  EXPECT_EQ(RelIds(g.Outgoing("lamp")), std::vector<std::string>{"r1"});
  EXPECT_EQ(RelIds(g.Incoming("room")), std::vector<std::string>{"r1"});
  auto path = g.FindPath("lamp", "room", PathOptions{});
  ASSERT_TRUE(path.ok());
  EXPECT_TRUE(path->found);
  ASSERT_FALSE(path->nodes.empty());
  EXPECT_EQ(path->nodes[0].id, v2->id);
  EXPECT_EQ(path->nodes[0].name, v2->name);  // the current version's
  EXPECT_EQ(path->nodes[0].entity_type, v2->entity_type);
  EXPECT_EQ(g.entity_count(), 2u);
}

TEST(GraphIndexTest, ReplaceAndDeleteRelationshipById) {
  GraphIndex g;
  Add(g, "a", E::kRoom, "A");
  Add(g, "b", E::kRoom, "B");
  Add(g, "c", E::kRoom, "C");
  Link(g, "r", "a", R::kConnectsTo, "b");
  Link(g, "r", "a", R::kConnectsTo, "c");  // same id: moved
  EXPECT_EQ(g.relationship_count(), 1u);
  EXPECT_TRUE(g.Incoming("b").empty());
  EXPECT_EQ(RelIds(g.Incoming("c")), std::vector<std::string>{"r"});
  auto del = std::make_shared<Relationship>(*MakeEdge("r", "a", R::kConnectsTo, "c"));
  del->deleted = true;
  g.PutRelationship(del);
  EXPECT_EQ(g.relationship_count(), 0u);
  EXPECT_EQ(g.GetRelationship("r"), nullptr);
  EXPECT_TRUE(g.Outgoing("a").empty());
  EXPECT_TRUE(g.AllRelationships().empty());
  // Deleting an unknown edge is harmless; slots are reused.
  g.PutRelationship(del);
  for (int i = 0; i < 10; ++i) Link(g, "x" + std::to_string(i), "a", R::kConnectsTo, "b");
  EXPECT_EQ(g.relationship_count(), 10u);
  EXPECT_EQ(g.Outgoing("a").size(), 10u);
}

TEST(GraphIndexTest, ManyEdgesSurviveSwapRemoval) {
  GraphIndex g;
  Add(g, "hub", E::kHome, "Hub");
  for (int i = 0; i < 200; ++i) {
    Add(g, "d" + std::to_string(i), E::kDevice, "D");
    Link(g, "e" + std::to_string(i), "d" + std::to_string(i), R::kLocatedIn, "hub");
  }
  for (int i = 0; i < 200; i += 3) {
    auto r = std::make_shared<Relationship>(
        *MakeEdge("e" + std::to_string(i), "d" + std::to_string(i), R::kLocatedIn, "hub"));
    r->deleted = true;
    g.PutRelationship(r);
  }
  auto in = g.Incoming("hub");
  EXPECT_EQ(in.size(), 200u - 67u);
  for (const auto& r : in) {
    EXPECT_NE(std::stoi(r->id.substr(1)) % 3, 0);
    EXPECT_EQ(RelIds(g.Outgoing(r->from_entity_id)), std::vector<std::string>{r->id});
  }
}

TEST(GraphIndexTest, EdgeListsFollowRandomChurnWithSelfLoops) {
  // A node keeps its outgoing and incoming edges in one block, so adding
  // or removing an edge of one direction moves entries of the other. Random
  // adds, moves and deletes over a few nodes (self-loops included, which
  // put both ends of an edge in the same block) must leave every node's
  // lists equal to a plain model's.
  GraphIndex g;
  const int kNodes = 6;
  for (int i = 0; i < kNodes; ++i) Add(g, "n" + std::to_string(i), E::kRoom, "N");
  std::map<std::string, std::pair<std::string, std::string>> model;  // id -> (from, to)
  std::mt19937 rng(11);
  for (int step = 0; step < 4000; ++step) {
    const std::string id = "r" + std::to_string(rng() % 60);
    const std::string from = "n" + std::to_string(rng() % kNodes);
    // One in four is a self-loop.
    const std::string to = rng() % 4 == 0 ? from : "n" + std::to_string(rng() % kNodes);
    if (rng() % 3 == 0) {
      auto del = std::make_shared<Relationship>(*MakeEdge(id, from, R::kConnectsTo, to));
      del->deleted = true;
      g.PutRelationship(del);
      model.erase(id);
    } else {
      Link(g, id, from, R::kConnectsTo, to);  // an existing id moves
      model[id] = {from, to};
    }
    for (int i = 0; i < kNodes; ++i) {
      const std::string n = "n" + std::to_string(i);
      std::vector<std::string> want_out, want_in;
      for (const auto& [rid, ends] : model) {
        if (ends.first == n) want_out.push_back(rid);
        if (ends.second == n) want_in.push_back(rid);
      }
      std::vector<std::string> out = RelIds(g.Outgoing(n)), in = RelIds(g.Incoming(n));
      std::sort(out.begin(), out.end());
      std::sort(in.begin(), in.end());
      ASSERT_EQ(out, want_out) << "outgoing of " << n << " after step " << step;
      ASSERT_EQ(in, want_in) << "incoming of " << n << " after step " << step;
    }
    ASSERT_EQ(g.relationship_count(), model.size());
  }
}

TEST(GraphIndexTest, EdgeBeforeEndpointsIsKeptAndWalkedLater) {
  GraphIndex g;
  Link(g, "r", "lamp", R::kLocatedIn, "room");
  EXPECT_EQ(g.entity_count(), 0u);
  EXPECT_EQ(g.Get("lamp"), nullptr);
  EXPECT_NE(g.GetRelationship("r"), nullptr);
  Add(g, "lamp", E::kDevice, "Lamp");
  EXPECT_EQ(g.FindPath("lamp", "room", PathOptions{}).status().code(), StatusCode::kNotFound);
  Add(g, "room", E::kRoom, "Kitchen");
  auto path = g.FindPath("lamp", "room", PathOptions{});
  ASSERT_TRUE(path.ok());
  EXPECT_TRUE(path->found);
  EXPECT_EQ(g.Statistics().relationships, 1u);
}

TEST(GraphIndexTest, SummariesAndLivenessWithoutBuildingEntities) {
  GraphIndex g;
  Link(g, "r", "lamp", R::kLocatedIn, "room");  // names "room" before it arrives
  EntityPtr lamp = Add(g, "lamp", E::kDevice, "Desk Lamp");
  EXPECT_FALSE(g.GetSummary("room"));  // only named by an edge so far
  EXPECT_FALSE(g.GetSummary("nope"));
  EXPECT_FALSE(g.IsLive("room"));
  auto s = g.GetSummary("lamp");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->id, "lamp");
  EXPECT_EQ(s->name, "Desk Lamp");
  EXPECT_EQ(s->entity_type, E::kDevice);
  EXPECT_TRUE(g.IsLive("lamp"));
  // A tombstone still has a summary (as Get still finds it) but is not live.
  g.PutEntity(fixture::Tombstone(lamp));
  s = g.GetSummary("lamp");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, g.Get("lamp")->name);
  EXPECT_EQ(s->entity_type, g.Get("lamp")->entity_type);
  EXPECT_FALSE(g.IsLive("lamp"));
}

TEST(GraphIndexTest, TombstonesAreFoundByGetOnly) {
  GraphIndex g;
  EntityPtr lamp = Add(g, "lamp", E::kDevice, "Lamp");
  Add(g, "room", E::kRoom, "Kitchen");
  Link(g, "r", "lamp", R::kLocatedIn, "room");
  EntityPtr dead = fixture::Tombstone(lamp);
  g.PutEntity(dead);
  ASSERT_NE(g.Get("lamp"), nullptr);
  EXPECT_EQ(*g.Get("lamp"), *dead);
  EXPECT_EQ(g.entity_count(), 1u);
  EXPECT_EQ(Ids(g.List(std::nullopt, "", 10)), std::vector<std::string>{"room"});
  EXPECT_TRUE(g.FindByName("lamp", std::nullopt).empty());
  EXPECT_TRUE(g.CompleteIds("la", 10).empty());
  EXPECT_EQ(Ids(g.AllEntities()), (std::vector<std::string>{"lamp", "room"}));
  EXPECT_EQ(g.FindPath("lamp", "room", PathOptions{}).status().code(), StatusCode::kNotFound);
  GraphStatistics st = g.Statistics();
  EXPECT_EQ(st.entities, 1u);
  EXPECT_EQ(st.deleted_entities, 1u);
  EXPECT_EQ(st.relationships, 0u);
  EXPECT_EQ(st.isolated_entities, 1u);
  // Resurrection: a new live version comes back with its edge.
  g.PutEntity(MakeEntity("lamp", E::kDevice, "Lamp", Json::object(), "v3"));
  EXPECT_TRUE(g.FindPath("lamp", "room", PathOptions{})->found);
  EXPECT_EQ(g.Statistics().deleted_entities, 0u);
}

TEST(GraphIndexTest, OutgoingAndIncomingAreSorted) {
  GraphIndex g;
  fixture::BuildHome(g);
  // kitchen: located_in ground; connects_to door-kh. Sorted by type name.
  EXPECT_EQ(RelIds(g.Outgoing("kitchen")),
            (std::vector<std::string>{"e-kitchen-doorkh", "e-kitchen-ground"}));
  EXPECT_EQ(RelIds(g.Incoming("kitchen")),
            (std::vector<std::string>{"e-fridge-kitchen", "e-lampk-kitchen"}));
  EXPECT_EQ(RelIds(g.Outgoing("night-mode")),
            (std::vector<std::string>{"e-night-lampb", "e-night-lampl", "e-night-thermo"}));
  EXPECT_TRUE(g.Outgoing("unknown").empty());
}

TEST(GraphIndexTest, ListPagesById) {
  GraphIndex g;
  fixture::BuildHome(g);
  auto first = g.List(std::nullopt, "", 3);
  EXPECT_EQ(Ids(first), (std::vector<std::string>{"bathroom", "bedroom", "door-bb"}));
  auto next = g.List(std::nullopt, first.back()->id, 3);
  EXPECT_EQ(Ids(next), (std::vector<std::string>{"door-kh", "door-lh", "first"}));
  EXPECT_EQ(Ids(g.List(E::kRoom, "", 100)),
            (std::vector<std::string>{"bathroom", "bedroom", "hall", "kitchen", "living"}));
  EXPECT_EQ(Ids(g.List(E::kRoom, "hall", 2)), (std::vector<std::string>{"kitchen", "living"}));
  EXPECT_TRUE(g.List(E::kApp, "", 10).empty());
  EXPECT_EQ(g.List(std::nullopt, "", 1000).size(), g.entity_count());
}

TEST(GraphIndexTest, FindByNameIgnoresCase) {
  GraphIndex g;
  fixture::BuildHome(g);
  Add(g, "kitchen-2", E::kNote, "KITCHEN");
  EXPECT_EQ(Ids(g.FindByName("kitchen", std::nullopt)),
            (std::vector<std::string>{"kitchen", "kitchen-2"}));
  EXPECT_EQ(Ids(g.FindByName("Kitchen", E::kRoom)), std::vector<std::string>{"kitchen"});
  EXPECT_TRUE(g.FindByName("Kitch", std::nullopt).empty());
  // Renaming moves the entity in the name index.
  g.PutEntity(MakeEntity("kitchen-2", E::kNote, "Pantry", Json::object(), "v2"));
  EXPECT_EQ(Ids(g.FindByName("kitchen", std::nullopt)), std::vector<std::string>{"kitchen"});
  EXPECT_EQ(Ids(g.FindByName("PANTRY", std::nullopt)), std::vector<std::string>{"kitchen-2"});
}

TEST(GraphIndexTest, CompletesIdsAndNames) {
  GraphIndex g;
  fixture::BuildHome(g);
  Add(g, "Lamp-X", E::kDevice, "lamp extra");
  EXPECT_EQ(g.CompleteIds("lamp-", 10),
            (std::vector<std::string>{"Lamp-X", "lamp-b", "lamp-k", "lamp-l"}));
  EXPECT_EQ(g.CompleteIds("LAMP-", 2), (std::vector<std::string>{"Lamp-X", "lamp-b"}));
  EXPECT_EQ(g.CompleteIds("door", 10),
            (std::vector<std::string>{"door-bb", "door-kh", "door-lh"}));
  EXPECT_TRUE(g.CompleteIds("zzz", 10).empty());
  EXPECT_TRUE(g.CompleteIds("lamp", 0).empty());
  EXPECT_EQ(g.CompleteNames("k", 10),
            (std::vector<std::string>{"Kitchen", "Kitchen Ceiling Light", "Kitchen Door"}));
  EXPECT_EQ(g.CompleteNames("LIV", 10),
            (std::vector<std::string>{"Living Door", "Living Room", "Living Room Floor Light"}));
  EXPECT_EQ(g.CompleteNames("", 2), (std::vector<std::string>{"Bathroom", "Bathroom Door"}));
  Add(g, "dup", E::kNote, "kitchen");  // same name in another case: listed once
  EXPECT_EQ(g.CompleteNames("kitchen", 10).size(), 3u);
}

TEST(GraphIndexTest, AllEntitiesAndRelationshipsAreSortedById) {
  GraphIndex g;
  fixture::BuildHome(g);
  auto all = g.AllEntities();
  EXPECT_EQ(all.size(), 21u);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(),
                             [](const EntityPtr& a, const EntityPtr& b) { return a->id < b->id; }));
  auto rels = g.AllRelationships();
  EXPECT_EQ(rels.size(), 25u);
  EXPECT_TRUE(std::is_sorted(rels.begin(), rels.end(), [](const RelationshipPtr& a,
                                                          const RelationshipPtr& b) {
    return a->id < b->id;
  }));
  g.Clear();
  EXPECT_EQ(g.entity_count(), 0u);
  EXPECT_TRUE(g.AllEntities().empty());
  EXPECT_TRUE(g.AllRelationships().empty());
  fixture::BuildHome(g);
  EXPECT_EQ(g.entity_count(), 21u);
}

TEST(GraphIndexTest, IgnoresNullAndEmptyIds) {
  GraphIndex g;
  g.PutEntity(nullptr);
  g.PutRelationship(nullptr);
  g.PutEntity(MakeEntity("", E::kNote, "x"));
  g.PutRelationship(MakeEdge("", "a", R::kControls, "b"));
  g.PutRelationship(MakeEdge("r", "", R::kControls, "b"));
  EXPECT_EQ(g.entity_count(), 0u);
  EXPECT_EQ(g.relationship_count(), 0u);
}

TEST(GraphIndexTest, HashTablesSurviveChurn) {
  GraphIndex g;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 3000; ++i) {
      const std::string id = "n" + std::to_string(i);
      g.PutEntity(MakeEntity(id, E::kDevice, "N", Json::object(), "v" + std::to_string(round)));
      if (i > 0) Link(g, "e" + std::to_string(i), id, R::kConnectsTo, "n" + std::to_string(i - 1));
    }
    for (int i = 1; i < 3000; i += 2) {
      auto r = std::make_shared<Relationship>(*MakeEdge("e" + std::to_string(i), "n", R::kConnectsTo, "n"));
      r->deleted = true;
      g.PutRelationship(r);
    }
  }
  EXPECT_EQ(g.entity_count(), 3000u);
  EXPECT_EQ(g.relationship_count(), 1499u);
  for (int i = 1; i < 3000; ++i) {
    EXPECT_EQ(g.GetRelationship("e" + std::to_string(i)) != nullptr, i % 2 == 0) << i;
  }
}

}  // namespace
}  // namespace funkygibbon::graph
