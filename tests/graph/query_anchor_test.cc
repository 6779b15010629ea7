// Structured queries with a relationship pattern that names the other end
// (other_name / other_id) start from that entity's adjacency instead of
// scanning; the answers must be exactly those of checking every entity.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <string>
#include <vector>

#include "graph/graph_index.h"
#include "graph_fixture.h"

namespace funkygibbon::graph {
namespace {

using E = EntityType;
using R = RelationshipType;
using Strings = std::vector<std::string>;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The pattern, checked the slow way from the entity's own edges.
bool Holds(const GraphIndex& g, const Entity& e, const RelationshipPattern& p) {
  bool any = false;
  const auto check = [&](const std::vector<RelationshipPtr>& edges, bool outgoing) {
    for (const auto& r : edges) {
      if (p.type && r->relationship_type != *p.type) continue;
      EntityPtr other = g.Get(outgoing ? r->to_entity_id : r->from_entity_id);
      if (!other || other->deleted()) continue;
      if (p.other_type && other->entity_type != *p.other_type) continue;
      if (p.other_id && other->id != *p.other_id) continue;
      if (p.other_name && Lower(other->name) != Lower(*p.other_name)) continue;
      any = true;
    }
  };
  if (p.direction != Direction::kIn) check(g.Outgoing(e.id), true);
  if (p.direction != Direction::kOut) check(g.Incoming(e.id), false);
  return p.negate ? !any : any;
}

// Every match, by id, found by checking each entity.
Strings Oracle(const GraphIndex& g, const StructuredQuery& q) {
  return fixture::OracleIds(g, q, [&](const Entity& e) {
    bool ok = true;
    for (const FieldFilter& f : q.filters) {
      // The test only uses name equality.
      ok = ok && f.field == "name" && Lower(e.name) == Lower(f.value.get<std::string>());
    }
    for (const RelationshipPattern& p : q.relationships) ok = ok && Holds(g, e, p);
    return ok;
  });
}

// A random house: rooms whose names repeat (and differ in case), devices in
// rooms, devices controlling devices, a few tombstones that keep edges.
class QueryAnchorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937 rng(7);
    for (int i = 0; i < 40; ++i) {
      const std::string name = (i % 3 == 0 ? "ROOM " : "Room ") + std::to_string(i % 8);
      rooms_.push_back("room-" + std::to_string(100 + i));
      fixture::Add(g_, rooms_.back(), E::kRoom, name);
    }
    for (int i = 0; i < 400; ++i) {
      devices_.push_back("dev-" + std::to_string(1000 + i));
      fixture::Add(g_, devices_.back(), E::kDevice, "Lamp " + std::to_string(i % 17));
    }
    int edge = 0;
    const auto link = [&](const std::string& from, R type, const std::string& to) {
      fixture::Link(g_, "e" + std::to_string(edge++), from, type, to);
    };
    for (const auto& d : devices_) {
      link(d, R::kLocatedIn, rooms_[rng() % rooms_.size()]);
      if (rng() % 3 == 0) link(d, R::kControls, devices_[rng() % devices_.size()]);
    }
    for (size_t i = 0; i + 1 < rooms_.size(); i += 2) link(rooms_[i], R::kConnectsTo, rooms_[i + 1]);
    // Tombstones with their edges still in the index, on both ends.
    for (int i = 0; i < 30; ++i) {
      const std::string& d = devices_[rng() % devices_.size()];
      g_.PutEntity(fixture::Tombstone(g_.Get(d)));
    }
    g_.PutEntity(fixture::Tombstone(g_.Get(rooms_[5])));
  }

  void Expect(StructuredQuery q) {
    q.order_by = "id";
    q.limit = 1000;
    for (bool deleted : {false, true}) {
      q.include_deleted = deleted;
      auto r = g_.Query(q);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      const Strings want = Oracle(g_, q);
      EXPECT_EQ(fixture::Ids(r->entities), want) << "include_deleted " << deleted;
      EXPECT_EQ(r->total, want.size());
    }
  }

  GraphIndex g_;
  Strings rooms_, devices_;
};

RelationshipPattern Pattern(std::optional<R> type, Direction d) {
  RelationshipPattern p;
  p.type = type;
  p.direction = d;
  return p;
}

TEST_F(QueryAnchorTest, ByOtherNameInEveryDirection) {
  for (Direction d : {Direction::kOut, Direction::kIn, Direction::kBoth}) {
    for (std::optional<R> type : {std::optional<R>(R::kLocatedIn), std::optional<R>()}) {
      for (const char* name : {"room 3", "Room 5", "ROOM 0", "nowhere"}) {
        SCOPED_TRACE(std::string(name) + " direction " + std::string(ToString(d)));
        RelationshipPattern p = Pattern(type, d);
        p.other_name = name;
        StructuredQuery q;
        q.relationships = {p};
        Expect(q);
        q.entity_type = E::kDevice;
        Expect(q);
      }
    }
  }
}

TEST_F(QueryAnchorTest, ByOtherIdWithTypeChecksAndMorePatterns) {
  for (const std::string& other : {rooms_[0], rooms_[5], devices_[3], std::string("missing")}) {
    SCOPED_TRACE(other);
    RelationshipPattern p = Pattern(std::nullopt, Direction::kBoth);
    p.other_id = other;
    StructuredQuery q;
    q.relationships = {p};
    Expect(q);
    q.relationships[0].other_type = E::kRoom;
    Expect(q);
    // A second, unanchored pattern and a negated one still filter.
    RelationshipPattern controls = Pattern(R::kControls, Direction::kOut);
    q.relationships.push_back(controls);
    Expect(q);
    q.relationships.back().negate = true;
    Expect(q);
  }
}

TEST_F(QueryAnchorTest, WithANameFilterTheSmallerSourceWins) {
  RelationshipPattern p = Pattern(R::kLocatedIn, Direction::kOut);
  p.other_name = "Room 2";
  StructuredQuery q;
  q.entity_type = E::kDevice;
  q.relationships = {p};
  q.filters = {FieldFilter{"name", FilterOp::kEq, "lamp 4"}};
  Expect(q);
  q.filters = {FieldFilter{"name", FilterOp::kEq, "no such lamp"}};
  Expect(q);
  // Two anchored patterns: the cheaper one is walked, both must hold.
  RelationshipPattern second = Pattern(R::kControls, Direction::kIn);
  second.other_name = "Lamp 3";
  q.filters.clear();
  q.relationships.push_back(second);
  Expect(q);
}

TEST_F(QueryAnchorTest, PagesAreSlicesOfTheFullOrder) {
  RelationshipPattern p = Pattern(R::kLocatedIn, Direction::kOut);
  p.other_name = "room 1";
  StructuredQuery q;
  q.relationships = {p};
  q.order_by = "id";
  q.limit = 1000;
  auto all = g_.Query(q);
  ASSERT_TRUE(all.ok());
  const Strings everything = fixture::Ids(all->entities);
  ASSERT_GT(everything.size(), 12u);
  for (size_t offset : {0u, 5u, 11u}) {
    q.offset = offset;
    q.limit = 4;
    auto page = g_.Query(q);
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->total, everything.size());
    EXPECT_EQ(fixture::Ids(page->entities),
              Strings(everything.begin() + static_cast<long>(offset),
                      everything.begin() + static_cast<long>(offset + 4)));
  }
}

}  // namespace
}  // namespace funkygibbon::graph
