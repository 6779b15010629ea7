// SyncHub: the hub side of Inbetweenies v2 as a pure handler — request JSON
// in, response JSON out — over a KnowledgeGraph. Every rule of
// /work/shared/INBETWEENIES.md is kept here; the HTTP route only maps
// Status to a code (InvalidArgument -> 400).
//
// One request is one transaction: the push is validated and applied as one
// store commit (all or nothing) while holding the graph's writer lock, and
// the pull and server_time are read under the same lock.
//
// Conflict decisions are persisted as meta entries in the same commit and
// read back with Conflicts().
//
// Thread-safety: thread-safe; requests are serialized on the graph's writer lock.
#ifndef FUNKYGIBBON_SYNC_HUB_H_
#define FUNKYGIBBON_SYNC_HUB_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/status.h"
#include "graph/knowledge_graph.h"
#include "sync/protocol.h"

namespace funkygibbon::sync {

struct SyncHubOptions {
  size_t page_size = 500;  // rows per page for clients that send a cursor
};

// Lowercase hex SHA-256 over every current entity (tombstones included),
// sorted by id, of the bytes `id 0x1F version 0x1E`.
std::string StateDigest(const graph::KnowledgeGraph& kg);

// Where a pull's changes go: built as SyncChange values (Sync) or written
// as text (HandleSerialized). Defined in hub.cc.
class PullSink;

class SyncHub {
 public:
  explicit SyncHub(graph::KnowledgeGraph& kg, SyncHubOptions options = {});
  SyncHub(const SyncHub&) = delete;
  SyncHub& operator=(const SyncHub&) = delete;

  // POST /api/v1/sync/. InvalidArgument (-> 400) for a malformed request,
  // a bad change (naming "changes[i].field") or another protocol version;
  // nothing is applied then.
  funkygibbon::StatusOr<Json> Handle(const Json& request);

  // Handle with the answer serialized (SerializeResponse), for the HTTP
  // route. sync_stats.duration_ms then covers everything from `started`
  // (when the caller began on the request, e.g. before parsing its body)
  // until the answer's text is complete, save appending the stats
  // themselves. `stats` receives the counts (for metrics).
  funkygibbon::StatusOr<std::string> HandleSerialized(
      const Json& request, std::chrono::steady_clock::time_point started, SyncStats* stats);

  // The same on parsed values (the protocol version is checked).
  funkygibbon::StatusOr<SyncResponse> Sync(const SyncRequest& request);

  // The newest `limit` conflict decisions, newest first (GET /api/v1/sync/conflicts).
  funkygibbon::StatusOr<Json> Conflicts(size_t limit);

  // GET /api/v1/sync/status: protocol, counts, digest, server time, conflicts.
  Json Status();

 private:
  // Sync, with the pulled changes sent to `sink` (resp.changes then holds
  // only what an ObjectSink put there).
  funkygibbon::StatusOr<SyncResponse> Run(const SyncRequest& request, PullSink& sink);

  // StateDigest(kg_), recomputed only when something was committed since
  // the last time: hashing every entity costs far more than a quiet sync.
  // The caller holds the graph's writer lock.
  std::string DigestLocked();

  graph::KnowledgeGraph& kg_;
  SyncHubOptions options_;
  std::shared_ptr<std::atomic<uint64_t>> commits_;  // bumped by a change listener
  std::optional<std::string> digest_;               // guarded by the writer lock
  uint64_t digest_commits_ = 0;                     // guarded by the writer lock
  std::atomic<int64_t> conflict_count_{0};  // persisted as meta "sync.conflicts.count"
  std::atomic<int64_t> requests_{0};
};

}  // namespace funkygibbon::sync

#endif  // FUNKYGIBBON_SYNC_HUB_H_
