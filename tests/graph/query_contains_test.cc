// `name contains` filters of three bytes or more take their candidates from
// the name trigram index instead of scanning; the answers must be exactly
// those of checking every entity, before and after the graph changes under
// a built index (renames, deletions, restorations, new entities).
#include <gtest/gtest.h>

#include <algorithm>
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
