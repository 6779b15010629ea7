// Thin RAII layer over the SQLite C API: Db owns a connection, Statement owns
// (or borrows from Db's cache) a prepared statement. Every SQLite error comes
// back as a Status; nothing here throws.
//
// Internal to src/store: the Store interface never exposes these types.
#ifndef FUNKYGIBBON_STORE_DB_H_
#define FUNKYGIBBON_STORE_DB_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"
#include "core/string_hash.h"

struct sqlite3;
struct sqlite3_stmt;

namespace funkygibbon::store {

// Maps an SQLite result code to the most specific Status code, with `what`
// (the operation) and SQLite's message: constraint violations on a primary
// key or unique index -> AlreadyExists, other constraint violations ->
// InvalidArgument, busy/locked -> Unavailable, full -> ResourceExhausted,
// cannot open -> NotFound, everything else -> Internal.
Status SqliteStatus(int rc, std::string_view what, std::string_view message);

// A prepared statement. Either owned (finalized when destroyed) or borrowed
// from a Db's statement cache (reset and unbound when destroyed, so a cached
// statement never holds a read snapshot open after its user is done).
// Bind indexes are 1-based and column indexes 0-based, as in SQLite.
//
// Thread-safety: not synchronized; use from one thread at a time, together
// with its Db. Must not outlive the Db that prepared it.
class Statement {
 public:
  Statement() = default;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Status BindText(int index, std::string_view value);
  Status BindInt64(int index, int64_t value);
  Status BindNull(int index);

  // Advances: true when a row is ready, false when the statement is done.
  StatusOr<bool> Step();
  // Steps until done, ignoring any rows.
  Status Run();
  // Rewinds and clears the bindings.
  void Reset();

  int64_t ColumnInt64(int column) const;
  double ColumnDouble(int column) const;
  // Valid until the next Step or Reset.
  std::string_view ColumnText(int column) const;
  std::string ColumnString(int column) const { return std::string(ColumnText(column)); }
  bool ColumnIsNull(int column) const;

  // SQLite's extended result code of the last failed Step (0 if none).
  int last_error() const { return last_error_; }
  sqlite3_stmt* handle() const { return stmt_; }

 private:
  friend class Db;
  Statement(sqlite3_stmt* stmt, bool* in_use) : stmt_(stmt), in_use_(in_use) {}
  void Release();

  sqlite3_stmt* stmt_ = nullptr;
  bool* in_use_ = nullptr;  // non-null: borrowed from a Db cache
  int last_error_ = 0;
};

struct DbOptions {
  bool read_only = false;         // PRAGMA query_only=ON; never creates the file
  bool create_if_missing = true;  // SQLITE_OPEN_CREATE (ignored when read_only)
  bool uri = false;               // interpret path as a "file:" URI
  bool wal = true;                // set journal_mode=WAL (no-op for in-memory databases)
  bool synchronous_full = false;  // synchronous=FULL instead of NORMAL
  int busy_timeout_ms = 5000;     // PRAGMA busy_timeout
  int cache_size_kib = 0;         // PRAGMA cache_size=-N; 0 keeps SQLite's default (2 MiB)
  const char* vfs = nullptr;      // a registered SQLite VFS; null: the default
};

// One SQLite connection with a prepared-statement cache keyed by SQL text.
// Open sets busy_timeout, foreign_keys=ON, journal_mode=WAL and synchronous.
//
// Thread-safety: not synchronized (opened SQLITE_OPEN_NOMUTEX); the owner
// serializes access.
class Db {
 public:
  static StatusOr<std::unique_ptr<Db>> Open(const std::string& path, const DbOptions& options);

  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  // Runs one or more SQL statements that return no rows of interest.
  Status Exec(std::string_view sql);
  // A fresh statement owned by the caller.
  StatusOr<Statement> Prepare(std::string_view sql);
  // A statement from the cache (prepared on first use), reset when the
  // returned handle dies. If the cached one is already in use (a nested
  // use of the same SQL), a fresh owned statement is returned instead.
  StatusOr<Statement> Cached(std::string_view sql);

  // The value of a single-value query such as "PRAGMA user_version".
  StatusOr<int64_t> QueryInt64(std::string_view sql);
  StatusOr<std::string> QueryText(std::string_view sql);

  sqlite3* handle() const { return db_; }
  // A Status for the connection's last error.
  Status LastError(int rc, std::string_view what) const;

 private:
  struct CacheEntry {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };

  explicit Db(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<std::string, CacheEntry, TransparentStringHash, std::equal_to<>> cache_;
};

}  // namespace funkygibbon::store

#endif  // FUNKYGIBBON_STORE_DB_H_
