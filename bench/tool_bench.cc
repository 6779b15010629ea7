// What a read tool call costs inside the server, without a transport: the
// same graph tools and dispatcher the app wires up, over a generated graph
// of the stdio benchmark's sizes (1k entities / 2k relationships and 100k /
// 200k, each in a SQLite file, as a server holds it), timed per call.
//
//   Tool/<name>/...      ToolRegistry::CallSerialized: the tool's own work
//                        (argument checks, the graph, the answer's text)
//   Message/<name>/...   Dispatcher::Handle on a whole tools/call line: the
//                        tool plus JSON-RPC parsing and the reply's framing
//
// Against scripts/bench-stdio.sh's p50 for the same tool, the difference is
// what the pipe, the process switches and the client cost. Every benchmark
// reports p50/p99 (us) as counters, and one JSON line each (lines starting
// with '{'). Not a CI gate.
//
//   build*/bench/tool_bench [--benchmark_filter=Tool/get_entity_details]
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "app/sync_tools.h"
#include "bench/bench_data.h"
#include "bench/bench_util.h"
#include "bench/gbench.h"
#include "core/vocabulary.h"
#include "graph/knowledge_graph.h"
#include "mcp/dispatcher.h"
#include "mcp/session.h"
#include "mcp/tool_handlers.h"
#include "mcp/tool_registry.h"
#include "tools_json.h"

namespace funkygibbon::bench {
namespace {

// One graph (and the server pieces over it) at a time.
struct Served {
  size_t entities = 0;
  std::string dir;
  FilledGraph filled;
  std::unique_ptr<mcp::ToolRegistry> tools;
  std::unique_ptr<mcp::Dispatcher> dispatcher;
  std::unique_ptr<mcp::Session> session;
  std::vector<size_t> picks;  // random entity indexes

  ~Served() {
    session.reset();
    dispatcher.reset();
    tools.reset();
    filled.graph.reset();
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
};

std::unique_ptr<Served> g_served;

Served* ServedOf(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  if (g_served && g_served->entities == n) return g_served.get();
  g_served.reset();
  auto s = std::make_unique<Served>();
  s->entities = n;
  s->dir = MakeTempDir("fg-tool-bench-");
  auto filled = MakeFilledGraph(s->dir + "/graph.db", GraphSpec{n, 2 * n, 42});
  if (!filled.ok()) {
    state.SkipWithError(("cannot build the graph: " + filled.status().ToString()).c_str());
    return nullptr;
  }
  s->filled = std::move(filled).value();
  // Every tool the app binds on a hub (no upstream sync client).
  std::vector<mcp::ToolBinding> bindings = mcp::GraphToolBindings(*s->filled.graph);
  for (mcp::ToolBinding& b : app::SyncToolBindings(*s->filled.graph, nullptr, 0)) {
    bindings.push_back(std::move(b));
  }
  // Served as the app serves them: written answers unchecked.
  mcp::RegistryOptions registry_options;
  registry_options.check_written_outputs = false;
  auto tools = mcp::ToolRegistry::Create(mcp::kToolsJson, std::move(bindings), registry_options);
  if (!tools.ok()) {
    state.SkipWithError(("cannot build the tools: " + tools.status().ToString()).c_str());
    return nullptr;
  }
  s->tools = std::move(tools).value();
  mcp::DispatcherOptions options;
  options.server_version = "bench";
  s->dispatcher = std::make_unique<mcp::Dispatcher>(*s->tools, nullptr, options);
  s->session = std::make_unique<mcp::Session>();
  // A 2025-11-25 session, as the stdio benchmark's client opens one.
  s->dispatcher->Handle(
      R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
      R"("capabilities":{},"clientInfo":{"name":"tool_bench","version":"1"}}})",
      *s->session);
  s->dispatcher->Handle(R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
                        *s->session);
  std::mt19937_64 rng(7);
  s->picks.resize(10007);
  for (auto& p : s->picks) p = rng() % n;
  g_served = std::move(s);
  return g_served.get();
}

// The arguments of call i of a tool, as the stdio benchmark sends them.
Json ArgsOf(const std::string& tool, const Served& s, size_t i) {
  const auto& ids = s.filled.catalog.ids;
  const size_t a = s.picks[i % s.picks.size()];
  if (tool == "get_entity_details") return Json{{"entity_id", ids[a]}};
  if (tool == "search_entities") return Json{{"query", KeywordOf(a)}, {"limit", 10}};
  if (tool == "find_path") {
    const size_t b = s.picks[(i + 1) % s.picks.size()];
    return Json{{"from_entity_id", ids[a]}, {"to_entity_id", ids[b]}};
  }
  // query_graph: an entity by type and name (the stdio benchmark's first shape).
  return Json{{"entity_type", ToString(s.filled.catalog.types[a])},
              {"filters", Json::array({{{"field", "name"}, {"op", "eq"},
                                        {"value", s.filled.catalog.names[a]}}})},
              {"limit", 10}};
}

void BM_Tool(benchmark::State& state, std::string tool) {
  Served* s = ServedOf(state);
  if (s == nullptr) return;
  // The arguments are made before the clock starts, as a client's would be.
  std::vector<Json> args;
  for (size_t i = 0; i < 997; ++i) args.push_back(ArgsOf(tool, *s, i));
  size_t errors = 0;
  TimeEach(state, [&](size_t i) {
    mcp::ToolContext ctx;
    auto r = s->tools->CallSerialized(tool, args[i % args.size()], ctx);
    if (!r.ok() || r->is_error) ++errors;
    benchmark::DoNotOptimize(r);
  });
  if (errors > 0) state.SkipWithError((tool + ": calls failed").c_str());
}

// Handles each line once and counts the answers that are not a result.
// Apart, so that an instruction count (valgrind --tool=callgrind
// --toggle-collect='*HandleEach*') covers a fixed set of messages.
__attribute__((noinline)) size_t HandleEach(Served& s, const std::vector<std::string>& lines) {
  size_t errors = 0;
  for (const std::string& line : lines) {
    std::optional<std::string> r = s.dispatcher->Handle(line, *s.session);
    if (!r || r->find("\"isError\":false") == std::string::npos) ++errors;
  }
  return errors;
}

void BM_Message(benchmark::State& state, std::string tool) {
  Served* s = ServedOf(state);
  if (s == nullptr) return;
  std::vector<std::string> lines;
  for (size_t i = 0; i < 997; ++i) {
    lines.push_back(Json{{"jsonrpc", "2.0"},
                         {"id", static_cast<int64_t>(i + 1)},
                         {"method", "tools/call"},
                         {"params", {{"name", tool}, {"arguments", ArgsOf(tool, *s, i)}}}}
                        .dump());
  }
  size_t errors = 0;
  std::optional<std::string> reply;
  TimeEach(state, [&](size_t i) {
    if (i == lines.size()) {  // the first round's last reply, outside the clock
      if (!reply || reply->find("\"isError\":false") == std::string::npos) ++errors;
    }
    reply = s->dispatcher->Handle(lines[i % lines.size()], *s->session);
    benchmark::DoNotOptimize(reply);
  });
  errors += HandleEach(*s, lines);
  if (errors > 0) state.SkipWithError((tool + ": calls failed").c_str());
}

void RegisterAll() {
  for (int64_t n : {1000, 100000}) {
    for (const char* tool : {"get_entity_details", "search_entities", "find_path", "query_graph"}) {
      benchmark::RegisterBenchmark((std::string("Tool/") + tool).c_str(), BM_Tool, tool)
          ->Arg(n);
      benchmark::RegisterBenchmark((std::string("Message/") + tool).c_str(), BM_Message, tool)
          ->Arg(n);
    }
  }
}

}  // namespace
}  // namespace funkygibbon::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  spdlog::set_level(spdlog::level::warn);  // the server's info lines would mix with the table
  std::printf("tool_bench: load average %s\n", funkygibbon::bench::LoadAverage().c_str());
  funkygibbon::bench::RegisterAll();
  funkygibbon::bench::JsonLinesReporter reporter("tool");
  benchmark::RunSpecifiedBenchmarks(&reporter);
  funkygibbon::bench::g_served.reset();
  benchmark::Shutdown();
  return 0;
}
