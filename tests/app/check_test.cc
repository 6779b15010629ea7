// CheckDatabase and `funkygibbon check`: a sound database passes; a store
// that drifted from the loaded graph, or a damaged search index, is named.
#include <sqlite3.h>

#include <gtest/gtest.h>

#include "app/check.h"
#include "app/seed.h"
#include "graph/knowledge_graph.h"
#include "sync/hub.h"
#include "testutil.h"

namespace funkygibbon::app {
namespace {

using funkygibbon::testing::BinaryPath;
using funkygibbon::testing::MemoryGraph;
using funkygibbon::testing::RunCommand;
using funkygibbon::testing::ShellQuote;
using funkygibbon::testing::TempDir;

std::unique_ptr<graph::KnowledgeGraph> SeededGraph() {
  std::unique_ptr<graph::KnowledgeGraph> kg = MemoryGraph();
  EXPECT_TRUE(SeedExampleHome(*kg).ok());
  return kg;
}

std::string Cli(const std::string& db, const std::string& args, int* code) {
  auto r = RunCommand(ShellQuote(BinaryPath()) + " --db " + ShellQuote(db) + " " + args);
  *code = r.exit_code;
  return r.output;
}

TEST(CheckTest, ASeededGraphIsSoundAndCounted) {
  auto kg = SeededGraph();
  auto report = CheckDatabase(*kg);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok()) << ToJson(*report).dump();
  const auto stats = kg->Read([](const graph::GraphIndex& g) { return g.Statistics(); });
  EXPECT_EQ(report->entities, stats.entities + stats.deleted_entities);
  EXPECT_EQ(report->relationships, kg->Read([](const graph::GraphIndex& g) { return g.relationship_count(); }));
  EXPECT_EQ(report->state_digest, sync::StateDigest(*kg));
}

TEST(CheckTest, AStoreWriteTheGraphDidNotSeeIsNamed) {
  auto kg = SeededGraph();
  graph::NewEntity new_kettle;
  new_kettle.entity_type = EntityType::kDevice;
  new_kettle.name = "Kettle";
  auto kettle = kg->CreateEntity(new_kettle, "test");
  ASSERT_TRUE(kettle.ok());
  // Straight into the store, behind the in-memory graph's back.
  Entity edited = *kettle;
  edited.version = kg->NextVersion("test", kettle->version);
  edited.parent_versions = {kettle->version};
  edited.name = "Kettle (descaled)";
  Entity stray;
  stray.id = "stray-note";
  stray.version = kg->NextVersion("test");
  stray.name = "Stray";
  stray.created_at = stray.updated_at = FormatTimestamp(NowMicros());
  store::WriteBatch batch;
  batch.entities = {{edited}, {stray}};
  ASSERT_TRUE(kg->store().Commit(batch).ok());

  auto report = CheckDatabase(*kg);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->ok());
  ASSERT_EQ(report->problems.size(), 2u) << ToJson(*report).dump();
  const std::string all = ToJson(*report)["problems"].dump();
  EXPECT_NE(all.find("entity " + kettle->id + " differs: memory has version " + kettle->version +
                     ", the store has version " + edited.version),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("entity stray-note is in the store but not in memory"), std::string::npos) << all;
}

TEST(CheckTest, CliPrintsOkForASoundDatabase) {
  const std::string db = TempDir() + "/home.db";
  int code = -1;
  Cli(db, "seed", &code);
  ASSERT_EQ(code, 0);
  EXPECT_EQ(Cli(db, "check", &code), "ok\n");
  EXPECT_EQ(code, 0);
  Json j = Json::parse(Cli(db, "check --json", &code), nullptr, false);
  EXPECT_EQ(code, 0);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["problems"], Json::array());
  EXPECT_EQ(j["entities"], 127);
  EXPECT_EQ(j["relationships"], 199);
  EXPECT_EQ(j["state_digest"].get<std::string>().size(), 64u);
}

TEST(CheckTest, CliNamesADamagedSearchIndexAndExitsOne) {
  const std::string db = TempDir() + "/home.db";
  int code = -1;
  Cli(db, "seed", &code);
  ASSERT_EQ(code, 0);
  Json found = Json::parse(
      Cli(db, "call query_graph '{\"filters\":[{\"field\":\"name\",\"op\":\"eq\",\"value\":\"Kitchen\"}]}'", &code),
      nullptr, false);
  ASSERT_EQ(code, 0);
  const std::string kitchen = found["results"][0]["id"].get<std::string>();
  // Damage the database the way a bad tool or disk might: drop one search row.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  const std::string sql = "DELETE FROM entity_search WHERE id = '" + kitchen + "'";
  EXPECT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(raw);
  EXPECT_EQ(sqlite3_changes(raw), 1);
  sqlite3_close(raw);

  const std::string out = Cli(db, "check", &code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("search row missing for entity " + kitchen), std::string::npos) << out;
  Json j = Json::parse(Cli(db, "check --json", &code), nullptr, false);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(j["ok"], false);
}

}  // namespace
}  // namespace funkygibbon::app
