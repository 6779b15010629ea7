// The MCP Streamable HTTP transport (one endpoint, e.g. /mcp), independent of
// any HTTP library: the app's routes turn an httplib request into an
// HttpRequest, call StreamableHttp::Handle, and write the HttpResponse back
// (streaming it through HttpResponse::stream when it is an SSE response).
//
// Both protocol eras on one endpoint:
//   legacy (2025-11-25, 2025-06-18, 2025-03-26): a POST of `initialize`
//     creates a session and answers with an `Mcp-Session-Id`; every later
//     request carries it (400 when missing, 404 once unknown or ended);
//     DELETE ends it. `MCP-Protocol-Version` absent means 2025-03-26; an
//     unsupported value is 400.
//   2026-07-28 (stateless): a request whose params._meta names
//     "io.modelcontextprotocol/protocolVersion" is served on its own, with no
//     session; `MCP-Protocol-Version`, `Mcp-Method` and (for tools/call,
//     resources/read, prompts/get) `Mcp-Name` must mirror the body, else 400
//     with -32020 HeaderMismatch. Unknown or removed methods are 404 -32601.
//
// Every request first passes DNS-rebinding protection: the Host must be a
// loopback name (or configured), and an Origin, when present, a loopback
// origin (or configured); otherwise 403.
//
// A POSTed request is answered with application/json, or with
// text/event-stream when it may produce notifications before its response
// (it carries a progressToken, or it is a tools/call that may log): then the
// stream carries a priming event (id, empty data), the request's progress
// and log notifications, the response, and ends.
//
// Thread-safety: thread-safe; Handle may run concurrently on any number of
// threads. No lock is held while the dispatcher runs or a stream is written.
#ifndef FUNKYGIBBON_MCP_STREAMABLE_HTTP_H_
#define FUNKYGIBBON_MCP_STREAMABLE_HTTP_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcp/dispatcher.h"
#include "mcp/session.h"

namespace funkygibbon::mcp {

// 2026-07-28: an HTTP header does not mirror the body (or is missing).
inline constexpr int kHeaderMismatch = -32020;
// Legacy Streamable HTTP: the Mcp-Session-Id is unknown or ended (the code
// the official TypeScript SDK answers with its 404).
inline constexpr int kSessionNotFound = -32001;

struct CaseInsensitiveLess {
  bool operator()(std::string_view a, std::string_view b) const;
  using is_transparent = void;
};
using HttpHeaders = std::map<std::string, std::string, CaseInsensitiveLess>;

struct HttpRequest {
  std::string method;       // "POST", "GET", "DELETE", ...
  std::string path;         // for logs only; the app routes the endpoint
  HttpHeaders headers;      // names compare case-insensitively
  std::string body;
  std::string remote_addr;  // for logs only
  Caller caller;            // who is calling (from the bearer token)
};

// Writes one chunk of an SSE stream; returns false once the client is gone.
using SseWrite = std::function<bool(std::string_view chunk)>;

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;  // includes Content-Type when there is a body
  std::string body;
  // Set for an SSE response (status and headers already final, body empty):
  // the HTTP layer calls it once, on the request's thread, with a writer;
  // it runs the request, writes every event and returns when the stream is
  // complete.
  std::function<void(const SseWrite& write)> stream;
  // Filled for observers (metrics, logs): the JSON-RPC method, and for
  // tools/call the tool and its outcome ("ok", "tool_error",
  // "protocol_error"); empty when the request did not get that far. For an
  // SSE response the outcome is known only after `stream` returned.
  std::string rpc_method;
  std::string tool;
  std::shared_ptr<std::string> tool_outcome = std::make_shared<std::string>();
};

struct StreamableHttpOptions {
  // Host names (without port) accepted besides localhost, 127.0.0.1, [::1].
  std::vector<std::string> allowed_hosts;
  // Origins (scheme://host[:port]) accepted besides loopback origins; an
  // Origin whose host is in allowed_hosts is accepted too.
  std::vector<std::string> allowed_origins;
  size_t max_sessions = 1000;  // live legacy sessions; the least recently used goes first
  std::chrono::seconds session_idle_timeout{3600};  // idle sessions end after this
  size_t max_body_bytes = 4u << 20;                  // larger bodies: 413
  int max_json_depth = kMaxJsonDepth;                // deeper bodies: 400
  // The clock for session expiry (tests replace it).
  std::function<std::chrono::steady_clock::time_point()> now = [] {
    return std::chrono::steady_clock::now();
  };
};

class StreamableHttp {
 public:
  // `dispatcher` must outlive this object.
  StreamableHttp(const Dispatcher& dispatcher, StreamableHttpOptions options);
  StreamableHttp(const StreamableHttp&) = delete;
  StreamableHttp& operator=(const StreamableHttp&) = delete;
  ~StreamableHttp();

  HttpResponse Handle(const HttpRequest& request);

  // Live legacy sessions.
  size_t session_count() const;
  // Ends every session and cancels what is in flight (server shutdown).
  void CloseAll();

 private:
  struct Entry {
    std::shared_ptr<Session> session;
    std::chrono::steady_clock::time_point last_used;
  };

  HttpResponse HandlePost(const HttpRequest& request);
  HttpResponse HandleDelete(const HttpRequest& request);
  HttpResponse PostLegacy(const HttpRequest& request, Json& message);
  HttpResponse PostModern(const HttpRequest& request, Json& message);
  // Runs one request on `session`, as JSON or as an SSE stream. Takes the
  // parsed message over (the dispatcher need not parse the body again).
  HttpResponse Run(const HttpRequest& request, Json& message,
                   std::shared_ptr<Session> session, bool modern);

  bool HostAllowed(const HttpRequest& request, std::string* why) const;
  std::string NewSessionId() const;
  void Expire(std::chrono::steady_clock::time_point now);  // mu_ held
  // Dispatches `message` (parsed from request.body) on `session`.
  std::optional<std::string> Dispatch(const HttpRequest& request, Json message,
                                      Session& session, const RequestOptions& options) const;

  const Dispatcher& dispatcher_;
  const StreamableHttpOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> sessions_;  // guarded by mu_
  std::chrono::steady_clock::time_point last_sweep_{};  // guarded by mu_
  std::atomic<unsigned long long> next_event_{1};
};

// Decodes an Mcp-Name style header value: `=?base64?<b64>?=` -> its bytes;
// anything else is returned as is. nullopt for bad base64.
std::optional<std::string> DecodeHeaderValue(std::string_view value);

}  // namespace funkygibbon::mcp

#endif  // FUNKYGIBBON_MCP_STREAMABLE_HTTP_H_
