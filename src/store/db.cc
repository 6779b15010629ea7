#include "store/db.h"

#include <sqlite3.h>

#include <climits>
#include <utility>

namespace funkygibbon::store {

Status SqliteStatus(int rc, std::string_view what, std::string_view message) {
  std::string m(what);
  m += ": ";
  m += message.empty() ? std::string_view(sqlite3_errstr(rc)) : message;
  switch (rc) {
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_UNIQUE:
      return Status::AlreadyExists(std::move(m));
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
      return Status::InvalidArgument(std::move(m));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(std::move(m));
    case SQLITE_FULL:
    case SQLITE_NOMEM:
      return Status::ResourceExhausted(std::move(m));
    case SQLITE_CANTOPEN:
      return Status::NotFound(std::move(m));
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return Status::PermissionDenied(std::move(m));
    default:
      return Status::Internal(std::move(m));
  }
}

// ---- Statement ----------------------------------------------------------------

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      in_use_(std::exchange(other.in_use_, nullptr)),
      last_error_(other.last_error_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    Release();
    stmt_ = std::exchange(other.stmt_, nullptr);
    in_use_ = std::exchange(other.in_use_, nullptr);
    last_error_ = other.last_error_;
  }
  return *this;
}

Statement::~Statement() { Release(); }

void Statement::Release() {
  if (stmt_ == nullptr) return;
  if (in_use_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    *in_use_ = false;
  } else {
    sqlite3_finalize(stmt_);
  }
  stmt_ = nullptr;
  in_use_ = nullptr;
}

namespace {
Status BindResult(sqlite3_stmt* stmt, int rc, int index) {
  if (rc == SQLITE_OK) return Status::Ok();
  return SqliteStatus(rc, "bind parameter " + std::to_string(index),
                      sqlite3_errmsg(sqlite3_db_handle(stmt)));
}
}  // namespace

Status Statement::BindText(int index, std::string_view value) {
  if (value.size() > static_cast<size_t>(INT_MAX)) {
    return Status::InvalidArgument("bind parameter " + std::to_string(index) + ": text too long");
  }
  // SQLITE_TRANSIENT: SQLite copies, so the caller's buffer may go away.
  return BindResult(stmt_,
                    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                                      SQLITE_TRANSIENT),
                    index);
}

Status Statement::BindInt64(int index, int64_t value) {
  return BindResult(stmt_, sqlite3_bind_int64(stmt_, index, value), index);
}

Status Statement::BindNull(int index) {
  return BindResult(stmt_, sqlite3_bind_null(stmt_, index), index);
}

StatusOr<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  last_error_ = rc;
  sqlite3* db = sqlite3_db_handle(stmt_);
  std::string what = "sql \"";
  std::string_view sql = sqlite3_sql(stmt_);
  what.append(sql.substr(0, 60));
  if (sql.size() > 60) what += "...";
  what += "\"";
  return SqliteStatus(sqlite3_extended_errcode(db), what, sqlite3_errmsg(db));
}

Status Statement::Run() {
  while (true) {
    ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::ColumnInt64(int column) const { return sqlite3_column_int64(stmt_, column); }

double Statement::ColumnDouble(int column) const { return sqlite3_column_double(stmt_, column); }

std::string_view Statement::ColumnText(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return std::string_view(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

// ---- Db -------------------------------------------------------------------------

StatusOr<std::unique_ptr<Db>> Db::Open(const std::string& path, const DbOptions& options) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (options.create_if_missing && !options.read_only) flags |= SQLITE_OPEN_CREATE;
  if (options.uri) flags |= SQLITE_OPEN_URI;
  // This SQLite is built with URI names on by default: keep a plain path
  // that happens to start with "file:" a plain path.
  const std::string name = !options.uri && path.rfind("file:", 0) == 0 ? "./" + path : path;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(name.c_str(), &raw, flags, options.vfs);
  if (rc != SQLITE_OK) {
    std::string message = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close_v2(raw);
    return SqliteStatus(rc, "open '" + path + "'", message);
  }
  std::unique_ptr<Db> db(new Db(raw));
  sqlite3_extended_result_codes(raw, 1);

  RETURN_IF_ERROR(db->Exec("PRAGMA busy_timeout=" + std::to_string(options.busy_timeout_ms)));
  RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=ON"));
  if (options.read_only) RETURN_IF_ERROR(db->Exec("PRAGMA query_only=ON"));
  if (options.wal && !options.read_only) {
    ASSIGN_OR_RETURN(std::string mode, db->QueryText("PRAGMA journal_mode=WAL"));
    // In-memory databases (no file name) cannot use WAL and need not.
    const char* file = sqlite3_db_filename(raw, "main");
    if (mode != "wal" && file != nullptr && file[0] != '\0') {
      return Status::FailedPrecondition("open '" + path + "': cannot use WAL (journal_mode is " +
                                        mode + ")");
    }
  }
  if (options.cache_size_kib > 0) {
    RETURN_IF_ERROR(db->Exec("PRAGMA cache_size=-" + std::to_string(options.cache_size_kib)));
  }
  RETURN_IF_ERROR(
      db->Exec(options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  return db;
}

Db::~Db() {
  for (auto& [sql, entry] : cache_) sqlite3_finalize(entry.stmt);
  // close_v2: if a (buggy) caller still holds a statement, the connection
  // becomes a zombie and is closed when that statement is finalized.
  sqlite3_close_v2(db_);
}

Status Db::LastError(int rc, std::string_view what) const {
  return SqliteStatus(rc, what, sqlite3_errmsg(db_));
}

Status Db::Exec(std::string_view sql) {
  const std::string text(sql);
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string message = err != nullptr ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return SqliteStatus(sqlite3_extended_errcode(db_), "exec \"" + text.substr(0, 60) + "\"",
                      message);
}

StatusOr<Statement> Db::Prepare(std::string_view sql) {
  if (sql.size() > static_cast<size_t>(INT_MAX)) return Status::InvalidArgument("sql too long");
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return LastError(rc, "prepare \"" + std::string(sql.substr(0, 60)) + "\"");
  }
  return Statement(stmt, nullptr);
}

StatusOr<Statement> Db::Cached(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    ASSIGN_OR_RETURN(Statement fresh, Prepare(sql));
    it = cache_.emplace(std::string(sql), CacheEntry{std::exchange(fresh.stmt_, nullptr), false})
             .first;
  }
  if (it->second.in_use) return Prepare(sql);
  it->second.in_use = true;
  return Statement(it->second.stmt, &it->second.in_use);
}

StatusOr<int64_t> Db::QueryInt64(std::string_view sql) {
  ASSIGN_OR_RETURN(Statement stmt, Prepare(sql));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Status::Internal("query \"" + std::string(sql) + "\" returned no row");
  return stmt.ColumnInt64(0);
}

StatusOr<std::string> Db::QueryText(std::string_view sql) {
  ASSIGN_OR_RETURN(Statement stmt, Prepare(sql));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Status::Internal("query \"" + std::string(sql) + "\" returned no row");
  return stmt.ColumnString(0);
}

}  // namespace funkygibbon::store
