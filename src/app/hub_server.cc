#include "app/hub_server.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <thread>

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include "app/http_server.h"
#include "app/worker_pool.h"
#include "mcp/json_text.h"

namespace funkygibbon::app {
namespace {

using Clock = std::chrono::steady_clock;

// When the request being served on this thread started (set before routing,
// read by the logger after the response is written).
thread_local Clock::time_point t_request_start;

// Set by the signal handler, read by the watcher thread: a lock-free atomic
// is both async-signal-safe and free of a data race (a volatile
// sig_atomic_t is only the former).
std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);
void OnStopSignal(int sig) { g_stop_signal.store(sig, std::memory_order_relaxed); }

// The route pattern of a path, for metrics (never raw ids): /mcp, /health,
// /metrics as they are; /api/v1/<a>/<b>/... keeps two segments after v1 and
// replaces the rest by "*".
std::string RouteOf(const std::string& path) {
  if (path == "/mcp" || path == "/health" || path == "/metrics") return path;
  constexpr std::string_view kApi = "/api/v1/";
  if (path.rfind(kApi, 0) != 0) return "other";
  std::string route(kApi);
  std::string_view rest = std::string_view(path).substr(kApi.size());
  for (int segment = 0; segment < 2 && !rest.empty(); ++segment) {
    size_t slash = rest.find('/');
    route += std::string(rest.substr(0, slash));
    if (slash == std::string_view::npos) {
      rest = {};
      break;
    }
    route += '/';
    rest.remove_prefix(slash + 1);
  }
  if (!rest.empty()) route += "*";
  return route;
}

// %* in a pattern: the message as the inside of a JSON string.
class JsonEscapedMessage : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string s = mcp::DumpJson(std::string(msg.payload.data(), msg.payload.size()));
    dest.append(s.data() + 1, s.data() + s.size() - 1);  // without the quotes
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonEscapedMessage>();
  }
};

void UseJsonLogLines() {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<JsonEscapedMessage>('*').set_pattern(
      R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","msg":"%*"})");
  spdlog::set_formatter(std::move(formatter));
}

}  // namespace

bool IsLoopbackAddress(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  in_addr addr{};
  const std::string h(host);
  return inet_pton(AF_INET, h.c_str(), &addr) == 1 && (ntohl(addr.s_addr) >> 24) == 127;
}

StatusOr<std::pair<std::string, int>> ParseListenAddress(std::string_view listen) {
  std::string host;
  std::string_view port_text;
  if (!listen.empty() && listen.front() == '[') {
    size_t close = listen.find(']');
    if (close == std::string_view::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      return Status::InvalidArgument("--listen '" + std::string(listen) +
                                     "': expected [v6-address]:port");
    }
    host = std::string(listen.substr(1, close - 1));
    port_text = listen.substr(close + 2);
  } else {
    size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Status::InvalidArgument("--listen '" + std::string(listen) +
                                     "': expected host:port, e.g. 127.0.0.1:8000");
    }
    host = std::string(listen.substr(0, colon));
    port_text = listen.substr(colon + 1);
  }
  int port = -1;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port < 0 || port > 65535) {
    return Status::InvalidArgument("--listen '" + std::string(listen) +
                                   "': the port must be a number from 0 to 65535");
  }
  return std::make_pair(host, port);
}

// cpp-httplib listens with a backlog of 5 (compiled into Debian's library):
// when a house's devices reconnect together, say after the hub restarts,
// connections beyond that wait in SYN_RECV, their first request is
// retransmitted seconds later, and the server may give up on them before it
// arrives. listen() again on the bound socket raises the backlog.
static void WidenListenBacklog(int port) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return;
  while (dirent* entry = readdir(dir)) {
    const int fd = std::atoi(entry->d_name);
    if (fd <= 2 || fd == dirfd(dir)) continue;
    int listening = 0;
    socklen_t len = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || listening == 0) continue;
    sockaddr_storage addr{};
    socklen_t alen = sizeof addr;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &alen) != 0) continue;
    int bound = -1;
    if (addr.ss_family == AF_INET) bound = ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    if (addr.ss_family == AF_INET6) bound = ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
    if (bound == port && ::listen(fd, SOMAXCONN) != 0) {
      spdlog::warn("cannot raise the listen backlog: {}", std::strerror(errno));
    }
  }
  closedir(dir);
}

int RunHubServer(Runtime& runtime, const HubServerOptions& options) {
  auto address = ParseListenAddress(options.listen);
  if (!address.ok()) {
    std::fprintf(stderr, "funkygibbon: %s\n", address.status().message().c_str());
    return 2;
  }
  const auto& [host, port] = *address;
  if (options.anonymous_guest && !IsLoopbackAddress(host)) {
    std::fprintf(stderr,
                 "funkygibbon: --anonymous guest is only allowed when listening on a loopback "
                 "address (127.0.0.1, ::1, localhost), not '%s'\n",
                 host.c_str());
    return 2;
  }
  if (options.threads < 1 || options.threads > 256) {
    std::fprintf(stderr, "funkygibbon: --threads must be between 1 and 256\n");
    return 2;
  }
  if (options.max_threads < options.threads || options.max_threads > 4096) {
    std::fprintf(stderr, "funkygibbon: --max-threads must be between --threads (%d) and 4096\n",
                 options.threads);
    return 2;
  }
  if (options.log_format == LogFormat::kJson) UseJsonLogLines();

  if (options.admin_password_hash.empty() && !options.dev) {
    std::fprintf(stderr,
                 "funkygibbon: no admin password hash configured; pass --admin-password-hash "
                 "(or FUNKYGIBBON_ADMIN_PASSWORD_HASH) with a hash from `funkygibbon "
                 "hash-password`, or --dev for a development hub\n");
    return 2;
  }
  if (options.dev) {
    std::fprintf(stderr,
                 "funkygibbon: ************************************************************\n"
                 "funkygibbon: DEVELOPMENT MODE: %s. Do not run a real home hub like this.\n"
                 "funkygibbon: ************************************************************\n",
                 options.admin_password_hash.empty() ? "the admin password is 'admin'"
                                                     : "development settings are on");
  }
  AuthOptions aopt;
  aopt.dev_mode = options.dev;
  aopt.admin_password_hash = options.admin_password_hash;
  aopt.audit_log_path = options.audit_log_path;
  auto auth = AuthService::Open(runtime.graph().store(), aopt);
  if (!auth.ok()) {
    std::fprintf(stderr, "funkygibbon: %s\n", auth.status().ToString().c_str());
    return auth.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  Metrics metrics;
  HubContext ctx{runtime.graph(), runtime.tools(), runtime.dispatcher(), **auth, metrics,
                 options.limits, options.anonymous_guest};

  // SIGINT/SIGTERM only set a flag (threads started before this point,
  // e.g. by the store, may receive them); a watcher thread stops the server.
  g_stop_signal.store(0);
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);

  HubHttpServer server;
  // Each keep-alive connection holds a worker while it is busy, so the pool
  // grows with the connections instead of making the N+1st device wait.
  const size_t threads = static_cast<size_t>(options.threads);
  const size_t max_threads = static_cast<size_t>(options.max_threads);
  server.new_task_queue = [threads, max_threads] {
    return new ElasticWorkerPool(threads, max_threads);
  };
  server.set_payload_max_length(options.limits.max_body_bytes);
  // A streamed answer goes out write by write; without TCP_NODELAY the
  // client's delayed ACK would hold each small write back ~40 ms.
  server.set_tcp_nodelay(true);
  server.set_read_timeout(options.read_timeout);
  server.set_write_timeout(options.write_timeout);
  server.set_keep_alive_timeout(options.keep_alive_timeout.count());
  server.set_keep_alive_max_count(1000);
  server.set_pre_routing_handler([](const httplib::Request& req, httplib::Response&) {
    t_request_start = Clock::now();
    // Answers go out uncompressed. httplib would compress every JSON answer
    // a client accepts brotli or gzip for, at brotli's highest quality: a
    // full sync pull (15 MB) took a minute of CPU that way, and even a small
    // tools/call answer pays more to compress than to send on a home
    // network. httplib has no switch for it, so the header is dropped here
    // (the Request is httplib's own non-const object, passed as const).
    if (req.has_header("Accept-Encoding")) {
      const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  const size_t max_body = options.limits.max_body_bytes;
  // Errors httplib answers itself (413, 404, 400 for a bad request line)
  // get a JSON body too.
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [max_body](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty() || res.is_chunked_content_provider_) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    std::string detail;
    if (res.status == 413) {
      detail = "request body larger than " + std::to_string(max_body) + " bytes";
    } else if (res.status == 404) {
      detail = "no route for " + req.method + " " + req.path;
    } else if (res.status == 414) {
      detail = "request URI longer than " + std::to_string(CPPHTTPLIB_REQUEST_URI_MAX_LENGTH) +
               " bytes";
    } else if (res.status == 400) {
      // httplib answers 400 itself only when it cannot read the request.
      detail = "malformed HTTP request (a header line over " +
               std::to_string(CPPHTTPLIB_HEADER_MAX_LENGTH) +
               " bytes, a bad chunked body or a bad request line)";
    } else {
      detail = "HTTP " + std::to_string(res.status);
    }
    res.set_content(mcp::DumpJson(Json{{"detail", detail}}), "application/json");
    return httplib::Server::HandlerResponse::Handled;
  }));
  server.set_exception_handler([](const httplib::Request& req, httplib::Response& res,
                                  std::exception_ptr ep) {
    std::string what = "unknown";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    spdlog::error("{} {} failed: {}", req.method, req.path, what);
    res.status = 500;
    res.set_content(R"({"detail":"internal error"})", "application/json");
  });
  server.set_logger([&metrics](const httplib::Request& req, const httplib::Response& res) {
    const double seconds = std::chrono::duration<double>(Clock::now() - t_request_start).count();
    const std::string route = RouteOf(req.path);
    metrics.ObserveRequest(route, res.status, seconds);
    // Never the Authorization header or the body. (--log-format json
    // turns every line into a JSON object through the formatter.)
    spdlog::info("{} {} {} -> {} in {:.3f} ms", req.remote_addr, req.method, req.path, res.status,
                 seconds * 1000);
  });

  McpRouteOptions mopt;
  mopt.allowed_hosts = options.allowed_hosts;
  std::shared_ptr<mcp::StreamableHttp> transport = RegisterMcpRoutesWithOptions(server, ctx, mopt);
  RegisterAuthRoutes(server, ctx);
  RegisterRestRoutes(server, ctx);
  RegisterSyncRoutes(server, ctx);

  int bound = port;
  if (port == 0) {
    bound = server.bind_to_any_port(host);
    if (bound < 0) bound = -1;
  } else if (!server.bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound < 0) {
    std::fprintf(stderr, "funkygibbon: cannot listen on %s: %s\n", options.listen.c_str(),
                 std::strerror(errno));
    return 1;
  }
  WidenListenBacklog(bound);
  // Log lines written so far come before the lines printed here.
  spdlog::default_logger()->flush();
  const std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  std::fprintf(stderr, "funkygibbon: listening on %s:%d (MCP at http://%s:%d/mcp)\n", shown.c_str(),
               bound, shown.c_str(), bound);
  if (options.anonymous_guest) {
    std::fprintf(stderr, "funkygibbon: requests without a token act as read-only guests\n");
  }
  std::fflush(stderr);

  std::atomic<bool> finished{false};
  std::atomic<int> stop_signal{0};
  std::thread watcher([&] {
    while (!finished.load()) {
      if (const int sig = g_stop_signal.load(std::memory_order_relaxed); sig != 0) {
        stop_signal = sig;
        spdlog::info("signal {}: stopping (in-flight requests finish first)", sig);
        server.stop();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  const bool served = server.listen_after_bind();
  finished = true;
  watcher.join();
  transport->CloseAll();
  if (stop_signal.load() != 0) {
    spdlog::default_logger()->flush();
    std::fprintf(stderr, "funkygibbon: stopped\n");
    return 0;
  }
  return served ? 0 : 1;
}

}  // namespace funkygibbon::app
