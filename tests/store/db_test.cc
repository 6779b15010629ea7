#include "store/db.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "testutil.h"

namespace funkygibbon::store {
namespace {

using ::testing::HasSubstr;

TEST(DbTest, OpenSetsThePragmas) {
  const std::string path = funkygibbon::testing::TempDir() + "/p.db";
  DbOptions options;
  options.busy_timeout_ms = 1234;
  auto db = Db::Open(path, options);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ(*(*db)->QueryInt64("PRAGMA foreign_keys"), 1);
  EXPECT_EQ(*(*db)->QueryText("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(*(*db)->QueryInt64("PRAGMA busy_timeout"), 1234);
  EXPECT_EQ(*(*db)->QueryInt64("PRAGMA synchronous"), 1);  // NORMAL

  options.synchronous_full = true;
  auto full = Db::Open(path, options);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(*(*full)->QueryInt64("PRAGMA synchronous"), 2);  // FULL

  options.read_only = true;
  auto ro = Db::Open(path, options);
  ASSERT_TRUE(ro.ok());
  EXPECT_EQ((*ro)->Exec("CREATE TABLE t (x)").code(), StatusCode::kPermissionDenied);
}

TEST(DbTest, MissingFileWithoutCreateIsNotFound) {
  DbOptions options;
  options.create_if_missing = false;
  auto db = Db::Open(funkygibbon::testing::TempDir() + "/none.db", options);
  EXPECT_EQ(db.status().code(), StatusCode::kNotFound);
}

TEST(DbTest, StatementsBindStepAndRead) {
  auto db = Db::Open(":memory:", DbOptions{});
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER, r REAL) STRICT").ok());
  {
    auto ins = (*db)->Cached("INSERT INTO t VALUES (?1, ?2, ?3)");
    ASSERT_TRUE(ins.ok());
    ASSERT_TRUE(ins->BindText(1, std::string_view("a\0b", 3)).ok());
    ASSERT_TRUE(ins->BindInt64(2, -7).ok());
    ASSERT_TRUE(ins->BindNull(3).ok());
    ASSERT_TRUE(ins->Run().ok());
  }
  {
    // The cached statement comes back reset and unbound.
    auto ins = (*db)->Cached("INSERT INTO t VALUES (?1, ?2, ?3)");
    ASSERT_TRUE(ins.ok());
    Status s = ins->Run();  // k is NULL now
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  }
  auto sel = (*db)->Cached("SELECT k, n, r FROM t");
  ASSERT_TRUE(sel.ok());
  ASSERT_TRUE(*sel->Step());
  EXPECT_EQ(sel->ColumnText(0), std::string_view("a\0b", 3));
  EXPECT_EQ(sel->ColumnInt64(1), -7);
  EXPECT_TRUE(sel->ColumnIsNull(2));
  EXPECT_FALSE(*sel->Step());
}

TEST(DbTest, NestedUseOfOneCachedStatementGetsAFreshCopy) {
  auto db = Db::Open(":memory:", DbOptions{});
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), (2)").ok());
  const char* sql = "SELECT n FROM t ORDER BY n";
  auto outer = (*db)->Cached(sql);
  ASSERT_TRUE(outer.ok());
  ASSERT_TRUE(*outer->Step());
  auto inner = (*db)->Cached(sql);
  ASSERT_TRUE(inner.ok());
  EXPECT_NE(inner->handle(), outer->handle());
  ASSERT_TRUE(*inner->Step());
  EXPECT_EQ(inner->ColumnInt64(0), 1);
  ASSERT_TRUE(*outer->Step());
  EXPECT_EQ(outer->ColumnInt64(0), 2);
  sqlite3_stmt* cached = outer->handle();
  outer = Statement();  // released back to the cache
  auto again = (*db)->Cached(sql);
  EXPECT_EQ(again->handle(), cached);
}

TEST(DbTest, ErrorsBecomeSpecificStatuses) {
  auto db = Db::Open(":memory:", DbOptions{});
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)
                  ->Exec("PRAGMA foreign_keys=ON; CREATE TABLE p (id TEXT PRIMARY KEY) STRICT;"
                         " CREATE TABLE c (pid TEXT REFERENCES p (id)) STRICT;"
                         " INSERT INTO p VALUES ('x')")
                  .ok());
  EXPECT_EQ((*db)->Exec("INSERT INTO p VALUES ('x')").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ((*db)->Exec("INSERT INTO c VALUES ('nope')").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*db)->Exec("INSERT INTO p VALUES (X'00')").code(), StatusCode::kInvalidArgument);
  auto bad = (*db)->Prepare("SELEC nonsense");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInternal);
  EXPECT_THAT(bad.status().message(), HasSubstr("syntax error"));
}

}  // namespace
}  // namespace funkygibbon::store
