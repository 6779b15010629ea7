#include "app/sync_tools.h"

#include "sync/conflict_log.h"

namespace funkygibbon::app {

const char* const kNoHubMessage =
    "no hub configured: start funkygibbon with --hub http://HUB:PORT and a token "
    "(--hub-token-file FILE or FUNKYGIBBON_HUB_TOKEN), then call sync_now again";

std::vector<mcp::ToolBinding> SyncToolBindings(graph::KnowledgeGraph& kg, sync::SyncClient* client,
                                               int background_interval_s) {
  std::vector<mcp::ToolBinding> out;
  auto add = [&out](std::string name, mcp::ToolHandler handler) {
    mcp::ToolBinding b;  // never quick: sync_now talks to the network
    b.name = std::move(name);
    b.handler = std::move(handler);
    out.push_back(std::move(b));
  };
  add("sync_now", [client](const Json&, mcp::ToolContext& ctx) -> StatusOr<Json> {
                   if (client == nullptr) return Status::FailedPrecondition(kNoHubMessage);
                   auto r = client->SyncNow(ctx.report_progress);
                   if (!r.ok()) {
                     const size_t pending = client->PendingCount();
                     std::string msg = "sync failed: " + r.status().message() + ". " +
                                       std::to_string(pending) +
                                       " local change(s) are kept and will be sent on the next sync";
                     if (r.status().code() == StatusCode::kUnavailable) {
                       msg += "; writes keep working offline";
                     }
                     // Internal would become a JSON-RPC error; the model needs the text.
                     return Status(r.status().code() == StatusCode::kInternal ? StatusCode::kUnavailable
                                                                              : r.status().code(),
                                   msg);
                   }
                   Json j = sync::ToJson(*r);
                   j["pending_changes"] = client->PendingCount();
                   j["hub"] = client->Status()["hub"];
                   return j;
                 });
  add("sync_status", [client, background_interval_s](const Json&, mcp::ToolContext&) -> StatusOr<Json> {
                   if (client == nullptr) {
                     return Json{{"configured", false},
                                 {"hub", nullptr},
                                 {"device_id", nullptr},
                                 {"watermark", nullptr},
                                 {"pending_changes", 0},
                                 {"hint", kNoHubMessage}};
                   }
                   Json j = client->Status();
                   j["configured"] = true;
                   j["background_interval_s"] = background_interval_s;
                   return j;
                 });
  add("get_sync_conflicts", [&kg](const Json& args, mcp::ToolContext&) -> StatusOr<Json> {
                   const size_t limit = args.value("limit", 20);
                   return sync::ReadConflicts(kg.store(), limit);
                 });
  return out;
}

}  // namespace funkygibbon::app
