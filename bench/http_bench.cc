// HTTP hub benchmark: `funkygibbon serve` on a generated database (10k
// entities, 20k relationships by default), an admin token from
// `funkygibbon token create`, then
//   1. read tool calls over /mcp from T client threads with keep-alive, for
//      S seconds each era: 2025-11-25 (one session per thread) and
//      2026-07-28 (stateless: _meta + mirrored headers on every request);
//   2. full sync pulls over POST /api/v1/sync/ (server time from
//      sync_stats.duration_ms, plus the round trip);
//   3. pushes of 1,000 changes (each a new device located_in an existing
//      room), sent with filters.since so the answer is the delta;
//   4. idle delta syncs (no changes either way);
//   5. the floors: the same client threads against a do-nothing server
//      (this program re-run with --floor-server BYTES LAYER, configured as
//      the hub's server is) that answers every POST /mcp with a fixed
//      tools/call result as long as the hub's average answer, for the same
//      S seconds, first on the hub's HTTP layer, then on plain cpp-httplib;
//      the hub's calls/s is then also given as a share of each.
// Each figure is printed as a line and as a JSON line.
//
//   build*/bench/http_bench [--threads T] [--seconds S] [--entities N] [--relationships M]
//                           [--server-threads K] [--server-log-level L] [--repeat R]
//                           [--client-nodelay 0|1] [--client raw|httplib] [--floor 0|1]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <barrier>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <httplib.h>

#include "app/http_server.h"
#include "bench/bench_data.h"
#include "bench/bench_util.h"
#include "core/version.h"

namespace funkygibbon::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int threads = 4;
  double seconds = 10;
  size_t entities = 10000;
  size_t relationships = 20000;
  int server_threads = 0;        // 0 = the server's default
  std::string server_log_level;  // empty = the server's default (info: one line per request)
  int repeat = 5;
  bool client_nodelay = true;  // TCP_NODELAY on the client sockets (curl and Node set it too)
  bool floor = true;           // also measure the do-nothing HTTP server
  // The /mcp read clients: "raw" (one preformatted request per send, the
  // answer read by Content-Length: what the client itself costs is small,
  // so the 2 cores go to the server) or "httplib" (cpp-httplib's client).
  std::string client = "raw";
};

bool ParseArgs(int argc, char** argv, Options* o) {
  const char* me = "http_bench";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return false;
    const std::string v = argv[++i];
    bool ok = true;
    if (a == "--threads") {
      ok = ParseCountArg(me, "--threads", v.c_str(), 1, 256, &o->threads);
    } else if (a == "--seconds") {
      ok = ParseSecondsArg(me, "--seconds", v.c_str(), &o->seconds);
    } else if (a == "--entities") {
      ok = ParseCountArg(me, "--entities", v.c_str(), 2, 10'000'000, &o->entities);
    } else if (a == "--relationships") {
      ok = ParseCountArg(me, "--relationships", v.c_str(), 0, 100'000'000, &o->relationships);
    } else if (a == "--server-threads") {
      ok = ParseCountArg(me, "--server-threads", v.c_str(), 0, 256, &o->server_threads);
    } else if (a == "--server-log-level") {
      o->server_log_level = v;
    } else if (a == "--repeat") {
      ok = ParseCountArg(me, "--repeat", v.c_str(), 1, 1000, &o->repeat);
    } else if (a == "--client-nodelay") {
      ok = v == "0" || v == "1";
      if (!ok) std::fprintf(stderr, "%s: --client-nodelay must be 0 or 1, not '%s'\n", me, v.c_str());
      o->client_nodelay = v == "1";
    } else if (a == "--client") {
      ok = v == "raw" || v == "httplib";
      if (!ok) std::fprintf(stderr, "%s: --client must be raw or httplib, not '%s'\n", me, v.c_str());
      o->client = v;
    } else if (a == "--floor") {
      ok = v == "0" || v == "1";
      if (!ok) std::fprintf(stderr, "%s: --floor must be 0 or 1, not '%s'\n", me, v.c_str());
      o->floor = v == "1";
    } else {
      return false;
    }
    if (!ok) return false;
  }
  return true;
}

// The port from the server's "listening on 127.0.0.1:PORT" line.
int WaitForPort(const std::string& stderr_path, std::chrono::seconds timeout) {
  const std::string marker = "listening on 127.0.0.1:";
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    std::ifstream f(stderr_path);
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string text = ss.str();
    if (auto at = text.find(marker); at != std::string::npos) {
      return std::atoi(text.c_str() + at + marker.size());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

// The handling times of every POST /api/v1/sync/ the server logged (its
// request log line "... POST /api/v1/sync/ -> 200 in 12.345 ms", written at
// the default log level): from routing to the response being ready, so it
// includes building and serializing the answer, which duration_ms does not.
std::vector<double> LoggedSyncMs(const std::string& stderr_path) {
  std::ifstream f(stderr_path);
  const std::string marker = "POST /api/v1/sync/ -> 200 in ";
  std::vector<double> out;
  std::string line;
  while (std::getline(f, line)) {
    if (auto at = line.find(marker); at != std::string::npos) {
      out.push_back(std::atof(line.c_str() + at + marker.size()));
    }
  }
  return out;
}

void PrintLogged(const std::vector<double>& logged, size_t from, size_t count, const std::string& what,
                 const Json& ctx) {
  if (logged.size() < from + count) return;  // not logged at this log level
  std::vector<double> v(logged.begin() + static_cast<long>(from),
                        logged.begin() + static_cast<long>(from + count));
  PrintFigure("sync", what + " server time (request log), median", Percentile(v, 50), "ms", ctx);
}

// One read tool call's request, rotating over five read tools.
struct Call {
  std::string tool;
  Json arguments;
};

Call PickCall(const GraphCatalog& cat, std::mt19937_64& rng) {
  const size_t a = rng() % cat.ids.size();
  const size_t b = rng() % cat.ids.size();
  switch (rng() % 5) {
    case 0:
      return {"get_entity_details", Json{{"entity_id", cat.ids[a]}}};
    case 1:
      return {"search_entities", Json{{"query", KeywordOf(a)}, {"limit", 10}}};
    case 2:
      return {"find_path", Json{{"from_entity_id", cat.ids[a]}, {"to_entity_id", cat.ids[b]}}};
    case 3:
      return {"query_graph", Json{{"entity_type", "device"},
                                  {"filters", Json::array({Json{{"field", "name"},
                                                                {"op", "contains"},
                                                                {"value", "Lamp"}}})},
                                  {"limit", 10}}};
    default:
      return {"get_connected_entities", Json{{"entity_id", cat.ids[a]}, {"depth", 1}}};
  }
}

// One answer as a client thread sees it (status 0: no answer, `error` says why).
struct Answer {
  int status = 0;
  std::string body;
  std::string session_id;  // Mcp-Session-Id, when the answer had one
  std::string error;
};

bool IsToolSuccess(const Answer& a) {
  return a.status == 200 && a.body.find("\"result\"") != std::string::npos &&
         a.body.find("\"isError\":true") == std::string::npos;
}

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// A keep-alive HTTP/1.1 client on one socket that costs little itself: the
// request goes out in one send, and the answer is read by Content-Length (or
// chunked), with only the headers it needs looked at. A load generator of
// the wrk kind, so that on a 2-core machine the cores go to the server.
class RawClient {
 public:
  RawClient(int port, bool nodelay) : port_(port), nodelay_(nodelay) {}
  ~RawClient() { Close(); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  Answer Post(const std::string& path, const HeaderList& headers, const std::string& body) {
    Answer a;
    if (fd_ < 0 && !Connect(&a.error)) return a;
    std::string req = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) + "\r\n";
    for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
    req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n";
    req += body;
    if (!SendAll(req)) return Fail(&a, "send failed");
    // Status line and headers.
    size_t head_end;
    while ((head_end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return Fail(&a, "connection closed before the answer's headers");
    }
    const std::string_view head(buf_.data(), head_end);
    if (head.size() < 12 || head.substr(0, 5) != "HTTP/") return Fail(&a, "not an HTTP answer");
    a.status = std::atoi(std::string(head.substr(9, 3)).c_str());
    long long length = -1;
    bool chunked = false, close_after = false;
    size_t line = head.find("\r\n");
    while (line != std::string_view::npos) {
      const size_t next = head.find("\r\n", line + 2);
      std::string_view h = head.substr(line + 2, next == std::string_view::npos ? std::string_view::npos
                                                                                 : next - line - 2);
      line = next;
      const size_t colon = h.find(':');
      if (colon == std::string_view::npos) continue;
      std::string name(h.substr(0, colon));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string_view value = h.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (name == "content-length") length = std::atoll(std::string(value).c_str());
      if (name == "transfer-encoding" && value.find("chunked") != std::string_view::npos) chunked = true;
      if (name == "connection" && value.find("close") != std::string_view::npos) close_after = true;
      if (name == "mcp-session-id") a.session_id = std::string(value);
    }
    buf_.erase(0, head_end + 4);
    if (chunked) {
      while (true) {
        size_t eol;
        while ((eol = buf_.find("\r\n")) == std::string::npos) {
          if (!Fill()) return Fail(&a, "connection closed inside a chunk size");
        }
        const size_t n = std::strtoull(buf_.c_str(), nullptr, 16);
        while (buf_.size() < eol + 2 + n + 2) {
          if (!Fill()) return Fail(&a, "connection closed inside a chunk");
        }
        a.body.append(buf_, eol + 2, n);
        buf_.erase(0, eol + 2 + n + 2);
        if (n == 0) break;  // no trailers are sent by the servers measured
      }
    } else {
      if (length < 0) return Fail(&a, "answer without Content-Length");
      while (buf_.size() < static_cast<size_t>(length)) {
        if (!Fill()) return Fail(&a, "connection closed inside the body");
      }
      a.body = buf_.substr(0, static_cast<size_t>(length));
      buf_.erase(0, static_cast<size_t>(length));
    }
    if (close_after) Close();
    return a;
  }

 private:
  bool Connect(std::string* error) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      *error = std::string("connect: ") + std::strerror(errno);
      Close();
      return false;
    }
    const int one = nodelay_ ? 1 : 0;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{60, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return true;
  }
  bool SendAll(const std::string& data) {
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }
  bool Fill() {
    char chunk[64 * 1024];
    while (true) {
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buf_.append(chunk, static_cast<size_t>(n));
      return true;
    }
  }
  Answer& Fail(Answer* a, const std::string& why) {
    a->status = 0;
    a->error = why;
    Close();
    return *a;
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buf_.clear();
  }

  const int port_;
  const bool nodelay_;
  int fd_ = -1;
  std::string buf_;  // bytes received and not yet consumed
};

// cpp-httplib's client behind the same call.
class LibClient {
 public:
  LibClient(int port, bool nodelay) : cli_("127.0.0.1", port) {
    cli_.set_keep_alive(true);
    cli_.set_tcp_nodelay(nodelay);
    cli_.set_read_timeout(60, 0);
  }
  Answer Post(const std::string& path, const HeaderList& headers, const std::string& body) {
    httplib::Headers h(headers.begin(), headers.end());
    auto res = cli_.Post(path, h, body, "application/json");
    Answer a;
    if (!res) {
      a.error = "no answer (" + httplib::to_string(res.error()) + ")";
      return a;
    }
    a.status = res->status;
    a.body = std::move(res->body);
    a.session_id = res->get_header_value("Mcp-Session-Id");
    return a;
  }

 private:
  httplib::Client cli_;
};

struct ThreadStats {
  std::vector<double> ms;
  std::map<std::string, std::vector<double>> ms_by_tool;
  size_t failures = 0;
  std::string first_failure;
  size_t answer_bytes = 0;  // bodies of the successful calls
};

// One client thread: its own keep-alive connection (and session, legacy era).
template <typename Client>
void ClientThread(int port, const std::string& token, bool modern, bool nodelay,
                  const GraphCatalog& cat, uint64_t seed, std::barrier<>& start,
                  const std::atomic<bool>& stop, ThreadStats* out) {
  Client cli(port, nodelay);
  HeaderList headers = {{"Authorization", "Bearer " + token},
                        {"Accept", "application/json, text/event-stream"}};
  auto fail = [&](const std::string& why) {
    if (out->failures++ == 0) out->first_failure = why;
  };
  auto describe = [](const Answer& a) {
    return a.status == 0 ? a.error : "HTTP " + std::to_string(a.status) + " " + a.body.substr(0, 300);
  };
  if (!modern) {
    headers.emplace_back("MCP-Protocol-Version", "2025-11-25");
    Json init{{"jsonrpc", "2.0"},
              {"id", 0},
              {"method", "initialize"},
              {"params", {{"protocolVersion", "2025-11-25"},
                          {"capabilities", Json::object()},
                          {"clientInfo", {{"name", "http_bench"}, {"version", "1"}}}}}};
    Answer a = cli.Post("/mcp", headers, init.dump());
    if (a.status != 200 || a.session_id.empty()) {
      fail("initialize: " + describe(a));
    } else {
      headers.emplace_back("Mcp-Session-Id", a.session_id);
      cli.Post("/mcp", headers, R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
    }
  }
  std::mt19937_64 rng(seed);
  start.arrive_and_wait();
  for (int64_t id = 1; !stop.load(std::memory_order_relaxed); ++id) {
    Call call = PickCall(cat, rng);
    Json body{{"jsonrpc", "2.0"},
              {"id", id},
              {"method", "tools/call"},
              {"params", {{"name", call.tool}, {"arguments", std::move(call.arguments)}}}};
    HeaderList h = headers;
    if (modern) {
      body["params"]["_meta"] = {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                                 {"io.modelcontextprotocol/clientCapabilities", Json::object()}};
      h.emplace_back("MCP-Protocol-Version", "2026-07-28");
      h.emplace_back("Mcp-Method", "tools/call");
      h.emplace_back("Mcp-Name", call.tool);
    }
    const std::string text = body.dump();
    const auto t0 = Clock::now();
    Answer a = cli.Post("/mcp", h, text);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (!IsToolSuccess(a)) {
      fail(call.tool + ": " + describe(a));
      continue;
    }
    out->ms.push_back(ms);
    out->ms_by_tool[call.tool].push_back(ms);
    out->answer_bytes += a.body.size();
  }
}

// CPU time (user + system) the process has used so far, in seconds.
double ProcessCpuSeconds(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const size_t close = text.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::atof(field.c_str());  // utime, stime
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// What the floor comparison needs of one timed round of read calls.
struct ReadRound {
  std::string era;
  double calls_per_s = 0;
  double answer_bytes = 0;  // mean body of a successful answer
};

// T client threads calling read tools on `port` for o.seconds. `who` names
// the server in the figures ("" for the hub; the hub's figures carry the
// 20,000 calls/s target, the floor's do not).
ReadRound ReadToolCalls(int port, const std::string& token, bool modern, const Options& o,
                        const GraphCatalog& cat, pid_t server_pid, const std::string& who = "") {
  const std::string era = modern ? "2026-07-28 stateless" : "2025-11-25 sessions";
  const std::string label = who.empty() ? era : who + ", " + era;
  std::printf("\n/mcp read tool calls, %s, %d %s client threads, %.0f s:\n", label.c_str(), o.threads,
              o.client.c_str(), o.seconds);
  std::vector<ThreadStats> stats(static_cast<size_t>(o.threads));
  std::atomic<bool> stop{false};
  std::barrier<> start(o.threads + 1);
  std::vector<std::thread> threads;
  for (int t = 0; t < o.threads; ++t) {
    threads.emplace_back(o.client == "raw" ? &ClientThread<RawClient> : &ClientThread<LibClient>, port,
                         std::cref(token), modern, o.client_nodelay, std::cref(cat),
                         static_cast<uint64_t>(1000 + t), std::ref(start), std::cref(stop),
                         &stats[static_cast<size_t>(t)]);
  }
  start.arrive_and_wait();
  const auto t0 = Clock::now();
  const double cpu0 = ProcessCpuSeconds(server_pid);
  std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
  stop = true;
  for (auto& t : threads) t.join();
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  const double server_cpu = ProcessCpuSeconds(server_pid) - cpu0;
  std::vector<double> all;
  std::map<std::string, std::vector<double>> by_tool;
  size_t failures = 0;
  size_t bytes = 0;
  for (const auto& s : stats) {
    all.insert(all.end(), s.ms.begin(), s.ms.end());
    for (const auto& [tool, v] : s.ms_by_tool) by_tool[tool].insert(by_tool[tool].end(), v.begin(), v.end());
    failures += s.failures;
    bytes += s.answer_bytes;
    if (s.failures > 0) std::printf("  failure: %s\n", s.first_failure.c_str());
  }
  ReadRound round;
  round.era = era;
  round.calls_per_s = static_cast<double>(all.size()) / secs;
  round.answer_bytes = all.empty() ? 0 : static_cast<double>(bytes) / static_cast<double>(all.size());
  Json ctx{{"era", era},          {"client_threads", o.threads}, {"calls", all.size()},
           {"failures", failures}, {"seconds", secs},
           {"client_nodelay", o.client_nodelay}, {"client", o.client}};
  if (!who.empty()) ctx["server"] = who;
  Json target = ctx;
  if (who.empty()) {
    target["target_calls_per_s"] = 20000;
    target["met"] = round.calls_per_s >= 20000 && failures == 0;
  }
  PrintFigure("http", "/mcp read calls/s (" + label + ")", round.calls_per_s, "calls/s", target);
  // What the server spent per call, whatever else ran on the machine (the
  // clients share its cores): the figure to compare between runs.
  PrintFigure("http", "/mcp read server CPU per call (" + label + ")",
              all.empty() ? 0 : server_cpu * 1e6 / static_cast<double>(all.size()), "us", ctx);
  PrintFigure("http", "/mcp read p50 (" + label + ")", Percentile(all, 50), "ms", ctx);
  PrintFigure("http", "/mcp read p99 (" + label + ")", Percentile(all, 99), "ms", ctx);
  PrintFigure("http", "/mcp read answer size, mean (" + label + ")", round.answer_bytes, "bytes", ctx);
  if (who.empty()) {
    for (const auto& [tool, v] : by_tool) {
      Json t = ctx;
      t["tool"] = tool;
      t["calls"] = v.size();
      PrintFigure("http", "  " + tool + " p50 (" + era + ")", Percentile(v, 50), "ms", t);
    }
  }
  return round;
}

Json SyncEnvelope(const std::string& sync_type, Json changes) {
  return Json{{"protocol_version", "inbetweenies-v2"},
              {"device_id", "http-bench"},
              {"user_id", "bench"},
              {"sync_type", sync_type},
              {"changes", std::move(changes)},
              {"vector_clock", Json::object()}};
}

struct SyncTiming {
  double server_ms = 0;
  double round_trip_ms = 0;
  Json response;
};

std::optional<SyncTiming> PostSync(httplib::Client& cli, const std::string& token, const Json& body) {
  const httplib::Headers h = {{"Authorization", "Bearer " + token}};
  const std::string text = body.dump();
  const auto t0 = Clock::now();
  auto res = cli.Post("/api/v1/sync/", h, text, "application/json");
  SyncTiming t;
  t.round_trip_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  if (!res || res->status != 200) {
    std::printf("  sync failed: %s\n",
                res ? ("HTTP " + std::to_string(res->status) + " " + res->body.substr(0, 300)).c_str()
                    : "no answer");
    return std::nullopt;
  }
  t.response = Json::parse(res->body, nullptr, false);
  if (t.response.is_discarded()) return std::nullopt;
  t.server_ms = t.response["sync_stats"].value("duration_ms", -1.0);
  return t;
}

// Full pulls, then pushes of 1,000 new devices each located_in an existing room.
void Sync(int port, const std::string& token, const Options& o, const GraphCatalog& cat,
          const std::string& server_stderr) {
  httplib::Client cli("127.0.0.1", port);
  cli.set_keep_alive(true);
  cli.set_tcp_nodelay(o.client_nodelay);
  cli.set_read_timeout(120, 0);
  std::printf("\nsync over POST /api/v1/sync/ (%zu entities, %zu relationships in the hub):\n",
              o.entities, o.relationships);
  std::vector<double> pull_server, pull_rt;
  std::string since;
  size_t pulled = 0;
  for (int i = 0; i < o.repeat; ++i) {
    auto t = PostSync(cli, token, SyncEnvelope("full", Json::array()));
    if (!t) return;
    pulled = t->response["changes"].size();
    since = t->response.value("server_time", "");
    pull_server.push_back(t->server_ms);
    pull_rt.push_back(t->round_trip_ms);
  }
  Json ctx{{"changes_pulled", pulled}, {"repeat", o.repeat}};
  Json target = ctx;
  target["target_ms"] = 150;
  target["met"] = Percentile(pull_server, 50) < 150;
  PrintFigure("sync", "full pull server time (duration_ms), median", Percentile(pull_server, 50),
              "ms", target);
  PrintFigure("sync", "full pull round trip, median", Percentile(pull_rt, 50), "ms", ctx);

  std::vector<size_t> rooms;
  for (size_t i = 0; i < cat.types.size(); ++i) {
    if (cat.types[i] == EntityType::kRoom) rooms.push_back(i);
  }
  if (rooms.empty()) return;
  std::mt19937_64 rng(99);
  std::vector<double> push_server, push_rt;
  size_t applied = 0, applied_rels = 0;
  for (int i = 0; i < o.repeat; ++i) {
    Json changes = Json::array();
    const std::string now = FormatTimestamp(NowMicros());
    for (int k = 0; k < 1000; ++k) {
      const std::string id = NewUuid();
      const std::string version = now + "-" + std::to_string(100000 + k) + "-bench";
      const size_t room = rooms[rng() % rooms.size()];
      changes.push_back(Json{
          {"change_type", "create"},
          {"entity", {{"id", id},
                      {"version", version},
                      {"entity_type", "device"},
                      {"name", "Pushed Plug " + std::to_string(i * 1000 + k)},
                      {"content", {{"manufacturer", "Eve"}, {"note", "pushed by http_bench"}}},
                      {"source_type", "manual"},
                      {"user_id", "bench"},
                      {"parent_versions", Json::array()}}},
          {"relationships", Json::array({Json{{"id", NewUuid()},
                                              {"from_entity_id", id},
                                              {"from_entity_version", version},
                                              {"to_entity_id", cat.ids[room]},
                                              {"relationship_type", "located_in"},
                                              {"properties", Json::object()},
                                              {"user_id", "bench"}}})}});
    }
    Json body = SyncEnvelope("delta", std::move(changes));
    body["filters"] = {{"since", since}};
    auto t = PostSync(cli, token, body);
    if (!t) return;
    applied = t->response["applied"].size();
    applied_rels = t->response["applied_relationships"].size();
    since = t->response.value("server_time", since);
    push_server.push_back(t->server_ms);
    push_rt.push_back(t->round_trip_ms);
  }
  ctx = Json{{"changes_pushed", 1000}, {"applied", applied}, {"applied_relationships", applied_rels},
             {"repeat", o.repeat}};
  target = ctx;
  target["target_ms"] = 300;
  target["met"] = Percentile(push_server, 50) < 300 && applied == 1000;
  PrintFigure("sync", "push of 1,000 changes server time (duration_ms), median",
              Percentile(push_server, 50), "ms", target);
  PrintFigure("sync", "push of 1,000 changes round trip, median", Percentile(push_rt, 50), "ms", ctx);

  // Idle delta syncs: nothing to push, nothing new since the last answer —
  // what a device polling its hub pays when the house is quiet.
  std::vector<double> idle_server, idle_rt;
  size_t idle_changes = 0;
  const int idle_rounds = o.repeat * 4;
  for (int i = 0; i < idle_rounds; ++i) {
    Json body = SyncEnvelope("delta", Json::array());
    body["filters"] = {{"since", since}};
    auto t = PostSync(cli, token, body);
    if (!t) return;
    idle_changes += t->response["changes"].size();
    since = t->response.value("server_time", since);
    idle_server.push_back(t->server_ms);
    idle_rt.push_back(t->round_trip_ms);
  }
  ctx = Json{{"changes_pulled", idle_changes}, {"repeat", idle_rounds}};
  PrintFigure("sync", "idle delta sync server time (duration_ms), median", Percentile(idle_server, 50), "ms",
              ctx);
  PrintFigure("sync", "idle delta sync round trip, median", Percentile(idle_rt, 50), "ms", ctx);
  // The log is written asynchronously to the answer; give it a moment.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const std::vector<double> logged = LoggedSyncMs(server_stderr);
  const size_t n = static_cast<size_t>(o.repeat);  // the pulls, then the pushes, were the only syncs
  PrintLogged(logged, 0, n, "full pull", Json{{"changes_pulled", pulled}});
  PrintLogged(logged, n, n, "push of 1,000 changes", Json{{"changes_pushed", 1000}});
  PrintLogged(logged, 2 * n, static_cast<size_t>(idle_rounds), "idle delta sync", Json{{"changes_pulled", idle_changes}});
}

// --floor-server BYTES [LAYER]: the do-nothing server the hub's /mcp figures
// are compared with, on the hub's own HTTP layer (LAYER "hub": cpp-httplib's
// parsing and routing over app::HubHttpServer's connection loop, the
// default) or on plain cpp-httplib ("httplib"). Set up as the hub sets it
// up (TCP_NODELAY, keep-alive up to 1,000 requests, answers uncompressed), answering every
// POST /mcp at once with a tools/call result padded to BYTES, its id copied
// from the request by a plain search as the stdio echo server does (no JSON
// parsing), and a session id header, so a client of either era can drive it.
template <typename Server>
int FloorServer(size_t bytes) {
  Server server;
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1000);
  server.set_pre_routing_handler([](const httplib::Request& req, httplib::Response&) {
    if (req.has_header("Accept-Encoding")) {
      const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server.Post("/mcp", [bytes](const httplib::Request& req, httplib::Response& res) {
    std::string id = "null";
    if (const size_t at = req.body.find("\"id\":"); at != std::string::npos) {
      const size_t begin = at + 5;
      const size_t end = req.body.find_first_of(",}", begin);
      if (end != std::string::npos) id = req.body.substr(begin, end - begin);
    }
    std::string body = R"({"jsonrpc":"2.0","id":)" + id +
                       R"(,"result":{"content":[{"type":"text","text":")";
    constexpr std::string_view kTail = R"("}],"isError":false}})";
    if (body.size() + kTail.size() < bytes) body.append(bytes - body.size() - kTail.size(), 'x');
    body += kTail;
    res.set_header("Mcp-Session-Id", "floor");
    res.set_content(body, "application/json");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) {
    std::fprintf(stderr, "http_bench --floor-server: cannot listen on 127.0.0.1\n");
    return 1;
  }
  std::fprintf(stderr, "listening on 127.0.0.1:%d\n", port);
  return server.listen_after_bind() ? 0 : 1;
}

int FloorServerMain(const char* bytes_arg, std::string_view layer) {
  size_t bytes = 0;
  if (!ParseCountArg("http_bench", "--floor-server", bytes_arg, 0, 16 << 20, &bytes)) return 2;
  if (layer == "hub") return FloorServer<app::HubHttpServer>(bytes);
  if (layer == "httplib") return FloorServer<httplib::Server>(bytes);
  std::fprintf(stderr, "http_bench --floor-server: the layer is hub or httplib, not '%s'\n",
               std::string(layer).c_str());
  return 2;
}

// One floor server's figures (0 calls/s when it could not be measured).
ReadRound MeasureFloor(const Options& o, const GraphCatalog& cat, const std::string& tmp,
                       size_t bytes, const std::string& layer, const std::string& who) {
  Child floor;
  const std::string stderr_path = tmp + "/floor-" + layer + ".stderr";
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  if (!floor.Start({self, "--floor-server", std::to_string(bytes), layer}, stderr_path)) {
    std::fprintf(stderr, "http_bench: cannot start the %s floor server\n", layer.c_str());
    return {};
  }
  const int port = WaitForPort(stderr_path, std::chrono::seconds(30));
  if (port == 0) {
    std::fprintf(stderr, "http_bench: the %s floor server did not print its port\n", layer.c_str());
    return {};
  }
  // The floor answers both eras alike; the stateless era's requests are the
  // larger (mirrored headers and _meta), so it is the one driven.
  const ReadRound f = ReadToolCalls(port, "floor", /*modern=*/true, o, cat, floor.pid(), who);
  floor.Kill(SIGTERM);
  floor.Wait(std::chrono::seconds(10));
  return f;
}

// The hub's calls/s against the floors', and the floors' own figures: the
// do-nothing server on the hub's HTTP layer (what the hub could reach if its
// work took no time), then on plain cpp-httplib.
void Floor(const Options& o, const GraphCatalog& cat, const std::string& tmp,
           const std::vector<ReadRound>& hub) {
  double bytes = 0;
  for (const ReadRound& r : hub) bytes += r.answer_bytes / static_cast<double>(hub.size());
  const size_t padded = static_cast<size_t>(bytes);
  const struct {
    const char* layer;
    const char* who;
    const char* ratio;
  } floors[] = {{"hub", "do-nothing floor, hub HTTP layer", "hub / floor"},
                {"httplib", "do-nothing floor, plain cpp-httplib", "hub / plain cpp-httplib floor"}};
  for (const auto& fl : floors) {
    const ReadRound f = MeasureFloor(o, cat, tmp, padded, fl.layer, fl.who);
    if (f.calls_per_s <= 0) continue;
    for (const ReadRound& r : hub) {
      const Json ctx{{"era", r.era}, {"floor_calls_per_s", f.calls_per_s}, {"floor_layer", fl.layer},
                     {"hub_calls_per_s", r.calls_per_s}, {"client_threads", o.threads}};
      PrintFigure("http", std::string("/mcp read calls/s, ") + fl.ratio + " (" + r.era + ")",
                  r.calls_per_s / f.calls_per_s, "ratio", ctx);
    }
  }
}

int Main(int argc, char** argv) {
  if ((argc == 3 || argc == 4) && std::string_view(argv[1]) == "--floor-server") {
    return FloorServerMain(argv[2], argc == 4 ? argv[3] : "hub");
  }
  Options o;
  if (!ParseArgs(argc, argv, &o)) {
    std::fprintf(stderr,
                 "usage: %s [--threads T] [--seconds S] [--entities N] [--relationships M]\n"
                 "          [--server-threads K] [--server-log-level L] [--repeat R]\n"
                 "          [--client-nodelay 0|1] [--client raw|httplib] [--floor 0|1]\n",
                 argv[0]);
    return 2;
  }
  const std::string tmp = MakeTempDir("fg-http-bench-");
  const std::string db = tmp + "/kg.db";
  GraphCatalog cat;
  {
    auto filled = MakeFilledGraph(db, GraphSpec{o.entities, o.relationships, 42});
    if (!filled.ok()) {
      std::fprintf(stderr, "http_bench: %s\n", filled.status().ToString().c_str());
      return 1;
    }
    cat = std::move(filled->catalog);
  }
  auto token_out = RunForOutput({BinaryPath(), "--db", db, "token", "create", "--role", "admin"});
  if (!token_out || token_out->empty()) {
    std::fprintf(stderr, "http_bench: `funkygibbon token create` failed\n");
    return 1;
  }
  const std::string token = token_out->substr(0, token_out->find('\n'));

  std::vector<std::string> argv_server = {BinaryPath(), "--db", db};
  if (!o.server_log_level.empty()) {
    argv_server.insert(argv_server.end(), {"--log-level", o.server_log_level});
  }
  argv_server.insert(argv_server.end(), {"serve", "--listen", "127.0.0.1:0", "--dev"});
  if (o.server_threads > 0) {
    argv_server.insert(argv_server.end(), {"--threads", std::to_string(o.server_threads)});
  }
  Child server;
  const std::string stderr_path = tmp + "/server.stderr";
  if (!server.Start(argv_server, stderr_path)) {
    std::fprintf(stderr, "http_bench: cannot start %s\n", BinaryPath().c_str());
    return 1;
  }
  const int port = WaitForPort(stderr_path, std::chrono::seconds(120));
  if (port == 0) {
    std::fprintf(stderr, "http_bench: the server did not print its port\n");
    return 1;
  }
  std::printf("http_bench: server on 127.0.0.1:%d (%zu entities, %zu relationships, server threads %s,"
              " log level %s, %s client, client TCP_NODELAY %s), load average %s\n",
              port, o.entities, o.relationships,
              o.server_threads > 0 ? std::to_string(o.server_threads).c_str() : "default",
              o.server_log_level.empty() ? "default" : o.server_log_level.c_str(), o.client.c_str(),
              o.client_nodelay ? "on" : "off", LoadAverage().c_str());
  const std::vector<ReadRound> hub = {
      ReadToolCalls(port, token, /*modern=*/false, o, cat, server.pid()),
      ReadToolCalls(port, token, /*modern=*/true, o, cat, server.pid())};
  Sync(port, token, o, cat, stderr_path);
  PrintFigure("http", "server peak RSS", static_cast<double>(ProcStatusKb(server.pid(), "VmHWM")) / 1024,
              "MB");
  server.Kill(SIGTERM);
  server.Wait(std::chrono::seconds(30));
  if (o.floor) Floor(o, cat, tmp, hub);
  std::printf("http_bench: load average %s\n", LoadAverage().c_str());
  std::filesystem::remove_all(tmp);
  return 0;
}

}  // namespace
}  // namespace funkygibbon::bench

int main(int argc, char** argv) { return funkygibbon::bench::Main(argc, argv); }
