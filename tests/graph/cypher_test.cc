#include <gtest/gtest.h>

#include <random>

#include "graph/graph_index.h"
#include "graph_fixture.h"

namespace funkygibbon::graph {
namespace {

using E = EntityType;
using R = RelationshipType;
using Strings = std::vector<std::string>;
using Rows = std::vector<Strings>;

Rows RowIds(const CypherResult& r) {
  Rows out;
  for (const auto& row : r.rows) out.push_back(fixture::Ids(row));
  return out;
}

class CypherTest : public ::testing::Test {
 protected:
  void SetUp() override { fixture::BuildHome(g_); }

  Rows Run(std::string_view statement, size_t max_rows = 1000) {
    auto r = g_.RunCypher(statement, max_rows);
    EXPECT_TRUE(r.ok()) << statement << "\n" << r.status().ToString();
    return r.ok() ? RowIds(*r) : Rows{};
  }
  // The single column of a one-variable RETURN.
  Strings Col(std::string_view statement) {
    Strings out;
    for (const Strings& row : Run(statement)) out.push_back(row.at(0));
    return out;
  }
  Status Error(std::string_view statement) { return g_.RunCypher(statement, 100).status(); }

  GraphIndex g_;
};

TEST_F(CypherTest, TheDesignExample) {
  auto r = g_.RunCypher(R"(MATCH (d:device)-[:located_in]->(r:room {name:"Kitchen"}) RETURN d)", 100);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->columns, Strings{"d"});
  EXPECT_EQ(RowIds(*r), (Rows{{"fridge"}, {"lamp-k"}}));
  EXPECT_EQ(r->total, 2u);
}

TEST_F(CypherTest, KeywordsAndTypesInAnyCase) {
  EXPECT_EQ(Col(R"(match (d:Device)-[:LOCATED_IN]->(r:ROOM {name:'kitchen'}) return d)"),
            (Strings{"fridge", "lamp-k"}));
}

TEST_F(CypherTest, MultiHopAndSeveralColumns) {
  Rows rows = Run(
      "MATCH (d:device)-[:located_in]->(r:room)-[:located_in]->(z:zone {name: 'Ground Floor'}) "
      "RETURN r, d");
  EXPECT_EQ(rows, (Rows{{"hall", "thermostat"},
                        {"kitchen", "fridge"},
                        {"kitchen", "lamp-k"},
                        {"living", "lamp-l"},
                        {"living", "tv"}}));
  // Three hops up to the home.
  EXPECT_EQ(Col("MATCH (d:device)-->(:room)-->(:zone)-[:part_of]->(h:home) WHERE d.name CONTAINS "
                "'light' RETURN d"),
            (Strings{"lamp-b", "lamp-k", "lamp-l"}));
}

TEST_F(CypherTest, DirectionsAndBareArrows) {
  EXPECT_EQ(Col("MATCH (m:manual)<-[:documented_by]-(d) RETURN d"), (Strings{"fridge", "tv"}));
  EXPECT_EQ(Col("MATCH (m:manual)<--(d) RETURN d"), (Strings{"fridge", "tv"}));
  EXPECT_EQ(Col("MATCH (d)-->(m:manual) RETURN d"), (Strings{"fridge", "tv"}));
  EXPECT_EQ(Col("MATCH (m:manual)-->(d) RETURN d"), Strings{});
  EXPECT_EQ(Col("MATCH (m:manual)--(d) RETURN d"), (Strings{"fridge", "tv"}));
  // Undirected: rooms joined to a door either way.
  Rows rows = Run("MATCH (h:room {name: 'Hall'})-[:connects_to]-(x) RETURN x");
  EXPECT_EQ(rows, (Rows{{"bedroom"}, {"door-kh"}, {"door-lh"}}));
  rows = Run("MATCH (h:room {name: 'Hall'})<-[:connects_to]-(x) RETURN x");
  EXPECT_EQ(rows, (Rows{{"door-kh"}, {"door-lh"}}));
}

TEST_F(CypherTest, TypeAlternativesAndRelationshipVariables) {
  EXPECT_EQ(Col("MATCH (a:automation)-[r:controls|triggered_by]->(x) RETURN x"),
            (Strings{"lamp-b", "lamp-l", "thermostat"}));
  EXPECT_EQ(Col("MATCH (a:automation)-[:controls|:triggered_by]-(x:device {name: 'Hall Thermostat'}) "
                "RETURN a"),
            Strings{"night-mode"});
}

TEST_F(CypherTest, WhereForms) {
  EXPECT_EQ(Col("MATCH (d:device) WHERE d.brightness = 80 RETURN d"), Strings{"lamp-k"});
  EXPECT_EQ(Col("MATCH (d:device) WHERE d.content.brightness > 30 RETURN d"),
            (Strings{"lamp-k", "lamp-l"}));
  EXPECT_EQ(Col("MATCH (d:device) WHERE d.brightness >= 30 AND d.brightness < 80 RETURN d"),
            (Strings{"lamp-b", "lamp-l"}));
  EXPECT_EQ(Col("MATCH (d:device) WHERE d.brightness <= 30 RETURN d"), Strings{"lamp-b"});
  EXPECT_EQ(Col("MATCH (d:device) WHERE d.manufacturer <> 'Philips' RETURN d"),
            (Strings{"fridge", "lamp-b", "thermostat", "tv"}));
  EXPECT_EQ(Col("MATCH (d:device) WHERE d.manufacturer != 'Philips' AND d.brightness IS NOT NULL "
                "RETURN d"),
            Strings{"lamp-b"});
  EXPECT_EQ(Col("MATCH (d:device) WHERE d.brightness IS NULL RETURN d"),
            (Strings{"fridge", "thermostat", "tv"}));
  EXPECT_EQ(Col("MATCH (n) WHERE n.name STARTS WITH 'living' RETURN n"),
            (Strings{"door-lh", "lamp-l", "living"}));
  EXPECT_EQ(Col("MATCH (n) WHERE n.name CONTAINS 'ROOM' RETURN n"),
            (Strings{"bathroom", "bedroom", "door-bb", "lamp-b", "lamp-l", "living"}));
  EXPECT_EQ(Col("MATCH (n) WHERE n.tags CONTAINS 'appliance' RETURN n"), (Strings{"fridge", "tv"}));
  EXPECT_EQ(Col("MATCH (n) WHERE n.entity_type = 'zone' RETURN n"), (Strings{"first", "ground"}));
  EXPECT_EQ(Col("MATCH (n) WHERE n.id = 'tv' RETURN n"), Strings{"tv"});
  EXPECT_EQ(Col("MATCH (n:zone) WHERE n.level IN [1, 5] RETURN n"), Strings{"first"});
  EXPECT_EQ(Col("MATCH (n) WHERE n.area_m2 > 14.25 RETURN n"), (Strings{"kitchen", "living"}));
  EXPECT_EQ(Col("MATCH (n) WHERE n.level > -1 AND n.level < 1 RETURN n"), Strings{"ground"});
  EXPECT_EQ(Col("MATCH (n:door) WHERE n.lock = true RETURN n"), Strings{"door-bb"});
  EXPECT_EQ(Col("MATCH (n {id: 'home'}) RETURN n"), Strings{"home"});
  EXPECT_EQ(Col("MATCH (n:room {name: 'kitchen', floor: 'tile'}) RETURN n"), Strings{"kitchen"});
  EXPECT_EQ(Col("MATCH (n:room {name: 'kitchen', floor: 'wood'}) RETURN n"), Strings{});
}

TEST_F(CypherTest, SharedVariablesAcrossPatterns) {
  Rows rows = Run(
      "MATCH (a:automation)-[:controls]->(d:device), (d)-[:located_in]->(r:room) RETURN a, r");
  EXPECT_EQ(rows, (Rows{{"night-mode", "bedroom"}, {"night-mode", "living"}}));
  // Separate MATCH clauses work like commas.
  rows = Run("MATCH (a:automation)-[:controls]->(d) MATCH (d)-->(r:room) RETURN r");
  EXPECT_EQ(rows, (Rows{{"bedroom"}, {"living"}}));
}

TEST_F(CypherTest, EachRelationshipUsesADistinctEdge) {
  // Devices sharing a room with another device: never paired with themselves.
  Rows rows = Run("MATCH (d:device)-[:located_in]->(r:room)<-[:located_in]-(o:device) RETURN d, o");
  EXPECT_EQ(rows, (Rows{{"fridge", "lamp-k"}, {"lamp-k", "fridge"}, {"lamp-l", "tv"}, {"tv", "lamp-l"}}));
}

TEST_F(CypherTest, RowsAreDistinct) {
  // Three devices sit in the ground floor's rooms... each room returned once.
  EXPECT_EQ(Col("MATCH (r:room)<-[:located_in]-(d:device) RETURN r"),
            (Strings{"bedroom", "hall", "kitchen", "living"}));
  EXPECT_EQ(Col("MATCH (r:room)<-[:located_in]-(d:device) RETURN DISTINCT r"),
            (Strings{"bedroom", "hall", "kitchen", "living"}));
}

TEST_F(CypherTest, OrderBySkipLimitAndTotal) {
  auto r = g_.RunCypher("MATCH (d:device) RETURN d ORDER BY d.brightness DESC", 100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(RowIds(*r), (Rows{{"lamp-k"}, {"lamp-l"}, {"lamp-b"}, {"fridge"}, {"thermostat"}, {"tv"}}));
  r = g_.RunCypher("MATCH (d:device) RETURN d ORDER BY d.name SKIP 1 LIMIT 2", 100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(RowIds(*r), (Rows{{"fridge"}, {"thermostat"}}));  // Fridge, Hall Thermostat
  EXPECT_EQ(r->total, 6u);
  r = g_.RunCypher("MATCH (d:device) RETURN d ORDER BY d.name ASC LIMIT 1", 100);
  EXPECT_EQ(RowIds(*r), Rows{{"lamp-b"}});
  r = g_.RunCypher("MATCH (d:device) RETURN d SKIP 4", 100);
  EXPECT_EQ(RowIds(*r), (Rows{{"thermostat"}, {"tv"}}));
  r = g_.RunCypher("MATCH (d:device) RETURN d LIMIT 0", 100);
  EXPECT_TRUE(r->rows.empty());
  EXPECT_EQ(r->total, 6u);
  // Two sort keys.
  r = g_.RunCypher(
      "MATCH (d:device)-->(x:room) RETURN x, d ORDER BY x.area_m2 DESC, d.name DESC", 100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(RowIds(*r), (Rows{{"living", "tv"}, {"living", "lamp-l"}, {"kitchen", "lamp-k"},
                              {"kitchen", "fridge"}, {"bedroom", "lamp-b"}, {"hall", "thermostat"}}));
}

TEST_F(CypherTest, MaxRowsTruncatesAndTotalShowsIt) {
  auto r = g_.RunCypher("MATCH (d:device) RETURN d", 2);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows.size(), 2u);
  EXPECT_EQ(r->total, 6u);
}

TEST_F(CypherTest, ReturnStarAndComments) {
  auto r = g_.RunCypher("MATCH (m:manual)<-[:documented_by]-(d) // which devices have manuals\n"
                        "RETURN *;",
                        100);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->columns, (Strings{"m", "d"}));
  EXPECT_EQ(RowIds(*r), (Rows{{"manual-fridge", "fridge"}, {"manual-tv", "tv"}}));
}

TEST_F(CypherTest, StringEscapes) {
  fixture::Add(g_, "quote", E::kNote, "O'Brien's \"lamp\" \\ notes");
  EXPECT_EQ(Col(R"(MATCH (n {name: 'O\'Brien\'s "lamp" \\ notes'}) RETURN n)"), Strings{"quote"});
  EXPECT_EQ(Col(R"(MATCH (n {name: "O'Brien's \"lamp\" \\ notes"}) RETURN n)"), Strings{"quote"});
  EXPECT_EQ(Col(R"(MATCH (n) WHERE n.name = "\u004F'Brien's \"LAMP\" \\ NOTES" RETURN n)"),
            Strings{"quote"});
}

TEST_F(CypherTest, WritesAreRejected) {
  for (const char* s :
       {"CREATE (n:device {name: 'x'})", "MATCH (n) DELETE n", "MATCH (n) DETACH DELETE n",
        "MATCH (n:device) SET n.name = 'x' RETURN n", "MERGE (n:room {name: 'x'})",
        "MATCH (n) REMOVE n.brightness", "CALL db.labels()", "LOAD CSV FROM 'x' AS line",
        "match (n) return n create (m)", "MATCH (a), (b) create (a)-[:controls]->(b)"}) {
    Status st = Error(s);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << s;
    EXPECT_EQ(st.message().rfind("query_graph is read-only: ", 0), 0u) << st.message();
  }
  // Properties and map keys named like keywords are fine.
  fixture::Add(g_, "odd", E::kNote, "odd", {{"set", 1}, {"delete", "no"}});
  EXPECT_EQ(Col("MATCH (n {set: 1}) WHERE n.delete = 'no' RETURN n"), Strings{"odd"});
}

TEST_F(CypherTest, UnknownTypesListTheValidOnes) {
  Status st = Error("MATCH (r:robot) RETURN r");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("unknown entity type 'robot'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("home, room, device"), std::string::npos) << st.message();
  st = Error("MATCH (a)-[:likes]->(b) RETURN a");
  EXPECT_NE(st.message().find("unknown relationship type 'likes'"), std::string::npos);
  EXPECT_NE(st.message().find("located_in, controls"), std::string::npos) << st.message();
}

TEST_F(CypherTest, SyntaxErrorsCarryAColumn) {
  struct Case {
    const char* statement;
    const char* want;
  } cases[] = {
      {"MATCH (d:device RETURN d", "syntax error at column 17: expected ')' but found 'RETURN'"},
      {"", "syntax error at column 1: expected MATCH but found end of statement"},
      {"RETURN 1", "syntax error at column 1: expected MATCH but found 'RETURN'"},
      {"MATCH (d) RETURN", "syntax error at column 17: expected a node variable to return but "
                           "found end of statement"},
      {"MATCH (d)-[:controls->(x) RETURN d", "syntax error at column 21: expected ']' but found '-'"},
      {"MATCH (d) WHERE d.name == 'x' RETURN d", "syntax error at column 25: expected a value"},
      {"MATCH (d) WHERE d.name = 'x RETURN d", "syntax error at column 26: unterminated string"},
      {"MATCH (d) RETURN d LIMIT -1", "syntax error at column 26: expected a non-negative integer"},
      {"MATCH (d) RETURN d LIMIT 5 garbage", "syntax error at column 28: expected SKIP, LIMIT or "
                                             "the end of the statement but found 'garbage'"},
      {"MATCH (d) RETURN d ^", "syntax error at column 20: unexpected character '^'"},
      {"MATCH (d)\nRETURN x.y z", "line 2, column 8"},
  };
  for (const Case& c : cases) {
    Status st = Error(c.statement);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << c.statement;
    EXPECT_NE(st.message().find(c.want), std::string::npos)
        << c.statement << "\n  got:  " << st.message() << "\n  want: " << c.want;
  }
}

TEST_F(CypherTest, OtherMistakesAreExplained) {
  struct Case {
    const char* statement;
    const char* want;
  } cases[] = {
      {"MATCH (d) RETURN x", "unknown variable 'x'"},
      // Found by fuzz/query_graph_fuzzer.cc: rows are keyed by column name.
      {"MATCH (a)-->(b) RETURN a, a, b", "RETURN lists 'a' twice"},
      {"MATCH (d)-[r]->(x) RETURN r", "'r' is a relationship variable"},
      {"MATCH (d) WHERE d.name = 'a' OR d.name = 'b' RETURN d", "only AND"},
      {"MATCH (d)-[*1..3]->(x) RETURN d", "variable-length"},
      {"MATCH (d) RETURN count(d)", "functions"},
      {"MATCH (d) RETURN d.name", "RETURN takes node variables"},
      {"MATCH (d) RETURN d ORDER BY x.name", "unknown variable 'x'"},
      {"MATCH (d), (e) RETURN d ORDER BY e.name", "order by a returned variable"},
      {"MATCH (d)<-[:controls]->(x) RETURN d", "cannot point both ways"},
      {"MATCH (d) WHERE d.brightness > true RETURN d", "needs a number or string"},
      {"MATCH (d) WHERE d.content = 1 RETURN d", "needs a key after content"},
      {"OPTIONAL MATCH (d) RETURN d", "OPTIONAL MATCH is not supported"},
      {"MATCH (d) WITH d RETURN d", "WITH is not supported"},
  };
  for (const Case& c : cases) {
    Status st = Error(c.statement);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << c.statement;
    EXPECT_NE(st.message().find(c.want), std::string::npos)
        << c.statement << "\n  got:  " << st.message() << "\n  want: " << c.want;
  }
}

TEST_F(CypherTest, SizeLimits) {
  std::string long_statement = "MATCH (d) WHERE d.name = '" + std::string(10000, 'x') + "' RETURN d";
  Status st = Error(long_statement);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("10000"), std::string::npos);
  EXPECT_TRUE(g_.RunCypher("MATCH (a)-->(b)-->(c)-->(d)-->(e)-->(f)-->(g)-->(h) RETURN a", 10).ok());
  st = Error("MATCH (a)-->(b)-->(c)-->(d)-->(e)-->(f)-->(g)-->(h)-->(i) RETURN a");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("at most 8 nodes"), std::string::npos);
  // Reusing a variable does not add a node.
  EXPECT_TRUE(g_.RunCypher("MATCH (a)-->(b)-->(a)-->(b)-->(a)-->(b)-->(a)-->(b)-->(a) RETURN a", 10).ok());
}

TEST_F(CypherTest, ConflictingLabelsMatchNothing) {
  EXPECT_EQ(Col("MATCH (a:room), (a:device) RETURN a"), Strings{});
  EXPECT_EQ(Col("MATCH (a:room), (a {name: 'kitchen'}) RETURN a"), Strings{"kitchen"});
}

TEST(CypherBudgetTest, PathologicalPatternsAreStopped) {
  GraphIndex g;
  std::mt19937 rng(7);
  const int n = 400;
  for (int i = 0; i < n; ++i) fixture::Add(g, "n" + std::to_string(i), E::kDevice, "N");
  for (int j = 0; j < n * 10; ++j) {
    fixture::Link(g, "e" + std::to_string(j), "n" + std::to_string(rng() % n), R::kConnectsTo,
                  "n" + std::to_string(rng() % n));
  }
  const char* broad = "MATCH (a)--(b)--(c)--(d)--(e) RETURN a, b, c, d, e";
  auto r = g.RunCypher(std::string(broad) + " ORDER BY a.name", 100);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("give nodes a type"), std::string::npos);
  // Without ORDER BY, a LIMIT lets the search stop early: still the first
  // rows in id order.
  r = g.RunCypher(std::string(broad) + " LIMIT 3", 100);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows.size(), 3u);
  EXPECT_GT(r->total, 3u);
  EXPECT_EQ(r->rows[0][0]->id, "n0");
  EXPECT_LE(r->rows[0][1]->id, r->rows[1][1]->id);
}

// Truncated and garbled statements never crash and always answer with OK or
// a clear InvalidArgument.
TEST_F(CypherTest, FuzzTruncatedAndGarbledStatements) {
  const std::string seeds[] = {
      R"(MATCH (d:device)-[:located_in]->(r:room {name:"Kitchen"}) RETURN d)",
      "MATCH (a:automation)-[:triggered_by|automates]-(x) WHERE x.name CONTAINS \"door\" "
      "RETURN a, x ORDER BY x.name DESC SKIP 1 LIMIT 5",
      "MATCH (n) WHERE n.level IN [1, -2.5e1, 'x', null, true] AND n.a.b IS NOT NULL RETURN n",
      "MATCH (a)<--(b)--(c)-->(d), (d)<-[r:controls]-(e {id: 'x\\u0041'}) RETURN *",
  };
  const std::string alphabet = "()[]{}:-<>|.,'\"\\*=!; \nabcMATCHRETURNWHERE0123456789";
  std::mt19937 rng(12345);
  int ok = 0, invalid = 0;
  for (const std::string& s : seeds) {
    for (size_t cut = 0; cut <= s.size(); ++cut) {
      auto r = g_.RunCypher(s.substr(0, cut), 50);
      if (r.ok()) {
        ++ok;
      } else {
        ++invalid;
        EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << s.substr(0, cut);
      }
    }
    for (int round = 0; round < 400; ++round) {
      std::string garbled = s;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits; ++e) {
        const size_t at = rng() % (garbled.size() + 1);
        switch (rng() % 3) {
          case 0:
            garbled.insert(garbled.begin() + static_cast<std::ptrdiff_t>(at),
                           alphabet[rng() % alphabet.size()]);
            break;
          case 1:
            if (at < garbled.size()) garbled.erase(at, 1);
            break;
          default:
            if (at < garbled.size()) garbled[at] = static_cast<char>(rng() % 256);
        }
      }
      auto r = g_.RunCypher(garbled, 50);
      if (r.ok()) {
        ++ok;
        EXPECT_LE(r->rows.size(), 50u);
      } else {
        ++invalid;
        EXPECT_TRUE(r.status().code() == StatusCode::kInvalidArgument ||
                    r.status().code() == StatusCode::kResourceExhausted)
            << garbled << "\n" << r.status().ToString();
        EXPECT_FALSE(r.status().message().empty());
      }
    }
  }
  EXPECT_GT(ok, 4);
  EXPECT_GT(invalid, 100);
}

}  // namespace
}  // namespace funkygibbon::graph
