// KnowledgeGraph: the store plus the in-memory index, kept in step.
// Writes go to the store in one transaction and, once durable, into the
// index (write-through). Reads of the current graph never touch the store.
//
// Thread-safety: thread-safe. Many readers run concurrently; writers are
// serialized and block readers only while the index is updated in memory.
//
// Loading: Open reads the current graph from the store into the index,
// either before it returns or (OpenOptions::load_in_background) on a
// thread of its own. A background load holds the index exclusively and the
// writer lock from before Open returns until it is done, so every read
// (Read) and every write waits for it and none sees a partial graph; the
// store itself (Search, History, store()) is usable at once.
#ifndef FUNKYGIBBON_GRAPH_KNOWLEDGE_GRAPH_H_
#define FUNKYGIBBON_GRAPH_KNOWLEDGE_GRAPH_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "core/version.h"
#include "graph/graph_index.h"
#include "graph/rw_lock.h"
#include "store/store.h"

namespace funkygibbon::graph {

struct NewEntity {
  EntityType entity_type = EntityType::kNote;
  std::string name;
  Json content = Json::object();
  SourceType source_type = SourceType::kManual;
  std::string id;  // empty = a new UUIDv4
};

struct EntityEdit {
  std::optional<std::string> name;
  std::optional<Json> content;    // shallow-merged into the current content; a null value removes a key
  bool replace_content = false;   // true: content replaces instead of merging
};

struct NewRelationship {
  std::string from_entity_id;
  std::string to_entity_id;
  RelationshipType relationship_type = RelationshipType::kConnectsTo;
  Json properties = Json::object();
};

struct DeleteResult {
  Entity tombstone;
  std::vector<Relationship> removed_relationships;  // edges tombstoned with it
};

// Observes committed changes (e.g. the edge's pending-change recorder, metrics).
// Called after the commit, outside every lock, in commit order.
struct ChangeEvent {
  std::vector<Entity> entities;
  std::vector<Relationship> relationships;
};
using ChangeListener = std::function<void(const ChangeEvent&)>;

// Where a committed batch comes from: a local write (tools, import) or a
// sync pull applied from a hub.
enum class CommitOrigin { kLocal, kRemote };

// Edge mode: runs under the writer lock on every local batch just before it
// is committed and may add to it (the edge's pending-change record), so the
// addition lands in the same transaction as the write. An error aborts the write.
using CommitHook = std::function<Status(store::WriteBatch&)>;

struct OpenOptions {
  // Load on a background thread: Open returns at once (see Loading above).
  bool load_in_background = false;
  // Called on the loading thread if a background load fails, before any
  // waiting call goes on (a server that cannot load its graph should stop
  // here). If it returns, the graph stays empty and every write fails with
  // the load's error.
  std::function<void(const Status&)> on_load_error;
};

class KnowledgeGraph {
 public:
  // Loads the current graph from the store (see Loading above). With a
  // foreground load, a store that cannot be read is an error here.
  static StatusOr<std::unique_ptr<KnowledgeGraph>> Open(std::unique_ptr<store::Store> store,
                                                        OpenOptions options = {});

  KnowledgeGraph(const KnowledgeGraph&) = delete;
  KnowledgeGraph& operator=(const KnowledgeGraph&) = delete;
  // Stops a background load that is still running.
  ~KnowledgeGraph();

  // Waits until the initial load is done and returns how it went.
  Status WaitUntilLoaded() const;
  // True once the initial load is done (successfully or not).
  bool loaded() const;

  // ---- writes (each one transaction, durable before return) ----
  StatusOr<Entity> CreateEntity(const NewEntity& e, const std::string& user_id);
  StatusOr<Entity> UpdateEntity(const std::string& id, const EntityEdit& edit,
                                const std::string& user_id);
  // Tombstones the entity and every live edge touching it.
  StatusOr<DeleteResult> DeleteEntity(const std::string& id, const std::string& user_id);
  // Checks both endpoints exist (and are not deleted) and the pair is allowed.
  StatusOr<Relationship> CreateRelationship(const NewRelationship& r, const std::string& user_id);
  StatusOr<Relationship> DeleteRelationship(const std::string& id, const std::string& user_id);

  // Writes a prepared batch (import, sync) and applies it to the index.
  // Entities with make_current=false only go to the store.
  StatusOr<store::CommitInfo> CommitBatch(const store::WriteBatch& batch);

  // Runs fn with the current-version generator's help: a version for user
  // that outranks `floor`.
  std::string NextVersion(const std::string& user_id, std::string_view floor = {});

  // ---- reads ----
  // Runs fn(const GraphIndex&) under a shared lock and returns its result.
  // fn must not call back into KnowledgeGraph writes.
  template <typename F>
  auto Read(F&& fn) const -> decltype(fn(std::declval<const GraphIndex&>())) {
    std::shared_lock lock(index_mu_);
    return fn(index_);
  }

  // Versions come from the store (history is not held in memory).
  StatusOr<std::vector<Entity>> History(const std::string& id) const;
  StatusOr<store::SearchResult> Search(const store::SearchRequest& request) const;

  store::Store& store() { return *store_; }

  // Registers a listener for committed changes.
  void AddChangeListener(ChangeListener listener);

  // Serializes writers: held by every write method; callers that need a
  // read-validate-commit sequence of their own (sync) take it too.
  std::unique_lock<std::mutex> LockWriter() { return std::unique_lock(writer_mu_); }
  // The same commit as CommitBatch for a caller already holding LockWriter().
  // The commit hook runs for kLocal batches only.
  StatusOr<store::CommitInfo> CommitBatchLocked(const store::WriteBatch& batch,
                                                CommitOrigin origin = CommitOrigin::kLocal);

  // Installs the edge-mode commit hook (see CommitHook); empty removes it.
  void SetCommitHook(CommitHook hook);
  // The same for a caller already holding LockWriter() (so nothing is
  // committed between its own work and the hook taking effect).
  void SetCommitHookLocked(CommitHook hook);

 private:
  explicit KnowledgeGraph(std::unique_ptr<store::Store> store);
  // Fills the (empty) index from the store; on error it is left empty.
  // The caller holds index_mu_ exclusively, or is the only user.
  Status LoadIndex();
  // The background load; holds writer_mu_ and index_mu_ throughout.
  void BackgroundLoad(std::function<void(const Status&)> on_error);
  void ApplyToIndex(const store::WriteBatch& batch);
  void Notify(const store::WriteBatch& batch);

  std::unique_ptr<store::Store> store_;
  mutable RwLock index_mu_;  // writer-preferring
  GraphIndex index_;  // guarded by index_mu_
  std::mutex writer_mu_;
  CommitHook commit_hook_;  // guarded by writer_mu_
  VersionGenerator versions_;
  std::mutex listeners_mu_;
  std::vector<ChangeListener> listeners_;

  mutable std::mutex load_mu_;
  mutable std::condition_variable load_cv_;
  bool load_locked_ = false;  // the loader holds its locks; guarded by load_mu_
  bool loaded_ = false;       // guarded by load_mu_
  Status load_status_;        // written under writer_mu_ and load_mu_ by the loader
  std::atomic<bool> stop_loading_{false};
  std::thread loader_;
};

}  // namespace funkygibbon::graph

#endif  // FUNKYGIBBON_GRAPH_KNOWLEDGE_GRAPH_H_
