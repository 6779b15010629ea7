#include "store/migrations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "store/db.h"
#include "store/store.h"
#include "store/store_test_helpers.h"
#include "testutil.h"

namespace funkygibbon::store {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<Db> OpenRaw(const std::string& path) {
  auto db = Db::Open(path, DbOptions{});
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

TEST(MigrationsTest, FreshDatabaseGetsTheLatestVersion) {
  auto db = OpenRaw(":memory:");
  EXPECT_EQ(*db->QueryInt64("PRAGMA user_version"), 0);
  ASSERT_TRUE(Migrate(*db).ok());
  EXPECT_EQ(*db->QueryInt64("PRAGMA user_version"), LatestSchemaVersion());
  EXPECT_GE(LatestSchemaVersion(), 1);
  // Every table is STRICT, and the search table exists.
  EXPECT_EQ(*db->QueryInt64("SELECT count(*) FROM pragma_table_list WHERE schema = 'main'"
                            " AND type = 'table' AND name NOT LIKE 'sqlite_%'"
                            " AND name NOT LIKE 'entity_search%' AND strict = 0"),
            0);
  EXPECT_EQ(*db->QueryInt64("SELECT count(*) FROM sqlite_schema WHERE name = 'entity_search'"), 1);
}

TEST(MigrationsTest, MigratingTwiceIsANoOp) {
  auto db = OpenRaw(":memory:");
  ASSERT_TRUE(Migrate(*db).ok());
  ASSERT_TRUE(db->Exec("INSERT INTO meta VALUES ('k', 'v')").ok());
  ASSERT_TRUE(Migrate(*db).ok());
  EXPECT_EQ(*db->QueryText("SELECT value FROM meta WHERE key = 'k'"), "v");
  EXPECT_EQ(*db->QueryInt64("PRAGMA user_version"), LatestSchemaVersion());
}

TEST(MigrationsTest, ReopeningAStoreKeepsItsData) {
  const std::string path = funkygibbon::testing::TempDir() + "/m.db";
  for (int i = 0; i < 3; ++i) {
    auto store = testing::OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    testing::CommitOrDie(*store,
                         testing::Put({testing::MakeEntity("a", "v" + std::to_string(i), "A")}));
    EXPECT_EQ(store->History("a")->size(), static_cast<size_t>(i + 1));
  }
  EXPECT_EQ(*OpenRaw(path)->QueryInt64("PRAGMA user_version"), LatestSchemaVersion());
}

TEST(MigrationsTest, NewerDatabaseIsRefusedNamingBothVersions) {
  const std::string path = funkygibbon::testing::TempDir() + "/future.db";
  {
    auto store = testing::OpenOrDie(path);
    ASSERT_NE(store, nullptr);
  }
  const int64_t future = LatestSchemaVersion() + 5;
  ASSERT_TRUE(OpenRaw(path)->Exec("PRAGMA user_version=" + std::to_string(future)).ok());
  auto reopened = OpenSqliteStore({}, path);
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(reopened.status().message(), HasSubstr(std::to_string(future)));
  EXPECT_THAT(reopened.status().message(),
              HasSubstr("(" + std::to_string(LatestSchemaVersion()) + ")"));
  // Refusing did not touch the file.
  EXPECT_EQ(*OpenRaw(path)->QueryInt64("PRAGMA user_version"), future);
}

TEST(MigrationsTest, AFailedMigrationLeavesNothingBehind) {
  auto db = OpenRaw(":memory:");
  // A table with a name the first migration needs makes it fail midway.
  ASSERT_TRUE(db->Exec("CREATE TABLE meta (x)").ok());
  Status s = Migrate(*db);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("migration 1"));
  EXPECT_EQ(*db->QueryInt64("PRAGMA user_version"), 0);
  EXPECT_EQ(*db->QueryInt64("SELECT count(*) FROM sqlite_schema WHERE name = 'entities'"), 0);
}

}  // namespace
}  // namespace funkygibbon::store
