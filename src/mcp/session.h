// Per-connection MCP state: what initialize negotiated, the log level the
// client asked for, who is calling, where server-initiated messages go, and
// the requests in flight (for notifications/cancelled).
//
// One Session per stdio process or per Streamable-HTTP session. The HTTP
// transport reuses it as is: it keeps a map session-id -> Session, passes a
// per-request sink (RequestOptions::notify in dispatcher.h) so progress and
// log messages travel on the request's own SSE stream, and may override the
// caller per request (bearer token). For the stateless 2026-07-28 era it
// can use a throwaway Session per request; the dispatcher then reads
// nothing from it but the outbound sink and the in-flight table.
//
// Thread-safety: thread-safe; every method may be called concurrently (the
// stdio reader cancels while the worker runs a call; HTTP handlers run on a
// pool). No lock is held while the outbound sink runs.
#ifndef FUNKYGIBBON_MCP_SESSION_H_
#define FUNKYGIBBON_MCP_SESSION_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/types.h"
#include "mcp/tool_context.h"

namespace funkygibbon::mcp {

// Receives one serialized JSON-RPC message (one line of compact JSON,
// without the newline). Must be safe to call from several threads.
using Outbound = std::function<void(const std::string& message)>;

// Who is calling.
struct Caller {
  std::string user_id = "mcp";  // recorded as user_id on writes
  bool read_only = false;       // true (guest role): only readOnlyHint tools
};

class Session;

// The cancellation state of one request; shared between the session's
// in-flight table and the running call.
struct InFlightRequest {
  std::atomic<bool> cancelled{false};
};

// Registration of one request in its session's in-flight table; removes it
// again when destroyed (so a request dropped unexecuted does not linger).
// The session must outlive the handle. Movable, not copyable.
class InFlightHandle {
 public:
  InFlightHandle() = default;
  InFlightHandle(InFlightHandle&& other) noexcept;
  InFlightHandle& operator=(InFlightHandle&& other) noexcept;
  InFlightHandle(const InFlightHandle&) = delete;
  InFlightHandle& operator=(const InFlightHandle&) = delete;
  ~InFlightHandle();

  bool cancelled() const { return state_ && state_->cancelled.load(); }
  // Shared with ToolContext::cancelled.
  const std::shared_ptr<InFlightRequest>& state() const { return state_; }

 private:
  friend class Session;
  void Release();

  Session* session_ = nullptr;
  std::string key_;
  std::shared_ptr<InFlightRequest> state_;
};

class Session {
 public:
  explicit Session(Outbound outbound = nullptr, Caller caller = {});
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();

  // The sink for messages not tied to a request (and the default for those
  // that are). The stdio transport installs its writer here.
  void SetOutbound(Outbound outbound);
  // Sends `message` through the sink; dropped if there is none.
  void Send(const std::string& message) const;

  Caller caller() const;
  void SetCaller(Caller caller);

  // Set by initialize (legacy era). Empty / false / nullopt before.
  std::string protocol_version() const;
  bool initialized() const;   // initialize was answered
  bool client_ready() const;  // notifications/initialized arrived
  Json client_info() const;
  Json client_capabilities() const;
  // The level set by logging/setLevel; no log notifications while unset.
  std::optional<LogLevel> log_level() const;

  // Marks the in-flight request with this id cancelled; its response will
  // be suppressed and ToolContext::cancelled() turns true. Returns false
  // for an unknown or finished request (which is then ignored, as the spec
  // allows). Transports call this too (e.g. a 2026-era client closing a
  // response stream).
  bool Cancel(const Json& request_id);
  // Cancels everything in flight (transport shutting down).
  void CancelAll();
  size_t in_flight() const;

 private:
  friend class Dispatcher;
  friend class InFlightHandle;

  // Registers a request so Cancel can find it.
  InFlightHandle Track(const Json& request_id);
  void Untrack(const std::string& key,
               const std::shared_ptr<InFlightRequest>& request);
  void SetNegotiated(std::string version, Json client_info, Json capabilities);
  void SetClientReady();
  void SetLogLevel(LogLevel level);

  mutable std::mutex mu_;
  std::shared_ptr<const Outbound>
      outbound_;                       // guarded by mu_; copied out to call
  Caller caller_;                      // guarded by mu_
  std::string protocol_version_;       // guarded by mu_
  bool initialized_ = false;           // guarded by mu_
  bool client_ready_ = false;          // guarded by mu_
  Json client_info_;                   // guarded by mu_
  Json client_capabilities_;           // guarded by mu_
  std::optional<LogLevel> log_level_;  // guarded by mu_
  // Keyed by the id's compact JSON, so 1 and "1" stay distinct.
  std::map<std::string, std::shared_ptr<InFlightRequest>>
      in_flight_;  // guarded by mu_
};

}  // namespace funkygibbon::mcp

#endif  // FUNKYGIBBON_MCP_SESSION_H_
