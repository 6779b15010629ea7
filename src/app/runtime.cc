#include "app/runtime.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <spdlog/spdlog.h>

#include "app/config.h"
#include "app/sync_tools.h"
#include "mcp/json_text.h"
#include "mcp/stdio_transport.h"
#include "mcp/tool_handlers.h"
#include "tools_json.h"

namespace funkygibbon::app {

const char* const kInstructions =
    "FunkyGibbon holds the knowledge graph of a home: rooms, zones, devices, doors, windows, "
    "manuals, notes, procedures, schedules, automations and apps, linked by typed relationships. "
    "Find things with search_entities or query_graph, read one with get_entity_details, and use "
    "the ids they return in other tools. Call describe_schema before create_relationship to see "
    "which relationship types are allowed between which entity types (located_in, part_of and "
    "contained_in point child -> parent). Edits keep history (get_entity_history); deletes are "
    "tombstones.";

StatusOr<Json> ToolDefinitions() {
  Json j = Json::parse(mcp::kToolsJson, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return Status::Internal("the embedded tools.json is not a JSON array");
  return j;
}

Runtime::~Runtime() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (background_sync_.joinable()) background_sync_.join();
}

void Runtime::BackgroundSyncLoop(int interval_s) {
  std::unique_lock<std::mutex> lock(stop_mu_);
  while (!stop_cv_.wait_for(lock, std::chrono::seconds(interval_s), [this] { return stopping_; })) {
    if (!sync_client_->DueForRetry()) continue;
    lock.unlock();
    auto r = sync_client_->SyncNow();
    if (r.ok()) {
      spdlog::info("background sync: pushed {} entities and {} relationships, pulled {} and {}, {} conflicts, {} ms",
                   r->pushed_entities, r->pushed_relationships, r->pulled_entities,
                   r->pulled_relationships, r->conflicts.size(), r->duration_ms);
    } else {
      spdlog::warn("background sync: {} ({} local changes kept)", r.status().message(),
                   sync_client_->PendingCount());
    }
    lock.lock();
  }
}

StatusOr<std::unique_ptr<Runtime>> Runtime::Open(const RuntimeOptions& options) {
  std::unique_ptr<Runtime> rt(new Runtime());
  if (!options.user_id.empty()) rt->user_id_ = options.user_id;
  store::StoreOptions so;
  so.durability = options.durability;
  ASSIGN_OR_RETURN(std::unique_ptr<store::Store> store, store::OpenSqliteStore(so, options.db_path));
  // The graph loads on a thread of its own (seconds at 100k entities), so
  // the server answers initialize, tools/list and ping at once; every read
  // and write of the graph waits for the load (knowledge_graph.h).
  graph::OpenOptions gopt;
  gopt.load_in_background = true;
  gopt.on_load_error = [](const Status& s) {
    // Nothing can be served from a graph that did not load: stop as a
    // failed Open would have, before any waiting call goes on.
    std::fprintf(stderr, "funkygibbon: %s\n", s.ToString().c_str());
    std::fflush(stderr);
    std::_Exit(1);
  };
  ASSIGN_OR_RETURN(rt->graph_, graph::KnowledgeGraph::Open(std::move(store), std::move(gopt)));
  if (!options.hub_url.empty()) {
    RETURN_IF_ERROR(sync::ValidateHubUrl(options.hub_url));
    sync::HttpTransportOptions topt;
    topt.token = options.hub_token;
    sync::SyncClientOptions copt;
    copt.user_id = rt->user_id_;
    rt->sync_client_ = std::make_unique<sync::SyncClient>(
        *rt->graph_, sync::NewHttpTransport(options.hub_url, topt), copt);
  }
  std::vector<mcp::ToolBinding> bindings = mcp::GraphToolBindings(*rt->graph_);
  for (auto& b : SyncToolBindings(*rt->graph_, rt->sync_client_.get(), options.sync_interval_s)) {
    bindings.push_back(std::move(b));
  }
  // Written answers are served unchecked: their form is checked by the
  // tool tests, and checking here would parse every answer again.
  mcp::RegistryOptions ropt;
  ropt.check_written_outputs = false;
  ASSIGN_OR_RETURN(rt->tools_,
                   mcp::ToolRegistry::Create(mcp::kToolsJson, std::move(bindings), ropt));
  rt->resources_ = std::make_unique<mcp::GraphResources>(*rt->graph_);
  mcp::DispatcherOptions dopt;
  dopt.server_version = kVersion;
  dopt.instructions = kInstructions;
  rt->dispatcher_ = std::make_unique<mcp::Dispatcher>(*rt->tools_, rt->resources_.get(), dopt);
  if (rt->sync_client_ && options.sync_interval_s > 0) {
    Runtime* raw = rt.get();
    const int interval = options.sync_interval_s;
    rt->background_sync_ = std::thread([raw, interval] { raw->BackgroundSyncLoop(interval); });
  }
  return rt;
}

int Runtime::ServeStdio() {
  mcp::Caller caller;
  caller.user_id = user_id_;
  mcp::Session session(nullptr, caller);
  return mcp::RunStdio(*dispatcher_, session, STDIN_FILENO, STDOUT_FILENO);
}

int Runtime::CallAndPrint(const std::string& tool, const std::string& arguments_json) {
  auto parsed = mcp::ParseJson(arguments_json);
  if (!parsed.ok() || !parsed->is_object()) {
    std::fprintf(stderr, "funkygibbon: arguments must be a JSON object, e.g. '{\"query\":\"lamp\"}'%s%s\n",
                 parsed.ok() ? "" : ": ", parsed.ok() ? "" : parsed.status().message().c_str());
    return 2;
  }
  const Json& args = *parsed;
  mcp::ToolContext ctx;
  ctx.user_id = user_id_;
  auto result = tools_->Call(tool, args, ctx);
  if (!result.ok()) {
    std::fprintf(stderr, "funkygibbon: %s\n", result.status().message().c_str());
    if (result.status().code() == StatusCode::kNotFound) {
      std::fprintf(stderr, "funkygibbon: `funkygibbon tools` lists the tools\n");
    }
    return 2;
  }
  if (result->value("isError", false)) {
    std::string text;
    for (const auto& c : (*result)["content"]) text += c.value("text", "");
    std::fprintf(stderr, "funkygibbon: %s\n", text.c_str());
    return 3;
  }
  std::string out = (*result)["structuredContent"].dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace funkygibbon::app
