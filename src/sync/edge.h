// The edge side of Inbetweenies v2: a local graph that records its own
// writes as pending changes (in the same transaction as each write) and a
// SyncClient whose SyncNow() pushes them to a hub and pulls what is new.
//
//   SyncNow: snapshot pending -> one request (push + pull since the
//   watermark, cursor followed to the end) -> apply the pulled rows in one
//   transaction (a still-pending id blocks pull-apply for that id), clear
//   pending only for acked ids, advance the watermark (meta) to server_time
//   in that same transaction. Any failure leaves pending and the watermark
//   as they were; local writes keep working; retries back off.
//
// Thread-safety: SyncClient is thread-safe; SyncNow calls are serialized.
#ifndef FUNKYGIBBON_SYNC_EDGE_H_
#define FUNKYGIBBON_SYNC_EDGE_H_

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/status.h"
#include "graph/knowledge_graph.h"
#include "sync/hub.h"
#include "sync/protocol.h"

namespace funkygibbon::sync {

// Carries one sync request to a hub and brings back its answer.
class SyncTransport {
 public:
  virtual ~SyncTransport() = default;
  // Unavailable when the hub cannot be reached; InvalidArgument for a 400;
  // PermissionDenied for 401/403.
  virtual StatusOr<Json> Exchange(const Json& request) = 0;
  virtual std::string Describe() const = 0;  // e.g. the hub URL
};

struct HttpTransportOptions {
  std::string token;              // bearer token; empty = none
  int connect_timeout_ms = 2000;  // connection
  int read_timeout_ms = 30000;    // whole answer
};

// POSTs to <hub_url>/api/v1/sync/ with cpp-httplib. hub_url is
// "http://host:port" (an optional path prefix is kept).
// OK for a URL NewHttpTransport can use; InvalidArgument naming what is wrong.
funkygibbon::Status ValidateHubUrl(const std::string& hub_url);

std::unique_ptr<SyncTransport> NewHttpTransport(const std::string& hub_url,
                                                HttpTransportOptions options);

// Calls a SyncHub in the same process (tests, no sockets). SetOnline(false)
// makes Exchange fail with Unavailable, like a hub that cannot be reached.
class InProcessTransport : public SyncTransport {
 public:
  explicit InProcessTransport(SyncHub& hub) : hub_(hub) {}
  StatusOr<Json> Exchange(const Json& request) override;
  std::string Describe() const override { return "in-process hub"; }
  void SetOnline(bool online) { online_ = online; }

 private:
  SyncHub& hub_;
  std::atomic<bool> online_{true};
};

struct SyncClientOptions {
  std::string device_id;  // empty = a stored or new UUID (meta "sync.device_id")
  std::string user_id = "edge";  // user named in requests
  std::chrono::milliseconds max_backoff{60000};  // retry delay cap after failures
};

struct SyncResult {
  size_t pushed_entities = 0;        // acked entity ids
  size_t pushed_relationships = 0;   // acked relationship ids
  size_t pulled_entities = 0;        // rows applied locally
  size_t pulled_relationships = 0;
  size_t skipped_pending = 0;        // pulled rows held back by a pending local change
  size_t pages = 0;
  std::vector<ConflictInfo> conflicts;
  int64_t duration_ms = 0;
  std::string server_time;  // the new watermark
  std::string state_digest;  // the hub's, as of this sync
};

Json ToJson(const SyncResult& r);

using SyncProgress =
    std::function<void(double progress, std::optional<double> total, const std::string& message)>;

class SyncClient {
 public:
  // Installs the pending-change recorder on kg (edge mode). kg must outlive
  // the client. The first time a database becomes an edge (and it has never
  // synced) its current entities and relationships are queued as pending.
  SyncClient(graph::KnowledgeGraph& kg, std::unique_ptr<SyncTransport> transport,
             SyncClientOptions options = {});
  ~SyncClient();
  SyncClient(const SyncClient&) = delete;
  SyncClient& operator=(const SyncClient&) = delete;

  // One push/pull round. Unavailable (with the hub and the cause) when
  // offline; nothing is lost then. progress (optional) hears each phase and
  // page: (pages done + phase, total unknown, what is happening).
  StatusOr<SyncResult> SyncNow(const SyncProgress& progress = nullptr);

  // Watermark, pending counts, last result or error, hub, backoff.
  Json Status();

  // True when a background loop should try now (backoff after failures).
  bool DueForRetry() const;

  // Pending local changes (entity versions + relationships) not yet acked.
  size_t PendingCount();

 private:
  graph::KnowledgeGraph& kg_;
  std::unique_ptr<SyncTransport> transport_;
  SyncClientOptions options_;
  // Queues legacy and never-synced data as pending; needs the writer lock.
  funkygibbon::Status EnrolLocked();

  int64_t next_pending_seq_ = 1;  // guarded by the graph's writer lock
  std::mutex sync_mu_;  // serializes SyncNow
  mutable std::mutex state_mu_;
  std::optional<SyncResult> last_result_;  // guarded by state_mu_
  std::string last_error_;                 // guarded by state_mu_
  std::string last_attempt_;               // guarded by state_mu_
  int failures_ = 0;                       // guarded by state_mu_
  std::chrono::steady_clock::time_point next_retry_{};  // guarded by state_mu_
};

}  // namespace funkygibbon::sync

#endif  // FUNKYGIBBON_SYNC_EDGE_H_
