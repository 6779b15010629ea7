// The wired-up program: store, graph, tool registry, MCP dispatcher.
//
// Thread-safety: as its parts (all thread-safe); set_user_id before serving.
#ifndef FUNKYGIBBON_APP_RUNTIME_H_
#define FUNKYGIBBON_APP_RUNTIME_H_

#include <memory>
#include <string>

#include "core/status.h"
#include "core/types.h"
#include "graph/knowledge_graph.h"
#include "mcp/dispatcher.h"
#include "mcp/graph_resources.h"
#include "mcp/tool_registry.h"
#include "store/store.h"

namespace funkygibbon::app {

struct RuntimeOptions {
  std::string db_path;  // SQLite file; ":memory:" for a throwaway database
  store::Durability durability = store::Durability::kProcessCrash;
  std::string user_id;  // recorded on writes; empty = "mcp"
};

// tools.json as parsed JSON (the embedded copy).
StatusOr<Json> ToolDefinitions();

// What initialize tells a model about using the tools.
extern const char* const kInstructions;

class Runtime {
 public:
  static StatusOr<std::unique_ptr<Runtime>> Open(const RuntimeOptions& options);
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
  ~Runtime();

  graph::KnowledgeGraph& graph() { return *graph_; }
  const mcp::ToolRegistry& tools() const { return *tools_; }
  const mcp::Dispatcher& dispatcher() const { return *dispatcher_; }
  void set_user_id(std::string user_id) { user_id_ = std::move(user_id); }

  // MCP over stdin/stdout until stdin closes; returns the exit code.
  int ServeStdio();

  // Calls one tool with JSON arguments text: prints structuredContent to
  // stdout and returns 0, or prints the error to stderr and returns 3 for an
  // isError result and 2 for a protocol error (unknown tool, bad JSON).
  int CallAndPrint(const std::string& tool, const std::string& arguments_json);

 private:
  Runtime() = default;

  std::string user_id_ = "mcp";
  std::unique_ptr<graph::KnowledgeGraph> graph_;
  std::unique_ptr<mcp::ToolRegistry> tools_;
  std::unique_ptr<mcp::GraphResources> resources_;
  std::unique_ptr<mcp::Dispatcher> dispatcher_;
};

}  // namespace funkygibbon::app

#endif  // FUNKYGIBBON_APP_RUNTIME_H_
