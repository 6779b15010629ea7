#include "store/sqlite_store.h"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <set>
#include <utility>

#include "store/migrations.h"
#include "store/wal_vfs.h"

namespace funkygibbon::store {
namespace {

constexpr int kMaxReadConnections = 64;
// Page cache per connection. The writer's is larger: big batches and random
// primary-key inserts touch many pages. (A reader's cache is dropped whenever
// another connection has written, so it mostly serves one long read.)
constexpr int kWriterCacheKib = 32 * 1024;
constexpr int kReaderCacheKib = 16 * 1024;
// Search pages ending within this many matches try the unsorted query first.
constexpr size_t kFewMatches = 100;

// ---- SQL ----------------------------------------------------------------------------
// Every statement is a constant so that the cache (keyed by SQL text) holds
// exactly one prepared copy of each per connection.

constexpr const char kBegin[] = "BEGIN";
constexpr const char kBeginImmediate[] = "BEGIN IMMEDIATE";
constexpr const char kCommit[] = "COMMIT";
constexpr const char kRollback[] = "ROLLBACK";

constexpr const char kInsertVersion[] =
    "INSERT INTO entity_versions (id, version, entity_type, name, content, source_type, user_id,"
    " parent_versions, created_at, updated_at, stored_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

// A new id gets search_rowid = its seq (unique); an existing one keeps its own.
constexpr const char kUpsertCurrent[] =
    "INSERT INTO entities (id, current_version, deleted, seq, changed_at, search_rowid)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?4)"
    " ON CONFLICT (id) DO UPDATE SET current_version = excluded.current_version,"
    " deleted = excluded.deleted, seq = excluded.seq, changed_at = excluded.changed_at"
    " RETURNING search_rowid";

constexpr const char kDeleteSearch[] = "DELETE FROM entity_search WHERE rowid = ?1";
constexpr const char kInsertSearch[] =
    "INSERT INTO entity_search (rowid, id, entity_type, name, body) VALUES (?1, ?2, ?3, ?4, ?5)";

constexpr const char kUpsertRelationship[] =
    "INSERT INTO relationships (id, from_entity_id, to_entity_id, from_entity_version,"
    " to_entity_version, relationship_type, properties, user_id, created_at, updated_at, deleted,"
    " seq, changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    " ON CONFLICT (id) DO UPDATE SET from_entity_id = excluded.from_entity_id,"
    " to_entity_id = excluded.to_entity_id, from_entity_version = excluded.from_entity_version,"
    " to_entity_version = excluded.to_entity_version,"
    " relationship_type = excluded.relationship_type, properties = excluded.properties,"
    " user_id = excluded.user_id, created_at = excluded.created_at,"
    " updated_at = excluded.updated_at, deleted = excluded.deleted, seq = excluded.seq,"
    " changed_at = excluded.changed_at";

constexpr const char kEntityExists[] = "SELECT 1 FROM entities WHERE id = ?1";

constexpr const char kUpsertMeta[] =
    "INSERT INTO meta (key, value) VALUES (?1, ?2)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value";

constexpr const char kDeleteMeta[] = "DELETE FROM meta WHERE key = ?1";

constexpr const char kUpdateClock[] =
    "UPDATE clock SET last_seq = ?1, last_changed_at = ?2 WHERE singleton = 1";
constexpr const char kSelectClock[] =
    "SELECT last_seq, last_changed_at FROM clock WHERE singleton = 1";

// Entity columns, in the order DecodeEntity reads them.
#define FG_ENTITY_COLUMNS                                                        \
  "v.id, v.version, v.entity_type, v.name, v.content, v.source_type, v.user_id," \
  " v.parent_versions, v.created_at, v.updated_at"
#define FG_RELATIONSHIP_COLUMNS                                               \
  "id, from_entity_id, from_entity_version, to_entity_id, to_entity_version," \
  " relationship_type, properties, user_id, created_at, updated_at, deleted"
// entities is the outer loop (CROSS JOIN pins the order): one primary-key
// probe into entity_versions per current entity.
#define FG_CURRENT_FROM \
  " FROM entities e CROSS JOIN entity_versions v ON v.id = e.id AND v.version = e.current_version"

constexpr const char kScanEntities[] = "SELECT " FG_ENTITY_COLUMNS FG_CURRENT_FROM;
constexpr const char kScanRelationships[] = "SELECT " FG_RELATIONSHIP_COLUMNS " FROM relationships";

constexpr const char kHistory[] = "SELECT " FG_ENTITY_COLUMNS
                                  " FROM entity_versions v WHERE v.id = ?1"
                                  " ORDER BY v.stored_at, v.version";
constexpr const char kVersionCount[] = "SELECT count(*) FROM entity_versions WHERE id = ?1";
constexpr const char kGetVersion[] =
    "SELECT " FG_ENTITY_COLUMNS " FROM entity_versions v WHERE v.id = ?1 AND v.version = ?2";

constexpr const char kChangedEntities[] =
    "SELECT e.seq, e.changed_at, " FG_ENTITY_COLUMNS FG_CURRENT_FROM
    " WHERE e.seq > ?1 AND e.changed_at > ?2 ORDER BY e.seq LIMIT ?3";
constexpr const char kChangedRelationships[] =
    "SELECT seq, changed_at, " FG_RELATIONSHIP_COLUMNS
    " FROM relationships WHERE seq > ?1 AND changed_at > ?2 ORDER BY seq LIMIT ?3";
// The same with a `since`: without statistics SQLite walks the seq index
// and reads every row to test changed_at, so an idle delta sync read the
// whole database. The changed_at index finds the few recent rows instead.
constexpr const char kChangedEntitiesSince[] =
    "SELECT e.seq, e.changed_at, " FG_ENTITY_COLUMNS
    " FROM entities e INDEXED BY entities_by_changed_at CROSS JOIN entity_versions v"
    " ON v.id = e.id AND v.version = e.current_version"
    " WHERE e.seq > ?1 AND e.changed_at > ?2 ORDER BY e.seq LIMIT ?3";
constexpr const char kChangedRelationshipsSince[] =
    "SELECT seq, changed_at, " FG_RELATIONSHIP_COLUMNS
    " FROM relationships INDEXED BY relationships_by_changed_at"
    " WHERE seq > ?1 AND changed_at > ?2 ORDER BY seq LIMIT ?3";

#define FG_SEARCH_WHERE                              \
  " FROM entity_search WHERE entity_search MATCH ?1" \
  " AND (?2 IS NULL OR entity_type IN (SELECT value FROM json_each(?2)))"
constexpr const char kSearchCount[] = "SELECT count(*)" FG_SEARCH_WHERE;
// rank is bm25 with the weights configured in the schema (name 10, body 1);
// ORDER BY rank lets FTS5 sort internally, and snippet() is only computed
// for the rows returned.
#define FG_SEARCH_HIT \
  "SELECT id, -rank, snippet(entity_search, -1, '[', ']', '\xE2\x80\xA6', 16)" FG_SEARCH_WHERE
constexpr const char kSearchPage[] = FG_SEARCH_HIT " ORDER BY rank LIMIT ?3 OFFSET ?4";
// The first ?3 matches in rowid order, unsorted: FTS5 prepares a sorter
// statement for every ORDER BY rank query, and most searches name something
// specific and match a handful of entities, so those are ranked in C++.
constexpr const char kSearchFew[] = FG_SEARCH_HIT " LIMIT ?3";
// The same without a type filter and without bm25(): fg_rank_parts (below)
// gives each row's part of the score, and Search finishes it. Its weights
// are the schema's rank weights (id, entity_type, name, body).
constexpr const char kSearchFewParts[] =
    "SELECT id, fg_rank_parts(entity_search, 0.0, 0.0, 10.0, 1.0),"
    " snippet(entity_search, -1, '[', ']', '\xE2\x80\xA6', 16)"
    " FROM entity_search WHERE entity_search MATCH ?1 LIMIT ?3";

// The FTS5 'merge' command with a negative page count: all segments are
// brought to one level first, so repeated steps end with one segment.
constexpr const char kMergeSearchStep[] =
    "INSERT INTO entity_search (entity_search, rank) VALUES ('merge', ?1)";
constexpr const char kCountSearchRows[] = "SELECT count(*) FROM entity_search_docsize";
constexpr const char kCountSearchSegments[] =
    "SELECT count(DISTINCT segid) FROM entity_search_idx";

// Search rows written since the last merge that make the next one worth it.
uint64_t MergeThresholdFor(int64_t indexed_rows) {
  return std::max<uint64_t>(kMinSearchMergeRows, static_cast<uint64_t>(indexed_rows) / 16);
}

constexpr const char kGetMeta[] = "SELECT value FROM meta WHERE key = ?1";
constexpr const char kListMeta[] =
    "SELECT key, value FROM meta WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key";

#undef FG_ENTITY_COLUMNS
#undef FG_RELATIONSHIP_COLUMNS
#undef FG_CURRENT_FROM
#undef FG_SEARCH_HIT
#undef FG_SEARCH_WHERE

int64_t ToSqlLimit(size_t n) {
  if (n == 0) return -1;  // SQLite: a negative LIMIT means none
  return n > static_cast<size_t>(std::numeric_limits<int64_t>::max()) ? -1
                                                                      : static_cast<int64_t>(n);
}

int64_t ToSqlCount(size_t n) {
  return n > static_cast<size_t>(std::numeric_limits<int64_t>::max())
             ? std::numeric_limits<int64_t>::max()
             : static_cast<int64_t>(n);
}

// ---- Ranking in C++ ----------------------------------------------------------------
// FTS5's bm25() learns how many rows match each phrase (for its IDF) by
// running that phrase again over the whole table, the first time it scores a
// row of a query: about a third of a one-word search. When an unsorted read
// has every match and no type filter, and each match's phrases are known,
// that number is simply how many of the matches contain the phrase (true for
// a one-phrase query, and for an OR query). fg_rank_parts returns what else
// bm25 needs for the row, and RankScore finishes the same arithmetic, in
// the same order, so scores (and so ties) come out bit for bit as FTS5's.

// fg_rank_parts(entity_search, w0, w1, ...) -> blob of doubles:
//   [rows in the table, tokens in the table, tokens in this row, phrases,
//    then for each phrase: weighted instance count, instance count]
// where an instance in column c weighs wc (1.0 past the given weights), as
// in bm25(). All are integers well inside a double's exact range.
void RankPartsFunction(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* ctx,
                       int n_weights, sqlite3_value** weights) {
  sqlite3_int64 rows = 0, tokens = 0;
  int row_tokens = 0, insts = 0;
  int rc = api->xRowCount(fts, &rows);
  if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &tokens);
  if (rc == SQLITE_OK) rc = api->xColumnSize(fts, -1, &row_tokens);
  if (rc == SQLITE_OK) rc = api->xInstCount(fts, &insts);
  const int phrases = api->xPhraseCount(fts);
  std::vector<double> out(4 + 2 * static_cast<size_t>(std::max(phrases, 0)), 0.0);
  out[0] = static_cast<double>(rows);
  out[1] = static_cast<double>(tokens);
  out[2] = static_cast<double>(row_tokens);
  out[3] = static_cast<double>(phrases);
  for (int i = 0; rc == SQLITE_OK && i < insts; ++i) {
    int phrase = 0, column = 0, offset = 0;
    rc = api->xInst(fts, i, &phrase, &column, &offset);
    if (rc != SQLITE_OK || phrase < 0 || phrase >= phrases) continue;
    out[4 + 2 * static_cast<size_t>(phrase)] +=
        n_weights > column ? sqlite3_value_double(weights[column]) : 1.0;
    out[5 + 2 * static_cast<size_t>(phrase)] += 1.0;
  }
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(ctx, rc);
    return;
  }
  sqlite3_result_blob(ctx, out.data(), static_cast<int>(out.size() * sizeof(double)),
                      SQLITE_TRANSIENT);
}

Status RegisterRankParts(Db& db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db.handle(), "SELECT fts5(?1)", -1, &stmt, nullptr);
  if (rc == SQLITE_OK) {
    sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    rc = sqlite3_step(stmt);
  }
  sqlite3_finalize(stmt);
  if (api == nullptr || api->iVersion < 2) {
    return Status::FailedPrecondition("this SQLite has no FTS5 extension API (search needs it)");
  }
  rc = api->xCreateFunction(api, "fg_rank_parts", nullptr, &RankPartsFunction, nullptr);
  if (rc != SQLITE_OK) {
    return Status::Internal(std::string("registering fg_rank_parts: ") + sqlite3_errstr(rc));
  }
  return Status::Ok();
}

// One read match's figures from fg_rank_parts.
struct RankParts {
  int64_t rows = 0, tokens = 0, row_tokens = 0;
  std::vector<double> freq;       // weighted instances, per phrase
  std::vector<bool> has_phrase;   // any instance, per phrase
};

StatusOr<RankParts> ReadRankParts(const Statement& s, int column) {
  sqlite3_stmt* st = s.handle();
  const int bytes = sqlite3_column_bytes(st, column);
  const auto* data = static_cast<const unsigned char*>(sqlite3_column_blob(st, column));
  const size_t n = static_cast<size_t>(bytes) / sizeof(double);
  std::vector<double> v(n);
  if (n > 0) std::memcpy(v.data(), data, n * sizeof(double));
  if (bytes < 0 || n * sizeof(double) != static_cast<size_t>(bytes) || n < 4 ||
      v[3] < 0 || n != 4 + 2 * static_cast<size_t>(v[3])) {
    return Status::Internal("search: fg_rank_parts returned " + std::to_string(bytes) + " bytes");
  }
  RankParts p;
  p.rows = static_cast<int64_t>(v[0]);
  p.tokens = static_cast<int64_t>(v[1]);
  p.row_tokens = static_cast<int64_t>(v[2]);
  for (size_t i = 4; i < n; i += 2) {
    p.freq.push_back(v[i]);
    p.has_phrase.push_back(v[i + 1] > 0);
  }
  return p;
}

// bm25 as FTS5 computes it (k1 = 1.2, b = 0.75, IDF floored at 1e-6), with
// hits[i] = the number of rows matching phrase i; the positive score.
double RankScore(const RankParts& p, const std::vector<int64_t>& hits) {
  const double k1 = 1.2;
  const double b = 0.75;
  const double avgdl = static_cast<double>(p.tokens) / static_cast<double>(p.rows);
  const double D = static_cast<double>(p.row_tokens);
  double score = 0.0;
  for (size_t i = 0; i < p.freq.size() && i < hits.size(); ++i) {
    double idf = std::log((static_cast<double>(p.rows - hits[i]) + 0.5) /
                          (static_cast<double>(hits[i]) + 0.5));
    if (idf <= 0.0) idf = 1e-6;
    score += idf * ((p.freq[i] * (k1 + 1.0)) / (p.freq[i] + k1 * (1 - b + b * D / avgdl)));
  }
  return score;  // FTS5's rank is -1.0 * score
}

// ---- Row decoding ----------------------------------------------------------------

// A vocabulary column (entity_type, source_type, relationship_type) read
// with `parse`: Internal, naming the row and the word, when the stored word
// is not one this build knows.
template <typename T>
StatusOr<T> StoredWord(std::optional<T> (*parse)(std::string_view), const Statement& s, int col,
                       std::string_view row_kind, std::string_view id, std::string_view column) {
  const std::string_view word = s.ColumnText(col);
  if (std::optional<T> v = parse(word)) return *v;
  return Status::Internal("stored " + std::string(row_kind) + " '" + std::string(id) +
                          "' has unknown " + std::string(column) + " '" + std::string(word) + "'");
}

// Reads FG_ENTITY_COLUMNS starting at column `c` without decoding the JSON
// columns; the views last until the statement steps.
StatusOr<EntityRow> EntityRowAt(const Statement& s, int c) {
  EntityRow row;
  row.id = s.ColumnText(c + 0);
  row.version = s.ColumnText(c + 1);
  ASSIGN_OR_RETURN(row.entity_type,
                   StoredWord(&ParseEntityType, s, c + 2, "entity", row.id, "entity_type"));
  row.name = s.ColumnText(c + 3);
  row.content = s.ColumnText(c + 4);
  ASSIGN_OR_RETURN(row.source_type,
                   StoredWord(&ParseSourceType, s, c + 5, "entity", row.id, "source_type"));
  row.user_id = s.ColumnText(c + 6);
  row.parent_versions = s.ColumnText(c + 7);
  row.created_at = s.ColumnText(c + 8);
  row.updated_at = s.ColumnText(c + 9);
  return row;
}

StatusOr<Entity> DecodeEntity(const Statement& s, int c) {
  ASSIGN_OR_RETURN(EntityRow row, EntityRowAt(s, c));
  return DecodeEntityRow(row);
}

// Reads FG_RELATIONSHIP_COLUMNS starting at column `c`, undecoded, like
// EntityRowAt.
StatusOr<RelationshipRow> RelationshipRowAt(const Statement& s, int c) {
  RelationshipRow row;
  row.id = s.ColumnText(c + 0);
  row.from_entity_id = s.ColumnText(c + 1);
  row.from_entity_version = s.ColumnText(c + 2);
  row.to_entity_id = s.ColumnText(c + 3);
  row.to_entity_version = s.ColumnText(c + 4);
  ASSIGN_OR_RETURN(row.relationship_type, StoredWord(&ParseRelationshipType, s, c + 5,
                                                     "relationship", row.id, "relationship_type"));
  row.properties = s.ColumnText(c + 6);
  row.user_id = s.ColumnText(c + 7);
  row.created_at = s.ColumnText(c + 8);
  row.updated_at = s.ColumnText(c + 9);
  row.deleted = s.ColumnInt64(c + 10) != 0;
  return row;
}

// Reads FG_RELATIONSHIP_COLUMNS starting at column `c` into *r, setting
// every field (assignment reuses the strings' capacity when *r is reused).
Status DecodeRelationshipInto(const Statement& s, int c, Relationship* r) {
  ASSIGN_OR_RETURN(RelationshipRow row, RelationshipRowAt(s, c));
  return DecodeRelationshipRow(row, r);
}

StatusOr<Relationship> DecodeRelationship(const Statement& s, int c) {
  Relationship r;
  RETURN_IF_ERROR(DecodeRelationshipInto(s, c, &r));
  return r;
}

// JSON text for storage. Strict about UTF-8: a string that is not valid
// UTF-8 is refused rather than silently altered.
StatusOr<std::string> DumpJson(const Json& j, std::string_view what) {
  try {
    return j.dump();
  } catch (const Json::exception& e) {
    return Status::InvalidArgument(std::string(what) + ": " + e.what());
  }
}

bool IsWordByte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

// A transaction on a read connection, so that several queries see one
// snapshot. Declared before the statements it covers (they must be reset
// before it ends).
class ReadTransaction {
 public:
  explicit ReadTransaction(Db& db) : db_(db) {}
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;
  ~ReadTransaction() {
    if (open_) (void)Run(kCommit);
  }
  Status Begin() {
    RETURN_IF_ERROR(Run(kBegin));
    open_ = true;
    return Status::Ok();
  }

 private:
  Status Run(const char* sql) {
    ASSIGN_OR_RETURN(Statement s, db_.Cached(sql));
    return s.Run();
  }
  Db& db_;
  bool open_ = false;
};

}  // namespace

// ---- Search query ------------------------------------------------------------------

StatusOr<std::string> BuildSearchQuery(std::string_view text, bool any) {
  std::vector<std::string_view> words;
  std::set<std::string_view> seen;
  size_t i = 0;
  while (i < text.size() && words.size() < kMaxSearchWords) {
    while (i < text.size() && !IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
    const size_t start = i;
    while (i < text.size() && IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) {
      std::string_view w = text.substr(start, i - start);
      if (seen.insert(w).second) words.push_back(w);
    }
  }
  if (words.empty()) {
    return Status::InvalidArgument("query: must contain at least one letter or digit");
  }
  // Words hold no ASCII punctuation, so no '"' to escape: each is a literal
  // FTS5 string, never an operator, column filter or NEAR group.
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) out += any ? " OR " : " AND ";
    out += '"';
    out += w;
    out += "\"*";
  }
  return out;
}

// ---- Reader ---------------------------------------------------------------------

// A connection for a read method: a pooled reader, or the writer under its
// mutex when there is no pool.
class SqliteStore::Reader {
 public:
  explicit Reader(SqliteStore* store) : store_(store) {
    if (store->readers_.empty()) {
      writer_lock_ = std::unique_lock<std::mutex>(store->write_mu_);
      db_ = store->writer_.get();
      return;
    }
    std::unique_lock<std::mutex> lock(store->pool_mu_);
    store->pool_cv_.wait(lock, [store] { return !store->free_readers_.empty(); });
    db_ = store->free_readers_.back();
    store->free_readers_.pop_back();
    pooled_ = true;
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  ~Reader() {
    if (!pooled_) return;
    {
      std::lock_guard<std::mutex> lock(store_->pool_mu_);
      store_->free_readers_.push_back(db_);
    }
    store_->pool_cv_.notify_one();
  }
  Db& db() { return *db_; }

 private:
  SqliteStore* store_;
  Db* db_ = nullptr;
  bool pooled_ = false;
  std::unique_lock<std::mutex> writer_lock_;
};

// ---- Open ---------------------------------------------------------------------------

namespace {

// Replaces the (new, empty) main database of `db` by a copy of `image`.
Status LoadImage(Db& db, const std::string& image) {
  if (image.empty()) return Status::InvalidArgument("memory_image: is empty");
  auto* buffer = static_cast<unsigned char*>(sqlite3_malloc64(image.size()));
  if (buffer == nullptr) return Status::ResourceExhausted("memory_image: out of memory");
  std::memcpy(buffer, image.data(), image.size());
  // An image of a WAL database says so in its header (bytes 18 and 19 are
  // 2), which an in-memory database cannot honour: mark it a rollback
  // journal database, as it is once whole in one buffer.
  if (image.size() >= 100 && buffer[18] == 2 && buffer[19] == 2) buffer[18] = buffer[19] = 1;
  // On failure SQLite frees the buffer (FREEONCLOSE).
  const int rc = sqlite3_deserialize(
      db.handle(), "main", buffer, static_cast<sqlite3_int64>(image.size()),
      static_cast<sqlite3_int64>(image.size()),
      SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE);
  if (rc != SQLITE_OK) return db.LastError(rc, "memory_image");
  // A buffer that is not a database fails here, on reading its schema,
  // rather than at first use. (Like a file, an image is not checked page by
  // page: PRAGMA quick_check cost more than the rest of opening.)
  auto schema = db.QueryInt64("PRAGMA schema_version");
  if (!schema.ok()) {
    return Status::InvalidArgument("memory_image: not a usable database: " +
                                   schema.status().message());
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(const StoreOptions& options,
                                                         const std::string& path) {
  if (path.empty()) return Status::InvalidArgument("path: must not be empty");
  const bool memory = path == ":memory:";
  if (options.memory_image && !memory) {
    return Status::InvalidArgument("memory_image: only for a \":memory:\" store, not '" + path +
                                   "'");
  }
  if (!memory) {
    std::error_code ec;
    const std::filesystem::path p(path);
    if (options.create_if_missing) {
      if (p.has_parent_path()) {
        std::filesystem::create_directories(p.parent_path(), ec);
        if (ec) {
          return Status::Internal("create directory '" + p.parent_path().string() +
                                  "': " + ec.message());
        }
      }
    } else if (!std::filesystem::exists(p, ec)) {
      return Status::NotFound("store '" + path + "' does not exist");
    }
  }

  std::unique_ptr<SqliteStore> store(new SqliteStore());
  DbOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.wal = !memory;
  db_options.synchronous_full = options.durability == Durability::kPowerLoss;
  db_options.busy_timeout_ms = std::max(0, options.busy_timeout_ms);
  DbOptions writer_options = db_options;
  writer_options.cache_size_kib = kWriterCacheKib;
  // Each commit's WAL frames in one write (wal_vfs.h); only the writer
  // appends to the WAL.
  if (!memory) {
    ASSIGN_OR_RETURN(writer_options.vfs, BatchedWalVfs());
  }
  ASSIGN_OR_RETURN(store->writer_, Db::Open(path, writer_options));
  if (options.memory_image) RETURN_IF_ERROR(LoadImage(*store->writer_, *options.memory_image));
  RETURN_IF_ERROR(Migrate(*store->writer_));
  RETURN_IF_ERROR(RegisterRankParts(*store->writer_));
  {
    ASSIGN_OR_RETURN(Statement clock, store->writer_->Prepare(kSelectClock));
    ASSIGN_OR_RETURN(bool row, clock.Step());
    if (!row) return Status::Internal("open '" + path + "': the clock row is missing");
    store->last_seq_ = clock.ColumnInt64(0);
    store->last_changed_at_ = clock.ColumnInt64(1);
  }

  if (!memory) {
    DbOptions read_options = db_options;
    read_options.read_only = true;
    read_options.wal = false;  // the file is already in WAL mode (persistent)
    read_options.cache_size_kib = kReaderCacheKib;
    const int n = std::min(options.read_connections, kMaxReadConnections);
    for (int i = 0; i < n; ++i) {
      ASSIGN_OR_RETURN(std::unique_ptr<Db> reader, Db::Open(path, read_options));
      RETURN_IF_ERROR(RegisterRankParts(*reader));
      store->free_readers_.push_back(reader.get());
      store->readers_.push_back(std::move(reader));
    }

    // After a burst, shrink the WAL file back when it restarts.
    RETURN_IF_ERROR(store->writer_->Exec("PRAGMA journal_size_limit=16777216"));
    DbOptions checkpoint_options = db_options;
    checkpoint_options.wal = false;
    ASSIGN_OR_RETURN(store->checkpoint_db_, Db::Open(path, checkpoint_options));
    // Replaces the writer's automatic checkpoints (sqlite3_wal_autocheckpoint
    // is itself a WAL hook).
    sqlite3_wal_hook(store->writer_->handle(), &SqliteStore::OnWalCommit, store.get());
    store->checkpointer_ = std::thread([s = store.get()] { s->CheckpointLoop(); });

    // An index left in pieces (by a process that stopped before merging)
    // is merged once this one is idle.
    ASSIGN_OR_RETURN(int64_t rows, store->writer_->QueryInt64(kCountSearchRows));
    ASSIGN_OR_RETURN(int64_t segments, store->SearchSegments());
    store->merge_threshold_ = MergeThresholdFor(rows);
    if (segments > 1) store->search_rows_written_ = store->merge_threshold_;
    store->last_search_write_ = std::chrono::steady_clock::now();
    store->merger_ = std::thread([s = store.get()] { s->MergeLoop(); });
  }
  return store;
}

StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const StoreOptions& options,
                                                 const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(options, path));
  return std::unique_ptr<Store>(std::move(store));
}

SqliteStore::~SqliteStore() {
  if (merger_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(merge_mu_);
      merge_stopping_ = true;
      merge_stop_.store(true);
    }
    merge_cv_.notify_one();
    merger_.join();
  }
  if (checkpointer_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(checkpoint_mu_);
      stopping_ = true;
    }
    checkpoint_cv_.notify_one();
    checkpointer_.join();
  }
  // Members close in reverse order: the checkpoint connection and readers
  // first, the writer last (the last connection checkpoints and removes the
  // WAL file).
}

// Runs on the writer's thread inside Commit, after the data is committed.
int SqliteStore::OnWalCommit(void* self, sqlite3* db, const char* name, int pages) {
  if (pages >= kMaxWalPages) {
    // What SQLite's default hook does (at 1000 pages). Errors are ignored as
    // there: the commit has already succeeded.
    (void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    static_cast<SqliteStore*>(self)->forced_passes_.fetch_add(1, std::memory_order_relaxed);
    return SQLITE_OK;
  }
  if (pages < kCheckpointPages) return SQLITE_OK;
  auto* store = static_cast<SqliteStore*>(self);
  bool copy_rest = false;
  {
    std::lock_guard<std::mutex> lock(store->checkpoint_mu_);
    switch (store->checkpoint_state_) {
      case CheckpointState::kIdle:
        store->checkpoint_state_ = CheckpointState::kWanted;
        store->checkpoint_cv_.notify_one();
        break;
      case CheckpointState::kCopied:
        store->checkpoint_state_ = CheckpointState::kIdle;
        copy_rest = true;
        break;
      case CheckpointState::kWanted:
      case CheckpointState::kRunning:
        break;
    }
  }
  // Only the frames committed while the background pass ran are left to
  // copy; once they are, the next commit restarts the WAL.
  if (copy_rest) {
    (void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    store->finishing_passes_.fetch_add(1, std::memory_order_relaxed);
  }
  return SQLITE_OK;
}

CheckpointCounts SqliteStore::checkpoint_counts() const {
  return CheckpointCounts{background_passes_.load(std::memory_order_relaxed),
                          finishing_passes_.load(std::memory_order_relaxed),
                          forced_passes_.load(std::memory_order_relaxed)};
}

void SqliteStore::CheckpointLoop() {
  std::unique_lock<std::mutex> lock(checkpoint_mu_);
  while (true) {
    checkpoint_cv_.wait(
        lock, [this] { return checkpoint_state_ == CheckpointState::kWanted || stopping_; });
    if (stopping_) return;
    checkpoint_state_ = CheckpointState::kRunning;
    lock.unlock();
    // PASSIVE: copies what no reader still needs and never blocks the
    // writer or readers. A failure (e.g. SQLITE_BUSY from a concurrent
    // checkpoint) is harmless: the next commit asks again, and closing the
    // store checkpoints too.
    int log_frames = -1;
    int copied_frames = -1;
    const int rc = sqlite3_wal_checkpoint_v2(checkpoint_db_->handle(), "main",
                                             SQLITE_CHECKPOINT_PASSIVE, &log_frames,
                                             &copied_frames);
    background_passes_.fetch_add(1, std::memory_order_relaxed);
    lock.lock();
    checkpoint_state_ = rc == SQLITE_OK && copied_frames == log_frames
                            ? CheckpointState::kCopied
                            : CheckpointState::kIdle;
  }
}

// ---- Search index merging ------------------------------------------------------------

StatusOr<bool> SqliteStore::MergeStep() {
  std::lock_guard<std::mutex> lock(write_mu_);
  const int64_t before = sqlite3_total_changes64(writer_->handle());
  ASSIGN_OR_RETURN(Statement s, writer_->Cached(kMergeSearchStep));
  RETURN_IF_ERROR(s.BindInt64(1, -kSearchMergePages));
  RETURN_IF_ERROR(s.Run());
  // FTS5 counts under two changes for a step that found nothing to merge.
  return sqlite3_total_changes64(writer_->handle()) - before >= 2;
}

StatusOr<int64_t> SqliteStore::MergeSearchIndex() {
  while (true) {
    ASSIGN_OR_RETURN(bool more, MergeStep());
    if (!more) break;
  }
  std::lock_guard<std::mutex> lock(write_mu_);
  return writer_->QueryInt64(kCountSearchRows);
}

StatusOr<int64_t> SqliteStore::SearchSegments() {
  std::lock_guard<std::mutex> lock(write_mu_);
  return writer_->QueryInt64(kCountSearchSegments);
}

void SqliteStore::NoteSearchWrites(uint64_t rows) {
  if (!merger_.joinable() || rows == 0) return;
  std::lock_guard<std::mutex> lock(merge_mu_);
  search_rows_written_ += rows;
  last_search_write_ = std::chrono::steady_clock::now();
  if (search_rows_written_ >= merge_threshold_) merge_cv_.notify_one();
}

void SqliteStore::MergeLoop() {
  using Clock = std::chrono::steady_clock;
  const auto idle = std::chrono::milliseconds(kSearchMergeIdleMs);
  std::unique_lock<std::mutex> lock(merge_mu_);
  while (true) {
    merge_cv_.wait(lock, [this] {
      return merge_stopping_ || search_rows_written_ >= merge_threshold_;
    });
    // Wait until no commit has written search rows for `idle`.
    while (!merge_stopping_ && Clock::now() < last_search_write_ + idle) {
      merge_cv_.wait_until(lock, last_search_write_ + idle);
    }
    if (merge_stopping_) return;
    const uint64_t covered = search_rows_written_;
    const Clock::time_point started = last_search_write_;
    lock.unlock();
    // Steps until done, or until entity writes resume (the next pass
    // carries on where this one stopped: FTS5 keeps a merge's progress in
    // the index).
    Status status;
    bool done = false;
    while (!merge_stop_.load()) {
      StatusOr<bool> more = MergeStep();
      if (!more.ok()) {
        status = more.status();
        break;
      }
      if (!*more) {
        done = true;
        break;
      }
      std::lock_guard<std::mutex> check(merge_mu_);
      if (last_search_write_ != started) break;
    }
    StatusOr<int64_t> rows = int64_t{0};
    if (done) {
      std::lock_guard<std::mutex> writer(write_mu_);
      rows = writer_->QueryInt64(kCountSearchRows);
      if (!rows.ok()) status = rows.status();
    }
    lock.lock();
    if (!status.ok()) {
      // Searches still answer from an unmerged index; try again only after
      // as many writes again.
      spdlog::warn("search index merge failed: {}", status.ToString());
      search_rows_written_ -= std::min(search_rows_written_, covered);
    } else if (done) {
      search_rows_written_ -= std::min(search_rows_written_, covered);
      merge_threshold_ = MergeThresholdFor(*rows);
      search_merges_.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

// ---- Commit -------------------------------------------------------------------------

// What Commit needs from an entity beyond its fields, computed before the
// writer lock is taken.
struct SqliteStore::EncodedEntity {
  std::string content;
  std::string parent_versions;
  std::string body;  // FlattenForSearch
};

StatusOr<CommitInfo> SqliteStore::Commit(const WriteBatch& batch) {
  if (batch.empty()) return CommitInfo{};

  // Validate and encode outside the lock.
  std::vector<EncodedEntity> encoded;
  encoded.reserve(batch.entities.size());
  for (const EntityWrite& w : batch.entities) {
    const Entity& e = w.entity;
    if (e.id.empty()) return Status::InvalidArgument("entity id: must not be empty");
    if (e.version.empty()) {
      return Status::InvalidArgument("entity '" + e.id + "' version: must not be empty");
    }
    if (!e.content.is_object()) {
      return Status::InvalidArgument("entity '" + e.id + "' content: must be a JSON object");
    }
    EncodedEntity enc;
    ASSIGN_OR_RETURN(enc.content, DumpJson(e.content, "entity '" + e.id + "' content"));
    ASSIGN_OR_RETURN(enc.parent_versions,
                     DumpJson(Json(e.parent_versions), "entity '" + e.id + "' parent_versions"));
    if (w.make_current && !e.deleted()) enc.body = FlattenForSearch(e);
    encoded.push_back(std::move(enc));
  }
  for (const Relationship& r : batch.relationships) {
    if (r.id.empty()) return Status::InvalidArgument("relationship id: must not be empty");
    if (r.from_entity_id.empty() || r.to_entity_id.empty()) {
      return Status::InvalidArgument("relationship '" + r.id +
                                     "': from_entity_id and to_entity_id must not be empty");
    }
    if (!r.properties.is_object()) {
      return Status::InvalidArgument("relationship '" + r.id +
                                     "' properties: must be a JSON object");
    }
  }
  for (const auto& [key, value] : batch.meta) {
    if (key.empty()) return Status::InvalidArgument("meta key: must not be empty");
  }

  std::lock_guard<std::mutex> lock(write_mu_);
  const Micros changed_at = std::max(NowMicros(), last_changed_at_ + 1);
  int64_t seq = last_seq_;
  // The cached version counts: closed to new entries from before this
  // commit can become visible until its versions are added to them.
  {
    std::lock_guard<std::mutex> counts_lock(counts_mu_);
    ++counts_generation_;  // odd: a commit is under way
  }
  std::unordered_set<std::string_view> new_ids;
  Status status = [&]() -> Status {
    ASSIGN_OR_RETURN(Statement begin, writer_->Cached(kBeginImmediate));
    RETURN_IF_ERROR(begin.Run());
    return ApplyLocked(batch, encoded, changed_at, &seq, &new_ids);
  }();
  if (status.ok()) {
    auto commit = writer_->Cached(kCommit);
    status = commit.ok() ? commit->Run() : commit.status();
  }
  {
    std::lock_guard<std::mutex> counts_lock(counts_mu_);
    if (status.ok()) {
      for (const EntityWrite& w : batch.entities) {
        if (auto it = version_counts_.find(w.entity.id); it != version_counts_.end()) {
          ++it->second;
        } else if (new_ids.count(w.entity.id) != 0) {
          // A new id: this is its first version (a later one of the same
          // batch finds it here and adds itself).
          if (version_counts_.size() >= kMaxCachedCounts) version_counts_.clear();
          version_counts_.emplace(w.entity.id, 1);
        }
      }
    }
    ++counts_generation_;  // even again
  }
  if (!status.ok()) {
    // Also after a failed COMMIT: the transaction may still be open. If
    // SQLite already rolled it back this fails harmlessly.
    (void)writer_->Exec(kRollback);
    return status;
  }
  uint64_t search_rows = 0;
  for (const EntityWrite& w : batch.entities) search_rows += w.make_current ? 1 : 0;
  NoteSearchWrites(search_rows);
  CommitInfo info;
  info.last_seq = seq > last_seq_ ? seq : 0;
  info.changed_at = changed_at;
  last_seq_ = seq;
  last_changed_at_ = changed_at;
  return info;
}

Status SqliteStore::ApplyLocked(const WriteBatch& batch, const std::vector<EncodedEntity>& encoded,
                                Micros changed_at, int64_t* seq,
                                std::unordered_set<std::string_view>* new_ids) {
  Db& db = *writer_;
  for (size_t i = 0; i < batch.entities.size(); ++i) {
    const Entity& e = batch.entities[i].entity;
    const EncodedEntity& enc = encoded[i];
    {
      ASSIGN_OR_RETURN(Statement s, db.Cached(kInsertVersion));
      RETURN_IF_ERROR(s.BindText(1, e.id));
      RETURN_IF_ERROR(s.BindText(2, e.version));
      RETURN_IF_ERROR(s.BindText(3, ToString(e.entity_type)));
      RETURN_IF_ERROR(s.BindText(4, e.name));
      RETURN_IF_ERROR(s.BindText(5, enc.content));
      RETURN_IF_ERROR(s.BindText(6, ToString(e.source_type)));
      RETURN_IF_ERROR(s.BindText(7, e.user_id));
      RETURN_IF_ERROR(s.BindText(8, enc.parent_versions));
      RETURN_IF_ERROR(s.BindText(9, e.created_at));
      RETURN_IF_ERROR(s.BindText(10, e.updated_at));
      RETURN_IF_ERROR(s.BindInt64(11, changed_at));
      Status st = s.Run();
      if (st.code() == StatusCode::kAlreadyExists) {
        return Status::AlreadyExists("entity '" + e.id + "' version '" + e.version +
                                     "' already exists");
      }
      RETURN_IF_ERROR(st);
    }
    if (!batch.entities[i].make_current) continue;

    const int64_t my_seq = ++*seq;
    const bool deleted = e.deleted();
    int64_t search_rowid = 0;
    {
      ASSIGN_OR_RETURN(Statement s, db.Cached(kUpsertCurrent));
      RETURN_IF_ERROR(s.BindText(1, e.id));
      RETURN_IF_ERROR(s.BindText(2, e.version));
      RETURN_IF_ERROR(s.BindInt64(3, deleted ? 1 : 0));
      RETURN_IF_ERROR(s.BindInt64(4, my_seq));
      RETURN_IF_ERROR(s.BindInt64(5, changed_at));
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) return Status::Internal("upsert of entity '" + e.id + "' returned no row");
      search_rowid = s.ColumnInt64(0);
    }
    if (search_rowid != my_seq) {  // the id existed: drop its old search row
      ASSIGN_OR_RETURN(Statement s, db.Cached(kDeleteSearch));
      RETURN_IF_ERROR(s.BindInt64(1, search_rowid));
      RETURN_IF_ERROR(s.Run());
    } else {
      new_ids->insert(e.id);
    }
    if (!deleted) {
      ASSIGN_OR_RETURN(Statement s, db.Cached(kInsertSearch));
      RETURN_IF_ERROR(s.BindInt64(1, search_rowid));
      RETURN_IF_ERROR(s.BindText(2, e.id));
      RETURN_IF_ERROR(s.BindText(3, ToString(e.entity_type)));
      RETURN_IF_ERROR(s.BindText(4, e.name));
      RETURN_IF_ERROR(s.BindText(5, enc.body));
      RETURN_IF_ERROR(s.Run());
    }
  }

  for (const Relationship& r : batch.relationships) {
    ASSIGN_OR_RETURN(std::string properties,
                     DumpJson(r.properties, "relationship '" + r.id + "' properties"));
    ASSIGN_OR_RETURN(Statement s, db.Cached(kUpsertRelationship));
    RETURN_IF_ERROR(s.BindText(1, r.id));
    RETURN_IF_ERROR(s.BindText(2, r.from_entity_id));
    RETURN_IF_ERROR(s.BindText(3, r.to_entity_id));
    RETURN_IF_ERROR(s.BindText(4, r.from_entity_version));
    RETURN_IF_ERROR(s.BindText(5, r.to_entity_version));
    RETURN_IF_ERROR(s.BindText(6, ToString(r.relationship_type)));
    RETURN_IF_ERROR(s.BindText(7, properties));
    RETURN_IF_ERROR(s.BindText(8, r.user_id));
    RETURN_IF_ERROR(s.BindText(9, r.created_at));
    RETURN_IF_ERROR(s.BindText(10, r.updated_at));
    RETURN_IF_ERROR(s.BindInt64(11, r.deleted ? 1 : 0));
    RETURN_IF_ERROR(s.BindInt64(12, ++*seq));
    RETURN_IF_ERROR(s.BindInt64(13, changed_at));
    Status st = s.Run();
    if (!st.ok() && s.last_error() == SQLITE_CONSTRAINT_FOREIGNKEY) {
      // Name the endpoint that is missing.
      for (const std::string* end : {&r.from_entity_id, &r.to_entity_id}) {
        ASSIGN_OR_RETURN(Statement probe, db.Cached(kEntityExists));
        RETURN_IF_ERROR(probe.BindText(1, *end));
        ASSIGN_OR_RETURN(bool exists, probe.Step());
        if (!exists) {
          return Status::InvalidArgument(
              "relationship '" + r.id +
              "': " + (end == &r.from_entity_id ? "from_entity_id" : "to_entity_id") + " '" + *end +
              "' does not exist");
        }
      }
    }
    RETURN_IF_ERROR(st);
  }

  for (const auto& [key, value] : batch.meta) {
    ASSIGN_OR_RETURN(Statement s, db.Cached(kUpsertMeta));
    RETURN_IF_ERROR(s.BindText(1, key));
    RETURN_IF_ERROR(s.BindText(2, value));
    RETURN_IF_ERROR(s.Run());
  }
  for (const auto& key : batch.meta_erase) {
    ASSIGN_OR_RETURN(Statement s, db.Cached(kDeleteMeta));
    RETURN_IF_ERROR(s.BindText(1, key));
    RETURN_IF_ERROR(s.Run());
  }

  ASSIGN_OR_RETURN(Statement s, db.Cached(kUpdateClock));
  RETURN_IF_ERROR(s.BindInt64(1, *seq));
  RETURN_IF_ERROR(s.BindInt64(2, changed_at));
  return s.Run();
}

// ---- Reads ------------------------------------------------------------------------

Status SqliteStore::ScanCurrent(const std::function<void(Entity&&)>& on_entity,
                                const std::function<void(Relationship&&)>& on_relationship) {
  Reader reader(this);
  Db& db = reader.db();
  ReadTransaction txn(db);
  RETURN_IF_ERROR(txn.Begin());
  {
    ASSIGN_OR_RETURN(Statement s, db.Cached(kScanEntities));
    while (true) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      ASSIGN_OR_RETURN(Entity e, DecodeEntity(s, 0));
      if (on_entity) on_entity(std::move(e));
    }
  }
  ASSIGN_OR_RETURN(Statement s, db.Cached(kScanRelationships));
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ASSIGN_OR_RETURN(Relationship r, DecodeRelationship(s, 0));
    if (on_relationship) on_relationship(std::move(r));
  }
  return Status::Ok();
}

Status SqliteStore::ScanCurrentRows(const std::function<Status(const EntityRow&)>& on_entity,
                                    const std::function<Status(Relationship&&)>& on_relationship) {
  Reader reader(this);
  Db& db = reader.db();
  Status status = [&]() -> Status {
    ReadTransaction txn(db);
    RETURN_IF_ERROR(txn.Begin());
    {
      ASSIGN_OR_RETURN(Statement s, db.Cached(kScanEntities));
      while (true) {
        ASSIGN_OR_RETURN(bool row, s.Step());
        if (!row) break;
        ASSIGN_OR_RETURN(EntityRow e, EntityRowAt(s, 0));
        if (on_entity) RETURN_IF_ERROR(on_entity(e));
      }
    }
    ASSIGN_OR_RETURN(Statement s, db.Cached(kScanRelationships));
    Relationship r;
    while (true) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      RETURN_IF_ERROR(DecodeRelationshipInto(s, 0, &r));
      if (on_relationship) RETURN_IF_ERROR(on_relationship(std::move(r)));
    }
    return Status::Ok();
  }();
  // A full scan fills the connection's page cache with pages no later
  // lookup is likely to want; give that memory back.
  sqlite3_db_release_memory(db.handle());
  return status;
}

StatusOr<std::vector<Entity>> SqliteStore::History(std::string_view id) {
  std::vector<Entity> out;
  {
    Reader reader(this);
    ASSIGN_OR_RETURN(Statement s, reader.db().Cached(kHistory));
    RETURN_IF_ERROR(s.BindText(1, id));
    while (true) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      ASSIGN_OR_RETURN(Entity e, DecodeEntity(s, 0));
      out.push_back(std::move(e));
    }
  }
  if (out.empty()) return Status::NotFound("entity '" + std::string(id) + "' not found");
  return out;
}

StatusOr<size_t> SqliteStore::VersionCount(std::string_view id) {
  uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(counts_mu_);
    generation = counts_generation_;
    // While a commit is under way its versions may be visible to a read
    // already but not yet added here: ask the database.
    if (generation % 2 == 0) {
      if (auto it = version_counts_.find(id); it != version_counts_.end()) return it->second;
    }
  }
  int64_t n = 0;
  version_count_reads_.fetch_add(1, std::memory_order_relaxed);
  {
    Reader reader(this);
    ASSIGN_OR_RETURN(Statement s, reader.db().Cached(kVersionCount));
    RETURN_IF_ERROR(s.BindText(1, id));
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (row) n = s.ColumnInt64(0);
  }
  if (n == 0) return Status::NotFound("entity '" + std::string(id) + "' not found");
  std::lock_guard<std::mutex> lock(counts_mu_);
  // Cached only if no commit was under way when the count was read, nor
  // began since: then the count is the current one, and every later commit
  // will add to the cached copy.
  if (generation % 2 == 0 && counts_generation_ == generation) {
    if (version_counts_.size() >= kMaxCachedCounts) version_counts_.clear();
    version_counts_.emplace(id, static_cast<size_t>(n));
  }
  return static_cast<size_t>(n);
}

StatusOr<std::optional<Entity>> SqliteStore::GetVersion(std::string_view id,
                                                        std::string_view version) {
  Reader reader(this);
  ASSIGN_OR_RETURN(Statement s, reader.db().Cached(kGetVersion));
  RETURN_IF_ERROR(s.BindText(1, id));
  RETURN_IF_ERROR(s.BindText(2, version));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Entity>();
  ASSIGN_OR_RETURN(Entity e, DecodeEntity(s, 0));
  return std::optional<Entity>(std::move(e));
}

StatusOr<SearchResult> SqliteStore::Search(const SearchRequest& request) {
  ASSIGN_OR_RETURN(std::string all_terms, BuildSearchQuery(request.query, /*any=*/false));
  // Each word is one quoted phrase, and words hold no '"'.
  const size_t words = static_cast<size_t>(std::count(all_terms.begin(), all_terms.end(), '"')) / 2;
  std::string types;  // JSON array for json_each, or empty for no filter
  if (!request.entity_types.empty()) {
    Json arr = Json::array();
    for (EntityType t : request.entity_types) arr.push_back(ToString(t));
    types = arr.dump();
  }

  Reader reader(this);
  Db& db = reader.db();
  ReadTransaction txn(db);
  RETURN_IF_ERROR(txn.Begin());

  auto bind_match = [&](Statement& s, const std::string& match) -> Status {
    RETURN_IF_ERROR(s.BindText(1, match));
    return types.empty() ? s.BindNull(2) : s.BindText(2, types);
  };
  auto count = [&](const std::string& match) -> StatusOr<int64_t> {
    ASSIGN_OR_RETURN(Statement s, db.Cached(kSearchCount));
    RETURN_IF_ERROR(bind_match(s, match));
    ASSIGN_OR_RETURN(bool row, s.Step());
    return row ? s.ColumnInt64(0) : 0;
  };

  auto read_hit = [](Statement& s) {
    SearchHit hit;
    hit.id = s.ColumnString(0);
    hit.score = s.ColumnDouble(1);
    hit.snippet = s.ColumnString(2);
    return hit;
  };
  // Every match, when there are at most `page_end` of them (nullopt when
  // there are more): a page that reaches past them all needs no count and
  // no sorter. Ties keep rowid order, as FTS5's sort does. `own_rank`: the
  // matches are all the rows that match any of the query's phrases (no
  // type filter; one phrase, or phrases ORed), so bm25 is finished here
  // (see RankScore) instead of by FTS5.
  auto all_if_few = [&](const std::string& match, size_t page_end,
                        bool own_rank) -> StatusOr<std::optional<std::vector<SearchHit>>> {
    ASSIGN_OR_RETURN(Statement s, db.Cached(own_rank ? kSearchFewParts : kSearchFew));
    RETURN_IF_ERROR(own_rank ? s.BindText(1, match) : bind_match(s, match));
    RETURN_IF_ERROR(s.BindInt64(3, static_cast<int64_t>(page_end) + 1));
    std::vector<SearchHit> hits;
    std::vector<RankParts> parts;  // own_rank: one per hit
    while (true) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      if (hits.size() == page_end) return std::optional<std::vector<SearchHit>>();
      if (!own_rank) {
        hits.push_back(read_hit(s));
        continue;
      }
      ASSIGN_OR_RETURN(RankParts p, ReadRankParts(s, 1));
      parts.push_back(std::move(p));
      hits.push_back(SearchHit{s.ColumnString(0), 0.0, s.ColumnString(2)});
    }
    if (own_rank) {
      std::vector<int64_t> phrase_hits;
      for (const RankParts& p : parts) {
        if (phrase_hits.size() < p.has_phrase.size()) phrase_hits.resize(p.has_phrase.size());
        for (size_t i = 0; i < p.has_phrase.size(); ++i) phrase_hits[i] += p.has_phrase[i];
      }
      for (size_t i = 0; i < hits.size(); ++i) hits[i].score = RankScore(parts[i], phrase_hits);
    }
    std::stable_sort(hits.begin(), hits.end(),
                     [](const SearchHit& a, const SearchHit& b) { return a.score > b.score; });
    return std::optional<std::vector<SearchHit>>(std::move(hits));
  };

  SearchResult result;
  std::string match = all_terms;
  std::optional<std::string> any_terms;
  auto next_match = [&]() -> StatusOr<bool> {  // from AND to OR, once
    if (any_terms) return false;
    ASSIGN_OR_RETURN(any_terms, BuildSearchQuery(request.query, /*any=*/true));
    if (*any_terms == all_terms) return false;
    match = *any_terms;
    return true;
  };
  if (request.limit > 0 && request.limit <= kFewMatches &&
      request.offset <= kFewMatches - request.limit) {
    const size_t page_end = request.offset + request.limit;
    ASSIGN_OR_RETURN(std::optional<std::vector<SearchHit>> few,
                     all_if_few(match, page_end, types.empty() && words == 1));
    if (few && few->empty()) {
      ASSIGN_OR_RETURN(bool retry, next_match());
      if (retry) {
        ASSIGN_OR_RETURN(few, all_if_few(match, page_end, types.empty()));
      }
    }
    if (few) {  // else more matches than the page reaches: count and sort below
      result.total = few->size();
      for (size_t i = request.offset; i < few->size(); ++i) {
        result.hits.push_back(std::move((*few)[i]));
      }
      return result;
    }
  }

  ASSIGN_OR_RETURN(int64_t total, count(match));
  if (total == 0) {
    ASSIGN_OR_RETURN(bool retry, next_match());
    if (retry) {
      ASSIGN_OR_RETURN(total, count(match));
    }
  }
  result.total = static_cast<size_t>(total);
  if (request.limit == 0 || request.offset >= result.total) return result;
  ASSIGN_OR_RETURN(Statement s, db.Cached(kSearchPage));
  RETURN_IF_ERROR(bind_match(s, match));
  RETURN_IF_ERROR(s.BindInt64(3, ToSqlLimit(request.limit)));
  RETURN_IF_ERROR(s.BindInt64(4, ToSqlCount(request.offset)));
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    result.hits.push_back(read_hit(s));
  }
  return result;
}

Status SqliteStore::ScanChanges(const ChangesRequest& request,
                                const std::function<Status(const ChangedRowView&)>& on_row) {
  const bool since = request.since_exclusive >= 0;
  Reader reader(this);
  Db& db = reader.db();
  ReadTransaction txn(db);
  RETURN_IF_ERROR(txn.Begin());
  // Both queries are in seq order: step them side by side and take the
  // lower seq each time, so rows come out in order.
  ASSIGN_OR_RETURN(Statement es, db.Cached(since ? kChangedEntitiesSince : kChangedEntities));
  ASSIGN_OR_RETURN(Statement rs,
                   db.Cached(since ? kChangedRelationshipsSince : kChangedRelationships));
  for (Statement* s : {&es, &rs}) {
    RETURN_IF_ERROR(s->BindInt64(1, request.after_seq));
    RETURN_IF_ERROR(s->BindInt64(2, request.since_exclusive));
    RETURN_IF_ERROR(s->BindInt64(3, ToSqlLimit(request.limit)));
  }
  ASSIGN_OR_RETURN(bool entity_row, es.Step());
  ASSIGN_OR_RETURN(bool relationship_row, rs.Step());
  size_t n = 0;
  while ((entity_row || relationship_row) && (request.limit == 0 || n < request.limit)) {
    const bool take_entity =
        entity_row && (!relationship_row || es.ColumnInt64(0) < rs.ColumnInt64(0));
    Statement& s = take_entity ? es : rs;
    ChangedRowView view;
    view.seq = s.ColumnInt64(0);
    view.changed_at = s.ColumnInt64(1);
    if (take_entity) {
      ASSIGN_OR_RETURN(EntityRow row, EntityRowAt(s, 2));
      view.entity = &row;
      RETURN_IF_ERROR(on_row(view));
      ASSIGN_OR_RETURN(entity_row, es.Step());
    } else {
      ASSIGN_OR_RETURN(RelationshipRow row, RelationshipRowAt(s, 2));
      view.relationship = &row;
      RETURN_IF_ERROR(on_row(view));
      ASSIGN_OR_RETURN(relationship_row, rs.Step());
    }
    ++n;
  }
  return Status::Ok();
}

StatusOr<std::optional<std::string>> SqliteStore::GetMeta(std::string_view key) {
  Reader reader(this);
  ASSIGN_OR_RETURN(Statement s, reader.db().Cached(kGetMeta));
  RETURN_IF_ERROR(s.BindText(1, key));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(s.ColumnString(0));
}

StatusOr<std::vector<std::pair<std::string, std::string>>> SqliteStore::ListMeta(
    std::string_view prefix) {
  Reader reader(this);
  ASSIGN_OR_RETURN(Statement s, reader.db().Cached(kListMeta));
  RETURN_IF_ERROR(s.BindText(1, prefix));
  std::vector<std::pair<std::string, std::string>> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.emplace_back(s.ColumnString(0), s.ColumnString(1));
  }
  return out;
}

// ---- Maintenance -------------------------------------------------------------------

StatusOr<std::string> SqliteStore::SerializeImage() {
  std::lock_guard lock(write_mu_);
  sqlite3_int64 size = 0;
  unsigned char* data = sqlite3_serialize(writer_->handle(), "main", &size, 0);
  if (data == nullptr) return Status::ResourceExhausted("serialize: out of memory");
  std::string image(reinterpret_cast<const char*>(data), static_cast<size_t>(size));
  sqlite3_free(data);
  return image;
}

Status SqliteStore::Backup(const std::string& path) {
  if (path.empty()) return Status::InvalidArgument("path: must not be empty");
  // Copy into a temporary file beside `path` and rename it into place, so
  // `path` is never a half-written database.
  const std::string tmp = path + ".tmp-" + NewUuid().substr(0, 8);
  DbOptions dest_options;
  dest_options.wal = false;
  dest_options.synchronous_full = true;  // the copy is fsynced before the rename
  Status status;
  {
    ASSIGN_OR_RETURN(std::unique_ptr<Db> dest, Db::Open(tmp, dest_options));
    Reader reader(this);
    sqlite3_backup* backup =
        sqlite3_backup_init(dest->handle(), "main", reader.db().handle(), "main");
    if (backup == nullptr) {
      status = dest->LastError(sqlite3_errcode(dest->handle()), "backup to '" + path + "'");
    } else {
      const int step = sqlite3_backup_step(backup, -1);
      const int finish = sqlite3_backup_finish(backup);
      if (step != SQLITE_DONE) {
        status = SqliteStatus(step, "backup to '" + path + "'", sqlite3_errstr(step));
      } else if (finish != SQLITE_OK) {
        status = dest->LastError(finish, "backup to '" + path + "'");
      }
    }
  }
  std::error_code ec;
  if (status.ok()) {
    std::filesystem::rename(tmp, path, ec);
    if (ec) status = Status::Internal("backup: rename to '" + path + "': " + ec.message());
  }
  if (!status.ok()) std::filesystem::remove(tmp, ec);
  return status;
}

Status SqliteStore::CheckIntegrity() {
  std::vector<std::string> problems;
  auto collect = [&](Db& db, const char* sql, const std::string& prefix) -> Status {
    ASSIGN_OR_RETURN(Statement s, db.Prepare(sql));
    while (problems.size() < 20) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      std::string text(s.ColumnText(0));
      if (text == "ok") continue;
      problems.push_back(prefix + text);
    }
    return Status::Ok();
  };
  {
    Reader reader(this);
    Db& db = reader.db();
    ReadTransaction txn(db);
    RETURN_IF_ERROR(txn.Begin());
    RETURN_IF_ERROR(collect(db, "PRAGMA integrity_check", ""));
    RETURN_IF_ERROR(collect(db,
                            "SELECT \"table\" || ' rowid ' || rowid || ' references missing '"
                            " || parent FROM pragma_foreign_key_check",
                            "foreign key: "));
    RETURN_IF_ERROR(
        collect(db,
                "SELECT id FROM entities e WHERE NOT EXISTS (SELECT 1 FROM"
                " entity_versions v WHERE v.id = e.id AND v.version = e.current_version)",
                "current version missing for entity "));
    RETURN_IF_ERROR(collect(db,
                            "SELECT id FROM entities e WHERE deleted = 0 AND NOT EXISTS (SELECT 1"
                            " FROM entity_search f WHERE f.rowid = e.search_rowid AND f.id = e.id)",
                            "search row missing for entity "));
    // With every live entity matched to its own row (above), equal counts
    // mean there are no stale rows.
    RETURN_IF_ERROR(collect(db,
                            "SELECT (SELECT count(*) FROM entity_search) || ' search rows for '"
                            " || (SELECT count(*) FROM entities WHERE deleted = 0) ||"
                            " ' live entities' WHERE (SELECT count(*) FROM entity_search) !="
                            " (SELECT count(*) FROM entities WHERE deleted = 0)",
                            "search index: "));
  }
  {
    std::lock_guard<std::mutex> lock(write_mu_);
    Status fts =
        writer_->Exec("INSERT INTO entity_search (entity_search) VALUES ('integrity-check')");
    if (!fts.ok()) problems.push_back("search index: " + fts.message());
  }
  if (problems.empty()) return Status::Ok();
  std::string message = "integrity check failed:";
  for (const auto& p : problems) message += " " + p + ";";
  return Status::Internal(message);
}

}  // namespace funkygibbon::store
