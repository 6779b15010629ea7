// `name contains` filters of three bytes or more take their candidates from
// the name trigram index instead of scanning; the answers must be exactly
// those of checking every entity, before and after the graph changes under
// a built index (renames, deletions, restorations, new entities). Pages in
// name order, which a large match set takes from the name index rather than
// a sort, must be slices of the full order, names differing only in case
// included.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <tuple>
#include <random>
#include <string>
#include <vector>

#include "graph/graph_index.h"
#include "graph_fixture.h"

namespace funkygibbon::graph {
namespace {

using E = EntityType;
using Strings = std::vector<std::string>;

std::string FoldAscii(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// Every match, by id, found by checking each entity.
Strings Oracle(const GraphIndex& g, const StructuredQuery& q) {
  return fixture::OracleIds(g, q, [&](const Entity& e) {
    bool ok = true;
    for (const FieldFilter& f : q.filters) {
      ok = ok && FoldAscii(e.name).find(FoldAscii(f.value.get<std::string>())) != std::string::npos;
    }
    return ok;
  });
}

class QueryContainsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 600; ++i) Put("ent-" + std::to_string(i), RandomName());
  }

  std::string RandomName() {
    static const char* const kWords[] = {"Lamp", "LAMP", "lamp", "Kitchen", "Hall", "Sensor",
                                         "Camera", "Café", "CAFÉ", "x", "ab", "Lampshade",
                                         "Blind", "Thermostat", "Door"};
    std::string name;
    const int words = static_cast<int>(rng_() % 4);  // 0..3 words: some names are empty
    for (int w = 0; w < words; ++w) {
      if (!name.empty()) name += ' ';
      name += kWords[rng_() % std::size(kWords)];
    }
    if (rng_() % 3 == 0) name += " " + std::to_string(rng_() % 50);
    return name;
  }

  void Put(const std::string& id, const std::string& name) {
    const E type = (rng_() % 2 == 0) ? E::kDevice : E::kRoom;
    fixture::Add(g_, id, type, name);
    ids_.push_back(id);
  }

  // Needles: pieces of real names in other cases, and made-up strings.
  Strings Needles() {
    Strings out = {"lamp", "LAMP", "amp", "café", "CAFÉ", "afé", "é", "am", "", "zzz",
                   "lamp 1", " 4", "shade", "kitchen hall", "ab"};
    for (int i = 0; i < 40; ++i) {
      EntityPtr e = g_.Get(ids_[rng_() % ids_.size()]);
      if (!e || e->name.empty()) continue;
      const size_t from = rng_() % e->name.size();
      std::string piece = e->name.substr(from, 1 + rng_() % 6);
      for (char& c : piece) {
        if (rng_() % 2 == 0 && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      }
      out.push_back(piece);
    }
    return out;
  }

  // Every page of `q` (offsets and limits around the sizes where the name
  // index is walked instead of sorting) equals the slice of all matches
  // sorted by (case-folded name, exact name, id), and total is their count.
  void ExpectNamePages(StructuredQuery q, const std::function<bool(const Entity&)>& holds) {
    Strings want = fixture::OracleIds(g_, q, holds);
    std::vector<std::tuple<std::string, std::string, std::string>> keyed;
    for (const std::string& id : want) {
      EntityPtr e = g_.Get(id);
      keyed.emplace_back(FoldAscii(e->name), e->name, id);
    }
    std::sort(keyed.begin(), keyed.end());
    want.clear();
    for (const auto& k : keyed) want.push_back(std::get<2>(k));
    ASSERT_GT(want.size(), 40u) << "the walk of the name index needs many matches";
    for (size_t offset : {0, 1, 7, 19, 50}) {
      for (size_t limit : {1, 3, 10, 17, 1000}) {
        SCOPED_TRACE("offset " + std::to_string(offset) + " limit " + std::to_string(limit));
        q.offset = offset;
        q.limit = limit;
        auto r = g_.Query(q);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        EXPECT_EQ(r->total, want.size());
        const size_t from = std::min(offset, want.size());
        const size_t to = std::min(want.size(), from + limit);
        EXPECT_EQ(fixture::Ids(r->entities), Strings(want.begin() + from, want.begin() + to));
        EXPECT_TRUE(r->summaries.empty());
        // The same page as summaries, no entity built.
        StructuredQuery sq = q;
        sq.summaries_only = true;
        auto s = g_.Query(sq);
        ASSERT_TRUE(s.ok()) << s.status().ToString();
        EXPECT_TRUE(s->entities.empty());
        EXPECT_EQ(s->total, want.size());
        ASSERT_EQ(s->summaries.size(), r->entities.size());
        for (size_t i = 0; i < s->summaries.size(); ++i) {
          EXPECT_EQ(s->summaries[i].id, r->entities[i]->id);
          EXPECT_EQ(s->summaries[i].name, r->entities[i]->name);
          EXPECT_EQ(s->summaries[i].entity_type, r->entities[i]->entity_type);
        }
      }
    }
  }

  void ExpectNameOrder() {
    for (std::optional<E> type : {std::optional<E>(), std::optional<E>(E::kDevice)}) {
      SCOPED_TRACE(type ? "devices" : "every type");
      StructuredQuery q;
      q.entity_type = type;
      ExpectNamePages(q, [](const Entity&) { return true; });
      q.filters = {FieldFilter{"name", FilterOp::kContains, "lamp"}};
      ExpectNamePages(q, [](const Entity& e) {
        return FoldAscii(e.name).find("lamp") != std::string::npos;
      });
    }
  }

  void ExpectAll() {
    for (const std::string& needle : Needles()) {
      for (std::optional<E> type : {std::optional<E>(), std::optional<E>(E::kDevice)}) {
        for (bool deleted : {false, true}) {
          SCOPED_TRACE("needle '" + needle + "' deleted " + std::to_string(deleted));
          StructuredQuery q;
          q.entity_type = type;
          q.include_deleted = deleted;
          q.filters = {FieldFilter{"name", FilterOp::kContains, needle}};
          q.order_by = "id";
          q.limit = 1000;
          auto r = g_.Query(q);
          ASSERT_TRUE(r.ok()) << r.status().ToString();
          const Strings want = Oracle(g_, q);
          EXPECT_EQ(fixture::Ids(r->entities), want);
          EXPECT_EQ(r->total, want.size());
        }
      }
    }
  }

  std::mt19937 rng_{11};
  GraphIndex g_;
  Strings ids_;
};

TEST_F(QueryContainsTest, MatchesEveryEntityCheckedOneByOne) { ExpectAll(); }

TEST_F(QueryContainsTest, StaysExactAsTheGraphChangesUnderABuiltIndex) {
  ExpectAll();  // builds the index
  for (int round = 0; round < 4; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    for (int i = 0; i < 60; ++i) {
      const std::string& id = ids_[rng_() % ids_.size()];
      EntityPtr e = g_.Get(id);
      ASSERT_NE(e, nullptr);
      switch (rng_() % 3) {
        case 0: {  // rename (a new version)
          auto renamed = std::make_shared<Entity>(*e);
          renamed->version = e->version + "-r";
          renamed->name = RandomName();
          renamed->content.erase("deleted");
          g_.PutEntity(renamed);
          break;
        }
        case 1:
          if (!e->deleted()) g_.PutEntity(fixture::Tombstone(e));
          break;
        default:
          break;
      }
    }
    for (int i = 0; i < 20; ++i) Put("new-" + std::to_string(round) + "-" + std::to_string(i),
                                     RandomName());
    ExpectAll();
  }
}

TEST_F(QueryContainsTest, NameOrderedPagesAreSlicesOfTheFullOrder) {
  // Equal names in other cases ("Lamp", "LAMP", "lamp") order by exact name,
  // then id; the name index orders them by id alone.
  for (int i = 0; i < 30; ++i) {
    Put("same-" + std::to_string(i), i % 3 == 0 ? "Lamp" : (i % 3 == 1 ? "LAMP" : "lamp"));
  }
  ExpectNameOrder();
  // Renames (some to another type), deletions and new entities move nodes in
  // the name index and change their types.
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    for (int i = 0; i < 80; ++i) {
      EntityPtr e = g_.Get(ids_[rng_() % ids_.size()]);
      ASSERT_NE(e, nullptr);
      if (rng_() % 4 == 0) {
        if (!e->deleted()) g_.PutEntity(fixture::Tombstone(e));
        continue;
      }
      auto changed = std::make_shared<Entity>(*e);
      changed->version = e->version + "-r" + std::to_string(round);
      changed->name = RandomName();
      changed->entity_type = rng_() % 2 == 0 ? E::kDevice : E::kNote;
      changed->content.erase("deleted");
      g_.PutEntity(changed);
    }
    for (int i = 0; i < 20; ++i) {
      Put("more-" + std::to_string(round) + "-" + std::to_string(i), RandomName());
    }
    ExpectNameOrder();
  }
}

TEST_F(QueryContainsTest, NarrowsTogetherWithOtherFiltersAndPages) {
  StructuredQuery q;
  q.filters = {FieldFilter{"name", FilterOp::kContains, "lamp"},
               FieldFilter{"name", FilterOp::kContains, "kitchen"}};
  q.order_by = "id";
  q.limit = 1000;
  auto all = g_.Query(q);
  ASSERT_TRUE(all.ok());
  const Strings want = Oracle(g_, q);
  ASSERT_GT(want.size(), 6u);
  EXPECT_EQ(fixture::Ids(all->entities), want);
  q.offset = 3;
  q.limit = 3;
  auto page = g_.Query(q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, want.size());
  EXPECT_EQ(fixture::Ids(page->entities), Strings(want.begin() + 3, want.begin() + 6));
}

}  // namespace
}  // namespace funkygibbon::graph
