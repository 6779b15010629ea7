// /api/v1/sync/*: the Inbetweenies v2 hub over HTTP. Thin adapter: parse the
// body (within the hub's limits), authorize, call sync::SyncHub, map Status.
#include <chrono>
#include <memory>
#include <string>

#include "app/hub_context.h"
#include "app/route_util.h"
#include "sync/hub.h"

namespace funkygibbon::app {
namespace {

void HandleSync(const httplib::Request& req, httplib::Response& res, HubContext& ctx,
                sync::SyncHub& hub) {
  // duration_ms in the answer counts from here: parsing the body, the
  // sync itself and writing the answer's text.
  const auto started = std::chrono::steady_clock::now();
  // A guest may pull; pushing needs a member. Authorize as guest first, then
  // check the role once we know whether the request carries changes.
  std::optional<Principal> who = Authorize(req, res, ctx, Role::kGuest);
  if (!who) return;
  StatusOr<Json> body = ParseJsonBody(req, ctx);
  if (!body.ok()) {
    SendStatus(res, body.status());
    return;
  }
  const Json& j = *body;
  auto changes = j.find("changes");
  const bool pushes = changes != j.end() && changes->is_array() && !changes->empty();
  if (pushes && who->role < Role::kMember) {
    res.set_header("WWW-Authenticate", "Bearer realm=\"funkygibbon\", error=\"insufficient_scope\"");
    SendError(res, 403, "a guest may pull but not push changes; sign in as a member");
    return;
  }
  if (pushes && changes->size() > ctx.limits.max_sync_changes) {
    SendError(res, 413,
              "changes: " + std::to_string(changes->size()) + " changes in one request; at most " +
                  std::to_string(ctx.limits.max_sync_changes) + " (send them in several requests)");
    return;
  }
  sync::SyncStats stats;
  StatusOr<std::string> out = hub.HandleSerialized(j, started, &stats);
  if (!out.ok()) {
    const bool bad = out.status().code() == StatusCode::kInvalidArgument;
    SendError(res, bad ? 400 : 500, out.status().message());
    ctx.metrics.CountSync(bad ? "rejected" : "errors", 1);
    return;
  }
  ctx.metrics.CountSync("requests", 1);
  ctx.metrics.CountSync("entities_applied", stats.entities_synced);
  ctx.metrics.CountSync("relationships_applied", stats.relationships_synced);
  ctx.metrics.CountSync("conflicts", stats.conflicts_resolved);
  res.status = 200;
  res.body = *std::move(out);  // a full pull is megabytes: no copy
  res.set_header("Content-Type", "application/json");
}

}  // namespace

void RegisterSyncRoutes(httplib::Server& server, HubContext& ctx) {
  HubContext* c = &ctx;
  std::shared_ptr<sync::SyncHub> own;
  if (ctx.sync_hub == nullptr) own = std::make_shared<sync::SyncHub>(ctx.graph);
  // The context's hub when it names one (read per request), else our own.
  auto hub_of = [c, own]() -> sync::SyncHub& { return own ? *own : *c->sync_hub; };
  auto sync_handler = [c, hub_of](const httplib::Request& req, httplib::Response& res) {
    HandleSync(req, res, *c, hub_of());
  };
  server.Post("/api/v1/sync/", sync_handler);
  server.Post("/api/v1/sync", sync_handler);
  server.Get("/api/v1/sync/status", [c, hub_of](const httplib::Request& req, httplib::Response& res) {
    if (!Authorize(req, res, *c, Role::kGuest)) return;
    SendJson(res, 200, hub_of().Status());
  });
  server.Get("/api/v1/sync/conflicts", [c, hub_of](const httplib::Request& req, httplib::Response& res) {
    if (!Authorize(req, res, *c, Role::kMember)) return;
    size_t limit = 100;
    if (req.has_param("limit")) {
      const std::string v = req.get_param_value("limit");
      size_t n = 0;
      bool ok = !v.empty() && v.size() <= 6;
      for (char ch : v) {
        if (ch < '0' || ch > '9') ok = false;
      }
      if (ok) n = static_cast<size_t>(std::stoul(v));
      if (!ok || n == 0 || n > 10000) {
        SendError(res, 400, "limit: must be an integer from 1 to 10000");
        return;
      }
      limit = n;
    }
    StatusOr<Json> out = hub_of().Conflicts(limit);
    if (!out.ok()) {
      SendError(res, 500, out.status().message());
      return;
    }
    SendJson(res, 200, *out);
  });
}

}  // namespace funkygibbon::app
