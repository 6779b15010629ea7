// The storage interface. SQL lives only below this line (sqlite_store.cc);
// a second backend (e.g. PostgreSQL) implements the same interface.
//
// Model: immutable entity version rows keyed by (id, version); exactly one
// current version per id; relationships keyed by id, belonging to their
// endpoints' ids; a monotonic change sequence (seq) and a server change time
// (changed_at, microseconds) on every current-pointer move and relationship
// write, for sync; tombstones instead of deletes; a full-text index over the
// current versions' names and flattened content.
//
// Thread-safety: implementations are thread-safe; all methods may be called
// concurrently. Commits are serialized.
#ifndef FUNKYGIBBON_STORE_STORE_H_
#define FUNKYGIBBON_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "core/version.h"

namespace funkygibbon::store {

enum class Durability {
  // WAL with synchronous=NORMAL: a commit is in the OS before it returns, so
  // it survives the process being killed (kill -9); a power cut may lose the
  // last commits.
  kProcessCrash,
  // WAL with synchronous=FULL: fsync on every commit; survives power loss.
  kPowerLoss,
};

struct StoreOptions {
  Durability durability = Durability::kProcessCrash;  // see above
  int busy_timeout_ms = 5000;  // how long to wait for a lock held by another process
  bool create_if_missing = true;  // create the file and parent directory
  int read_connections = 4;  // pooled read-only connections for History/Search
  // Only for a ":memory:" store: it starts as a copy of this database image
  // (SqliteStore::SerializeImage of another store) instead of empty. For
  // tests and fuzzers that need many identical stores: copying an image is
  // much cheaper than creating the schema and committing the same writes
  // again. Null: start empty.
  std::shared_ptr<const std::string> memory_image;
};

// One entity version to insert.
struct EntityWrite {
  Entity entity;
  // True: this version becomes the current one for its id. False: stored as a
  // non-current row (e.g. the loser of a sync conflict).
  bool make_current = true;
};

// Writes applied atomically by Store::Commit.
struct WriteBatch {
  std::vector<EntityWrite> entities;
  // Upserted by id (a relationship with deleted=true is a tombstone).
  std::vector<Relationship> relationships;
  // Key/value settings written in the same transaction (e.g. sync watermark).
  std::vector<std::pair<std::string, std::string>> meta;
  // Settings removed in the same transaction (after the upserts above).
  std::vector<std::string> meta_erase;

  bool empty() const {
    return entities.empty() && relationships.empty() && meta.empty() && meta_erase.empty();
  }
};

// A current entity row as stored, before its JSON columns are decoded:
// content is the JSON object text and parent_versions the JSON array text.
// For a loader that keeps its own compact form (the graph index) and so
// need not build an Entity per row. Views are valid only during the
// callback that receives the row.
struct EntityRow {
  std::string_view id;
  std::string_view version;
  EntityType entity_type = EntityType::kNote;
  std::string_view name;
  std::string_view content;
  SourceType source_type = SourceType::kManual;
  std::string_view user_id;
  std::string_view parent_versions;
  std::string_view created_at;
  std::string_view updated_at;
};

// A relationship row as stored, before its properties (JSON object text)
// are decoded. Views are valid only during the callback that receives it.
struct RelationshipRow {
  std::string_view id;
  std::string_view from_entity_id;
  std::string_view from_entity_version;
  std::string_view to_entity_id;
  std::string_view to_entity_version;
  RelationshipType relationship_type = RelationshipType::kConnectsTo;
  std::string_view properties;
  std::string_view user_id;
  std::string_view created_at;
  std::string_view updated_at;
  bool deleted = false;
};

// Row views of decoded values, given their JSON members as text (the
// views point into the arguments, which must outlive them).
EntityRow RowOf(const Entity& e, std::string_view content, std::string_view parent_versions);
RelationshipRow RowOf(const Relationship& r, std::string_view properties);

// Decode a row's JSON columns; Internal, naming the row, if they are not
// the JSON the store writes.
StatusOr<Entity> DecodeEntityRow(const EntityRow& row);
Status DecodeRelationshipRow(const RelationshipRow& row, Relationship* out);

struct CommitInfo {
  int64_t last_seq = 0;      // highest seq assigned by this commit (0 if none)
  Micros changed_at = 0;     // server change time stamped on this commit's rows
};

struct SearchRequest {
  std::string query;                     // free text as a user types it
  std::vector<EntityType> entity_types;  // empty = all
  size_t limit = 10;
  size_t offset = 0;
};

struct SearchHit {
  std::string id;
  double score = 0;     // higher is better (negated BM25)
  std::string snippet;  // with the matched terms wrapped in [ and ]
};

struct SearchResult {
  std::vector<SearchHit> hits;
  size_t total = 0;  // number of matches before limit/offset
};

// A current entity or relationship as it stands after a change, for sync
// pulls, undecoded: exactly one of entity and relationship is set, and both
// point at views valid only during the callback.
struct ChangedRowView {
  int64_t seq = 0;
  Micros changed_at = 0;
  const EntityRow* entity = nullptr;
  const RelationshipRow* relationship = nullptr;
};

struct ChangesRequest {
  Micros since_exclusive = -1;  // rows with changed_at > this; -1 = everything
  int64_t after_seq = 0;        // resume strictly after this seq (cursor)
  size_t limit = 0;             // 0 = unlimited
};

class Store {
 public:
  virtual ~Store() = default;

  // Applies the batch in one transaction. On OK the data is durable to the
  // level of StoreOptions::durability. On error nothing was applied.
  // Fails with InvalidArgument (naming the id) for a relationship whose
  // endpoint id has no current entity row, and with AlreadyExists (naming
  // both) for an entity version whose (id, version) already exists.
  virtual StatusOr<CommitInfo> Commit(const WriteBatch& batch) = 0;

  // Calls on_entity for every current entity version (tombstones included)
  // and then on_relationship for every relationship (tombstones included).
  virtual Status ScanCurrent(const std::function<void(Entity&&)>& on_entity,
                             const std::function<void(Relationship&&)>& on_relationship) = 0;

  // ScanCurrent for a loader: entities come as undecoded rows, and the
  // relationship passed to on_relationship may be one object reused from
  // row to row (every field is set for each row). A callback's error stops
  // the scan and is returned. The default decodes through ScanCurrent.
  virtual Status ScanCurrentRows(const std::function<Status(const EntityRow&)>& on_entity,
                                 const std::function<Status(Relationship&&)>& on_relationship) {
    Status first;
    RETURN_IF_ERROR(ScanCurrent(
        [&](Entity&& e) {
          if (!first.ok()) return;
          const std::string content = e.content.dump();
          const std::string parents = Json(e.parent_versions).dump();
          first = on_entity(RowOf(e, content, parents));
        },
        [&](Relationship&& r) {
          if (first.ok()) first = on_relationship(std::move(r));
        }));
    return first;
  }

  // Every version of an entity, oldest first. NotFound if the id is unknown.
  virtual StatusOr<std::vector<Entity>> History(std::string_view id) = 0;

  // How many versions an entity has (NotFound if none). The default reads
  // History; backends override it with a cheaper count.
  virtual StatusOr<size_t> VersionCount(std::string_view id) {
    ASSIGN_OR_RETURN(std::vector<Entity> h, History(id));
    return h.size();
  }

  // One version, or nullopt.
  virtual StatusOr<std::optional<Entity>> GetVersion(std::string_view id,
                                                     std::string_view version) = 0;

  // Ranked full-text search over current, non-deleted entities.
  virtual StatusOr<SearchResult> Search(const SearchRequest& request) = 0;

  // Current entities and relationships changed after a point, in seq order,
  // undecoded, one read snapshot for the whole scan. A callback's error
  // stops the scan and is returned.
  virtual Status ScanChanges(const ChangesRequest& request,
                             const std::function<Status(const ChangedRowView&)>& on_row) = 0;

  // Settings.
  virtual StatusOr<std::optional<std::string>> GetMeta(std::string_view key) = 0;
  // Every setting whose key starts with prefix, as (key, value) in key order.
  virtual StatusOr<std::vector<std::pair<std::string, std::string>>> ListMeta(
      std::string_view prefix) = 0;

  // Writes a consistent copy of the database to path (online backup).
  virtual Status Backup(const std::string& path) = 0;

  // "PRAGMA integrity_check" or the backend's equivalent; OK when sound.
  virtual Status CheckIntegrity() = 0;
};

// Opens (and creates or migrates) the SQLite store at path; ":memory:" gives
// a private in-memory database (tests).
StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const StoreOptions& options,
                                                 const std::string& path);

}  // namespace funkygibbon::store

#endif  // FUNKYGIBBON_STORE_STORE_H_
