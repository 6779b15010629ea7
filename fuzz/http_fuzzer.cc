// Fuzzes the hub's HTTP request path without sockets: the input is raw
// HTTP/1.1 bytes (up to eight pipelined requests on one keep-alive
// connection) fed through cpp-httplib's request parser and router to every
// route the hub serves (/mcp, /health, /metrics, /api/v1/auth/*,
// /api/v1/graph/*, /api/v1/mcp/tools*, /api/v1/sync/*), over a ":memory:"
// graph seeded with a small home (the same state for every input, see World).
//
// Bearer tokens cannot be guessed, so the placeholders @ADMIN@, @MEMBER@ and
// @GUEST@ in the input are replaced by real tokens of those roles, and
// @SESSION@ by the Mcp-Session-Id of the last legacy MCP session the hub
// opened on this connection. An input starting with "#anon\n" runs the hub
// as `serve --anonymous guest`.
//
// Invariants: no handler throws; no response is a 5xx; a JSON response body
// is valid JSON; without a member or admin token the graph is unchanged
// (guests and anonymous callers never write); the index matches the store.
#include <sys/types.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>

#include <httplib.h>

#include "app/auth.h"
#include "app/hub_context.h"
#include "app/hub_server.h"
#include "app/metrics.h"
#include "fuzz_util.h"
#include "mcp/json_text.h"
#include "mcp/streamable_http.h"
#include "sync/hub.h"

namespace funkygibbon::fuzz {
namespace {

constexpr int kMaxRequests = 8;

void ReplaceAll(std::string& s, std::string_view from, const std::string& to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

// One client connection held in memory: reads come from the input, writes
// are collected.
class MemoryStream : public httplib::Stream {
 public:
  explicit MemoryStream(std::string in) : in_(std::move(in)) {}

  bool is_readable() const override { return pos_ < in_.size(); }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    const size_t n = std::min(size, in_.size() - pos_);
    std::memcpy(ptr, in_.data() + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    out_.append(ptr, size);
    return static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 50000;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 8000;
  }
  socket_t socket() const override { return INVALID_SOCKET; }

  bool exhausted() const { return pos_ >= in_.size(); }
  // Replaces `from` in what has not been read yet.
  void ReplaceUnread(std::string_view from, const std::string& to) {
    std::string rest = in_.substr(pos_);
    ReplaceAll(rest, from, to);
    in_.replace(pos_, std::string::npos, rest);
  }
  const std::string& written() const { return out_; }

 private:
  std::string in_;
  size_t pos_ = 0;
  std::string out_;
};

// process_request is how httplib serves one request read from a Stream;
// it is protected, so a subclass lends it out.
class InMemoryServer : public httplib::Server {
 public:
  using httplib::Server::process_request;
};

app::AuthOptions AuthOptions() {
  app::AuthOptions options;
  options.dev_mode = true;  // admin password "admin": no Argon2 hashing per input
  return options;
}

struct Tokens {
  std::string admin, member, guest;
};

// Issued once, on the graph every input's graph is a copy of (they are
// stored, like the signing key).
Tokens IssueTokens(graph::KnowledgeGraph& kg) {
  auto auth = app::AuthService::Open(kg.store(), AuthOptions());
  FUZZ_CHECK(auth.ok(), auth.status().ToString());
  auto issue = [&](app::Role role) {
    // A year: they must outlive the longest fuzzing run.
    auto t = (*auth)->Issue(role, "", std::chrono::hours(365 * 24));
    FUZZ_CHECK(t.ok(), t.status().ToString());
    return t->access_token;
  };
  return Tokens{issue(app::Role::kAdmin), issue(app::Role::kMember), issue(app::Role::kGuest)};
}

void CheckResponse(const httplib::Request& req, const httplib::Response& res) {
  const std::string what = req.method + " " + req.path + " -> " + std::to_string(res.status);
  FUZZ_CHECK(res.status < 500, "server error: " + what + ": " + res.body);
  const std::string type = res.get_header_value("Content-Type");
  if (type.rfind("application/json", 0) == 0 && !res.body.empty()) {
    auto j = mcp::ParseJson(res.body, 4 * mcp::kMaxJsonDepth);
    FUZZ_CHECK(j.ok(), "invalid JSON body: " + what + ": " + res.body);
  }
}

}  // namespace
}  // namespace funkygibbon::fuzz

using namespace funkygibbon;       // NOLINT: fuzz entry points only
using namespace funkygibbon::fuzz;  // NOLINT

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  QuietLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  bool anonymous = false;
  if (input.rfind("#anon\n", 0) == 0) {
    anonymous = true;
    input.erase(0, 6);
  }
  const bool may_write = input.find("@ADMIN@") != std::string::npos ||
                         input.find("@MEMBER@") != std::string::npos;

  static Tokens* tokens = new Tokens;
  static World* world = new World([](graph::KnowledgeGraph& g) { *tokens = IssueTokens(g); });
  world->Begin();
  graph::KnowledgeGraph& kg = world->graph();
  ReplaceAll(input, "@ADMIN@", tokens->admin);
  ReplaceAll(input, "@MEMBER@", tokens->member);
  ReplaceAll(input, "@GUEST@", tokens->guest);

  // Per input, so login lockouts, MCP sessions and sync state do not carry
  // over; the signing key is read back from the store, so the tokens stay
  // valid.
  auto auth = app::AuthService::Open(kg.store(), AuthOptions());
  FUZZ_CHECK(auth.ok(), auth.status().ToString());
  auto sync_hub = std::make_unique<sync::SyncHub>(kg);
  static app::Metrics* metrics = new app::Metrics;

  // The routes are registered once: cpp-httplib compiles a std::regex for
  // every route, which done per input was a third of an input's time. They
  // hold a pointer to the HubContext, which is made again for each input
  // (its graph, auth and sync hub are the input's) in the same storage: in
  // C++20 a pointer to an object then refers to the new object that
  // replaces it there ([basic.life]/8). The dispatcher the MCP transport
  // holds is World's, which outlives the inputs.
  alignas(app::HubContext) static unsigned char ctx_storage[sizeof(app::HubContext)];
  static app::HubContext* ctx = nullptr;
  if (ctx != nullptr) ctx->~HubContext();
  ctx = new (ctx_storage) app::HubContext{
      kg, world->tools(), world->dispatcher(), **auth, *metrics, app::HubLimits{}, anonymous,
      sync_hub.get()};
  static InMemoryServer* server = nullptr;
  static std::shared_ptr<mcp::StreamableHttp> transport;
  if (server == nullptr) {
    server = new InMemoryServer;
    server->set_exception_handler(
        [](const httplib::Request& req, httplib::Response&, std::exception_ptr ep) {
          std::string what = "unknown exception";
          try {
            if (ep) std::rethrow_exception(ep);
          } catch (const std::exception& e) {
            what = e.what();
          } catch (...) {
          }
          FUZZ_CHECK(false, "handler threw on " + req.method + " " + req.path + ": " + what);
        });
    transport = app::RegisterMcpRoutesWithOptions(*server, *ctx, app::McpRouteOptions{});
    app::RegisterAuthRoutes(*server, *ctx);
    app::RegisterRestRoutes(*server, *ctx);
    app::RegisterSyncRoutes(*server, *ctx);
  }
  std::string session_id;  // the last Mcp-Session-Id the hub handed out
  server->set_logger([&session_id](const httplib::Request& req, const httplib::Response& res) {
    CheckResponse(req, res);
    if (Verbose()) {
      std::fprintf(stderr, "%s %s -> %d %s\n", req.method.c_str(), req.path.c_str(), res.status,
                   res.body.substr(0, 300).c_str());
    }
    if (res.has_header("Mcp-Session-Id")) session_id = res.get_header_value("Mcp-Session-Id");
  });

  MemoryStream stream(std::move(input));
  for (int i = 0; i < kMaxRequests && !stream.exhausted(); ++i) {
    bool closed = false;
    const bool ok = server->process_request(stream, /*close_connection=*/false, closed,
                                           [](httplib::Request&) {});
    if (!ok || closed) break;
    if (!session_id.empty()) stream.ReplaceUnread("@SESSION@", session_id);
  }
  if (!stream.written().empty()) {
    FUZZ_CHECK(stream.written().rfind("HTTP/1.1 ", 0) == 0, "not an HTTP response");
  }
  if (!may_write) {
    FUZZ_CHECK(!world->graph_written(), "the graph was written without a member or admin token");
  }
  // Sessions end with the input; what refers to this input's graph goes
  // before the graph does.
  transport->CloseAll();
  server->set_logger(nullptr);
  sync_hub.reset();
  world->End();
  return 0;
}
