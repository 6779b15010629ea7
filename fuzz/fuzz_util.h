// Shared pieces of the libFuzzer targets: a small seeded home graph with
// fixed ids and versions (so corpus files can name them and every run starts
// from the same state), a fingerprint of the stored graph for "nothing
// changed" checks, JSON-RPC shape checks, and FUZZ_CHECK, which reports a
// broken invariant and aborts so libFuzzer records the input as a crash.
#ifndef FUNKYGIBBON_FUZZ_FUZZ_UTIL_H_
#define FUNKYGIBBON_FUZZ_FUZZ_UTIL_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/types.h"
#include "graph/knowledge_graph.h"
#include "mcp/dispatcher.h"
#include "mcp/graph_resources.h"
#include "mcp/tool_registry.h"

namespace funkygibbon::fuzz {

[[noreturn]] void Fail(const char* file, int line, const char* condition,
                       const std::string& detail);

#define FUZZ_CHECK(cond, detail)                                              \
  do {                                                                        \
    if (!(cond)) ::funkygibbon::fuzz::Fail(__FILE__, __LINE__, #cond, detail); \
  } while (0)

// True when FG_FUZZ_VERBOSE is set: targets then print what they send and
// get back (for checking what a corpus file exercises).
bool Verbose();

// Silences the product's logging (spdlog) so the fuzzer's own output stays
// readable and logging costs no executions.
void QuietLogs();

// Ids of the seeded graph (see SeedSmallHome).
inline constexpr char kHomeId[] = "home-1";
inline constexpr char kKitchenId[] = "room-kitchen";
inline constexpr char kHallId[] = "room-hall";
inline constexpr char kLampId[] = "dev-lamp";
inline constexpr char kSwitchId[] = "dev-switch";
inline constexpr char kDoorId[] = "door-kitchen";
inline constexpr char kManualId[] = "manual-lamp";
inline constexpr char kProcedureId[] = "proc-reset";
inline constexpr char kAutomationId[] = "auto-night";
inline constexpr char kAppId[] = "app-hue";
inline constexpr char kNoteId[] = "note-filter";
// The version every seeded entity has.
inline constexpr char kSeedVersion[] = "2025-01-01T00:00:00.000000+00:00-000001-seed";

// Writes the small home (11 entities, 10 relationships "rel-1".."rel-10")
// in one commit; aborts if that fails.
void SeedSmallHome(graph::KnowledgeGraph& kg);

// A fresh ":memory:" graph with the small home (a copy of the store the
// first call seeded); aborts on failure.
std::unique_ptr<graph::KnowledgeGraph> NewSeededGraph();

// What the app's Runtime wires up (the graph tools of tools.json, the graph
// resources and a dispatcher) over a seeded ":memory:" graph, rebuilt for
// every input (see End) from a copy of one seeded store's image
// (NewSeededGraph). So every input starts from the same state without
// paying, each time, the SQLite schema and seeding and the compilation of
// tools.json (~20 ms): the registry and the dispatcher are built once, and
// the registry's handlers and the dispatcher's resources forward to those of
// the current graph (so the dispatcher, and what holds it, such as an HTTP
// transport, may outlive an input).
class World {
 public:
  // `seed_more` runs once, on the seeded graph every input's graph is then a
  // copy of (e.g. to issue tokens, which are stored): what it writes is in
  // the state every input starts from.
  explicit World(const std::function<void(graph::KnowledgeGraph&)>& seed_more = nullptr);
  World(const World&) = delete;
  World& operator=(const World&) = delete;
  ~World();

  graph::KnowledgeGraph& graph() { return *graph_; }
  const mcp::ToolRegistry& tools() const { return *tools_; }
  const mcp::Dispatcher& dispatcher() const { return *dispatcher_; }

  // True once anything was committed through the graph since the last
  // (re)build (every graph write goes through KnowledgeGraph, which tells
  // its change listeners about each commit).
  bool graph_written() const { return written_->load(); }

  // Call at the start of each input: seeds a fresh graph unless one is
  // already built (the constructor builds the first).
  void Begin();

  // Call at the end of each input. If the graph was written or a setting
  // changed (auth writes settings straight to the store), checks that the
  // index still matches the store. Then tears everything down, so the next
  // input starts from a freshly seeded graph and an input frees what it
  // allocated. (libFuzzer runs an input that leaves more mallocs than frees
  // a second time and scans the whole heap for leaks. A world kept between
  // inputs set that off after most inputs that wrote or filled a cache,
  // which cost more than seeding a graph per input, and counted each such
  // input twice.)
  void End();

 private:
  void Rebuild();
  void TearDown();
  std::vector<std::pair<std::string, std::string>> Settings();

  std::shared_ptr<const std::string> image_;  // every input's store starts as a copy
  std::unique_ptr<graph::KnowledgeGraph> graph_;
  // The current graph's tool handlers (and writers) by name; the registry's
  // forward here.
  std::shared_ptr<std::map<std::string, mcp::ToolHandler>> handlers_;
  std::shared_ptr<std::map<std::string, mcp::ToolWriter>> writers_;
  std::unique_ptr<mcp::ToolRegistry> tools_;
  std::unique_ptr<mcp::GraphResources> resources_;  // the current graph's
  std::unique_ptr<mcp::ResourceProvider> forwarding_resources_;  // to resources_
  std::unique_ptr<mcp::Dispatcher> dispatcher_;  // built once
  std::shared_ptr<std::atomic<bool>> written_;  // set by the graph's change listener
  std::vector<std::pair<std::string, std::string>> pristine_settings_;
};

// Everything the store holds for the current graph (entities with their
// versions and content, relationships, version counts) and every setting,
// as one string: equal fingerprints mean nothing was written.
std::string StoreFingerprint(graph::KnowledgeGraph& kg);

// Checks that the in-memory index holds exactly the store's current rows,
// and that each entity's (cached) version count matches its history.
void CheckIndexMatchesStore(graph::KnowledgeGraph& kg);

// What a caller of CheckJsonRpcResponse needs of a response.
struct RpcReply {
  Json id;                                // string, integer or null
  std::optional<int64_t> error_code;      // set for an error response
};

// `message` is one valid JSON-RPC 2.0 response (an object with jsonrpc
// "2.0", a valid id, and either a result object or an error object with an
// integer code and a string message, and no method) on a single line of
// valid UTF-8 nested no deeper than 4 * kMaxJsonDepth. It is checked by
// nlohmann's SAX parser, without building the tree: a reply can be tens of
// kilobytes (tools/list), and under ASan building and freeing its tree cost
// more than producing it.
RpcReply CheckJsonRpcResponse(const std::string& message);
// `message` is one valid JSON-RPC 2.0 notification.
void CheckJsonRpcNotification(const std::string& message);

// Splits on '\n' (a trailing '\r' is kept: it is part of the fuzzed bytes).
std::vector<std::string_view> SplitLines(std::string_view data, size_t max_lines);

}  // namespace funkygibbon::fuzz

#endif  // FUNKYGIBBON_FUZZ_FUZZ_UTIL_H_
