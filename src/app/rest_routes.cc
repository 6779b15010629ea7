// /api/v1/graph/* and /api/v1/mcp/tools*: the REST face of the graph, in
// the reference server's paths and shapes. Every graph route runs a tool
// from tools.json (one validation, one handler) and reshapes its result;
// reads need the guest role, writes the member role.
#include <charconv>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "app/hub_context.h"
#include "app/route_util.h"
#include "core/vocabulary.h"

namespace funkygibbon::app {
namespace {

using httplib::Request;
using httplib::Response;

constexpr size_t kDefaultListLimit = 50;
constexpr size_t kMaxListLimit = 1000;
// query_graph's own maximum offset; checked here so the error names the
// query parameter rather than the tool argument.
constexpr size_t kMaxListOffset = 1000000;


// Where a route took the tool's arguments from, for the error messages.
constexpr std::string_view kFromBody = "body";
constexpr std::string_view kFromParameters = "parameters";  // path and query string

// Runs tool `name` the way ToolRegistry::Call does (lookup -> access ->
// inputSchema -> handler -> outputSchema) but keeps the handler's Status
// code, so the REST answer can say 404 or 409 instead of a generic error.
StatusOr<Json> RunTool(const HubContext& ctx, const Principal& who, std::string_view name,
                       const Json& args, std::string_view from = kFromBody) {
  const mcp::Tool* tool = ctx.tools.Find(name);
  if (tool == nullptr) return Status::Internal("tool '" + std::string(name) + "' is missing");
  if (!tool->read_only && who.role == Role::kGuest) {
    return Status::PermissionDenied("guests are read-only");
  }
  if (auto errors = tool->input_schema.Validate(args); !errors.empty()) {
    return Status::InvalidArgument(mcp::FormatSchemaErrors(errors, from));
  }
  mcp::ToolContext tctx;
  tctx.user_id = UserIdOf(who, "api");
  StatusOr<Json> out = Status::Internal("handler did not run");
  try {
    out = tool->Invoke(args, tctx);
  } catch (const std::exception& e) {
    spdlog::error("tool '{}' threw: {}", tool->name, e.what());
    return Status::Internal("tool '" + tool->name + "' failed unexpectedly");
  }
  if (!out.ok()) return out.status();
  if (!out->is_object()) return Status::Internal("tool '" + tool->name + "' returned a non-object");
  if (tool->output_schema) {
    if (auto errors = tool->output_schema->Validate(*out); !errors.empty()) {
      spdlog::error("tool '{}' output does not match its outputSchema: {}", tool->name,
                    mcp::FormatSchemaErrors(errors, "structuredContent"));
      return Status::Internal("tool '" + tool->name + "' returned a malformed result");
    }
  }
  return out;
}

void SendToolStatus(Response& res, const Status& s) {
  if (s.code() == StatusCode::kInternal) spdlog::error("REST route failed: {}", s.message());
  SendStatus(res, s);
}

// A non-negative integer query parameter, or `fallback` when absent.
StatusOr<size_t> SizeParam(const Request& req, const char* name, size_t fallback, size_t max) {
  if (!req.has_param(name)) return fallback;
  const std::string v = req.get_param_value(name);
  size_t n = 0;
  auto r = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || r.ec != std::errc() || r.ptr != v.data() + v.size()) {
    return Status::InvalidArgument(std::string(name) + ": expected a non-negative integer, got '" +
                                   v + "'");
  }
  if (n > max) {
    return Status::InvalidArgument(std::string(name) + ": at most " + std::to_string(max));
  }
  return n;
}

StatusOr<bool> BoolParam(const Request& req, const char* name, bool fallback) {
  if (!req.has_param(name)) return fallback;
  const std::string v = req.get_param_value(name);
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  return Status::InvalidArgument(std::string(name) + ": expected true or false, got '" + v + "'");
}

// The current entity as JSON, or null when unknown.
Json EntityJson(const HubContext& ctx, const std::string& id) {
  auto e = ctx.graph.Read([&](const graph::GraphIndex& g) { return g.Get(id); });
  if (!e) return nullptr;
  return ToJson(*e);
}

Status RequireLiveEntity(const HubContext& ctx, const std::string& id) {
  auto e = ctx.graph.Read([&](const graph::GraphIndex& g) { return g.Get(id); });
  if (!e) return Status::NotFound("entity '" + id + "' does not exist");
  return Status::Ok();
}

// Handlers get the principal already authorized.
using Handler = void (*)(const Request&, Response&, HubContext&, const Principal&);

void Route(httplib::Server& server, bool write, const std::string& method,
           const std::string& pattern, HubContext& ctx, Handler h) {
  HubContext* c = &ctx;
  auto fn = [c, h, write](const Request& req, Response& res) {
    auto who = Authorize(req, res, *c, write ? Role::kMember : Role::kGuest);
    if (!who) return;
    h(req, res, *c, *who);
  };
  if (method == "GET") server.Get(pattern, fn);
  if (method == "POST") server.Post(pattern, fn);
  if (method == "PUT") server.Put(pattern, fn);
  if (method == "DELETE") server.Delete(pattern, fn);
}

// ---- entities ---------------------------------------------------------------------------

void CreateEntity(const Request& req, Response& res, HubContext& ctx, const Principal& who) {
  auto body = ParseJsonBody(req, ctx);
  if (!body.ok()) return SendStatus(res, body.status());
  Json args = *body;
  args.erase("user_id");  // writes are recorded as the caller, not as whoever the body names
  if (auto id = args.find("id"); id != args.end() && id->is_string()) {
    if (!EntityJson(ctx, id->get<std::string>()).is_null()) {
      return SendError(res, 409, "entity '" + id->get<std::string>() + "' already exists");
    }
  }
  auto out = RunTool(ctx, who, "create_entity", args);
  if (!out.ok()) return SendToolStatus(res, out.status());
  SendJson(res, 200, Json{{"entity", (*out)["entity"]}});
}

void ListEntities(const Request& req, Response& res, HubContext& ctx, const Principal& who) {
  auto limit = SizeParam(req, "limit", kDefaultListLimit, kMaxListLimit);
  if (!limit.ok()) return SendStatus(res, limit.status());
  auto skip = SizeParam(req, "skip", 0, kMaxListOffset);
  if (!skip.ok()) return SendStatus(res, skip.status());
  auto offset = SizeParam(req, "offset", *skip, kMaxListOffset);
  if (!offset.ok()) return SendStatus(res, offset.status());
  Json args = {{"full", true}, {"order_by", "id"}, {"offset", *offset}};
  if (*limit == 0) {
    args["limit"] = 1;  // the total is still wanted
  } else {
    args["limit"] = *limit;
  }
  if (req.has_param("entity_type")) {
    auto t = ParseEntityType(req.get_param_value("entity_type"));
    if (!t) {
      return SendError(res, 400, "entity_type: unknown type '" + req.get_param_value("entity_type") +
                                     "' (see describe_schema)");
    }
    args["entity_type"] = std::string(ToString(*t));
  }
  auto out = RunTool(ctx, who, "query_graph", args, kFromParameters);
  if (!out.ok()) return SendToolStatus(res, out.status());
  Json entities = out->value("results", Json::array());
  if (*limit == 0) entities = Json::array();
  SendJson(res, 200,
           Json{{"entities", entities},
                {"total", out->value("total", 0)},
                {"limit", *limit},
                {"offset", *offset},
                {"skip", *offset}});
}

void GetEntity(const Request& req, Response& res, HubContext& ctx, const Principal& who) {
  const std::string id = req.matches[1];
  auto with_rels = BoolParam(req, "include_relationships", true);
  if (!with_rels.ok()) return SendStatus(res, with_rels.status());
  if (req.has_param("version")) {
    const std::string version = req.get_param_value("version");
    auto v = ctx.graph.store().GetVersion(id, version);
    if (!v.ok()) return SendToolStatus(res, v.status());
    if (!v->has_value()) {
      return SendError(res, 404, "entity '" + id + "' has no version '" + version + "'");
    }
    return SendJson(res, 200, Json{{"entity", ToJson(**v)}});
  }
  auto out = RunTool(ctx, who, "get_entity_details",
                     Json{{"entity_id", id}, {"include_relationships", *with_rels}},
                     kFromParameters);
  if (!out.ok()) return SendToolStatus(res, out.status());
  Json answer = {{"entity", (*out)["entity"]},
                 {"deleted", out->value("deleted", false)},
                 {"version_count", out->value("version_count", 0)}};
  if (*with_rels) {
    answer["relationships"] = {{"outgoing", out->value("outgoing", Json::array())},
                               {"incoming", out->value("incoming", Json::array())}};
  }
  SendJson(res, 200, answer);
}

void UpdateEntity(const Request& req, Response& res, HubContext& ctx, const Principal& who) {
  auto body = ParseJsonBody(req, ctx);
  if (!body.ok()) return SendStatus(res, body.status());
  const std::string id = req.matches[1];
  if (Status s = RequireLiveEntity(ctx, id); !s.ok()) return SendStatus(res, s);
  Json args = *body;
  args.erase("user_id");
  args["entity_id"] = id;
  auto out = RunTool(ctx, who, "update_entity", args);
  if (!out.ok()) return SendToolStatus(res, out.status());
  SendJson(res, 200, *out);
}

void DeleteEntity(const Request& req, Response& res, HubContext& ctx, const Principal& who) {
  const std::string id = req.matches[1];
  if (Status s = RequireLiveEntity(ctx, id); !s.ok()) return SendStatus(res, s);
  auto out = RunTool(ctx, who, "delete_entity", Json{{"entity_id", id}}, kFromParameters);
  if (!out.ok()) return SendToolStatus(res, out.status());
  SendJson(res, 200, *out);
}

void EntityVersions(const Request& req, Response& res, HubContext& ctx, const Principal& who) {
  const std::string id = req.matches[1];
  auto out = RunTool(ctx, who, "get_entity_history", Json{{"entity_id", id}}, kFromParameters);
  if (!out.ok()) return SendToolStatus(res, out.status());
  SendJson(res, 200,
           Json{{"entity_id", id},
                {"versions", out->value("versions", Json::array())},
                {"count", out->value("count", 0)},
                {"current_version", out->value("current_version", "")}});
}

void Connected(const Request& req, Response& res, HubContext& ctx, const Principal& who) {
  const std::string id = req.matches[1];
  Json args = {{"entity_id", id}};
  const std::string direction = req.has_param("direction") ? req.get_param_value("direction") : "both";
  if (direction == "outgoing" || direction == "out") {
    args["direction"] = "out";
  } else if (direction == "incoming" || direction == "in") {
    args["direction"] = "in";
  } else if (direction == "both") {
    args["direction"] = "both";
  } else {
    return SendError(res, 400, "direction: expected incoming, outgoing or both, got '" + direction + "'");
  }
  auto depth = SizeParam(req, "max_depth", 1, 10);
  if (!depth.ok()) return SendStatus(res, depth.status());
  if (*depth == 0) return SendError(res, 400, "max_depth: at least 1");
  args["depth"] = *depth;
  if (req.has_param("relationship_type")) {
    auto t = ParseRelationshipType(req.get_param_value("relationship_type"));
    if (!t) return SendError(res, 400, "relationship_type: unknown type '" +
                                           req.get_param_value("relationship_type") + "'");
    args["relationship_types"] = Json::array({std::string(ToString(*t))});
  }
  auto out = RunTool(ctx, who, "get_connected_entities", args, kFromParameters);
  if (!out.ok()) return SendToolStatus(res, out.status());
  Json connected = Json::array();
  for (const auto& r : out->value("results", Json::array())) {
    const std::string walked = r.value("walked", "forward");
    connected.push_back(Json{{"entity", EntityJson(ctx, r.value("id", ""))},
                             {"relationship_type", r.value("via_relationship_type", "")},
                             {"relationship_id", r.value("via_relationship_id", "")},
                             {"direction", walked == "forward" ? "outgoing" : "incoming"},
                             {"distance", r.value("distance", 0)}});
  }
  SendJson(res, 200,
           Json{{"entity_id", id},
                {"connected", connected},
                {"count", connected.size()},
                {"total", out->value("total", 0)}});
}

void Similar(const Request& req, Response& res, HubContext& ctx, const Principal& who) {
  const std::string id = req.matches[1];
  Json args = {{"entity_id", id}};
  if (req.has_param("threshold")) {
    const std::string v = req.get_param_value("threshold");
    double d = 0;
    auto r = std::from_chars(v.data(), v.data() + v.size(), d);
    // from_chars also reads "nan" and "inf", which the schema cannot name well.
    if (v.empty() || r.ec != std::errc() || r.ptr != v.data() + v.size() || !(d >= 0 && d <= 1)) {
      return SendError(res, 400, "threshold: expected a number between 0 and 1, got '" + v + "'");
    }
    args["threshold"] = d;
  }
  auto limit = SizeParam(req, "limit", 10, 50);
  if (!limit.ok()) return SendStatus(res, limit.status());
  if (*limit == 0) return SendError(res, 400, "limit: at least 1");
  args["limit"] = *limit;
  auto out = RunTool(ctx, who, "find_similar_entities", args, kFromParameters);
  if (!out.ok()) return SendToolStatus(res, out.status());
  Json similar = Json::array();
  for (const auto& r : out->value("results", Json::array())) {
    similar.push_back(Json{{"entity", EntityJson(ctx, r.value("id", ""))},
                           {"score", r.value("score", 0.0)},
                           {"reasons", r.value("reasons", Json::array())}});
  }
  SendJson(res, 200,
           Json{{"reference_entity_id", id},
                {"similar_entities", similar},
                {"count", similar.size()},
                {"threshold", out->value("threshold", 0.0)}});
}

// ---- relationships ------------------------------------------------------------------------

void CreateRelationship(const Request& req, Response& res, HubContext& ctx, const Principal& who) {
  auto body = ParseJsonBody(req, ctx);
  if (!body.ok()) return SendStatus(res, body.status());
  Json args = *body;
  args.erase("user_id");
  // The reference's names for the endpoints.
  if (args.contains("source_id") && !args.contains("from_entity_id")) {
    args["from_entity_id"] = args["source_id"];
  }
  if (args.contains("target_id") && !args.contains("to_entity_id")) {
    args["to_entity_id"] = args["target_id"];
  }
  args.erase("source_id");
  args.erase("target_id");
  for (const char* end : {"from_entity_id", "to_entity_id"}) {
    auto it = args.find(end);
    if (it != args.end() && it->is_string()) {
      if (Status s = RequireLiveEntity(ctx, it->get<std::string>()); !s.ok()) {
        return SendError(res, 404, std::string(end) + ": " + s.message());
      }
    }
  }
  auto out = RunTool(ctx, who, "create_relationship", args);
  if (!out.ok()) return SendToolStatus(res, out.status());
  SendJson(res, 200, Json{{"relationship", (*out)["relationship"]}});
}

void ListRelationships(const Request& req, Response& res, HubContext& ctx, const Principal&) {
  auto limit = SizeParam(req, "limit", 100, kMaxListLimit);
  if (!limit.ok()) return SendStatus(res, limit.status());
  auto offset = SizeParam(req, "offset", 0, SIZE_MAX / 2);
  if (!offset.ok()) return SendStatus(res, offset.status());
  std::optional<RelationshipType> type;
  if (req.has_param("relationship_type")) {
    type = ParseRelationshipType(req.get_param_value("relationship_type"));
    if (!type) {
      return SendError(res, 400, "relationship_type: unknown type '" +
                                     req.get_param_value("relationship_type") + "'");
    }
  }
  const std::string from = req.has_param("from_entity_id") ? req.get_param_value("from_entity_id") : "";
  const std::string to = req.has_param("to_entity_id") ? req.get_param_value("to_entity_id") : "";
  Json list = Json::array();
  size_t total = 0;
  ctx.graph.Read([&](const graph::GraphIndex& g) {
    std::vector<graph::RelationshipPtr> rels = !from.empty() ? g.Outgoing(from)
                                               : !to.empty() ? g.Incoming(to)
                                                             : g.AllRelationships();
    for (const auto& r : rels) {
      if (!from.empty() && r->from_entity_id != from) continue;
      if (!to.empty() && r->to_entity_id != to) continue;
      if (type && r->relationship_type != *type) continue;
      if (total >= *offset && list.size() < *limit) list.push_back(ToJson(*r));
      ++total;
    }
    return 0;
  });
  SendJson(res, 200,
           Json{{"relationships", list}, {"count", list.size()}, {"total", total},
                {"limit", *limit}, {"offset", *offset}});
}

void DeleteRelationship(const Request& req, Response& res, HubContext& ctx, const Principal& who) {
  const std::string id = req.matches[1];
  auto out =
      RunTool(ctx, who, "delete_relationship", Json{{"relationship_id", id}}, kFromParameters);
  if (!out.ok()) return SendToolStatus(res, out.status());
  SendJson(res, 200, *out);
}

// ---- search, path, statistics ----------------------------------------------------------------

void Search(const Request& req, Response& res, HubContext& ctx, const Principal& who) {
  Json args;
  if (req.method == "POST") {
    auto body = ParseJsonBody(req, ctx);
    if (!body.ok()) return SendStatus(res, body.status());
    args = *body;
  } else {
    args = Json::object();
    const char* q = req.has_param("query") ? "query" : "q";
    if (req.has_param(q)) args["query"] = req.get_param_value(q);
    if (req.has_param("entity_type")) {
      args["entity_types"] = Json::array({req.get_param_value("entity_type")});
    }
    auto limit = SizeParam(req, "limit", 10, 100);
    if (!limit.ok()) return SendStatus(res, limit.status());
    args["limit"] = *limit;
  }
  if (auto types = args.find("entity_types"); types != args.end() && types->is_array()) {
    for (auto& t : *types) {  // any letter case, as everywhere
      if (!t.is_string()) continue;
      if (auto parsed = ParseEntityType(t.get<std::string>())) t = std::string(ToString(*parsed));
    }
  }
  auto out = RunTool(ctx, who, "search_entities", args,
                     req.method == "POST" ? kFromBody : kFromParameters);
  if (!out.ok()) return SendToolStatus(res, out.status());
  Json results = Json::array();
  for (const auto& r : out->value("results", Json::array())) {
    Json highlights = Json::object();
    if (r.contains("snippet")) highlights["content"] = r["snippet"];
    results.push_back(Json{{"entity", EntityJson(ctx, r.value("id", ""))},
                           {"score", r.value("score", 0.0)},
                           {"highlights", highlights},
                           {"matched_fields", r.contains("snippet") ? Json::array({"content"})
                                                                   : Json::array()}});
  }
  SendJson(res, 200,
           Json{{"query", out->value("query", "")},
                {"results", results},
                {"count", results.size()},
                {"total", out->value("total", 0)}});
}

void Path(const Request& req, Response& res, HubContext& ctx, const Principal& who) {
  Json args;
  if (req.method == "POST") {
    auto body = ParseJsonBody(req, ctx);
    if (!body.ok()) return SendStatus(res, body.status());
    args = *body;
  } else {
    args = Json::object();
    for (const char* k : {"from_entity_id", "to_entity_id", "direction"}) {
      if (req.has_param(k)) args[k] = req.get_param_value(k);
    }
    if (req.has_param("max_depth")) {
      auto d = SizeParam(req, "max_depth", 0, 1000);
      if (!d.ok()) return SendStatus(res, d.status());
      args["max_depth"] = *d;
    }
  }
  auto out = RunTool(ctx, who, "find_path", args,
                     req.method == "POST" ? kFromBody : kFromParameters);
  if (!out.ok()) return SendToolStatus(res, out.status());
  Json path = Json::array();
  for (const auto& n : out->value("nodes", Json::array())) {
    path.push_back(Json{{"id", n.value("id", "")},
                        {"name", n.value("name", "")},
                        {"type", n.value("entity_type", "")}});
  }
  Json answer = {{"from", out->value("from_entity_id", "")},
                 {"to", out->value("to_entity_id", "")},
                 {"found", out->value("found", false)},
                 {"path", path},
                 {"edges", out->value("edges", Json::array())}};
  if (out->contains("length")) answer["length"] = (*out)["length"];
  if (out->contains("message")) answer["message"] = (*out)["message"];
  SendJson(res, 200, answer);
}

void Statistics(const Request&, Response& res, HubContext& ctx, const Principal& who) {
  auto out = RunTool(ctx, who, "get_graph_statistics", Json::object());
  if (!out.ok()) return SendToolStatus(res, out.status());
  SendJson(res, 200, *out);
}

// ---- /api/v1/mcp/tools -----------------------------------------------------------------------

mcp::Access AccessOf(const Principal& who) {
  return who.role == Role::kGuest ? mcp::Access::kReadOnly : mcp::Access::kReadWrite;
}

void ListTools(const Request&, Response& res, HubContext& ctx, const Principal& who) {
  Json tools = Json::array();
  for (const mcp::Tool* t : ctx.tools.tools(AccessOf(who))) tools.push_back(t->definition);
  SendJson(res, 200, Json{{"tools", tools}, {"count", tools.size()}});
}

void DescribeTool(const Request& req, Response& res, HubContext& ctx, const Principal&) {
  const std::string name = req.matches[1];
  const mcp::Tool* t = ctx.tools.Find(name);
  if (t == nullptr) return SendError(res, 404, "Tool '" + name + "' not found");
  SendJson(res, 200, t->definition);
}

void CallTool(const Request& req, Response& res, HubContext& ctx, const Principal& who) {
  const std::string name = req.matches[1];
  auto fail = [&res](int status, const std::string& message) {
    SendJson(res, status,
             Json{{"success", false}, {"result", nullptr}, {"error", message}, {"detail", message}});
  };
  const mcp::Tool* tool = ctx.tools.Find(name);
  if (tool == nullptr) return fail(404, "Tool '" + name + "' not found");
  if (!tool->read_only && who.role == Role::kGuest) {
    res.set_header("WWW-Authenticate", "Bearer realm=\"funkygibbon\", error=\"insufficient_scope\"");
    return fail(403, "tool '" + name + "' changes the graph; guests may only call read-only tools");
  }
  auto body = ParseJsonBody(req, ctx, EmptyBody::kAllow);
  if (!body.ok()) return fail(HttpStatusFor(body.status()), body.status().message());
  Json args = Json::object();
  if (auto a = body->find("arguments"); a != body->end() && !a->is_null()) {
    if (!a->is_object()) return fail(400, "arguments: expected a JSON object");
    args = *a;
  }
  mcp::ToolContext tctx;
  tctx.user_id = UserIdOf(who, "api");
  auto out = ctx.tools.Call(name, args, tctx, AccessOf(who));
  if (!out.ok()) {
    if (out.status().code() == StatusCode::kInternal) {
      return fail(500, "the tool failed unexpectedly; see the server log");
    }
    return fail(HttpStatusFor(out.status()), out.status().message());
  }
  if (out->value("isError", false)) {
    std::string text;
    for (const auto& c : out->value("content", Json::array())) text += c.value("text", "");
    return fail(400, text);
  }
  SendJson(res, 200,
           Json{{"success", true}, {"result", out->value("structuredContent", Json::object())},
                {"error", nullptr}});
}

}  // namespace

void RegisterRestRoutes(httplib::Server& server, HubContext& ctx) {
  constexpr bool kRead = false;
  constexpr bool kWrite = true;
  const std::string e = "/api/v1/graph/entities";
  const std::string id = "/([^/]+)";
  Route(server, kWrite, "POST", e, ctx, CreateEntity);
  Route(server, kRead, "GET", e, ctx, ListEntities);
  Route(server, kRead, "GET", e + id, ctx, GetEntity);
  Route(server, kWrite, "PUT", e + id, ctx, UpdateEntity);
  Route(server, kWrite, "DELETE", e + id, ctx, DeleteEntity);
  Route(server, kRead, "GET", e + id + "/versions", ctx, EntityVersions);
  Route(server, kRead, "GET", e + id + "/connected", ctx, Connected);
  Route(server, kRead, "GET", e + id + "/similar", ctx, Similar);
  Route(server, kWrite, "POST", "/api/v1/graph/relationships", ctx, CreateRelationship);
  Route(server, kRead, "GET", "/api/v1/graph/relationships", ctx, ListRelationships);
  Route(server, kWrite, "DELETE", "/api/v1/graph/relationships" + id, ctx, DeleteRelationship);
  Route(server, kRead, "POST", "/api/v1/graph/search", ctx, Search);
  Route(server, kRead, "GET", "/api/v1/graph/search", ctx, Search);
  Route(server, kRead, "POST", "/api/v1/graph/path", ctx, Path);
  Route(server, kRead, "GET", "/api/v1/graph/path", ctx, Path);
  Route(server, kRead, "GET", "/api/v1/graph/statistics", ctx, Statistics);
  Route(server, kRead, "GET", "/api/v1/mcp/tools", ctx, ListTools);
  Route(server, kRead, "GET", "/api/v1/mcp/tools" + id, ctx, DescribeTool);
  // Guests may call read-only tools; CallTool answers 403 for the others.
  Route(server, kRead, "POST", "/api/v1/mcp/tools" + id, ctx, CallTool);
}

}  // namespace funkygibbon::app
