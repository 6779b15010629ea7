// `funkygibbon serve`: the HTTP hub. One HubHttpServer (http_server.h) on a thread pool
// serves /mcp (Streamable HTTP, both protocol eras), /health, /metrics, and
// the auth, REST and sync routes; it stops gracefully on SIGINT/SIGTERM
// (stops accepting, lets in-flight requests finish, returns 0).
//
// Thread-safety: RunHubServer blocks its caller; the routes it serves run
// on the pool and share only thread-safe objects.
#ifndef FUNKYGIBBON_APP_HUB_SERVER_H_
#define FUNKYGIBBON_APP_HUB_SERVER_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <httplib.h>

#include "app/auth.h"
#include "app/hub_context.h"
#include "app/runtime.h"
#include "core/status.h"
#include "mcp/streamable_http.h"

namespace funkygibbon::app {

enum class LogFormat { kText, kJson };

struct HubServerOptions {
  std::string listen = "127.0.0.1:8000";  // host:port ([v6]:port); port 0 picks a free one
  bool anonymous_guest = false;           // requests without a token act as guests (loopback only)
  std::vector<std::string> allowed_hosts;  // Host/Origin names accepted besides loopback ones
  int threads = 8;                         // connection workers always running
  int max_threads = 512;                   // workers added while every one is busy, up to this
  bool dev = false;                        // dev mode for auth (see AuthOptions::dev_mode)
  std::string admin_password_hash;         // Argon2id PHC string; empty = none
  std::string audit_log_path;              // auth audit log (JSON lines); empty = none
  LogFormat log_format = LogFormat::kText;  // request log lines on stderr
  HubLimits limits;                         // body size, JSON depth, sync batch
  std::chrono::seconds read_timeout{30};    // per read of a request
  std::chrono::seconds write_timeout{30};   // per write of a response
  std::chrono::seconds keep_alive_timeout{2};  // idle keep-alive connections close after this
};

// Splits "host:port" or "[v6]:port". InvalidArgument naming what is wrong.
StatusOr<std::pair<std::string, int>> ParseListenAddress(std::string_view listen);

// True for 127.0.0.0/8, ::1 and localhost.
bool IsLoopbackAddress(std::string_view host);

// Options of the /mcp endpoint beyond HubContext.
struct McpRouteOptions {
  std::vector<std::string> allowed_hosts;
};

// Registers /mcp, /health and /metrics; returns the transport so the server
// can end its sessions at shutdown. RegisterMcpRoutes(server, ctx) (from
// hub_context.h) is this with default options.
std::shared_ptr<mcp::StreamableHttp> RegisterMcpRoutesWithOptions(httplib::Server& server,
                                                                  HubContext& ctx,
                                                                  const McpRouteOptions& options);

// Serves until SIGINT or SIGTERM; returns the process exit code (0 after a
// graceful stop, 2 for bad options, 1 when the address cannot be bound).
int RunHubServer(Runtime& runtime, const HubServerOptions& options);

}  // namespace funkygibbon::app

#endif  // FUNKYGIBBON_APP_HUB_SERVER_H_
