// The wired-up program: store, graph, tool registry, MCP dispatcher, and in
// edge mode the sync client (with an optional background sync thread).
//
// Thread-safety: as its parts (all thread-safe); set_user_id before serving.
#ifndef FUNKYGIBBON_APP_RUNTIME_H_
#define FUNKYGIBBON_APP_RUNTIME_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/status.h"
#include "core/types.h"
#include "graph/knowledge_graph.h"
#include "mcp/dispatcher.h"
#include "mcp/graph_resources.h"
#include "mcp/tool_registry.h"
#include "store/store.h"
#include "sync/edge.h"

namespace funkygibbon::app {

struct RuntimeOptions {
  std::string db_path;  // SQLite file; ":memory:" for a throwaway database
  store::Durability durability = store::Durability::kProcessCrash;
  std::string user_id;  // recorded on writes; empty = "mcp"
  // Edge mode: the hub to sync with ("" = none), its bearer token, and how
  // often to sync in the background (seconds; 0 = only on sync_now).
  std::string hub_url;
  std::string hub_token;
  int sync_interval_s = 0;
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
  // The edge's sync client, or null without a hub.
  sync::SyncClient* sync_client() { return sync_client_.get(); }
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
  void BackgroundSyncLoop(int interval_s);

  std::string user_id_ = "mcp";
  std::unique_ptr<graph::KnowledgeGraph> graph_;
  std::unique_ptr<sync::SyncClient> sync_client_;
  std::unique_ptr<mcp::ToolRegistry> tools_;
  std::unique_ptr<mcp::GraphResources> resources_;
  std::unique_ptr<mcp::Dispatcher> dispatcher_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by stop_mu_
  std::thread background_sync_;
};

}  // namespace funkygibbon::app

#endif  // FUNKYGIBBON_APP_RUNTIME_H_
