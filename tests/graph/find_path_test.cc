#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <random>

#include "graph/graph_index.h"
#include "graph_fixture.h"

namespace funkygibbon::graph {
namespace {

using fixture::Add;
using fixture::EdgeIds;
using fixture::Ids;
using fixture::Link;
using E = EntityType;
using R = RelationshipType;
using Strings = std::vector<std::string>;

PathOptions Opts(Direction d, std::vector<RelationshipType> types = {}, int depth = 10) {
  PathOptions o;
  o.direction = d;
  o.relationship_types = std::move(types);
  o.max_depth = depth;
  return o;
}

class FindPathTest : public ::testing::Test {
 protected:
  void SetUp() override { fixture::BuildHome(g_); }
  PathResult Path(std::string_view a, std::string_view b, const PathOptions& o) {
    auto r = g_.FindPath(a, b, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : PathResult{};
  }
  GraphIndex g_;
};

TEST_F(FindPathTest, DeviceToRoomToHome) {
  PathResult p = Path("lamp-k", "home", Opts(Direction::kOut));
  ASSERT_TRUE(p.found);
  EXPECT_EQ(Ids(p.nodes), (Strings{"lamp-k", "kitchen", "ground", "home"}));
  EXPECT_EQ(EdgeIds(p.edges), (Strings{"e-lampk-kitchen", "e-kitchen-ground", "e-ground-home"}));
  for (const PathStep& s : p.edges) EXPECT_TRUE(s.forward);
  EXPECT_GT(p.explored, 0u);
  EXPECT_EQ(p.nodes.size(), p.edges.size() + 1);
}

TEST_F(FindPathTest, RoomThroughDoorToRoom) {
  PathResult p = Path("kitchen", "hall", Opts(Direction::kOut, {R::kConnectsTo}));
  ASSERT_TRUE(p.found);
  EXPECT_EQ(Ids(p.nodes), (Strings{"kitchen", "door-kh", "hall"}));
  EXPECT_EQ(p.nodes[1].entity_type, E::kDoor);
}

TEST_F(FindPathTest, DirectionOutInBoth) {
  // hall has no outgoing route to the kitchen: the door edges point the other way.
  EXPECT_FALSE(Path("hall", "kitchen", Opts(Direction::kOut)).found);

  PathResult in = Path("hall", "kitchen", Opts(Direction::kIn));
  ASSERT_TRUE(in.found);
  EXPECT_EQ(Ids(in.nodes), (Strings{"hall", "door-kh", "kitchen"}));
  EXPECT_EQ(EdgeIds(in.edges), (Strings{"e-doorkh-hall", "e-kitchen-doorkh"}));
  for (const PathStep& s : in.edges) EXPECT_FALSE(s.forward);

  // Both ways: two 2-hop routes (via door-kh over connects_to, via ground over
  // located_in); connects_to sorts first.
  PathResult both = Path("hall", "kitchen", Opts(Direction::kBoth));
  ASSERT_TRUE(both.found);
  EXPECT_EQ(Ids(both.nodes), (Strings{"hall", "door-kh", "kitchen"}));

  // Going up is out-only; going down is in-only.
  EXPECT_TRUE(Path("tv", "home", Opts(Direction::kOut)).found);
  EXPECT_FALSE(Path("tv", "home", Opts(Direction::kIn)).found);
  EXPECT_TRUE(Path("home", "tv", Opts(Direction::kIn)).found);
  EXPECT_FALSE(Path("home", "tv", Opts(Direction::kOut)).found);
}

TEST_F(FindPathTest, MixedDirectionsMarkEachStep) {
  PathResult p = Path("fridge", "tv", Opts(Direction::kBoth));
  ASSERT_TRUE(p.found);
  // fridge -> kitchen -> ground <- living <- tv
  EXPECT_EQ(Ids(p.nodes), (Strings{"fridge", "kitchen", "ground", "living", "tv"}));
  std::vector<bool> fw;
  for (const PathStep& s : p.edges) fw.push_back(s.forward);
  EXPECT_EQ(fw, (std::vector<bool>{true, true, false, false}));
  for (size_t i = 0; i < p.edges.size(); ++i) {
    const PathStep& r = p.edges[i];
    const std::string& a = p.nodes[i].id;
    const std::string& b = p.nodes[i + 1].id;
    if (p.edges[i].forward) {
      EXPECT_EQ(r.from_entity_id, a);
      EXPECT_EQ(r.to_entity_id, b);
    } else {
      EXPECT_EQ(r.from_entity_id, b);
      EXPECT_EQ(r.to_entity_id, a);
    }
  }
}

TEST_F(FindPathTest, TypeFilter) {
  PathResult p = Path("hall", "kitchen", Opts(Direction::kBoth, {R::kLocatedIn, R::kPartOf}));
  ASSERT_TRUE(p.found);
  EXPECT_EQ(Ids(p.nodes), (Strings{"hall", "ground", "kitchen"}));
  // Only documented_by: the fridge cannot reach the tv.
  EXPECT_FALSE(Path("fridge", "tv", Opts(Direction::kBoth, {R::kDocumentedBy})).found);
  // Only connects_to: bedroom to bathroom through the bathroom door.
  PathResult b = Path("kitchen", "bathroom", Opts(Direction::kBoth, {R::kConnectsTo}));
  ASSERT_TRUE(b.found);
  EXPECT_EQ(Ids(b.nodes), (Strings{"kitchen", "door-kh", "hall", "bedroom", "door-bb", "bathroom"}));
}

TEST_F(FindPathTest, MaxDepthCutsOff) {
  EXPECT_FALSE(Path("lamp-k", "home", Opts(Direction::kOut, {}, 2)).found);
  EXPECT_TRUE(Path("lamp-k", "home", Opts(Direction::kOut, {}, 3)).found);
  EXPECT_TRUE(Path("lamp-k", "home", Opts(Direction::kOut, {}, 1000)).found);  // capped, fine
  EXPECT_TRUE(Path("lamp-k", "kitchen", Opts(Direction::kOut, {}, 1)).found);
  for (int bad : {0, -1, -100}) {
    auto r = g_.FindPath("lamp-k", "home", Opts(Direction::kOut, {}, bad));
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(r.status().message().find("max_depth"), std::string::npos);
  }
}

TEST_F(FindPathTest, SameEndpointIsAOneNodePath) {
  PathResult p = Path("tv", "tv", Opts(Direction::kOut));
  EXPECT_TRUE(p.found);
  EXPECT_EQ(Ids(p.nodes), Strings{"tv"});
  EXPECT_TRUE(p.edges.empty());
}

TEST_F(FindPathTest, NoPathIsOkNotFound) {
  auto r = g_.FindPath("note-1", "home", Opts(Direction::kBoth));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->found);
  EXPECT_TRUE(r->nodes.empty());
  EXPECT_TRUE(r->edges.empty());
}

TEST_F(FindPathTest, UnknownOrDeletedEndpointIsNotFound) {
  auto r = g_.FindPath("ghost", "home", Opts(Direction::kBoth));
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "entity 'ghost' not found");
  r = g_.FindPath("home", "ghost2", Opts(Direction::kBoth));
  EXPECT_EQ(r.status().message(), "entity 'ghost2' not found");
  g_.PutEntity(fixture::Tombstone(g_.Get("tv")));
  EXPECT_EQ(g_.FindPath("tv", "home", Opts(Direction::kBoth)).status().code(),
            StatusCode::kNotFound);
}

TEST_F(FindPathTest, DeletedEntityIsNotWalked) {
  g_.PutEntity(fixture::Tombstone(g_.Get("door-kh")));
  PathResult p = Path("kitchen", "hall", Opts(Direction::kBoth));
  ASSERT_TRUE(p.found);
  EXPECT_EQ(Ids(p.nodes), (Strings{"kitchen", "ground", "hall"}));
  EXPECT_FALSE(Path("kitchen", "hall", Opts(Direction::kBoth, {R::kConnectsTo})).found);
}

TEST_F(FindPathTest, EdgesSurviveANewVersionOfAnEndpoint) {
  g_.PutEntity(fixture::MakeEntity("door-kh", E::kDoor, "Kitchen Door (painted)",
                                   {{"material", "oak"}}, "v2"));
  PathResult p = Path("kitchen", "hall", Opts(Direction::kOut));
  ASSERT_TRUE(p.found);
  EXPECT_EQ(Ids(p.nodes), (Strings{"kitchen", "door-kh", "hall"}));
  EXPECT_EQ(p.nodes[1].name, "Kitchen Door (painted)");
}

// Two rooms joined by two doors: the path goes through the door with the
// smaller id whatever the insertion order.
TEST(FindPathTieBreakTest, EqualPathsAlwaysGiveTheSameOne) {
  for (int order = 0; order < 2; ++order) {
    GraphIndex g;
    Add(g, "r1", E::kRoom, "One");
    Add(g, "r2", E::kRoom, "Two");
    std::vector<std::string> doors = {"door-b", "door-a"};
    if (order == 1) std::reverse(doors.begin(), doors.end());
    for (const std::string& d : doors) {
      Add(g, d, E::kDoor, d);
      Link(g, "in-" + d, "r1", R::kConnectsTo, d);
      Link(g, "out-" + d, d, R::kConnectsTo, "r2");
    }
    for (Direction dir : {Direction::kOut, Direction::kBoth}) {
      for (int i = 0; i < 3; ++i) {
        auto p = g.FindPath("r1", "r2", Opts(dir));
        ASSERT_TRUE(p.ok());
        EXPECT_EQ(Ids(p->nodes), (Strings{"r1", "door-a", "r2"})) << "order " << order;
      }
    }
    // From the other end the first step decides: door-a again.
    auto back = g.FindPath("r2", "r1", Opts(Direction::kIn));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(Ids(back->nodes), (Strings{"r2", "door-a", "r1"}));
  }
}

TEST(FindPathTieBreakTest, TypeNameThenNeighbourThenEdgeId) {
  GraphIndex g;
  Add(g, "a", E::kRoom, "A");
  Add(g, "b", E::kRoom, "B");
  Add(g, "m", E::kZone, "M");
  Add(g, "z", E::kDoor, "Z");
  // a -located_in-> m -> b and a -connects_to-> z -> b: connects_to sorts
  // before located_in even though m < z.
  Link(g, "e1", "a", R::kLocatedIn, "m");
  Link(g, "e2", "m", R::kConnectsTo, "b");
  Link(g, "e3", "a", R::kConnectsTo, "z");
  Link(g, "e4", "z", R::kConnectsTo, "b");
  auto p = g.FindPath("a", "b", Opts(Direction::kOut));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(Ids(p->nodes), (Strings{"a", "z", "b"}));
  // Parallel edges to the same neighbour: the smaller edge id.
  Link(g, "p2", "a", R::kConnectsTo, "b");
  Link(g, "p1", "a", R::kConnectsTo, "b");
  p = g.FindPath("a", "b", Opts(Direction::kOut));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(EdgeIds(p->edges), Strings{"p1"});
}

TEST(FindPathTest2, SelfLoopsAndCyclesDoNotConfuseTheSearch) {
  GraphIndex g;
  for (const char* id : {"a", "b", "c", "d"}) Add(g, id, E::kDevice, id);
  Link(g, "loop", "a", R::kConnectsTo, "a");
  Link(g, "ab", "a", R::kConnectsTo, "b");
  Link(g, "ba", "b", R::kConnectsTo, "a");
  Link(g, "bc", "b", R::kConnectsTo, "c");
  Link(g, "ca", "c", R::kConnectsTo, "a");
  Link(g, "cd", "c", R::kConnectsTo, "d");
  auto p = g.FindPath("a", "d", Opts(Direction::kOut));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(Ids(p->nodes), (Strings{"a", "b", "c", "d"}));
  auto q = g.FindPath("d", "a", Opts(Direction::kOut));
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE(q->found);
}

// ---- randomized comparison with a plain one-sided BFS ----------------------

struct RefStep {
  std::string node;
  std::string edge;
  bool forward;
};

// A textbook BFS over the public API: neighbours in (type name, neighbour
// id, edge id) order, first discoverer wins.
PathResult ReferencePath(const GraphIndex& g, const std::string& from, const std::string& to,
                         const PathOptions& o) {
  PathResult out;
  auto live = [&](const std::string& id) {
    EntityPtr e = g.Get(id);
    return e && !e->deleted();
  };
  auto allowed = [&](RelationshipType t) {
    return o.relationship_types.empty() ||
           std::find(o.relationship_types.begin(), o.relationship_types.end(), t) !=
               o.relationship_types.end();
  };
  auto steps = [&](const std::string& u) {
    std::vector<std::pair<RelationshipPtr, bool>> s;
    if (o.direction != Direction::kIn) {
      for (auto& r : g.Outgoing(u)) {
        if (allowed(r->relationship_type) && live(r->to_entity_id)) s.push_back({r, true});
      }
    }
    if (o.direction != Direction::kOut) {
      for (auto& r : g.Incoming(u)) {
        if (allowed(r->relationship_type) && live(r->from_entity_id)) s.push_back({r, false});
      }
    }
    auto other = [](const std::pair<RelationshipPtr, bool>& x) {
      return x.second ? x.first->to_entity_id : x.first->from_entity_id;
    };
    std::sort(s.begin(), s.end(), [&](const auto& a, const auto& b) {
      auto ta = ToString(a.first->relationship_type), tb = ToString(b.first->relationship_type);
      if (ta != tb) return ta < tb;
      if (other(a) != other(b)) return other(a) < other(b);
      return a.first->id < b.first->id;
    });
    return s;
  };
  std::map<std::string, std::pair<int, std::pair<RelationshipPtr, bool>>> seen;
  std::deque<std::string> q{from};
  seen[from] = {0, {nullptr, true}};
  const int depth = std::min(o.max_depth, kMaxPathDepth);
  while (!q.empty() && !seen.count(to)) {
    std::string u = q.front();
    q.pop_front();
    if (seen[u].first >= depth) continue;
    for (auto& [r, fw] : steps(u)) {
      const std::string v = fw ? r->to_entity_id : r->from_entity_id;
      if (seen.count(v)) continue;
      seen[v] = {seen[u].first + 1, {r, fw}};
      q.push_back(v);
    }
  }
  if (!seen.count(to)) return out;
  out.found = true;
  auto summary = [&](const std::string& id) {
    EntityPtr e = g.Get(id);
    return EntitySummary{e->id, e->name, e->entity_type};
  };
  std::string cur = to;
  while (cur != from) {
    auto& [r, fw] = seen[cur].second;
    out.nodes.push_back(summary(cur));
    out.edges.push_back(
        PathStep{r->id, r->relationship_type, r->from_entity_id, r->to_entity_id, fw});
    cur = fw ? r->from_entity_id : r->to_entity_id;
  }
  out.nodes.push_back(summary(from));
  std::reverse(out.nodes.begin(), out.nodes.end());
  std::reverse(out.edges.begin(), out.edges.end());
  return out;
}

TEST(FindPathRandomTest, MatchesReferenceBfsOnRandomGraphs) {
  const RelationshipType types[] = {R::kConnectsTo, R::kLocatedIn, R::kControls};
  int compared = 0, found = 0;
  for (uint32_t seed = 1; seed <= 120; ++seed) {
    std::mt19937 rng(seed);
    GraphIndex g;
    const int n = 5 + static_cast<int>(rng() % 60);
    const int m = static_cast<int>(rng() % (3 * n));
    for (int i = 0; i < n; ++i) Add(g, "n" + std::to_string(rng() % 1000 * 100 + i), E::kDevice, "x");
    auto all = g.AllEntities();
    for (int j = 0; j < m; ++j) {
      Link(g, "e" + std::to_string(rng() % 100000), all[rng() % all.size()]->id,
           types[rng() % 3], all[rng() % all.size()]->id);
    }
    // Some tombstones and some edges to entities that never arrive.
    for (int k = 0; k < n / 10; ++k) g.PutEntity(fixture::Tombstone(all[rng() % all.size()]));
    Link(g, "dangling", all[0]->id, R::kConnectsTo, "missing");
    for (int t = 0; t < 40; ++t) {
      const std::string a = all[rng() % all.size()]->id;
      const std::string b = all[rng() % all.size()]->id;
      PathOptions o;
      o.direction = static_cast<Direction>(rng() % 3);
      if (rng() % 3 == 0) o.relationship_types = {types[rng() % 3]};
      if (rng() % 2 == 0) o.relationship_types.push_back(types[rng() % 3]);
      o.max_depth = 1 + static_cast<int>(rng() % 8);
      auto got = g.FindPath(a, b, o);
      EntityPtr ea = g.Get(a), eb = g.Get(b);
      if (ea->deleted() || eb->deleted()) {
        EXPECT_EQ(got.status().code(), StatusCode::kNotFound);
        continue;
      }
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      PathResult want = ReferencePath(g, a, b, o);
      ++compared;
      ASSERT_EQ(got->found, want.found) << "seed " << seed << " " << a << "->" << b;
      if (!want.found) continue;
      ++found;
      ASSERT_EQ(Ids(got->nodes), Ids(want.nodes)) << "seed " << seed << " " << a << "->" << b;
      ASSERT_EQ(EdgeIds(got->edges), EdgeIds(want.edges)) << "seed " << seed;
      for (size_t i = 0; i < want.edges.size(); ++i) {
        EXPECT_EQ(got->edges[i].forward, want.edges[i].forward);
        EXPECT_EQ(got->edges[i].relationship_type, want.edges[i].relationship_type);
        EXPECT_EQ(got->edges[i].from_entity_id, want.edges[i].from_entity_id);
        EXPECT_EQ(got->edges[i].to_entity_id, want.edges[i].to_entity_id);
      }
    }
  }
  EXPECT_GT(compared, 3000);
  EXPECT_GT(found, 800);
}

}  // namespace
}  // namespace funkygibbon::graph
