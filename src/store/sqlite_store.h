// The SQLite implementation of Store (store.h). Schema: migrations.cc.
//
// Connections: one writer connection, used by Commit under a mutex, and a
// pool of StoreOptions::read_connections read-only connections (WAL mode) for
// the read methods, which therefore run beside a commit and see the state as
// of the last commit before they started. ScanCurrent and ScanChanges read both
// tables in one read transaction, so they see one consistent snapshot.
//
// Checkpoints: SQLite's default (the committing thread checkpoints once the
// WAL reaches 1000 pages) puts two fsyncs and a page copy inside every
// ~100th small commit. Instead, once the WAL holds kCheckpointPages pages a
// background thread with its own connection runs one PASSIVE checkpoint
// beside the commits, copying the bulk of the WAL. The commits made while it
// ran are not in the database yet, so the WAL cannot restart; the first
// commit after it finished copies just those (a short PASSIVE checkpoint on
// the committing thread) and the next commit restarts the WAL from its
// beginning. One background pass per cycle, not one per commit: under
// sustained writes a pass is always running, and re-requesting one after
// every commit copied the hot pages and fsynced over and over. If a reader
// (or the commit in flight, holding an older snapshot) keeps the background
// pass from copying everything, the next commit asks for another pass
// instead. Only when the WAL reaches kMaxWalPages does the committing thread
// checkpoint everything itself, which bounds the WAL.
//
// WAL writes: the writer connection uses the batched-WAL VFS (wal_vfs.h),
// so each commit's frames reach the file in one write.
//
// ":memory:" (and read_connections <= 0): there is no pool; the read methods
// run on the writer connection under the writer mutex, so they wait for a
// running commit and vice versa. (A shared-cache in-memory URI was rejected:
// shared cache uses table locks that fail a read with SQLITE_LOCKED during a
// write instead of waiting.)
//
// Clock: every commit stamps its rows with changed_at = max(now, last + 1)
// microseconds and with fresh seq numbers; both counters are kept in the
// `clock` table, written in the same transaction, so they stay monotonic
// across restarts and backward clock steps.
//
// Search: free text is split into words (runs of ASCII letters and digits
// and any non-ASCII characters, at most kMaxSearchWords distinct words), each
// becomes a quoted prefix term ("word"*), and the terms are ANDed; if that
// matches nothing, they are ORed. User text never reaches FTS5 unquoted.
// A page ending within the first 100 matches first reads the matches
// unsorted, and when they all fit it ranks them itself (no count query, and
// no sorter, which FTS5 prepares afresh for every ORDER BY rank); for a
// one-word or OR query without a type filter it also finishes bm25 itself,
// bit for bit as FTS5 does, from the matches it read (FTS5's bm25 would
// query each phrase a second time for its document frequency). Otherwise
// ranking sorts every match, so a word found in nearly every entity costs
// about 0.1 s at 100k entities; snippets are made only for the matches read.
//
// Search index upkeep: FTS5 adds a segment (b-tree) to the index for every
// commit that writes search rows and merges them by levels as it goes, so an
// index written one entity at a time holds 10-30 segments, and every search
// looks its words up in each. Merged into one, a one-word search message
// costs about half the instructions (callgrind, bench/tool_bench, 1k
// entities written one per commit: 246,000 against 133,000). A background
// thread (file databases) merges the whole index into one segment once
// commits have written search rows for at least 1/16 of the indexed rows
// (and kMinSearchMergeRows) since the last merge, or when the index was
// found in pieces at open, and only after kSearchMergeIdle without such a
// commit: a burst of entity writes never shares the writer with a merge. A
// merge runs in small steps (kSearchMergePages pages each, one transaction
// under the writer mutex), so a commit waits at most one step, and it
// pauses whenever entity writes resume. Measured on a 100k-entity index
// (9 MB in 10 segments): 59 steps, 0.3 s in all; most steps 2-3 ms, the
// few that finish a segment 10-50 ms. A merge never changes what a search
// answers.
//
// CheckIntegrity takes seconds at 100k entities; its FTS5 part runs on the
// writer connection, so commits wait for that part (about 0.3 s).
//
// Thread-safety: thread-safe; all methods may be called concurrently.
// Callbacks given to ScanCurrent run while a read connection (for
// ":memory:", the writer mutex) is held and must not call into the store.
#ifndef FUNKYGIBBON_STORE_SQLITE_STORE_H_
#define FUNKYGIBBON_STORE_SQLITE_STORE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/string_hash.h"
#include "store/db.h"
#include "store/store.h"

namespace funkygibbon::store {

// WAL sizes (pages) at which the background thread, and at which the
// committing thread, checkpoint. A page changed by many commits between two
// checkpoints is copied once: at 4000 rather than 1000 pages, single-entity
// creates over stdio cost ~12% less server CPU (10k entities; 16 MB of WAL).
inline constexpr int kCheckpointPages = 4000;
inline constexpr int kMaxWalPages = 10000;

// Search index merging (see above).
inline constexpr uint64_t kMinSearchMergeRows = 64;
inline constexpr int kSearchMergeIdleMs = 100;
inline constexpr int kSearchMergePages = 16;

// Words beyond this many are ignored by Search (bounds the FTS5 query cost).
inline constexpr size_t kMaxSearchWords = 32;

// The FTS5 MATCH expression Search uses for `text` (see above); `any` joins
// the terms with OR instead of AND. InvalidArgument ("query: ...") when the
// text has no words. Exposed for tests.
StatusOr<std::string> BuildSearchQuery(std::string_view text, bool any);

// How the WAL was checkpointed since the store opened (file databases).
struct CheckpointCounts {
  uint64_t background = 0;  // passes of the background thread
  uint64_t finishing = 0;   // short passes by a commit after a background pass
  uint64_t forced = 0;      // passes by a commit at kMaxWalPages
};

class SqliteStore final : public Store {
 public:
  static StatusOr<std::unique_ptr<SqliteStore>> Open(const StoreOptions& options,
                                                     const std::string& path);

  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;
  ~SqliteStore() override;

  StatusOr<CommitInfo> Commit(const WriteBatch& batch) override;
  Status ScanCurrent(const std::function<void(Entity&&)>& on_entity,
                     const std::function<void(Relationship&&)>& on_relationship) override;
  Status ScanCurrentRows(const std::function<Status(const EntityRow&)>& on_entity,
                         const std::function<Status(Relationship&&)>& on_relationship) override;
  StatusOr<std::vector<Entity>> History(std::string_view id) override;
  StatusOr<size_t> VersionCount(std::string_view id) override;
  StatusOr<std::optional<Entity>> GetVersion(std::string_view id,
                                             std::string_view version) override;
  StatusOr<SearchResult> Search(const SearchRequest& request) override;
  Status ScanChanges(const ChangesRequest& request,
                     const std::function<Status(const ChangedRowView&)>& on_row) override;
  StatusOr<std::optional<std::string>> GetMeta(std::string_view key) override;
  StatusOr<std::vector<std::pair<std::string, std::string>>> ListMeta(
      std::string_view prefix) override;
  Status Backup(const std::string& path) override;
  Status CheckIntegrity() override;

  CheckpointCounts checkpoint_counts() const;

  // The whole database as one SQLite image (sqlite3_serialize), for
  // StoreOptions::memory_image. Taken under the writer lock, so no commit is
  // half in it.
  StatusOr<std::string> SerializeImage();

  // Merges the whole search index into one segment now, in steps of
  // kSearchMergePages pages (the background thread does this when idle).
  // Returns the number of indexed rows.
  StatusOr<int64_t> MergeSearchIndex();
  // How many segments the search index has (1 when fully merged; 0 when
  // empty). Reads the writer connection.
  StatusOr<int64_t> SearchSegments();
  // Merges the background thread finished since the store opened.
  uint64_t search_merges() const { return search_merges_.load(std::memory_order_relaxed); }
  // How many VersionCount answers had to read the database (the rest came
  // from the cached counts).
  uint64_t version_count_reads() const {
    return version_count_reads_.load(std::memory_order_relaxed);
  }

 private:
  class Reader;
  struct EncodedEntity;

  SqliteStore() = default;
  static int OnWalCommit(void* self, sqlite3* db, const char* name, int pages);
  void CheckpointLoop();
  void MergeLoop();
  // One merge step; true while there is more to merge.
  StatusOr<bool> MergeStep();
  // Called after a commit that wrote `rows` search rows.
  void NoteSearchWrites(uint64_t rows);

  // Adds to *new_ids the ids this batch stores for the first time.
  Status ApplyLocked(const WriteBatch& batch, const std::vector<EncodedEntity>& encoded,
                     Micros changed_at, int64_t* seq,
                     std::unordered_set<std::string_view>* new_ids);

  // Guards writer_ and the two counters.
  std::mutex write_mu_;
  std::unique_ptr<Db> writer_;
  int64_t last_seq_ = 0;
  Micros last_changed_at_ = 0;

  // The read pool; empty for ":memory:".
  std::vector<std::unique_ptr<Db>> readers_;
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<Db*> free_readers_;  // guarded by pool_mu_

  // Background WAL checkpoints (file databases only).
  std::unique_ptr<Db> checkpoint_db_;  // used only by checkpointer_
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  // kIdle -> kWanted (a commit saw kCheckpointPages) -> kRunning (the
  // background pass) -> kCopied (it copied every frame there was when it
  // began) -> kIdle (the next commit copied the rest). A pass that could not
  // copy everything goes back to kIdle.
  enum class CheckpointState { kIdle, kWanted, kRunning, kCopied };
  CheckpointState checkpoint_state_ = CheckpointState::kIdle;  // guarded by checkpoint_mu_
  bool stopping_ = false;                                      // guarded by checkpoint_mu_
  std::atomic<uint64_t> background_passes_{0};
  std::atomic<uint64_t> finishing_passes_{0};
  std::atomic<uint64_t> forced_passes_{0};
  std::thread checkpointer_;

  // Background merging of the search index (file databases only).
  std::mutex merge_mu_;
  std::condition_variable merge_cv_;
  bool merge_stopping_ = false;          // guarded by merge_mu_
  uint64_t search_rows_written_ = 0;     // since the last merge; guarded by merge_mu_
  uint64_t merge_threshold_ = kMinSearchMergeRows;  // guarded by merge_mu_
  std::chrono::steady_clock::time_point last_search_write_;  // guarded by merge_mu_
  std::atomic<bool> merge_stop_{false};  // merge_stopping_, read between steps
  std::atomic<uint64_t> search_merges_{0};
  std::thread merger_;

  // VersionCount's answers, so that get_entity_details (which reports the
  // count) does not open a read transaction on every call. An id enters on
  // its first count, or when a commit stores it for the first time; every
  // commit adds its new versions to the ids present.
  // counts_generation_ is odd while a commit is under way and changes at its
  // start and end, so a count read while one was under way, or that one may
  // have overtaken, is not cached (it could already include versions the
  // commit is about to add), and no cached count is answered meanwhile (it
  // may lack versions a read already sees). At kMaxCachedCounts ids the
  // cache starts over.
  // Like the graph index, it assumes no other process writes the database
  // while this one serves it. Lock order: write_mu_, then counts_mu_.
  static constexpr size_t kMaxCachedCounts = 1 << 16;
  std::mutex counts_mu_;
  std::unordered_map<std::string, size_t, TransparentStringHash, std::equal_to<>>
      version_counts_;              // guarded by counts_mu_
  uint64_t counts_generation_ = 0;  // guarded by counts_mu_
  std::atomic<uint64_t> version_count_reads_{0};
};

}  // namespace funkygibbon::store

#endif  // FUNKYGIBBON_STORE_SQLITE_STORE_H_
