#include "store/wal_vfs.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/db.h"
#include "testutil.h"

namespace funkygibbon::store {
namespace {

std::unique_ptr<Db> OpenOrDie(const std::string& path, bool batched, bool full_sync = false) {
  DbOptions options;
  options.synchronous_full = full_sync;
  if (batched) {
    auto vfs = BatchedWalVfs();
    EXPECT_TRUE(vfs.ok()) << vfs.status().ToString();
    options.vfs = *vfs;
  }
  auto db = Db::Open(path, options);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

int64_t Count(Db& db) { return *db.QueryInt64("SELECT count(*) FROM t"); }

void ExpectIntact(Db& db) { EXPECT_EQ(*db.QueryText("PRAGMA integrity_check"), "ok"); }

TEST(BatchedWalVfsTest, OneWritePerSmallCommitAndReadersSeeEachCommitAtOnce) {
  const std::string path = funkygibbon::testing::TempDir() + "/batched.db";
  auto writer = OpenOrDie(path, true);
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(writer->Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)").ok());
  ASSERT_TRUE(writer->Exec("CREATE INDEX t_v ON t (v)").ok());
  auto reader = OpenOrDie(path, false);  // another connection, the default VFS
  ASSERT_NE(reader, nullptr);
  const WalWriteCounts before = BatchedWalWriteCounts();
  constexpr int kCommits = 200;
  for (int i = 0; i < kCommits; ++i) {
    ASSERT_TRUE(writer->Exec("INSERT INTO t (v) VALUES (hex(randomblob(1500)))").ok());
    // The commit's frames reached the file before it returned.
    ASSERT_EQ(Count(*reader), i + 1);
  }
  const WalWriteCounts after = BatchedWalWriteCounts();
  const uint64_t requested = after.requested - before.requested;
  const uint64_t issued = after.issued - before.issued;
  // Each commit asks for two writes per page (header and page), at least
  // three pages (table, index, and the first page's change counter).
  EXPECT_GE(requested, 6u * kCommits);
  EXPECT_LE(issued, 2u * kCommits) << requested << " requested";
  ExpectIntact(*reader);
}

TEST(BatchedWalVfsTest, LargeTransactionsSpilledAndRewrittenPagesAndRestarts) {
  const std::string path = funkygibbon::testing::TempDir() + "/big.db";
  auto writer = OpenOrDie(path, true);
  ASSERT_NE(writer, nullptr);
  // ~1.5 MB appended by one commit: more than one write may carry.
  ASSERT_TRUE(writer->Exec("CREATE TABLE first (v BLOB)").ok());
  ASSERT_TRUE(writer->Exec("BEGIN").ok());
  for (int i = 0; i < 75; ++i) {
    ASSERT_TRUE(writer->Exec("INSERT INTO first (v) VALUES (randomblob(20000))").ok());
  }
  ASSERT_TRUE(writer->Exec("COMMIT").ok());
  // A tiny cache makes SQLite spill pages to the WAL mid-transaction and
  // then write some of them again in place (not an append).
  ASSERT_TRUE(writer->Exec("PRAGMA cache_size=10").ok());
  ASSERT_TRUE(writer->Exec("PRAGMA journal_size_limit=65536").ok());
  ASSERT_TRUE(writer->Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)").ok());
  ASSERT_TRUE(writer->Exec("BEGIN").ok());
  for (int i = 0; i < 400; ++i) {
    ASSERT_TRUE(writer->Exec("INSERT INTO t (v) VALUES (randomblob(20000))").ok());
    ASSERT_TRUE(writer->Exec("UPDATE t SET v = randomblob(19000) WHERE k = 1").ok());
  }
  ASSERT_TRUE(writer->Exec("COMMIT").ok());  // ~8 MB: far above one write's limit
  auto reader = OpenOrDie(path, false);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(Count(*reader), 400);
  EXPECT_EQ(*reader->QueryInt64("SELECT sum(length(v)) FROM first"), 75 * 20000);
  EXPECT_EQ(*reader->QueryInt64("SELECT length(v) FROM t WHERE k = 1"), 19000);
  // Checkpoint and restart the WAL (truncated to the limit), then go on.
  ASSERT_TRUE(writer->Exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(writer->Exec("INSERT INTO t (v) VALUES (randomblob(300))").ok());
  }
  EXPECT_EQ(Count(*reader), 450);
  ExpectIntact(*reader);
  writer.reset();
  reader.reset();
  auto reopened = OpenOrDie(path, false);
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(Count(*reopened), 450);
  ExpectIntact(*reopened);
}

TEST(BatchedWalVfsTest, FullSyncCommitsAndRollbacks) {
  const std::string path = funkygibbon::testing::TempDir() + "/full.db";
  auto writer = OpenOrDie(path, true, /*full_sync=*/true);
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(writer->Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)").ok());
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(writer->Exec("INSERT INTO t (v) VALUES ('x')").ok());
  }
  ASSERT_TRUE(writer->Exec("BEGIN").ok());
  ASSERT_TRUE(writer->Exec("INSERT INTO t (v) VALUES ('gone')").ok());
  ASSERT_TRUE(writer->Exec("ROLLBACK").ok());
  auto reader = OpenOrDie(path, false);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(Count(*reader), 20);
  ExpectIntact(*reader);
}

}  // namespace
}  // namespace funkygibbon::store
