#include "store/migrations.h"

#include <iterator>
#include <string>
#include <string_view>

namespace funkygibbon::store {
namespace {

// Migration N is kMigrations[N - 1]. Append only: never edit a migration
// that has shipped; add a new one that alters what it made.
constexpr std::string_view kMigrations[] = {
    // 1: the initial schema.
    R"sql(
-- Immutable entity versions. content is a JSON object and parent_versions a
-- JSON array of version strings; vocabulary columns are always lowercase.
CREATE TABLE entity_versions (
  id              TEXT NOT NULL,
  version         TEXT NOT NULL,
  entity_type     TEXT NOT NULL CHECK (entity_type = lower(entity_type)),
  name            TEXT NOT NULL,
  content         TEXT NOT NULL,
  source_type     TEXT NOT NULL CHECK (source_type = lower(source_type)),
  user_id         TEXT NOT NULL,
  parent_versions TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  stored_at       INTEGER NOT NULL,  -- server time (us) of the commit that stored it
  PRIMARY KEY (id, version)
) STRICT;

-- Exactly one current version per id: the primary key allows one row per id
-- and the foreign key makes it name a stored version.
CREATE TABLE entities (
  id              TEXT NOT NULL PRIMARY KEY,
  current_version TEXT NOT NULL,
  deleted         INTEGER NOT NULL CHECK (deleted IN (0, 1)),
  seq             INTEGER NOT NULL,
  changed_at      INTEGER NOT NULL,
  -- rowid of this id's row in entity_search; fixed when the id is first
  -- stored (to the seq of that commit) so VACUUM cannot desynchronize it.
  search_rowid    INTEGER NOT NULL,
  FOREIGN KEY (id, current_version) REFERENCES entity_versions (id, version)
) STRICT;
CREATE UNIQUE INDEX entities_by_seq ON entities (seq);
CREATE INDEX entities_by_changed_at ON entities (changed_at);

-- Edges belong to their endpoints' ids, so a new current version keeps them.
CREATE TABLE relationships (
  id                  TEXT NOT NULL PRIMARY KEY,
  from_entity_id      TEXT NOT NULL REFERENCES entities (id),
  to_entity_id        TEXT NOT NULL REFERENCES entities (id),
  from_entity_version TEXT NOT NULL,
  to_entity_version   TEXT NOT NULL,
  relationship_type   TEXT NOT NULL CHECK (relationship_type = lower(relationship_type)),
  properties          TEXT NOT NULL,  -- JSON object
  user_id             TEXT NOT NULL,
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL,
  deleted             INTEGER NOT NULL CHECK (deleted IN (0, 1)),
  seq                 INTEGER NOT NULL,
  changed_at          INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX relationships_by_seq ON relationships (seq);
CREATE INDEX relationships_by_changed_at ON relationships (changed_at);

-- Settings written through WriteBatch::meta.
CREATE TABLE meta (
  key   TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- The store's own counters (one row): the last seq handed out and the last
-- commit time, so both stay monotonic across restarts and clock steps.
CREATE TABLE clock (
  singleton       INTEGER PRIMARY KEY CHECK (singleton = 1),
  last_seq        INTEGER NOT NULL,
  last_changed_at INTEGER NOT NULL
) STRICT;
INSERT INTO clock (singleton, last_seq, last_changed_at) VALUES (1, 0, 0);

-- Full-text index over current, non-deleted versions; the rowid is
-- entities.search_rowid. Ranking weights the name ten times the body.
CREATE VIRTUAL TABLE entity_search USING fts5(
  id UNINDEXED, entity_type UNINDEXED, name, body,
  tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO entity_search (entity_search, rank) VALUES ('rank', 'bm25(0.0, 0.0, 10.0, 1.0)');
)sql",
};

constexpr int64_t kLatest = static_cast<int64_t>(std::size(kMigrations));

}  // namespace

int64_t LatestSchemaVersion() { return kLatest; }

Status Migrate(Db& db) {
  ASSIGN_OR_RETURN(int64_t version, db.QueryInt64("PRAGMA user_version"));
  if (version > kLatest) {
    return Status::FailedPrecondition("database schema version " + std::to_string(version) +
                                      " is newer than this build supports (" +
                                      std::to_string(kLatest) + "); upgrade funkygibbon");
  }
  while (version < kLatest) {
    RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    // Re-read under the write lock: another process may have migrated.
    auto current = db.QueryInt64("PRAGMA user_version");
    Status status = current.status();
    if (status.ok() && *current == version) {
      const int64_t next = version + 1;
      status = db.Exec(kMigrations[next - 1]);
      if (status.ok()) status = db.Exec("PRAGMA user_version=" + std::to_string(next));
      if (status.ok()) status = db.Exec("COMMIT");
      if (!status.ok()) {
        status =
            Status(status.code(), "migration " + std::to_string(next) + ": " + status.message());
      }
    } else if (status.ok()) {
      status = db.Exec("COMMIT");
    }
    if (!status.ok()) {
      (void)db.Exec("ROLLBACK");
      return status;
    }
    ASSIGN_OR_RETURN(version, db.QueryInt64("PRAGMA user_version"));
    if (version > kLatest) {
      return Status::FailedPrecondition("database schema version " + std::to_string(version) +
                                        " is newer than this build supports (" +
                                        std::to_string(kLatest) + ")");
    }
  }
  return Status::Ok();
}

}  // namespace funkygibbon::store
