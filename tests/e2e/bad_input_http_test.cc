// The bad-input catalogue over HTTP: one `funkygibbon serve` on a seeded
// home (tokens required, no anonymous guests) gets malformed requests on
// /mcp, /api/v1/sync/, the REST routes and /api/v1/auth/*: broken and deep
// JSON, wrong types, missing fields, huge strings and bodies, invalid UTF-8,
// NUL bytes, unknown enums and ids, cycles, oversized batches, forged and
// expired tokens and wrong roles. Each row names the HTTP status and the
// words of the error it must get. After every row the hub must still serve
// and the graph must be unchanged; at the end the whole database is compared
// with an export taken before the server started.
#include <openssl/hmac.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include "app/auth.h"
#include "e2e/bad_input_util.h"
#include "e2e/hub_process.h"
#include "store/store.h"

namespace funkygibbon::testing {
namespace {

enum class Surface { kMcp, kSync, kRest, kAuth };

const char* SurfaceName(Surface s) {
  switch (s) {
    case Surface::kMcp:
      return "/mcp";
    case Surface::kSync:
      return "/api/v1/sync";
    case Surface::kRest:
      return "REST";
    case Surface::kAuth:
      return "/api/v1/auth";
  }
  return "?";
}

// One request and the answer it must get. Text fields may hold "{id:Name}"
// (an entity's id) and "{key}" (a token or session made at set-up).
struct HttpCase {
  std::string name;
  Surface surface = Surface::kRest;
  std::string method = "GET";
  std::string path;
  std::string authorization;  // the whole header value; "" sends none
  std::string body;
  int status = 0;
  std::string
      message;  // in "detail", in error.message, or in a tool error's text
  // /mcp only: the JSON-RPC error code, or 0 for a tool error (isError).
  std::optional<int> rpc_code;
  httplib::Headers headers;
  std::string content_type = "application/json";
  std::string challenge;  // expected in WWW-Authenticate (401 and 403)
};

constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kSessionNotFound = -32001;
constexpr int kHeaderMismatch = -32020;
constexpr int kUnsupportedVersion = -32022;
constexpr char kMember[] = "Bearer {member}";
constexpr char kGuest[] = "Bearer {guest}";
constexpr char kAdmin[] = "Bearer {admin}";
constexpr char kInvalidToken[] = "error=\"invalid_token\"";
constexpr char kInsufficientScope[] = "error=\"insufficient_scope\"";
constexpr char kModern[] = "2026-07-28";

// ---- row builders ----

HttpCase Rest(std::string name, std::string method, std::string path,
              std::string authorization, std::string body, int status,
              std::string message) {
  HttpCase c;
  c.name = std::move(name);
  c.method = std::move(method);
  c.path = std::move(path);
  c.authorization = std::move(authorization);
  c.body = std::move(body);
  c.status = status;
  c.message = std::move(message);
  if (c.status == 401) c.challenge = "Bearer realm=\"funkygibbon\"";
  if (c.status == 403) c.challenge = kInsufficientScope;
  return c;
}

HttpCase Auth(std::string name, std::string method, std::string path,
              std::string authorization, std::string body, int status,
              std::string message) {
  HttpCase c = Rest(std::move(name), std::move(method), std::move(path),
                    std::move(authorization), std::move(body), status,
                    std::move(message));
  c.surface = Surface::kAuth;
  return c;
}

// GET /api/v1/auth/me with this Authorization header: 401 invalid_token.
HttpCase BadToken(std::string name, std::string authorization,
                  std::string message) {
  HttpCase c = Auth(std::move(name), "GET", "/api/v1/auth/me",
                    std::move(authorization), "", 401, std::move(message));
  c.challenge = kInvalidToken;
  return c;
}

HttpCase Sync(std::string name, std::string authorization, std::string body,
              int status, std::string message) {
  HttpCase c =
      Rest(std::move(name), "POST", "/api/v1/sync/", std::move(authorization),
           std::move(body), status, std::move(message));
  c.surface = Surface::kSync;
  return c;
}

// A push as member: the request object around `changes` (a JSON array text).
std::string Push(const std::string& changes, const std::string& extra = "") {
  return R"({"protocol_version":"inbetweenies-v2","device_id":"bad-input","user_id":"u",)"
         R"("sync_type":"delta",)" +
         extra + R"("changes":)" + changes + "}";
}
// One change creating a note (valid on its own).
std::string NoteChange(const std::string& id) {
  return R"({"change_type":"create","entity":{"id":")" + id +
         R"(","version":"2026-01-01T00:00:00.000000+00:00-000001-u","entity_type":"note","name":"n","content":{}},"relationships":[]})";
}

httplib::Headers McpHeaders(bool session = true,
                            const std::string& which = "{session}") {
  httplib::Headers h{{"Accept", "application/json, text/event-stream"}};
  if (session) {
    h.emplace("Mcp-Session-Id", which);
    h.emplace("MCP-Protocol-Version", "2025-11-25");
  }
  return h;
}

// A POST to /mcp as the member, in the member's session.
HttpCase Mcp(std::string name, std::string body, int status,
             std::optional<int> rpc_code, std::string message) {
  HttpCase c = Rest(std::move(name), "POST", "/mcp", kMember, std::move(body),
                    status, std::move(message));
  c.surface = Surface::kMcp;
  c.rpc_code = rpc_code;
  c.headers = McpHeaders();
  return c;
}

std::string RpcText(const std::string& id, const std::string& method,
                    const Json& params) {
  return Json{
      {"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}
      .dump();
}

// tools/call on /mcp that must end in a tool error naming the problem.
HttpCase McpTool(std::string name, const std::string& tool,
                 const Json& arguments, std::string message) {
  const std::string body = RpcText(
      name, "tools/call", Json{{"name", tool}, {"arguments", arguments}});
  return Mcp(std::move(name), body, 200, 0, std::move(message));
}

// A 2026-07-28 request (no session) with the headers that era requires.
HttpCase McpModern(std::string name, const std::string& method, Json params,
                   int status, int code, std::string message) {
  params["_meta"]["io.modelcontextprotocol/protocolVersion"] = kModern;
  params["_meta"]["io.modelcontextprotocol/clientCapabilities"] =
      Json::object();
  HttpCase c = Mcp(std::move(name), RpcText("m", method, params), status, code,
                   std::move(message));
  c.headers = McpHeaders(false);
  c.headers.emplace("MCP-Protocol-Version", kModern);
  c.headers.emplace("Mcp-Method", method);
  return c;
}

// ---- the catalogue ----

void AddMcpCases(std::vector<HttpCase>& c) {
  const std::string init =
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
      R"("capabilities":{},"clientInfo":{"name":"bad-input","version":"1"}}})";
  const std::string list =
      R"({"jsonrpc":"2.0","id":"l","method":"tools/list"})";

  HttpCase no_token = Mcp("McpWithoutToken", init, 401, std::nullopt,
                          "authentication required");
  no_token.authorization = "";
  no_token.headers = McpHeaders(false);
  c.push_back(no_token);
  HttpCase expired = Mcp("McpWithExpiredToken", list, 401, std::nullopt,
                         "invalid token: token expired");
  expired.authorization = "Bearer {expired}";
  expired.challenge = kInvalidToken;
  c.push_back(expired);
  HttpCase text =
      Mcp("McpTextPlainBody", list, 415, kInvalidRequest,
          "Unsupported Media Type: Content-Type must be application/json");
  text.content_type = "text/plain";
  c.push_back(text);
  HttpCase json_only = Mcp("McpAcceptsOnlyJson", list, 406, kInvalidRequest,
                           "Not Acceptable: Accept must list both "
                           "application/json and text/event-stream");
  json_only.headers = {{"Accept", "application/json"},
                       {"Mcp-Session-Id", "{session}"}};
  c.push_back(json_only);
  HttpCase html = json_only;
  html.name = "McpAcceptsHtml";
  html.headers = {{"Accept", "text/html"}, {"Mcp-Session-Id", "{session}"}};
  c.push_back(html);
  HttpCase origin = Mcp("McpForeignOrigin", list, 403, kInvalidRequest,
                        "Origin 'http://evil.example.com' is not allowed (DNS "
                        "rebinding protection)");
  origin.headers.emplace("Origin", "http://evil.example.com");
  origin.challenge = "";
  c.push_back(origin);
  HttpCase host =
      Mcp("McpForeignHost", list, 403, kInvalidRequest,
          "Host 'evil.example.com' is not allowed (DNS rebinding protection");
  host.headers.emplace("Host", "evil.example.com");
  host.challenge = "";
  c.push_back(host);
  HttpCase get = Mcp("McpGet", "", 405, kInvalidRequest,
                     "Method Not Allowed: GET is not served here");
  get.method = "GET";
  c.push_back(get);
  HttpCase put =
      Mcp("McpPut", list, 404, std::nullopt, "no route for PUT /mcp");
  put.method = "PUT";
  c.push_back(put);
  HttpCase del = Mcp("McpDeleteWithoutSession", "", 400, kInvalidRequest,
                     "Bad Request: the Mcp-Session-Id header is required");
  del.method = "DELETE";
  del.headers = McpHeaders(false);
  c.push_back(del);
  HttpCase del_unknown =
      Mcp("McpDeleteUnknownSession", "", 404, kSessionNotFound,
          "Session not found (it may have ended)");
  del_unknown.method = "DELETE";
  del_unknown.headers = McpHeaders(true, "0123456789abcdef");
  c.push_back(del_unknown);
  HttpCase del_modern =
      Mcp("McpDeleteInTheStatelessEra", "", 405, kInvalidRequest,
          "2026-07-28 has no sessions to end");
  del_modern.method = "DELETE";
  del_modern.headers = McpHeaders(false);
  del_modern.headers.emplace("MCP-Protocol-Version", kModern);
  c.push_back(del_modern);
  HttpCase version = Mcp("McpUnknownProtocolHeader", list, 400, kInvalidRequest,
                         "unsupported MCP-Protocol-Version '1999-01-01'");
  version.headers = {{"Accept", "application/json, text/event-stream"},
                     {"Mcp-Session-Id", "{session}"},
                     {"MCP-Protocol-Version", "1999-01-01"}};
  c.push_back(version);
  c.push_back(Mcp("McpBodyOverFourMiB", std::string(5u << 20, ' '), 413,
                  std::nullopt, "request body larger than 4194304 bytes"));
  c.push_back(Mcp("McpEmptyBody", "", 400, kParseError, "Parse error: "));
  c.push_back(Mcp("McpBrokenJson", R"({"jsonrpc":"2.0",)", 400, kParseError,
                  "Parse error: "));
  // Ill-formed UTF-8 is read leniently (as U+FFFD), as over stdio.
  c.push_back(Mcp("McpInvalidUtf8InMethod",
                  "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/\xff\"}",
                  200, kMethodNotFound,
                  "Method not found: tools/\xEF\xBF\xBD"));
  c.push_back(McpTool("McpInvalidUtf8InArgument", "get_entity_details",
                      {{"entity_id", "x"}},
                      "entity_id: entity 'caf\xEF\xBF\xBD' not found"));
  c.back().body =
      "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/"
      "call\",\"params\":{\"name\":"
      "\"get_entity_details\",\"arguments\":{\"entity_id\":\"caf\xe9\"}}}";
  c.push_back(Mcp(
      "McpRawNul",
      std::string(R"({"jsonrpc":"2.0","id":1,"method":"a)") + '\0' + R"(b"})",
      400, kParseError,
      "Parse error: parse error at line 1, column 36: a NUL byte is not "
      "allowed in JSON text"));
  // The JSON parser took a NUL for the end of the input: the write before it
  // was once applied and the bytes after it ignored.
  c.push_back(Mcp("McpNulAfterAWrite",
                  RpcText("w", "tools/call",
                          {{"name", "create_entity"},
                           {"arguments",
                            {{"entity_type", "note"}, {"name", "smuggled"}}}}) +
                      '\0' + "{}",
                  400, kParseError, "a NUL byte is not allowed in JSON text"));
  c.push_back(
      Mcp("McpDeepNesting", std::string(100000, '[') + std::string(100000, ']'),
          400, kInvalidRequest, "the message is nested deeper than 64 levels"));
  c.push_back(Mcp("McpBatch", "[" + list + "]", 400, kInvalidRequest,
                  "batches are not supported; POST one JSON-RPC message"));
  c.push_back(Mcp("McpNumberBody", "17", 400, kInvalidRequest,
                  "the body must be one JSON-RPC message (an object)"));
  HttpCase no_session =
      Mcp("McpWithoutSessionHeader", list, 400, kInvalidRequest,
          "the Mcp-Session-Id header is required");
  no_session.headers = McpHeaders(false);
  c.push_back(no_session);
  HttpCase unknown_session =
      Mcp("McpUnknownSession", list, 404, kSessionNotFound,
          "Session not found (it ended or expired)");
  unknown_session.headers = McpHeaders(true, "not-a-session");
  c.push_back(unknown_session);
  c.push_back(Mcp("McpJsonrpcOne",
                  R"({"jsonrpc":"1.0","id":"v","method":"tools/list"})", 400,
                  kInvalidRequest, R"("jsonrpc" must be "2.0")"));
  c.push_back(Mcp("McpMethodIsNumber",
                  R"({"jsonrpc":"2.0","id":"n","method":5})", 400,
                  kInvalidRequest, R"("method" must be a string)"));
  c.push_back(Mcp("McpIdIsObject",
                  R"({"jsonrpc":"2.0","id":{},"method":"tools/list"})", 400,
                  kInvalidRequest, R"("id" must be a string or an integer)"));
  c.push_back(Mcp("McpUnknownMethod",
                  R"({"jsonrpc":"2.0","id":"u","method":"tools/delete"})", 200,
                  kMethodNotFound, "Method not found: tools/delete"));
  c.push_back(
      Mcp("McpParamsIsArray",
          R"({"jsonrpc":"2.0","id":"p","method":"tools/list","params":[]})",
          200, kInvalidParams, "tools/list: params must be an object"));
  c.push_back(Mcp("McpSetLevelUnknown",
                  RpcText("s", "logging/setLevel", {{"level", "verbose"}}), 200,
                  kInvalidParams, "params.level must be one of debug"));
  c.push_back(Mcp("McpCallUnknownTool",
                  RpcText("t", "tools/call", {{"name", "drop_database"}}), 200,
                  kInvalidParams, "Unknown tool: drop_database"));
  c.push_back(Mcp(
      "McpCallArgumentsIsArray",
      RpcText("t", "tools/call", {{"name", "find_path"}, {"arguments", {1}}}),
      200, kInvalidParams, "tools/call: params.arguments must be an object"));
  HttpCase init_bad = Mcp(
      "McpInitializeWithNumericVersion",
      RpcText("i", "initialize", {{"protocolVersion", 1}}), 200, kInvalidParams,
      "initialize: params.protocolVersion must be a string");
  init_bad.headers = McpHeaders(false);
  c.push_back(init_bad);
  c.push_back(
      McpTool("McpToolWrongType", "get_entity_details", {{"entity_id", {1, 2}}},
              "arguments.entity_id: must be a string (got array [1,2])"));
  c.push_back(McpTool("McpToolMissingField", "create_relationship",
                      {{"from_entity_id", "{id:Oven}"}},
                      "arguments: missing required property 'to_entity_id'"));
  c.push_back(McpTool("McpToolUnknownId", "get_entity_history",
                      {{"entity_id", "0000-nope"}},
                      "entity_id: entity '0000-nope' not found"));
  c.push_back(McpTool(
      "McpToolHugeString", "search_entities",
      {{"query", std::string(200000, 'x')}},
      "arguments.query: must be at most 1000 characters long (got 200000)"));
  c.push_back(McpTool(
      "McpToolUnknownEnum", "get_connected_entities",
      {{"entity_id", "{id:Kitchen}"}, {"relationship_types", {"haunts"}}},
      "arguments.relationship_types[0]: must be one of"));
  c.push_back(McpTool("McpToolSelfRelationship", "create_relationship",
                      {{"from_entity_id", "{id:Kitchen}"},
                       {"to_entity_id", "{id:Kitchen}"},
                       {"relationship_type", "connects_to"}},
                      "an entity cannot have a relationship with itself"));
  c.push_back(McpTool("McpToolPartOfCycle", "create_relationship",
                      {{"from_entity_id", "{id:Landing Skylight}"},
                       {"to_entity_id", "{id:Skylight Motor}"},
                       {"relationship_type", "part_of"}},
                      "would make a cycle"));
  HttpCase guest_write = McpTool(
      "McpGuestCreates", "create_entity",
      {{"entity_type", "note"}, {"name", "graffiti"}},
      "permission denied: tool 'create_entity' changes the graph, and this "
      "caller is read-only (guest)");
  guest_write.authorization = kGuest;
  guest_write.headers = McpHeaders(true, "{guest_session}");
  c.push_back(guest_write);
  HttpCase guest_delete = McpTool(
      "McpGuestDeletes", "delete_entity", {{"entity_id", "{id:Kitchen}"}},
      "permission denied: tool 'delete_entity' changes the graph");
  guest_delete.authorization = kGuest;
  guest_delete.headers = McpHeaders(true, "{guest_session}");
  c.push_back(guest_delete);

  // 2026-07-28: stateless requests with mandatory headers.
  HttpCase mismatch =
      McpModern("McpModernVersionHeaderMismatch", "tools/list", Json::object(),
                400, kHeaderMismatch,
                "Header mismatch: MCP-Protocol-Version '2025-11-25' differs");
  mismatch.headers = McpHeaders(false);
  mismatch.headers.emplace("MCP-Protocol-Version", "2025-11-25");
  mismatch.headers.emplace("Mcp-Method", "tools/list");
  c.push_back(mismatch);
  HttpCase no_method =
      McpModern("McpModernWithoutMcpMethod", "tools/list", Json::object(), 400,
                kHeaderMismatch, "Header mismatch: Mcp-Method is required");
  no_method.headers.erase("Mcp-Method");
  c.push_back(no_method);
  HttpCase wrong_method = McpModern(
      "McpModernMcpMethodDiffers", "tools/list", Json::object(), 400,
      kHeaderMismatch,
      "Header mismatch: Mcp-Method 'tools/call' differs from the body's "
      "method 'tools/list'");
  wrong_method.headers.erase("Mcp-Method");
  wrong_method.headers.emplace("Mcp-Method", "tools/call");
  c.push_back(wrong_method);
  HttpCase no_name = McpModern(
      "McpModernCallWithoutMcpName", "tools/call",
      {{"name", "describe_schema"}, {"arguments", Json::object()}}, 400,
      kHeaderMismatch, "Header mismatch: Mcp-Name is required for tools/call");
  c.push_back(no_name);
  HttpCase other_name = no_name;
  other_name.name = "McpModernMcpNameDiffers";
  other_name.headers.emplace("Mcp-Name", "create_entity");
  other_name.message =
      "Header mismatch: Mcp-Name 'create_entity' differs from params.name";
  c.push_back(other_name);
  HttpCase bad_b64 = no_name;
  bad_b64.name = "McpModernMcpNameBadBase64";
  bad_b64.headers.emplace("Mcp-Name", "=?base64?!!!?=");
  bad_b64.message =
      "Header mismatch: Mcp-Name is not valid =?base64?...?= text";
  c.push_back(bad_b64);
  c.push_back(McpModern("McpModernUnknownMethod", "tools/destroy",
                        Json::object(), 404, kMethodNotFound,
                        "Method not found: tools/destroy"));
  HttpCase future =
      McpModern("McpModernUnsupportedVersion", "tools/list", Json::object(),
                400, kUnsupportedVersion, "Unsupported protocol version");
  future.body = RpcText(
      "m", "tools/list",
      {{"_meta",
        {{"io.modelcontextprotocol/protocolVersion", "2099-01-01"},
         {"io.modelcontextprotocol/clientCapabilities", Json::object()}}}});
  future.headers.erase("MCP-Protocol-Version");
  future.headers.emplace("MCP-Protocol-Version", "2099-01-01");
  c.push_back(future);
  HttpCase no_caps = McpModern("McpModernWithoutCapabilities", "tools/list",
                               Json::object(), 400, kInvalidParams,
                               "clientCapabilities\"] is required (an object)");
  no_caps.body = RpcText(
      "m", "tools/list",
      {{"_meta", {{"io.modelcontextprotocol/protocolVersion", kModern}}}});
  c.push_back(no_caps);
}

void AddSyncCases(std::vector<HttpCase>& c) {
  const std::string pull =
      R"({"protocol_version":"inbetweenies-v2","device_id":"d","sync_type":"full","changes":[]})";
  c.push_back(
      Sync("SyncWithoutToken", "", pull, 401, "authentication required"));
  HttpCase expired = Sync("SyncWithExpiredToken", "Bearer {expired}", pull, 401,
                          "invalid token: token expired");
  expired.challenge = kInvalidToken;
  c.push_back(expired);
  HttpCase forged = Sync("SyncWithTamperedToken", "Bearer {tampered}", pull,
                         401, "invalid token: bad signature");
  forged.challenge = kInvalidToken;
  c.push_back(forged);
  c.push_back(Sync(
      "SyncGuestPushes", kGuest, Push("[" + NoteChange("guest-note") + "]"),
      403, "a guest may pull but not push changes; sign in as a member"));
  c.push_back(Sync("SyncEmptyBody", kMember, "", 400,
                   "request body: expected a JSON object, got nothing"));
  c.push_back(Sync("SyncBrokenJson", kMember, R"({"protocol_version":)", 400,
                   "request body: parse error"));
  c.push_back(Sync("SyncArrayBody", kMember, "[" + pull + "]", 400,
                   "request body: expected a JSON object, got array"));
  c.push_back(Sync(
      "SyncDeepNesting", kMember,
      R"({"vector_clock":)" + std::string(65, '[') + std::string(65, ']') + "}",
      400, "request body: JSON nested deeper than 64 levels"));
  c.push_back(Sync("SyncInvalidUtf8", kMember,
                   Push("[" + NoteChange("bad\xc3\x28") + "]"), 400,
                   "ill-formed UTF-8 byte"));
  c.push_back(Sync("SyncRawNul", kMember,
                   Push("[" + NoteChange(std::string("nul\0", 4)) + "]"), 400,
                   "request body: parse error at line 1, column "));
  c.push_back(Sync("SyncNulAfterAPush", kMember,
                   Push("[" + NoteChange("smuggled") + "]") + '\0' + "{}", 400,
                   "a NUL byte is not allowed in JSON text"));
  c.push_back(Sync("SyncBodyOverFourMiB", kMember,
                   Push("[" + NoteChange(std::string(5u << 20, 'n')) + "]"),
                   413, "request body larger than 4194304 bytes"));
  std::string many = "[";
  for (int i = 0; i < 5001; ++i)
    many +=
        std::string(i ? "," : "") + R"({"change_type":"delete","entity":null})";
  c.push_back(Sync("SyncTooManyChanges", kMember, Push(many + "]"), 413,
                   "changes: 5001 changes in one request; at most 5000"));
  c.push_back(Sync(
      "SyncWithoutProtocolVersion", kMember,
      R"({"device_id":"d","changes":[]})", 400,
      "protocol_version: unsupported ''; this hub speaks inbetweenies-v2"));
  c.push_back(Sync("SyncOldProtocol", kMember,
                   R"({"protocol_version":"inbetweenies-v1","changes":[]})",
                   400, "protocol_version: unsupported 'inbetweenies-v1'"));
  c.push_back(Sync("SyncProtocolVersionIsNumber", kMember,
                   R"({"protocol_version":2})", 400,
                   "protocol_version: must be a string"));
  c.push_back(Sync("SyncDeviceIdIsNumber", kMember,
                   R"({"protocol_version":"inbetweenies-v2","device_id":7})",
                   400, "device_id: must be a string"));
  c.push_back(Sync(
      "SyncUnknownSyncType", kMember,
      R"({"protocol_version":"inbetweenies-v2","sync_type":"Sideways"})", 400,
      "sync_type: unknown sync type 'sideways' (full, delta, entities or "
      "relationships)"));
  c.push_back(Sync("SyncChangesIsObject", kMember, Push("{}"), 400,
                   "changes: must be an array"));
  c.push_back(Sync("SyncChangeIsString", kMember, Push(R"(["create"])"), 400,
                   "changes[0]: must be an object"));
  c.push_back(Sync("SyncUnknownChangeType", kMember,
                   Push(R"([{"change_type":"upsert"}])"), 400,
                   "changes[0].change_type: unknown change type 'upsert' "
                   "(create, update or delete)"));
  c.push_back(Sync("SyncChangeTypeIsNumber", kMember,
                   Push(R"([{"change_type":1}])"), 400,
                   "changes[0].change_type: must be a string"));
  c.push_back(Sync("SyncEntityIsNumber", kMember,
                   Push(R"([{"change_type":"create","entity":5}])"), 400,
                   "changes[0].entity: must be an object or null"));
  c.push_back(Sync(
      "SyncEntityWithoutVersion", kMember,
      Push(
          R"([{"change_type":"create","entity":{"id":"x","entity_type":"note"}}])"),
      400, "changes[0].entity.version: required"));
  c.push_back(Sync(
      "SyncEntityWithoutId", kMember,
      Push(
          R"([{"change_type":"create","entity":{"version":"v","entity_type":"note"}}])"),
      400, "changes[0].entity.id: required"));
  c.push_back(Sync(
      "SyncEntityIdIsNumber", kMember,
      Push(
          R"([{"change_type":"create","entity":{"id":3,"version":"v","entity_type":"note"}}])"),
      400, "changes[0].entity.id: must be a string"));
  c.push_back(Sync(
      "SyncEntityUnknownType", kMember,
      Push(
          R"([{"change_type":"create","entity":{"id":"x","version":"v","entity_type":"spaceship"}}])"),
      400, "changes[0].entity.entity_type: unknown type 'spaceship'"));
  c.push_back(Sync(
      "SyncEntityContentIsArray", kMember,
      Push(
          R"([{"entity":{"id":"x","version":"v","entity_type":"note","content":[]}}])"),
      400, "changes[0].entity.content: must be an object"));
  c.push_back(Sync(
      "SyncEntityParentVersionsIsString", kMember,
      Push(
          R"([{"entity":{"id":"x","version":"v","entity_type":"note","parent_versions":"v0"}}])"),
      400, "changes[0].entity.parent_versions: must be an array of strings"));
  c.push_back(Sync(
      "SyncEntityUnknownSourceType", kMember,
      Push(
          R"([{"entity":{"id":"x","version":"v","entity_type":"note","source_type":"rumour"}}])"),
      400, "changes[0].entity.source_type: unknown source type 'rumour'"));
  c.push_back(Sync("SyncRelationshipsIsObject", kMember,
                   Push(R"([{"entity":null,"relationships":{}}])"), 400,
                   "changes[0].relationships: must be an array"));
  c.push_back(Sync(
      "SyncRelationshipUnknownType", kMember,
      Push(
          R"([{"entity":null,"relationships":[{"id":"r","from_entity_id":"{id:Oven}",)"
          R"("to_entity_id":"{id:Kitchen}","relationship_type":"haunts"}]}])"),
      400,
      "changes[0].relationships[0].relationship_type: unknown type 'haunts'"));
  c.push_back(Sync(
      "SyncRelationshipEmptyFrom", kMember,
      Push(
          R"([{"entity":null,"relationships":[{"id":"r","from_entity_id":"",)"
          R"("to_entity_id":"{id:Kitchen}","relationship_type":"located_in"}]}])"),
      400, "changes[0].relationships[0].from_entity_id: must not be empty"));
  // Valid changes before a bad one: the whole request is refused, nothing
  // applied.
  c.push_back(
      Sync("SyncBadChangeAfterGoodOnes", kMember,
           Push("[" + NoteChange("good-1") + "," + NoteChange("good-2") +
                R"(,{"change_type":"explode"}])"),
           400, "changes[2].change_type: unknown change type 'explode'"));
  c.push_back(Sync("SyncFiltersIsString", kMember,
                   Push("[]", R"("filters":"all",)"), 400,
                   "filters: must be an object"));
  c.push_back(Sync("SyncFilterUnknownEntityType", kMember,
                   Push("[]", R"("filters":{"entity_types":["ufo"]},)"), 400,
                   "filters.entity_types: unknown type 'ufo'"));
  c.push_back(Sync("SyncFilterBadSince", kMember,
                   Push("[]", R"("filters":{"since":"yesterday"},)"), 400,
                   "filters.since: not an ISO-8601 timestamp: 'yesterday'"));
  c.push_back(Sync("SyncFilterModifiedByNumbers", kMember,
                   Push("[]", R"("filters":{"modified_by":[1,2]},)"), 400,
                   "filters.modified_by: must be an array of strings"));
  c.push_back(Sync("SyncCursorIsNumber", kMember, Push("[]", R"("cursor":12,)"),
                   400, "cursor: must be a string or null"));
  c.push_back(Sync("SyncForeignCursor", kMember,
                   Push("[]", R"("cursor":"page-2",)"), 400,
                   "cursor: not a cursor from this hub: 'page-2'"));
  c.push_back(Sync("SyncCursorOverflow", kMember,
                   Push("[]", R"("cursor":"fgc1.99999999999999999999",)"), 400,
                   "cursor: not a cursor from this hub"));
  // The cursor is checked before anything is applied.
  c.push_back(
      Sync("SyncGoodPushWithForeignCursor", kMember,
           Push("[" + NoteChange("good-3") + "]", R"("cursor":"fgc1.-5",)"),
           400, "cursor: not a cursor from this hub: 'fgc1.-5'"));
  HttpCase get = Sync("SyncGetOnThePushRoute", kMember, "", 404,
                      "no route for GET /api/v1/sync/");
  get.method = "GET";
  c.push_back(get);
  HttpCase status =
      Sync("SyncStatusWithoutToken", "", "", 401, "authentication required");
  status.method = "GET";
  status.path = "/api/v1/sync/status";
  c.push_back(status);
  HttpCase conflicts = Sync("SyncConflictsAsGuest", kGuest, "", 403,
                            "the guest role cannot do this; it needs member");
  conflicts.method = "GET";
  conflicts.path = "/api/v1/sync/conflicts";
  c.push_back(conflicts);
  for (const char* limit : {"0", "abc", "99999999"}) {
    HttpCase bad_limit =
        Sync(std::string("SyncConflictsLimit") + (limit[0] == 'a'   ? "Word"
                                                  : limit[0] == '0' ? "Zero"
                                                                    : "Huge"),
             kMember, "", 400, "limit: must be an integer from 1 to 10000");
    bad_limit.method = "GET";
    bad_limit.path = std::string("/api/v1/sync/conflicts?limit=") + limit;
    c.push_back(bad_limit);
  }
}

void AddRestCases(std::vector<HttpCase>& c) {
  const std::string e = "/api/v1/graph/entities";
  const std::string kitchen = e + "/{id:Kitchen}";
  const std::string boiler = e + "/{id:Combi Boiler}";
  const std::string rels = "/api/v1/graph/relationships";
  const std::string note = R"({"entity_type":"note","name":"a note"})";

  // Who may do what.
  c.push_back(Rest("CreateEntityWithoutToken", "POST", e, "", note, 401,
                   "authentication required"));
  c.push_back(Rest("CreateEntityAsGuest", "POST", e, kGuest, note, 403,
                   "the guest role cannot do this; it needs member"));
  c.push_back(Rest("UpdateEntityAsGuest", "PUT", kitchen, kGuest,
                   R"({"name":"x"})", 403,
                   "the guest role cannot do this; it needs member"));
  c.push_back(Rest("DeleteEntityAsGuest", "DELETE", kitchen, kGuest, "", 403,
                   "the guest role cannot do this; it needs member"));
  c.push_back(Rest(
      "CreateRelationshipAsGuest", "POST", rels, kGuest,
      R"({"from_entity_id":"{id:Oven}","to_entity_id":"{id:Living Room}","relationship_type":"located_in"})",
      403, "the guest role cannot do this; it needs member"));
  c.push_back(Rest("DeleteRelationshipAsGuest", "DELETE", rels + "/any", kGuest,
                   "", 403, "the guest role cannot do this; it needs member"));
  HttpCase guest_tool =
      Rest("CallWriteToolAsGuest", "POST", "/api/v1/mcp/tools/delete_entity",
           kGuest, R"({"arguments":{"entity_id":"{id:Kitchen}"}})", 403,
           "tool 'delete_entity' changes the graph; guests may only call "
           "read-only tools");
  c.push_back(guest_tool);
  c.push_back(Rest("MetricsAsGuest", "GET", "/metrics", kGuest, "", 403,
                   "the guest role cannot do this; it needs member"));
  c.push_back(Rest("StatisticsWithoutToken", "GET", "/api/v1/graph/statistics",
                   "", "", 401, "authentication required"));
  c.push_back(Rest("ToolListWithoutToken", "GET", "/api/v1/mcp/tools", "", "",
                   401, "authentication required"));

  // Bodies.
  c.push_back(Rest("CreateEntityEmptyBody", "POST", e, kMember, "", 400,
                   "request body: expected a JSON object, got nothing"));
  c.push_back(Rest("CreateEntityBrokenJson", "POST", e, kMember,
                   R"({"entity_type":"note",)", 400,
                   "request body: parse error"));
  c.push_back(Rest("CreateEntityArrayBody", "POST", e, kMember,
                   "[" + note + "]", 400,
                   "request body: expected a JSON object, got array"));
  c.push_back(Rest("CreateEntityStringBody", "POST", e, kMember, R"("note")",
                   400, "request body: expected a JSON object, got string"));
  c.push_back(Rest("CreateEntityDeepContent", "POST", e, kMember,
                   R"({"entity_type":"note","name":"deep","content":)" +
                       std::string(70, '[') + std::string(70, ']') + "}",
                   400, "request body: JSON nested deeper than 64 levels"));
  c.push_back(Rest("CreateEntityInvalidUtf8", "POST", e, kMember,
                   "{\"entity_type\":\"note\",\"name\":\"caf\xe9\"}", 400,
                   "invalid string: ill-formed UTF-8 byte"));
  c.push_back(Rest(
      "CreateEntityRawNul", "POST", e, kMember,
      std::string(R"({"entity_type":"note","name":"a)") + '\0' + R"(b"})", 400,
      "request body: parse error at line 1, column 32: a NUL byte is not "
      "allowed in JSON text"));
  c.push_back(Rest("CreateEntityNulAfterTheBody", "POST", e, kMember,
                   note + '\0' + R"({"x":1})", 400,
                   "a NUL byte is not allowed in JSON text"));
  c.push_back(Rest(
      "CreateEntityBodyOverFourMiB", "POST", e, kMember,
      R"({"entity_type":"note","name":")" + std::string(5u << 20, 'n') + "\"}",
      413, "request body larger than 4194304 bytes"));
  c.push_back(Rest("CreateEntityWithoutName", "POST", e, kMember,
                   R"({"entity_type":"note"})", 400,
                   "body: missing required property 'name'"));
  c.push_back(Rest("CreateEntityNameIsNumber", "POST", e, kMember,
                   R"({"entity_type":"note","name":5})", 400,
                   "body.name: must be a string (got integer 5)"));
  c.push_back(Rest("CreateEntityUnknownType", "POST", e, kMember,
                   R"({"entity_type":"spaceship","name":"x"})", 400,
                   "body.entity_type: must be one of \"home\""));
  c.push_back(Rest(
      "CreateEntityHugeName", "POST", e, kMember,
      R"({"entity_type":"note","name":")" + std::string(50000, 'n') + "\"}",
      400, "body.name: must be at most 1000 characters long (got 50000)"));
  c.push_back(Rest("CreateEntityContentIsString", "POST", e, kMember,
                   R"({"entity_type":"note","name":"x","content":"{}"})", 400,
                   "body.content: must be an object (got string"));
  c.push_back(Rest("CreateEntityUnknownField", "POST", e, kMember,
                   R"({"entity_type":"note","name":"x","colour":"red"})", 400,
                   "body: unknown property \"colour\""));
  c.push_back(Rest("CreateEntityTakenId", "POST", e, kMember,
                   R"({"entity_type":"note","name":"x","id":"{id:Kitchen}"})",
                   409, "' already exists"));
  c.push_back(Rest("UpdateEntityEmptyBody", "PUT", kitchen, kMember, "", 400,
                   "request body: expected a JSON object, got nothing"));
  c.push_back(Rest("UpdateEntityNothingToChange", "PUT", kitchen, kMember, "{}",
                   400, "nothing to change: give a new name and/or content"));
  c.push_back(Rest("UpdateEntityThatDeletes", "PUT", kitchen, kMember,
                   R"({"content":{"deleted":true}})", 400,
                   "content.deleted: use delete_entity to delete an entity"));
  c.push_back(Rest("UpdateEntityEmptyName", "PUT", kitchen, kMember,
                   R"({"name":""})", 400,
                   "body.name: must be at least 1 character long (got 0)"));
  c.push_back(Rest("UpdateEntityContentIsArray", "PUT", kitchen, kMember,
                   R"({"content":[1]})", 400,
                   "body.content: must be an object (got array [1])"));
  c.push_back(
      Rest("UpdateEntityReplaceContentIsString", "PUT", kitchen, kMember,
           R"({"content":{},"replace_content":"yes"})", 400,
           "body.replace_content: must be a boolean (got string \"yes\")"));

  // Ids that do not exist.
  c.push_back(Rest("GetUnknownEntity", "GET", e + "/no-such-entity", kMember,
                   "", 404, "entity_id: entity 'no-such-entity' not found"));
  c.push_back(Rest("GetEntityWithNulInPath", "GET", e + "/kit%00chen", kMember,
                   "", 404, "' not found; use search_entities"));
  c.push_back(Rest(
      "GetEntityIdOver256Characters", "GET", e + "/" + std::string(300, 'i'),
      kMember, "", 400,
      "parameters.entity_id: must be at most 256 characters long (got 300)"));
  c.push_back(Rest("GetEntityUriTooLong", "GET",
                   e + "/" + std::string(10000, 'i'), kMember, "", 414,
                   "request URI longer than 8192 bytes"));
  c.push_back(Rest("GetUnknownVersion", "GET", kitchen + "?version=v0", kMember,
                   "", 404, "' has no version 'v0'"));
  c.push_back(Rest("UpdateUnknownEntity", "PUT", e + "/nope", kMember,
                   R"({"name":"x"})", 404, "entity 'nope' does not exist"));
  c.push_back(Rest("DeleteUnknownEntity", "DELETE", e + "/nope", kMember, "",
                   404, "entity 'nope' does not exist"));
  c.push_back(Rest("VersionsOfUnknownEntity", "GET", e + "/nope/versions",
                   kMember, "", 404, "entity_id: entity 'nope' not found"));
  c.push_back(Rest("ConnectedOfUnknownEntity", "GET", e + "/nope/connected",
                   kMember, "", 404, "entity_id: entity 'nope' not found"));
  c.push_back(Rest("SimilarToUnknownEntity", "GET", e + "/nope/similar",
                   kMember, "", 404, "entity_id: entity 'nope' not found"));
  c.push_back(Rest("DeleteUnknownRelationship", "DELETE", rels + "/nope",
                   kMember, "", 404, "relationship 'nope' not found"));
  c.push_back(Rest(
      "RelateFromUnknownEntity", "POST", rels, kMember,
      R"({"from_entity_id":"nope","to_entity_id":"{id:Kitchen}","relationship_type":"located_in"})",
      404, "from_entity_id: entity 'nope' does not exist"));
  c.push_back(Rest(
      "RelateToUnknownEntity", "POST", rels, kMember,
      R"({"source_id":"{id:Oven}","target_id":"nope","relationship_type":"located_in"})",
      404, "to_entity_id: entity 'nope' does not exist"));

  // Query parameters.
  c.push_back(Rest("ListLimitIsWord", "GET", e + "?limit=ten", kMember, "", 400,
                   "limit: expected a non-negative integer, got 'ten'"));
  c.push_back(Rest("ListLimitTooLarge", "GET", e + "?limit=5000", kMember, "",
                   400, "limit: at most 1000"));
  c.push_back(Rest("ListNegativeOffset", "GET", e + "?offset=-1", kMember, "",
                   400, "offset: expected a non-negative integer, got '-1'"));
  c.push_back(Rest("ListOffsetTooLarge", "GET", e + "?offset=99999999", kMember,
                   "", 400, "offset: at most 1000000"));
  c.push_back(Rest(
      "ListLimitOverflows", "GET", e + "?limit=184467440737095516160", kMember,
      "", 400,
      "limit: expected a non-negative integer, got '184467440737095516160'"));
  c.push_back(Rest("ListUnknownEntityType", "GET", e + "?entity_type=spaceship",
                   kMember, "", 400, "entity_type: unknown type 'spaceship'"));
  c.push_back(
      Rest("GetEntityBadBoolean", "GET",
           kitchen + "?include_relationships=maybe", kMember, "", 400,
           "include_relationships: expected true or false, got 'maybe'"));
  c.push_back(
      Rest("ConnectedUnknownDirection", "GET",
           kitchen + "/connected?direction=sideways", kMember, "", 400,
           "direction: expected incoming, outgoing or both, got 'sideways'"));
  c.push_back(Rest("ConnectedDepthZero", "GET",
                   kitchen + "/connected?max_depth=0", kMember, "", 400,
                   "max_depth: at least 1"));
  c.push_back(Rest("ConnectedDepthEleven", "GET",
                   kitchen + "/connected?max_depth=11", kMember, "", 400,
                   "max_depth: at most 10"));
  c.push_back(Rest("ConnectedUnknownRelationshipType", "GET",
                   kitchen + "/connected?relationship_type=haunts", kMember, "",
                   400, "relationship_type: unknown type 'haunts'"));
  for (const char* t : {"high", "nan", "inf", "2", "-0.5"}) {
    std::string name =
        std::string("SimilarThreshold") + (t[0] == 'h'   ? "Word"
                                           : t[0] == 'n' ? "NaN"
                                           : t[0] == 'i' ? "Infinite"
                                           : t[0] == '2' ? "Two"
                                                         : "Negative");
    c.push_back(Rest(
        name, "GET", boiler + "/similar?threshold=" + t, kMember, "", 400,
        std::string("threshold: expected a number between 0 and 1, got '") + t +
            "'"));
  }
  c.push_back(Rest("SimilarLimitZero", "GET", boiler + "/similar?limit=0",
                   kMember, "", 400, "limit: at least 1"));
  c.push_back(Rest("SimilarLimitTooLarge", "GET", boiler + "/similar?limit=51",
                   kMember, "", 400, "limit: at most 50"));
  c.push_back(Rest("ListRelationshipsLimitIsWord", "GET", rels + "?limit=all",
                   kMember, "", 400,
                   "limit: expected a non-negative integer, got 'all'"));
  c.push_back(Rest("ListRelationshipsUnknownType", "GET",
                   rels + "?relationship_type=haunts", kMember, "", 400,
                   "relationship_type: unknown type 'haunts'"));

  // Relationships the graph refuses.
  c.push_back(
      Rest("RelateWithoutType", "POST", rels, kMember,
           R"({"from_entity_id":"{id:Oven}","to_entity_id":"{id:Kitchen}"})",
           400, "body: missing required property 'relationship_type'"));
  c.push_back(Rest(
      "RelateUnknownType", "POST", rels, kMember,
      R"({"from_entity_id":"{id:Oven}","to_entity_id":"{id:Kitchen}","relationship_type":"haunts"})",
      400, "body.relationship_type: must be one of"));
  c.push_back(Rest(
      "RelateWithItself", "POST", rels, kMember,
      R"({"from_entity_id":"{id:Oven}","to_entity_id":"{id:Oven}","relationship_type":"connects_to"})",
      400, "an entity cannot have a relationship with itself"));
  c.push_back(Rest(
      "RelateNotAllowedPair", "POST", rels, kMember,
      R"({"from_entity_id":"{id:Maple House}","to_entity_id":"{id:Oven}","relationship_type":"located_in"})",
      400,
      "relationship_type: 'located_in' is not allowed from a home to a "
      "device"));
  c.push_back(Rest(
      "RelateDuplicate", "POST", rels, kMember,
      R"({"from_entity_id":"{id:Oven}","to_entity_id":"{id:Kitchen}","relationship_type":"located_in"})",
      409, "a located_in relationship from device 'Oven'"));
  c.push_back(Rest(
      "RelatePropertiesIsString", "POST", rels, kMember,
      R"({"from_entity_id":"{id:Oven}","to_entity_id":"{id:Living Room}","relationship_type":"located_in","properties":"x"})",
      400, "body.properties: must be an object"));
  c.push_back(Rest(
      "RelatePartOfCycle", "POST", rels, kMember,
      R"({"from_entity_id":"{id:Kitchen Spotlights}","to_entity_id":"{id:Under-cabinet LED Strip}","relationship_type":"part_of"})",
      400, "would make a cycle: device 'Under-cabinet LED Strip'"));
  c.push_back(Rest(
      "RelateLocatedInCycle", "POST", rels, kMember,
      R"({"source_id":"{id:Ground Floor}","target_id":"{id:Entrance Hall}","relationship_type":"located_in"})",
      400, "is already inside zone 'Ground Floor'"));
  c.push_back(Rest(
      "RelateContainedInCycle", "POST", rels, kMember,
      R"({"from_entity_id":"{id:Living Room}","to_entity_id":"{id:Apple TV}","relationship_type":"contained_in"})",
      400, "would make a cycle"));

  // Search and path.
  c.push_back(Rest("SearchWithoutQuery", "POST", "/api/v1/graph/search",
                   kMember, "{}", 400,
                   "body: missing required property 'query'"));
  c.push_back(
      Rest("SearchHugeQuery", "POST", "/api/v1/graph/search", kMember,
           R"({"query":")" + std::string(20000, 'q') + "\"}", 400,
           "body.query: must be at most 1000 characters long (got 20000)"));
  c.push_back(Rest("SearchLimitZero", "POST", "/api/v1/graph/search", kMember,
                   R"({"query":"lamp","limit":0})", 400,
                   "body.limit: must be >= 1 (got 0)"));
  c.push_back(Rest("SearchUnknownEntityType", "POST", "/api/v1/graph/search",
                   kMember, R"({"query":"lamp","entity_types":["spaceship"]})",
                   400, "body.entity_types[0]: must be one of"));
  c.push_back(Rest("SearchGetWithoutQuery", "GET", "/api/v1/graph/search",
                   kMember, "", 400,
                   "parameters: missing required property 'query'"));
  c.push_back(Rest("SearchGetLimitIsWord", "GET",
                   "/api/v1/graph/search?q=lamp&limit=many", kMember, "", 400,
                   "limit: expected a non-negative integer, got 'many'"));
  c.push_back(Rest("PathWithoutTarget", "POST", "/api/v1/graph/path", kMember,
                   R"({"from_entity_id":"{id:Oven}"})", 400,
                   "body: missing required property 'to_entity_id'"));
  c.push_back(Rest("PathFromUnknownEntity", "POST", "/api/v1/graph/path",
                   kMember,
                   R"({"from_entity_id":"nope","to_entity_id":"{id:Oven}"})",
                   404, "from_entity_id: entity 'nope' not found"));
  c.push_back(Rest(
      "PathTooDeep", "POST", "/api/v1/graph/path", kMember,
      R"({"from_entity_id":"{id:Oven}","to_entity_id":"{id:Kitchen}","max_depth":80})",
      400, "body.max_depth: must be <= 50 (got 80)"));
  c.push_back(Rest(
      "PathGetDepthIsWord", "GET",
      "/api/v1/graph/path?from_entity_id=a&to_entity_id=b&max_depth=x", kMember,
      "", 400, "max_depth: expected a non-negative integer, got 'x'"));
  c.push_back(Rest(
      "PathGetUnknownDirection", "GET",
      "/api/v1/graph/"
      "path?from_entity_id={id:Oven}&to_entity_id={id:Kitchen}&direction=up",
      kMember, "", 400,
      "parameters.direction: must be one of \"out\", \"in\", \"both\" (got "
      "\"up\")"));

  // /api/v1/mcp/tools.
  c.push_back(Rest("DescribeUnknownTool", "GET", "/api/v1/mcp/tools/nope",
                   kMember, "", 404, "Tool 'nope' not found"));
  c.push_back(Rest("CallUnknownTool", "POST", "/api/v1/mcp/tools/nope", kMember,
                   "{}", 404, "Tool 'nope' not found"));
  c.push_back(Rest("CallToolArgumentsIsString", "POST",
                   "/api/v1/mcp/tools/find_path", kMember,
                   R"({"arguments":"from a to b"})", 400,
                   "arguments: expected a JSON object"));
  c.push_back(Rest("CallToolBrokenJson", "POST", "/api/v1/mcp/tools/find_path",
                   kMember, "{arguments:", 400, "request body: parse error"));
  c.push_back(Rest("CallToolMissingArgument", "POST",
                   "/api/v1/mcp/tools/get_entity_details", kMember,
                   R"({"arguments":{}})", 400,
                   "Invalid arguments for tool 'get_entity_details': "
                   "arguments: missing required property "
                   "'entity_id'"));
  c.push_back(Rest("CallToolUnknownId", "POST",
                   "/api/v1/mcp/tools/get_entity_details", kMember,
                   R"({"arguments":{"entity_id":"nope"}})", 400,
                   "entity_id: entity 'nope' not found"));
  c.push_back(Rest("CallToolCypherWrite", "POST",
                   "/api/v1/mcp/tools/query_graph", kMember,
                   R"({"arguments":{"cypher":"MATCH (n) DETACH DELETE n"}})",
                   400, "query_graph is read-only: DETACH"));
  c.push_back(
      Rest("CallToolBodyOverFourMiB", "POST",
           "/api/v1/mcp/tools/search_entities", kMember,
           R"({"arguments":{"query":")" + std::string(5u << 20, 'q') + "\"}}",
           413, "request body larger than 4194304 bytes"));

  // Routes and framing.
  c.push_back(Rest("NoSuchRoute", "GET", "/api/v1/graph/nope", kMember, "", 404,
                   "no route for GET /api/v1/graph/nope"));
  c.push_back(Rest("NoSuchMethod", "PATCH", e, kMember, "{}", 404,
                   "no route for PATCH /api/v1/graph/entities"));
  HttpCase long_header =
      Rest("HeaderLineTooLong", "GET", "/api/v1/graph/statistics", kMember, "",
           400, "malformed HTTP request");
  long_header.headers = {{"X-Padding", std::string(9000, 'p')}};
  c.push_back(long_header);
}

void AddAuthCases(std::vector<HttpCase>& c) {
  c.push_back(
      Auth("MeWithoutToken", "GET", "/api/v1/auth/me", "", "", 401,
           "authentication required: send Authorization: Bearer <token>"));
  c.push_back(BadToken("BasicCredentials", "Basic YWRtaW46YWRtaW4=",
                       "the Authorization header must be 'Bearer <token>'"));
  c.push_back(BadToken("BearerWithoutToken", "Bearer",
                       "the Authorization header must be 'Bearer <token>'"));
  c.push_back(BadToken("TokenOfTwoParts", "Bearer abc.def",
                       "invalid token: malformed token: expected three parts"));
  c.push_back(BadToken("TokenNotBase64url", "Bearer ab+c.de/f.gh=",
                       "invalid token: malformed token: not base64url"));
  c.push_back(
      BadToken("TokenHeaderNotJson", "Bearer {not_json_header}",
               "invalid token: malformed token: header is not a JSON object"));
  c.push_back(BadToken(
      "TokenAlgNone", "Bearer {alg_none}",
      "invalid token: unsupported token algorithm (only HS256 is accepted)"));
  c.push_back(BadToken(
      "TokenAlgRs256", "Bearer {alg_rs256}",
      "invalid token: unsupported token algorithm (only HS256 is accepted)"));
  c.push_back(BadToken("TokenTypeNotJwt", "Bearer {typ_xml}",
                       "invalid token: unsupported token type"));
  c.push_back(BadToken("TokenRoleRaisedInPayload", "Bearer {tampered}",
                       "invalid token: bad signature"));
  c.push_back(BadToken("TokenSignedWithAnotherKey", "Bearer {other_key}",
                       "invalid token: bad signature"));
  c.push_back(BadToken("TokenSignatureCut", "Bearer {cut_signature}",
                       "invalid token: bad signature"));
  c.push_back(BadToken("TokenExpiredByTtl", "Bearer {expired}",
                       "invalid token: token expired"));
  c.push_back(BadToken("ForgedTokenExpired", "Bearer {forged_expired}",
                       "invalid token: token expired"));
  c.push_back(BadToken("ForgedTokenUnknownId", "Bearer {forged_unknown}",
                       "invalid token: unknown token"));
  c.push_back(BadToken("ForgedTokenRaisedRole", "Bearer {forged_admin}",
                       "invalid token: unknown token"));
  c.push_back(BadToken("ForgedTokenWithoutExpiry", "Bearer {forged_no_exp}",
                       "invalid token: malformed token: claims sub, role, jti, "
                       "iat, exp are required"));
  c.push_back(BadToken("ForgedTokenBadId", "Bearer {forged_bad_jti}",
                       "invalid token: malformed token: bad jti"));
  c.push_back(BadToken("ForgedTokenUnknownRole", "Bearer {forged_root}",
                       "invalid token: malformed token: unknown role"));
  c.push_back(BadToken("RevokedToken", "Bearer {revoked}",
                       "invalid token: token revoked"));
  c.push_back(BadToken(
      "QrTokenUsedAsBearer", "Bearer {qr}",
      "a QR token must first be exchanged at POST /api/v1/auth/guest/verify"));
  c.push_back(BadToken("TokenOver4096Bytes", "Bearer " + std::string(5000, 'a'),
                       "invalid token: malformed token: too long"));

  const std::string login = "/api/v1/auth/admin/login";
  c.push_back(Auth("LoginWithoutPassword", "POST", login, "",
                   R"({"username":"admin"})", 400, "password: required"));
  c.push_back(Auth("LoginPasswordIsNumber", "POST", login, "",
                   R"({"password":1234})", 400, "password: expected a string"));
  c.push_back(Auth("LoginBrokenJson", "POST", login, "",
                   R"({"password":"admin)", 400, "request body: parse error"));
  c.push_back(Auth("LoginNulAfterTheBody", "POST", login, "",
                   std::string(R"({"password":"admin"})") + '\0' + "{}", 400,
                   "a NUL byte is not allowed in JSON text"));
  c.push_back(Auth("LoginEmptyBody", "POST", login, "", "", 400,
                   "request body: expected a JSON object, got nothing"));
  HttpCase wrong = Auth("LoginWrongPassword", "POST", login, "",
                        R"({"password":"hunter2"})", 401, "wrong password");
  c.push_back(wrong);
  c.push_back(Auth("RefreshWithoutToken", "POST", "/api/v1/auth/refresh", "",
                   "", 401, "authentication required"));
  HttpCase refresh_expired =
      Auth("RefreshExpiredToken", "POST", "/api/v1/auth/refresh",
           "Bearer {expired}", "", 401, "invalid token: token expired");
  refresh_expired.challenge = kInvalidToken;
  c.push_back(refresh_expired);
  HttpCase refresh_revoked = refresh_expired;
  refresh_revoked.name = "RefreshRevokedToken";
  refresh_revoked.authorization = "Bearer {revoked}";
  refresh_revoked.message = "invalid token: token revoked";
  c.push_back(refresh_revoked);

  const std::string qr = "/api/v1/auth/guest/generate-qr";
  c.push_back(Auth("QrAsMember", "POST", qr, kMember, "{}", 403,
                   "the member role cannot do this; it needs admin"));
  c.push_back(Auth("QrAsGuest", "POST", qr, kGuest, "{}", 403,
                   "the guest role cannot do this; it needs admin"));
  c.push_back(Auth("QrWithoutToken", "POST", qr, "", "{}", 401,
                   "authentication required"));
  c.push_back(Auth("QrDurationZero", "POST", qr, kAdmin,
                   R"({"duration_hours":0})", 400,
                   "duration_hours: must be between 1 and 168"));
  c.push_back(Auth("QrDurationTooLong", "POST", qr, kAdmin,
                   R"({"duration_hours":169})", 400,
                   "duration_hours: must be between 1 and 168"));
  c.push_back(Auth("QrDurationIsString", "POST", qr, kAdmin,
                   R"({"duration_hours":"24"})", 400,
                   "duration_hours: expected an integer"));
  c.push_back(Auth("QrDurationIsFraction", "POST", qr, kAdmin,
                   R"({"duration_hours":1.5})", 400,
                   "duration_hours: expected an integer"));
  c.push_back(Auth("QrEmptyServer", "POST", qr, kAdmin,
                   R"({"custom_server":""})", 400,
                   "custom_server: expected a non-empty URL string"));
  c.push_back(Auth("QrServerTooLong", "POST", qr, kAdmin,
                   R"({"custom_server":")" + std::string(600, 'h') + "\"}", 400,
                   "custom_server: expected a non-empty URL string"));
  c.push_back(Auth("QrBodyIsArray", "POST", qr, kAdmin, "[]", 400,
                   "request body: expected a JSON object, got array"));

  const std::string verify = "/api/v1/auth/guest/verify";
  c.push_back(Auth("VerifyWithoutToken", "POST", verify, "", "{}", 400,
                   "token: required (the qr_token of the QR code)"));
  c.push_back(Auth("VerifyTokenIsNumber", "POST", verify, "", R"({"token":42})",
                   400, "token: expected a non-empty string"));
  c.push_back(Auth("VerifyEmptyToken", "POST", verify, "", R"({"qr_token":""})",
                   400, "token: expected a non-empty string"));
  HttpCase garbage =
      Auth("VerifyGarbageToken", "POST", verify, "", R"({"token":"garbage"})",
           401, "invalid guest token: malformed token: expected three parts");
  garbage.challenge = kInvalidToken;
  c.push_back(garbage);
  HttpCase member_token = garbage;
  member_token.name = "VerifyMemberToken";
  member_token.body = R"({"token":"{member}"})";
  member_token.message = "not a guest QR token";
  c.push_back(member_token);
  HttpCase guest_token = member_token;
  guest_token.name = "VerifyPlainGuestToken";
  guest_token.body = R"({"token":"{guest}"})";
  c.push_back(guest_token);
  HttpCase expired_qr = garbage;
  expired_qr.name = "VerifyExpiredToken";
  expired_qr.body = R"({"token":"{expired}"})";
  expired_qr.message = "invalid guest token: token expired";
  c.push_back(expired_qr);
}

std::vector<HttpCase> Catalogue() {
  std::vector<HttpCase> c;
  AddMcpCases(c);
  AddSyncCases(c);
  AddRestCases(c);
  AddAuthCases(c);
  return c;
}

// ---- tokens ----

constexpr std::string_view kBase64UrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64Url(std::string_view bytes) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char ch : bytes) {
    acc = (acc << 8) | ch;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kBase64UrlAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kBase64UrlAlphabet[(acc << (6 - bits)) & 63]);
  return out;
}

std::string FromBase64Url(std::string_view text) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : text) {
    const size_t value = kBase64UrlAlphabet.find(ch);
    if (value == std::string_view::npos) break;
    acc = (acc << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

// An HS256 JWT over these header and claims, signed with `key`.
std::string Jwt(const Json& header, const Json& claims,
                const std::string& key) {
  const std::string input =
      Base64Url(header.dump()) + "." + Base64Url(claims.dump());
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), md,
       &len);
  return input + "." +
         Base64Url(std::string_view(reinterpret_cast<const char*>(md), len));
}

Json ClaimsOf(const std::string& token) {
  const size_t a = token.find('.');
  const size_t b = token.find('.', a + 1);
  return Json::parse(FromBase64Url(token.substr(a + 1, b - a - 1)), nullptr,
                     false);
}

std::string CreateToken(const std::string& db, const std::string& role,
                        const std::string& ttl = "24h") {
  auto r = RunCommand(ShellQuote(BinaryPath()) + " --db " + ShellQuote(db) +
                      " token create --role " + role + " --ttl " + ttl +
                      " 2>/dev/null");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return r.output.substr(0, r.output.find('\n'));
}

// The hub's signing key, read from the database as an attacker with the
// file would; forged tokens signed with it test the checks after the
// signature (expiry, revocation records, claims).
std::string SigningKey(const std::string& db) {
  auto store = store::OpenSqliteStore(store::StoreOptions{}, db);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return "";
  auto hex = (*store)->GetMeta(app::kSigningKeyMeta);
  EXPECT_TRUE(hex.ok() && hex->has_value());
  if (!hex.ok() || !hex->has_value()) return "";
  std::string key;
  for (size_t i = 0; i + 1 < (**hex).size(); i += 2) {
    key.push_back(
        static_cast<char>(std::stoi((**hex).substr(i, 2), nullptr, 16)));
  }
  return key;
}

// ---- the suite ----

// One hub for the whole suite; each test runs the rows of one surface, each
// row under its own name (SCOPED_TRACE), so ctest starts four hubs, not one
// per row.
class BadInputHttpTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new std::string(SeededDb());
    ids_ = new std::map<std::string, std::string>(IdsByName(*db_));
    vars_ = new std::map<std::string, std::string>();
    auto& v = *vars_;
    // The short-lived token first, so it has expired by the time it is used.
    v["expired"] = CreateToken(*db_, "member", "1s");
    v["admin"] = CreateToken(*db_, "admin");
    v["member"] = CreateToken(*db_, "member");
    v["guest"] = CreateToken(*db_, "guest");
    v["revoked"] = CreateToken(*db_, "member");
    const std::string revoked_id = ClaimsOf(v["revoked"]).value("jti", "");
    ASSERT_EQ(RunCommand(ShellQuote(BinaryPath()) + " --db " +
                             ShellQuote(*db_) + " token revoke " + revoked_id,
                         true)
                  .exit_code,
              0);
    MakeForgedTokens(v);
    export_before_ = new std::string(ExportOf(*db_));

    hub_ = new HubProcess();
    ASSERT_TRUE(hub_->Start(*db_)) << hub_->Stderr();
    v["session"] = Initialize(v["member"]);
    v["guest_session"] = Initialize(v["guest"]);
    ASSERT_FALSE(v["session"].empty());
    ASSERT_FALSE(v["guest_session"].empty());
    auto c = hub_->Client();
    auto qr = c.Post("/api/v1/auth/guest/generate-qr",
                     {{"Authorization", "Bearer " + v["admin"]}}, "{}",
                     "application/json");
    ASSERT_TRUE(qr);
    ASSERT_EQ(qr->status, 200) << qr->body;
    v["qr"] = Json::parse(qr->body).value("qr_token", "");

    digest_ = new std::string(Digest());
    ASSERT_NE(digest_->find(R"("entities":127)"), std::string::npos)
        << *digest_;
    ASSERT_NE(digest_->find(R"("relationships":199)"), std::string::npos)
        << *digest_;
    // Wait out the short-lived token (its expiry is whole seconds).
    const int64_t exp = ClaimsOf(v["expired"]).value("exp", int64_t{0});
    while (std::time(nullptr) < exp)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  static void TearDownTestSuite() {
    if (hub_ != nullptr) {
      EXPECT_EQ(hub_->Stop(std::chrono::seconds(20)), 0) << hub_->Stderr();
      // Bad input is the client's fault: nothing may be logged as a server
      // error.
      EXPECT_EQ(hub_->Stderr().find("] [error] "), std::string::npos)
          << hub_->Stderr();
      EXPECT_EQ(hub_->Stderr().find("] [critical] "), std::string::npos)
          << hub_->Stderr();
      EXPECT_EQ(ExportOf(*db_), *export_before_)
          << "a refused request wrote to the database";
    }
    delete hub_;
    hub_ = nullptr;
    delete digest_;
    delete export_before_;
    delete vars_;
    delete ids_;
    delete db_;
  }

  static void MakeForgedTokens(std::map<std::string, std::string>& v) {
    const std::string key = SigningKey(*db_);
    ASSERT_EQ(key.size(), 32u);
    const Json member = ClaimsOf(v["member"]);
    ASSERT_TRUE(member.is_object());
    const Json hs256 = {{"alg", "HS256"}, {"typ", "JWT"}};
    const int64_t now = std::time(nullptr);
    Json claims = member;
    auto forge = [](const Json& header, const Json& c, const std::string& k) {
      return Jwt(header, c, k);
    };

    const std::string real = v["member"];
    const std::string signature = real.substr(real.rfind('.') + 1);
    Json raised = member;
    raised["role"] = "admin";
    v["tampered"] = Base64Url(hs256.dump()) + "." + Base64Url(raised.dump()) +
                    "." + signature;
    // 40 of the 43 characters: still base64url, but 30 bytes, not 32.
    v["cut_signature"] = real.substr(0, real.size() - 3);
    v["other_key"] = forge(hs256, member, std::string(32, 'k'));
    v["not_json_header"] = Base64Url("alg=HS256") + "." +
                           Base64Url(member.dump()) + "." + signature;
    v["alg_none"] = Base64Url(Json{{"alg", "none"}}.dump()) + "." +
                    Base64Url(member.dump()) + ".";
    v["alg_rs256"] = forge({{"alg", "RS256"}, {"typ", "JWT"}}, member, key);
    v["typ_xml"] = forge({{"alg", "HS256"}, {"typ", "XML"}}, member, key);
    claims["exp"] = now - 3600;
    claims["iat"] = now - 7200;
    v["forged_expired"] = forge(hs256, claims, key);
    claims = member;
    claims["jti"] = "00000000000000000000000000000000";
    v["forged_unknown"] = forge(hs256, claims, key);
    claims = member;
    claims["role"] = "admin";
    v["forged_admin"] = forge(hs256, claims, key);
    claims = member;
    claims.erase("exp");
    v["forged_no_exp"] = forge(hs256, claims, key);
    claims = member;
    claims["jti"] = "../../etc/passwd";
    v["forged_bad_jti"] = forge(hs256, claims, key);
    claims = member;
    claims["role"] = "root";
    v["forged_root"] = forge(hs256, claims, key);
  }

  // Starts a 2025-11-25 session; returns its id.
  static std::string Initialize(const std::string& token) {
    auto c = hub_->Client();
    auto r = c.Post(
        "/mcp",
        {{"Accept", "application/json, text/event-stream"},
         {"Authorization", "Bearer " + token}},
        R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
        R"("capabilities":{},"clientInfo":{"name":"bad-input","version":"1"}}})",
        "application/json");
    if (!r || r->status != 200) return "";
    return r->get_header_value("Mcp-Session-Id");
  }

  // What the graph holds: every entity's id and version (the sync state
  // digest), the counts, and every live relationship in full.
  static std::string Digest() {
    auto c = hub_->Client();
    const httplib::Headers admin = {
        {"Authorization", "Bearer " + (*vars_)["admin"]}};
    auto status = c.Get("/api/v1/sync/status", admin);
    auto rels = c.Get("/api/v1/graph/relationships?limit=1000", admin);
    if (!status || status->status != 200 || !rels || rels->status != 200)
      return "unavailable";
    Json s = Json::parse(status->body, nullptr, false);
    if (!s.is_object()) return "unavailable";
    // The relationships are hashed so a failure message stays short.
    return Json{
        {"state_digest", s["state_digest"]},
        {"entities", s["entities"]},
        {"relationships", s["relationships"]},
        {"conflicts_total", s["conflicts_total"]},
        {"relationship_list_hash", std::hash<std::string>()(rels->body)}}
        .dump();
  }

  static void RunSurface(Surface surface) {
    ASSERT_NE(hub_, nullptr);
    int rows = 0;
    for (const HttpCase& c : Catalogue()) {
      if (c.surface != surface) continue;
      SCOPED_TRACE("row " + c.name);
      Run(c);
      ++rows;
    }
    EXPECT_GE(rows, 20);
  }

  // Sends the row's request and checks the answer, that the hub still
  // serves and that the graph is unchanged.
  static void Run(const HttpCase& c);

  static std::string* db_;
  static std::map<std::string, std::string>* ids_;
  static std::map<std::string, std::string>* vars_;
  static std::string* export_before_;
  static std::string* digest_;
  static HubProcess* hub_;
};

std::string* BadInputHttpTest::db_ = nullptr;
std::map<std::string, std::string>* BadInputHttpTest::ids_ = nullptr;
std::map<std::string, std::string>* BadInputHttpTest::vars_ = nullptr;
std::string* BadInputHttpTest::export_before_ = nullptr;
std::string* BadInputHttpTest::digest_ = nullptr;
HubProcess* BadInputHttpTest::hub_ = nullptr;

// The text an error body gives: "detail" (REST, sync, auth, httplib
// errors), error.message (JSON-RPC), or a tool error's text.
std::string ErrorText(const Json& body) {
  if (body.contains("detail") && body["detail"].is_string())
    return body["detail"].get<std::string>();
  if (body.contains("error") && body["error"].is_object())
    return body["error"].value("message", "");
  std::string text;
  if (body.contains("result") && body["result"].is_object()) {
    for (const auto& block : body["result"].value("content", Json::array()))
      text += block.value("text", "");
  }
  return text;
}

void BadInputHttpTest::Run(const HttpCase& c) {
  httplib::Request req;
  req.method = c.method;
  req.path = Expand(c.path, *ids_, *vars_);
  for (const auto& [name, value] : c.headers)
    req.headers.emplace(name, Expand(value, *ids_, *vars_));
  if (!c.authorization.empty())
    req.headers.emplace("Authorization",
                        Expand(c.authorization, *ids_, *vars_));
  if (c.method != "GET") {
    req.body = Expand(c.body, *ids_, *vars_);
    req.headers.emplace("Content-Type", c.content_type);
  }
  auto client = hub_->Client();
  auto res = client.send(req);
  ASSERT_TRUE(res) << "no answer: " << httplib::to_string(res.error()) << "\n"
                   << hub_->Stderr();
  EXPECT_EQ(res->status, c.status) << res->body.substr(0, 500);
  const Json body = Json::parse(res->body, nullptr, false);
  ASSERT_TRUE(body.is_object())
      << "the answer is not a JSON object: " << res->body.substr(0, 300);
  const std::string text = ErrorText(body);
  EXPECT_NE(text.find(c.message), std::string::npos)
      << "wanted \"" << c.message << "\" in " << res->body.substr(0, 600);
  if (c.rpc_code) {
    if (*c.rpc_code == 0) {
      EXPECT_TRUE(body["result"].value("isError", false))
          << res->body.substr(0, 300);
    } else {
      EXPECT_EQ(body["error"]["code"], *c.rpc_code) << res->body.substr(0, 300);
    }
  }
  if (!c.challenge.empty()) {
    EXPECT_NE(res->get_header_value("WWW-Authenticate").find(c.challenge),
              std::string::npos)
        << "WWW-Authenticate: " << res->get_header_value("WWW-Authenticate");
  }
  // Still serving, and nothing was written. After a change the new state
  // becomes the reference, so only the row that wrote fails.
  const std::string now = Digest();
  EXPECT_EQ(now, *digest_) << "the graph changed";
  *digest_ = now;
}

TEST_F(BadInputHttpTest, McpRefusesPreciselyAndChangesNothing) {
  RunSurface(Surface::kMcp);
}
TEST_F(BadInputHttpTest, SyncRefusesPreciselyAndChangesNothing) {
  RunSurface(Surface::kSync);
}
TEST_F(BadInputHttpTest, RestRefusesPreciselyAndChangesNothing) {
  RunSurface(Surface::kRest);
}
TEST_F(BadInputHttpTest, AuthRefusesPreciselyAndChangesNothing) {
  RunSurface(Surface::kAuth);
}

TEST(BadInputHttpCatalogueTest, HasEnoughDistinctCasesOnEverySurface) {
  const std::vector<HttpCase> cases = Catalogue();
  std::set<std::string> names;
  std::map<std::string, int> per_surface;
  for (const auto& c : cases) {
    names.insert(c.name);
    ++per_surface[SurfaceName(c.surface)];
  }
  EXPECT_EQ(names.size(), cases.size()) << "case names must be unique";
  for (const auto& [surface, n] : per_surface) {
    std::printf("[ catalogue ] %s: %d bad inputs\n", surface.c_str(), n);
    EXPECT_GE(n, 20) << surface;
  }
  EXPECT_EQ(per_surface.size(), 4u);
  std::printf("[ catalogue ] HTTP total: %zu bad inputs\n", cases.size());
  EXPECT_GE(cases.size(), 150u);
}

}  // namespace
}  // namespace funkygibbon::testing
