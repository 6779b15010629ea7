// What every HTTP route of the hub shares, and the one authorization check
// every data route goes through.
//
// Routes are registered per feature, one route per line (cpp-httplib style):
//   RegisterMcpRoutes   /mcp (Streamable HTTP, both protocol eras), /health, /metrics
//   RegisterAuthRoutes  /api/v1/auth/*
//   RegisterRestRoutes  /api/v1/graph/*, /api/v1/mcp/tools*
//   RegisterSyncRoutes  /api/v1/sync/*
#ifndef FUNKYGIBBON_APP_HUB_CONTEXT_H_
#define FUNKYGIBBON_APP_HUB_CONTEXT_H_

#include <optional>
#include <string>

#include <httplib.h>

#include "app/auth.h"
#include "app/metrics.h"
#include "graph/knowledge_graph.h"
#include "mcp/dispatcher.h"
#include "mcp/tool_registry.h"

namespace funkygibbon::sync {
class SyncHub;
}  // namespace funkygibbon::sync

namespace funkygibbon::app {

struct HubLimits {
  size_t max_body_bytes = 4u << 20;  // larger bodies: 413
  int max_json_depth = 64;           // deeper JSON: 400
  size_t max_sync_changes = 5000;    // per sync request: 413
};

struct HubContext {
  graph::KnowledgeGraph& graph;
  const mcp::ToolRegistry& tools;
  const mcp::Dispatcher& dispatcher;
  AuthService& auth;
  Metrics& metrics;
  HubLimits limits;
  // `serve --anonymous guest`: requests without a token act as guests
  // (allowed only when listening on loopback).
  bool anonymous_guest = false;
  // The sync hub of `graph` the /api/v1/sync/ routes use (it keeps a change
  // counter and a digest of that graph), read at each request. Null:
  // RegisterSyncRoutes makes one for `graph`. Set by a caller that gives the
  // routes another graph later (the HTTP fuzz target, one graph per input).
  sync::SyncHub* sync_hub = nullptr;
};

// Checks the request's bearer token (Authorization header only, never the
// query string) and the role. On success returns the principal. Otherwise
// writes the answer and returns nullopt: 401 with
// `WWW-Authenticate: Bearer realm="funkygibbon"` (plus error="invalid_token"
// when a token was given) for a missing, bad, expired or revoked token; 403
// with error="insufficient_scope" when the role is below `minimum`. Bodies
// are JSON {"detail": "..."}.
std::optional<Principal> Authorize(const httplib::Request& req, httplib::Response& res,
                                   const HubContext& ctx, Role minimum);

// JSON error body {"detail": message} with the given status.
void SendError(httplib::Response& res, int status, const std::string& message);

void RegisterMcpRoutes(httplib::Server& server, HubContext& ctx);
void RegisterAuthRoutes(httplib::Server& server, HubContext& ctx);
void RegisterRestRoutes(httplib::Server& server, HubContext& ctx);
void RegisterSyncRoutes(httplib::Server& server, HubContext& ctx);

}  // namespace funkygibbon::app

#endif  // FUNKYGIBBON_APP_HUB_CONTEXT_H_
