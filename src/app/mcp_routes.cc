// /mcp (Streamable HTTP, both protocol eras), /health and /metrics: thin
// adapters between httplib and mcp::StreamableHttp.
#include <memory>
#include <string>
#include <utility>

#include "app/hub_context.h"
#include "app/route_util.h"
#include "app/hub_server.h"
#include "mcp/streamable_http.h"

namespace funkygibbon::app {
namespace {


void ServeMcp(const httplib::Request& req, httplib::Response& res, HubContext& ctx,
              const std::shared_ptr<mcp::StreamableHttp>& transport) {
  std::optional<Principal> who = Authorize(req, res, ctx, Role::kGuest);
  if (!who) return;
  mcp::HttpRequest in;
  in.method = req.method;
  in.path = req.path;
  for (const auto& [name, value] : req.headers) in.headers.emplace(name, value);
  in.body = req.body;
  in.remote_addr = req.remote_addr;
  in.caller.user_id = UserIdOf(*who, "mcp");
  in.caller.read_only = who->role == Role::kGuest;

  mcp::HttpResponse out = transport->Handle(in);
  res.status = out.status;
  std::string content_type = "application/json";
  for (const auto& [name, value] : out.headers) {
    if (name == "Content-Type") {
      content_type = value;
    } else {
      res.set_header(name, value);
    }
  }
  Metrics* metrics = &ctx.metrics;
  // The metric's tool label: a tool the registry has, else "unknown" (the
  // name comes from the request: one label per name sent would let any
  // caller grow the metrics without bound).
  if (!out.tool.empty() && ctx.tools.Find(out.tool) == nullptr) out.tool = "unknown";
  if (out.stream) {
    res.set_chunked_content_provider(
        content_type, [stream = std::move(out.stream), tool = out.tool, outcome = out.tool_outcome,
                       metrics](size_t /*offset*/, httplib::DataSink& sink) {
          stream([&sink](std::string_view chunk) {
            return sink.is_writable() && sink.write(chunk.data(), chunk.size());
          });
          if (!tool.empty()) metrics->CountToolCall(tool, *outcome);
          sink.done();
          return true;
        });
    return;
  }
  if (!out.tool.empty()) metrics->CountToolCall(out.tool, *out.tool_outcome);
  if (!out.body.empty()) {
    // set_content without its copy of the body.
    res.body = std::move(out.body);
    res.set_header("Content-Type", content_type);
  }
}

}  // namespace

std::shared_ptr<mcp::StreamableHttp> RegisterMcpRoutesWithOptions(httplib::Server& server,
                                                                  HubContext& ctx,
                                                                  const McpRouteOptions& options) {
  mcp::StreamableHttpOptions topt;
  topt.allowed_hosts = options.allowed_hosts;
  topt.max_body_bytes = ctx.limits.max_body_bytes;
  topt.max_json_depth = ctx.limits.max_json_depth;
  auto transport = std::make_shared<mcp::StreamableHttp>(ctx.dispatcher, std::move(topt));
  HubContext* c = &ctx;
  const auto mcp = [c, transport](const httplib::Request& q, httplib::Response& r) {
    ServeMcp(q, r, *c, transport);
  };
  server.Post("/mcp", mcp);
  server.Get("/mcp", mcp);
  server.Delete("/mcp", mcp);
  server.Get("/health", [](const httplib::Request&, httplib::Response& r) {
    r.set_content(R"({"status":"healthy"})", "application/json");
  });
  server.Get("/metrics", [c](const httplib::Request& q, httplib::Response& r) {
    if (!Authorize(q, r, *c, Role::kMember)) return;
    r.set_content(c->metrics.RenderPrometheus(c->graph), "text/plain; version=0.0.4");
  });
  return transport;
}

void RegisterMcpRoutes(httplib::Server& server, HubContext& ctx) {
  RegisterMcpRoutesWithOptions(server, ctx, McpRouteOptions{});
}

}  // namespace funkygibbon::app
