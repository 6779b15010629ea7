// Start-up: time from spawning `funkygibbon mcp` on a 100k-entity database
// to the first tools/list response (initialize, then
// notifications/initialized + tools/list, as a client sends them), repeated
// and summarized by the median. Also the server's memory once it answered.
//
//   build*/bench/startup_bench [--db PATH] [--entities N] [--relationships M] [--runs R]
//
// --db PATH reuses that database, or generates it there when it does not
// exist (default: generated into a temp dir and removed afterwards).
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/bench_data.h"
#include "bench/bench_util.h"

namespace funkygibbon::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string db;
  size_t entities = 100000;
  size_t relationships = 200000;
  int runs = 5;
};

bool ParseArgs(int argc, char** argv, Options* o) {
  const char* me = "startup_bench";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return false;
    const char* v = argv[++i];
    bool ok = true;
    if (a == "--db") {
      o->db = v;
    } else if (a == "--entities") {
      ok = ParseCountArg(me, "--entities", v, 1, 100'000'000, &o->entities);
    } else if (a == "--relationships") {
      ok = ParseCountArg(me, "--relationships", v, 0, 100'000'000, &o->relationships);
    } else if (a == "--runs") {
      ok = ParseCountArg(me, "--runs", v, 1, 1000, &o->runs);
    } else {
      return false;
    }
    if (!ok) return false;
  }
  return true;
}

struct RunResult {
  bool ok = false;
  double initialize_ms = 0;
  double tools_list_ms = 0;  // spawn -> tools/list answered
  long rss_kb = -1;
  long hwm_kb = -1;
  Json counts;  // entities and relationships the server reports
  std::string error;
};

RunResult OneRun(const std::string& db, const std::string& stderr_path) {
  RunResult r;
  Child c;
  const auto t0 = Clock::now();
  if (!c.Start({BinaryPath(), "--db", db, "mcp"}, stderr_path)) {
    r.error = "cannot start " + BinaryPath();
    return r;
  }
  auto ms_since_spawn = [&] {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  };
  c.Write(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
          R"("capabilities":{},"clientInfo":{"name":"startup_bench","version":"1"}}})"
          "\n");
  auto init = c.ReadLine(std::chrono::seconds(120));
  r.initialize_ms = ms_since_spawn();
  if (!init || init->find("\"id\":1") == std::string::npos) {
    r.error = "no initialize answer";
    return r;
  }
  c.Write(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
          "\n"
          R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})"
          "\n");
  auto list = c.ReadLine(std::chrono::seconds(120));
  r.tools_list_ms = ms_since_spawn();
  if (!list || list->find("\"tools\"") == std::string::npos) {
    r.error = "no tools/list answer";
    return r;
  }
  r.rss_kb = ProcStatusKb(c.pid(), "VmRSS");
  r.hwm_kb = ProcStatusKb(c.pid(), "VmHWM");
  // Untimed: what the server loaded, so a reused --db is described truly.
  c.Write(R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get_graph_statistics","arguments":{}}})"
          "\n");
  if (auto stats = c.ReadLine(std::chrono::seconds(120))) {
    Json j = Json::parse(*stats, nullptr, false);
    if (!j.is_discarded() && j.contains("result")) {
      const Json& sc = j["result"]["structuredContent"];
      r.counts = {{"entities", sc.value("entities", 0)}, {"relationships", sc.value("relationships", 0)}};
    }
  }
  c.CloseStdin();
  r.ok = c.Wait(std::chrono::seconds(30)) == 0;
  if (!r.ok) r.error = "the server did not exit cleanly on EOF";
  return r;
}

int Main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, &o)) {
    std::fprintf(stderr,
                 "usage: %s [--db PATH] [--entities N] [--relationships M] [--runs R]\n", argv[0]);
    return 2;
  }
  const std::string tmp = MakeTempDir("fg-startup-bench-");
  std::string db = o.db.empty() ? tmp + "/kg.db" : o.db;
  if (!std::filesystem::exists(db)) {
    std::printf("startup_bench: generating %zu entities, %zu relationships into %s\n", o.entities,
                o.relationships, db.c_str());
    auto filled = MakeFilledGraph(db, GraphSpec{o.entities, o.relationships, 42});
    if (!filled.ok()) {
      std::fprintf(stderr, "startup_bench: %s\n", filled.status().ToString().c_str());
      return 1;
    }
  }
  std::printf("startup_bench: %s (%.1f MB), load average %s\n", db.c_str(),
              static_cast<double>(std::filesystem::file_size(db)) / 1e6, LoadAverage().c_str());
  std::vector<double> init_ms, list_ms, hwm;
  Json size{{"runs", o.runs}};
  for (int i = 0; i < o.runs; ++i) {
    RunResult r = OneRun(db, tmp + "/server.stderr");
    if (!r.ok) {
      std::fprintf(stderr, "startup_bench: run %d: %s\n", i + 1, r.error.c_str());
      return 1;
    }
    std::printf("  run %d: initialize %.1f ms, tools/list %.1f ms, RSS %.1f MB (peak %.1f MB)\n",
                i + 1, r.initialize_ms, r.tools_list_ms, static_cast<double>(r.rss_kb) / 1024,
                static_cast<double>(r.hwm_kb) / 1024);
    init_ms.push_back(r.initialize_ms);
    list_ms.push_back(r.tools_list_ms);
    hwm.push_back(static_cast<double>(r.hwm_kb) / 1024);
    if (r.counts.is_object()) size.update(r.counts);
  }
  PrintFigure("startup", "spawn -> initialize answered, median", Percentile(init_ms, 50), "ms", size);
  const double median = Percentile(list_ms, 50);
  Json target = size;
  target["target_ms"] = 500;
  target["met"] = median < 500;
  PrintFigure("startup", "spawn -> first tools/list answered, median", median, "ms", target);
  PrintFigure("startup", "peak RSS after tools/list, median", Percentile(hwm, 50), "MB", size);
  if (!tmp.empty()) std::filesystem::remove_all(tmp);
  return 0;
}

}  // namespace
}  // namespace funkygibbon::bench

int main(int argc, char** argv) { return funkygibbon::bench::Main(argc, argv); }
