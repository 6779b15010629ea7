// The bad-input catalogue over stdio: `funkygibbon mcp` on a seeded home
// gets malformed lines, wrong JSON-RPC, bad params and bad tool arguments.
// Each row names the precise error it must get (JSON-RPC code and message,
// or a tool error's text, or no answer at all for notifications). After
// every row a sentinel request proves the process still serves, and a
// digest of the graph proves nothing was written; the whole database is
// compared with an export at the end.
#include <chrono>
#include <cstdio>
#include <functional>
#include <set>

#include "e2e/bad_input_util.h"

namespace funkygibbon::testing {
namespace {

enum class Want {
  kRpcError,   // one reply: a JSON-RPC error with `code` and `message` in
               // error.message
  kToolError,  // one reply: a tools/call result with isError and `message` in
               // its text
  kNothing,    // no reply at all (notifications, client responses, blank lines)
};

struct StdioCase {
  std::string name;
  std::string
      line;  // sent as one line; "{id:Name}" is replaced by that entity's id
  Want want = Want::kRpcError;
  int code = 0;
  std::string message;
  Json id = nullptr;  // the id the reply must carry
  bool before_initialize =
      false;  // on a fresh process that has not been initialized
};

constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kResourceNotFound = -32002;
constexpr int kUnsupportedVersion = -32022;
constexpr char kMetaVersion[] = "io.modelcontextprotocol/protocolVersion";
constexpr char kMetaCaps[] = "io.modelcontextprotocol/clientCapabilities";
constexpr char kMetaLevel[] = "io.modelcontextprotocol/logLevel";

StdioCase Rpc(std::string name, std::string line, int code, std::string message,
              Json id = nullptr) {
  return {std::move(name),    std::move(line), Want::kRpcError, code,
          std::move(message), std::move(id)};
}

// A well-formed request whose reply must be the given JSON-RPC error; its id
// is the case name.
StdioCase Request(std::string name, const std::string& method, Json params,
                  int code, std::string message) {
  Json msg{{"jsonrpc", "2.0"}, {"id", name}, {"method", method}};
  if (!params.is_null()) msg["params"] = std::move(params);
  Json id = name;
  return Rpc(std::move(name), msg.dump(), code, std::move(message),
             std::move(id));
}

StdioCase Silent(std::string name, std::string line) {
  return {std::move(name), std::move(line), Want::kNothing, 0, "", nullptr};
}

Json CallParams(const std::string& tool, Json arguments) {
  return Json{{"name", tool}, {"arguments", std::move(arguments)}};
}

// tools/call that must end in a tool error (isError) naming the problem.
StdioCase ToolError(std::string name, const std::string& tool, Json arguments,
                    std::string message) {
  Json msg{{"jsonrpc", "2.0"},
           {"id", name},
           {"method", "tools/call"},
           {"params", CallParams(tool, std::move(arguments))}};
  Json id = name;
  return {std::move(name),    msg.dump(),   Want::kToolError, 0,
          std::move(message), std::move(id)};
}

Json Modern(Json meta_extra = Json::object()) {
  Json meta{{kMetaVersion, "2026-07-28"}, {kMetaCaps, Json::object()}};
  meta.update(meta_extra);
  return Json{{"_meta", std::move(meta)}};
}

std::vector<StdioCase> Catalogue() {
  std::vector<StdioCase> c;
  const std::string ping = R"({"jsonrpc":"2.0","id":1,"method":"ping"})";

  // ---- framing and JSON syntax: -32700 with a null id ----
  c.push_back(Rpc("UnclosedObject",
                  R"({"jsonrpc":"2.0","id":1,"method":"ping")", kParseError,
                  "Parse error: parse error at line 1"));
  c.push_back(
      Rpc("NotJsonAtAll", "hello, server", kParseError, "syntax error"));
  c.push_back(Rpc("TrailingComma",
                  R"({"jsonrpc":"2.0","id":1,"method":"ping",})", kParseError,
                  "Parse error"));
  c.push_back(Rpc("SingleQuotes", "{'jsonrpc':'2.0','id':1,'method':'ping'}",
                  kParseError, "invalid literal"));
  c.push_back(Rpc("TrailingGarbage", ping + " ping", kParseError,
                  "expected end of input"));
  c.push_back(Rpc("TwoMessagesOnOneLine", ping + ping, kParseError,
                  "expected end of input"));
  c.push_back(Rpc(
      "RawNulInString",
      std::string(R"({"jsonrpc":"2.0","id":1,"method":"pi)") + '\0' + R"(ng"})",
      kParseError,
      "parse error at line 1, column 37: a NUL byte is not allowed in JSON "
      "text"));
  c.push_back(Rpc("RawNulBetweenTokens",
                  std::string(R"({"jsonrpc":"2.0",)") + '\0' + R"("id":1})",
                  kParseError, "column 18: a NUL byte is not allowed"));
  // The JSON parser took a NUL for the end of the input, so these were once
  // served as if the bytes after the NUL were not there.
  c.push_back(Rpc("NulAfterAMessage", ping + '\0' + R"({"evil":1})",
                  kParseError, "a NUL byte is not allowed in JSON text"));
  c.push_back(
      Rpc("NulAfterAWrite",
          Json{{"jsonrpc", "2.0"},
               {"id", "w"},
               {"method", "tools/call"},
               {"params", CallParams("create_entity", {{"entity_type", "note"},
                                                       {"name", "smuggled"}})}}
                  .dump() +
              '\0' + "trailing bytes",
          kParseError, "a NUL byte is not allowed in JSON text"));
  c.push_back(Rpc(
      "RawTabInString", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"pi\tng\"}",
      kParseError, "control character U+0009 (HT) must be escaped"));
  c.push_back(Rpc("BadEscape", R"({"jsonrpc":"2.0","id":1,"method":"\x"})",
                  kParseError, "forbidden character after backslash"));
  c.push_back(
      Rpc("LoneSurrogateEscape",
          R"({"jsonrpc":"2.0","id":1,"method":"\ud800"})", kParseError,
          "surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF"));
  c.push_back(
      Rpc("DeepNesting100000",
          R"({"jsonrpc":"2.0","id":"deep","method":"ping","params":{"a":)" +
              std::string(100000, '[') + std::string(100000, ']') + "}}",
          kInvalidRequest, "message nested deeper than 64 levels"));
  c.push_back(
      Rpc("DeepNestingJustOverTheLimit",
          R"({"jsonrpc":"2.0","id":"deep","method":"ping","params":{"a":)" +
              std::string(63, '[') + std::string(63, ']') + "}}",
          kInvalidRequest, "message nested deeper than 64 levels"));
  c.push_back(Rpc(
      "LineOverFourMiB",
      R"({"jsonrpc":"2.0","id":"big","method":"tools/call","params":{"name":"search_entities","arguments":{"query":")" +
          std::string(5u << 20, 'a') + "\"}}}",
      kInvalidRequest,
      "message exceeds the 4194304-byte line limit and was discarded"));
  c.push_back(Silent("BlankLine", " \t \r"));

  // ---- not a JSON-RPC request ----
  c.push_back(Rpc("Batch", "[" + ping + "]", kInvalidRequest,
                  "batches are not supported"));
  c.push_back(
      Rpc("EmptyBatch", "[]", kInvalidRequest, "batches are not supported"));
  c.push_back(Rpc("NumberMessage", "42", kInvalidRequest,
                  "a message must be a JSON object"));
  c.push_back(Rpc("StringMessage", R"("ping")", kInvalidRequest,
                  "a message must be a JSON object"));
  c.push_back(Rpc("NullMessage", "null", kInvalidRequest,
                  "a message must be a JSON object"));
  c.push_back(Rpc("MissingJsonrpc", R"({"id":"m","method":"ping"})",
                  kInvalidRequest, R"("jsonrpc" must be "2.0")", "m"));
  c.push_back(Rpc("JsonrpcOnePointZero",
                  R"({"jsonrpc":"1.0","id":"v","method":"ping"})",
                  kInvalidRequest, R"("jsonrpc" must be "2.0")", "v"));
  c.push_back(Rpc("JsonrpcAsNumber",
                  R"({"jsonrpc":2.0,"id":"n","method":"ping"})",
                  kInvalidRequest, R"("jsonrpc" must be "2.0")", "n"));
  c.push_back(Rpc("MissingMethod", R"({"jsonrpc":"2.0","id":"mm"})",
                  kInvalidRequest, R"(a message needs a "method")", "mm"));
  c.push_back(Rpc("ErrorWithoutId",
                  R"({"jsonrpc":"2.0","error":{"code":1,"message":"x"}})",
                  kInvalidRequest, R"(a message needs a "method")"));
  c.push_back(Rpc("MethodIsNumber", R"({"jsonrpc":"2.0","id":"mn","method":7})",
                  kInvalidRequest, R"("method" must be a string)", "mn"));
  c.push_back(Rpc("IdIsObject",
                  R"({"jsonrpc":"2.0","id":{"a":1},"method":"ping"})",
                  kInvalidRequest, R"("id" must be a string or an integer)"));
  c.push_back(Rpc("IdIsFloat", R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})",
                  kInvalidRequest, R"("id" must be a string or an integer)"));
  c.push_back(Rpc("IdIsBool", R"({"jsonrpc":"2.0","id":true,"method":"ping"})",
                  kInvalidRequest, R"("id" must be a string or an integer)"));
  c.push_back(Rpc("IdIsNull", R"({"jsonrpc":"2.0","id":null,"method":"ping"})",
                  kInvalidRequest, R"("id" must be a string or an integer)"));
  c.push_back(
      Rpc("IdBeyondUint64",
          R"({"jsonrpc":"2.0","id":18446744073709551616,"method":"ping"})",
          kInvalidRequest, R"("id" must be a string or an integer)"));
  c.push_back(
      Rpc("ParamsIsArray",
          R"({"jsonrpc":"2.0","id":"pa","method":"tools/list","params":[1]})",
          kInvalidParams, "tools/list: params must be an object", "pa"));
  c.push_back(Rpc("ParamsIsString",
                  R"({"jsonrpc":"2.0","id":"ps","method":"ping","params":"x"})",
                  kInvalidParams, "ping: params must be an object", "ps"));
  c.push_back(Silent(
      "NotificationWithArrayParams",
      R"({"jsonrpc":"2.0","method":"notifications/initialized","params":[]})"));
  c.push_back(
      Silent("UnknownNotification",
             R"({"jsonrpc":"2.0","method":"notifications/no_such_thing"})"));
  c.push_back(Silent(
      "CancelOfUnknownRequest",
      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"never-sent"}})"));
  c.push_back(Silent(
      "CancelWithObjectRequestId",
      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":{}}})"));
  c.push_back(
      Silent("ResponseToNothing", R"({"jsonrpc":"2.0","id":77,"result":{}})"));
  c.push_back(Request("UnknownMethod", "no/such/method", nullptr,
                      kMethodNotFound, "Method not found: no/such/method"));
  c.push_back(Request("MethodNamesAreCaseSensitive", "Tools/List", nullptr,
                      kMethodNotFound, "Method not found: Tools/List"));
  c.push_back(
      Rpc("InvalidUtf8InMethod",
          "{\"jsonrpc\":\"2.0\",\"id\":\"u8\",\"method\":\"tools/\xc3(\"}",
          kMethodNotFound, "Method not found: tools/\xEF\xBF\xBD(", "u8"));

  // ---- lifecycle: a fresh process that was never initialized ----
  for (auto [name, method] :
       {std::pair{"ToolsListBeforeInitialize", "tools/list"},
        std::pair{"ToolsCallBeforeInitialize", "tools/call"},
        std::pair{"ResourcesListBeforeInitialize", "resources/list"}}) {
    StdioCase early = Request(name, method, Json::object(), kInvalidRequest,
                              "server not initialized: send initialize first");
    early.before_initialize = true;
    c.push_back(std::move(early));
  }
  StdioCase bad_init = Request(
      "InitializeWithNumericVersion", "initialize",
      {{"protocolVersion", 20251125}, {"capabilities", Json::object()}},
      kInvalidParams, "initialize: params.protocolVersion must be a string");
  bad_init.before_initialize = true;
  c.push_back(std::move(bad_init));

  // ---- params of the other methods ----
  c.push_back(Request("SetLevelUnknownLevel", "logging/setLevel",
                      {{"level", "loud"}}, kInvalidParams,
                      "logging/setLevel: params.level must be one of debug"));
  c.push_back(Request("SetLevelMissingLevel", "logging/setLevel",
                      Json::object(), kInvalidParams,
                      "logging/setLevel: params.level must be one of debug"));
  c.push_back(Request("ToolsListForgedCursor", "tools/list",
                      {{"cursor", "dG9vbHM6OTk5OQ"}}, kInvalidParams,
                      "tools/list: invalid cursor"));
  c.push_back(Request("ToolsListCursorNotBase64", "tools/list",
                      {{"cursor", "!!!"}}, kInvalidParams,
                      "tools/list: invalid cursor"));
  c.push_back(Request("ToolsListCursorIsNumber", "tools/list", {{"cursor", 2}},
                      kInvalidParams,
                      "tools/list: params.cursor must be a string"));
  c.push_back(Request("ResourcesReadUnknownUri", "resources/read",
                      {{"uri", "funkygibbon://nothing/here"}},
                      kResourceNotFound, "Resource not found"));
  c.push_back(Request("ResourcesReadUriIsNumber", "resources/read",
                      {{"uri", 5}}, kInvalidParams,
                      "resources/read: params.uri must be a string"));
  c.push_back(Request("ResourcesListForgedCursor", "resources/list",
                      {{"cursor", "bm9wZQ"}}, kInvalidParams,
                      "resources/list: invalid cursor"));
  c.push_back(Request("ResourceTemplatesWithCursor", "resources/templates/list",
                      {{"cursor", "x"}}, kInvalidParams,
                      "resources/templates/list: invalid cursor"));
  c.push_back(
      Request("CompletionWithoutRef", "completion/complete",
              {{"argument", {{"name", "id"}, {"value", ""}}}}, kInvalidParams,
              "completion/complete: params.ref must be an object with a type"));
  c.push_back(Request("CompletionOfUnknownPrompt", "completion/complete",
                      {{"ref", {{"type", "ref/prompt"}, {"name", "nope"}}},
                       {"argument", {{"name", "a"}, {"value", ""}}}},
                      kInvalidParams, "this server has no prompts"));
  c.push_back(Request("PromptsGetUnknown", "prompts/get", {{"name", "nope"}},
                      kInvalidParams, "prompts/get: unknown prompt \"nope\""));
  c.push_back(Request("PromptsListWithCursor", "prompts/list",
                      {{"cursor", "abc"}}, kInvalidParams,
                      "prompts/list: invalid cursor"));

  // ---- the 2026-07-28 era, which has no handshake ----
  c.push_back(Request("ModernUnsupportedVersion", "tools/list",
                      Modern({{kMetaVersion, "2099-01-01"}}),
                      kUnsupportedVersion, "Unsupported protocol version"));
  c.push_back(Request("ModernVersionIsNumber", "tools/list",
                      Modern({{kMetaVersion, 2026}}), kUnsupportedVersion,
                      "Unsupported protocol version"));
  Json no_caps = Modern();
  no_caps["_meta"].erase(kMetaCaps);
  c.push_back(Request("ModernWithoutClientCapabilities", "tools/list", no_caps,
                      kInvalidParams,
                      "clientCapabilities\"] is required (an object)"));
  c.push_back(Request("ModernUnknownLogLevel", "tools/list",
                      Modern({{kMetaLevel, "chatty"}}), kInvalidParams,
                      "logLevel\"] must be one of debug"));
  c.push_back(Request("ModernLegacyOnlyMethod", "logging/setLevel", Modern(),
                      kMethodNotFound, "Method not found: logging/setLevel"));

  // ---- tools/call envelope: protocol errors ----
  c.push_back(
      Request("CallWithoutName", "tools/call", {{"arguments", Json::object()}},
              kInvalidParams,
              "tools/call: params.name must be a string naming a tool"));
  c.push_back(
      Request("CallNameIsNumber", "tools/call", {{"name", 3}}, kInvalidParams,
              "tools/call: params.name must be a string naming a tool"));
  c.push_back(Request("CallUnknownTool", "tools/call",
                      CallParams("no_such_tool", Json::object()),
                      kInvalidParams, "Unknown tool: no_such_tool"));
  c.push_back(Request("CallArgumentsIsArray", "tools/call",
                      CallParams("describe_schema", Json::array()),
                      kInvalidParams,
                      "tools/call: params.arguments must be an object"));
  c.push_back(Request("CallArgumentsIsString", "tools/call",
                      CallParams("describe_schema", "{}"), kInvalidParams,
                      "tools/call: params.arguments must be an object"));

  // ---- tool arguments that break the inputSchema ----
  c.push_back(
      ToolError("WrongTypeForId", "find_path",
                {{"from_entity_id", 5}, {"to_entity_id", "x"}},
                "arguments.from_entity_id: must be a string (got integer 5)"));
  c.push_back(ToolError("MissingRequiredId", "get_entity_details",
                        Json::object(),
                        "arguments: missing required property 'entity_id'"));
  c.push_back(ToolError(
      "EmptyId", "get_entity_details", {{"entity_id", ""}},
      "arguments.entity_id: must be at least 1 character long (got 0)"));
  c.push_back(ToolError(
      "IdOver256Characters", "get_entity_details",
      {{"entity_id", std::string(257, 'i')}},
      "arguments.entity_id: must be at most 256 characters long (got 257)"));
  c.push_back(ToolError("UnknownArgument", "get_entity_details",
                        {{"entity_id", "x"}, {"bogus", 1}},
                        "arguments: unknown property \"bogus\""));
  c.push_back(ToolError(
      "HugeQueryString", "search_entities",
      {{"query", std::string(100000, 'q')}},
      "arguments.query: must be at most 1000 characters long (got 100000)"));
  c.push_back(ToolError("LimitZero", "search_entities",
                        {{"query", "lamp"}, {"limit", 0}},
                        "arguments.limit: must be >= 1 (got 0)"));
  c.push_back(ToolError(
      "LimitAsString", "search_entities", {{"query", "lamp"}, {"limit", "10"}},
      "arguments.limit: must be an integer (got string \"10\")"));
  c.push_back(ToolError(
      "LimitAsFraction", "search_entities", {{"query", "lamp"}, {"limit", 2.5}},
      "arguments.limit: must be an integer (got number 2.5)"));
  c.push_back(ToolError("UnknownEntityTypeFilter", "search_entities",
                        {{"query", "lamp"}, {"entity_types", {"spaceship"}}},
                        "arguments.entity_types[0]: must be one of \"home\""));
  c.push_back(
      ToolError("TooManyEntityTypes", "search_entities",
                {{"query", "lamp"},
                 {"entity_types", Json(std::vector<std::string>(13, "room"))}},
                "arguments.entity_types: must have at most 12 items (got 13)"));
  c.push_back(ToolError("UnknownDirection", "find_path",
                        {{"from_entity_id", "{id:Kitchen}"},
                         {"to_entity_id", "{id:Oven}"},
                         {"direction", "sideways"}},
                        "arguments.direction: must be one of \"out\", \"in\", "
                        "\"both\" (got \"sideways\")"));
  c.push_back(ToolError("PathDepthTooLarge", "find_path",
                        {{"from_entity_id", "{id:Kitchen}"},
                         {"to_entity_id", "{id:Oven}"},
                         {"max_depth", 80}},
                        "arguments.max_depth: must be <= 50 (got 80)"));
  c.push_back(ToolError("ConnectedDepthZero", "get_connected_entities",
                        {{"entity_id", "{id:Kitchen}"}, {"depth", 0}},
                        "arguments.depth: must be >= 1 (got 0)"));
  c.push_back(
      ToolError("ThresholdAboveOne", "find_similar_entities",
                {{"entity_id", "{id:Combi Boiler}"}, {"threshold", 1.5}},
                "arguments.threshold: must be <= 1 (got 1.5)"));
  c.push_back(ToolError(
      "UnknownFilterOperator", "query_graph",
      {{"filters", {{{"field", "name"}, {"op", "like"}, {"value", "x"}}}}},
      "arguments.filters[0].op: must be one of \"eq\""));
  c.push_back(
      ToolError("FilterWithoutField", "query_graph",
                {{"filters", {{{"op", "eq"}, {"value", "x"}}}}},
                "arguments.filters[0]: missing required property 'field'"));
  c.push_back(ToolError("CreateWithoutName", "create_entity",
                        {{"entity_type", "note"}},
                        "arguments: missing required property 'name'"));
  c.push_back(
      ToolError("CreateWithEmptyName", "create_entity",
                {{"entity_type", "note"}, {"name", ""}},
                "arguments.name: must be at least 1 character long (got 0)"));
  c.push_back(ToolError(
      "CreateWithHugeName", "create_entity",
      {{"entity_type", "note"}, {"name", std::string(1001, 'n')}},
      "arguments.name: must be at most 1000 characters long (got 1001)"));
  c.push_back(ToolError("CreateUnknownEntityType", "create_entity",
                        {{"entity_type", "spaceship"}, {"name", "x"}},
                        "arguments.entity_type: must be one of \"home\""));
  c.push_back(ToolError(
      "CreateUnknownSourceType", "create_entity",
      {{"entity_type", "note"}, {"name", "x"}, {"source_type", "telepathy"}},
      "arguments.source_type: must be one of \"homekit\""));
  c.push_back(
      ToolError("CreateContentIsArray", "create_entity",
                {{"entity_type", "note"}, {"name", "x"}, {"content", {1, 2}}},
                "arguments.content: must be an object (got array [1,2])"));
  c.push_back(
      ToolError("UpdateNameEmpty", "update_entity",
                {{"entity_id", "{id:Kitchen}"}, {"name", ""}},
                "arguments.name: must be at least 1 character long (got 0)"));
  c.push_back(
      ToolError("RelationshipTypeUnknown", "create_relationship",
                {{"from_entity_id", "{id:Oven}"},
                 {"to_entity_id", "{id:Kitchen}"},
                 {"relationship_type", "sits_on"}},
                "arguments.relationship_type: must be one of \"located_in\""));
  c.push_back(
      ToolError("RelationshipPropertiesIsArray", "create_relationship",
                {{"from_entity_id", "{id:Oven}"},
                 {"to_entity_id", "{id:Kitchen}"},
                 {"relationship_type", "located_in"},
                 {"properties", Json::array()}},
                "arguments.properties: must be an object (got array [])"));

  // ---- ids that do not exist, wrong kinds of entity, odd bytes in ids ----
  c.push_back(ToolError("UnknownEntityId", "get_entity_details",
                        {{"entity_id", "no-such-id"}},
                        "entity_id: entity 'no-such-id' not found"));
  c.push_back(
      ToolError("NulInEntityId", "get_entity_details",
                {{"entity_id", std::string("kit\0chen", 8)}},
                std::string("entity_id: entity 'kit\0chen' not found", 38)));
  // Ill-formed UTF-8 is read leniently (as U+FFFD), so the id is simply
  // unknown.
  c.push_back(Rpc("InvalidUtf8InEntityId",
                  "{\"jsonrpc\":\"2.0\",\"id\":\"InvalidUtf8InEntityId\","
                  "\"method\":\"tools/call\",\"params\":"
                  "{\"name\":\"get_entity_details\",\"arguments\":{\"entity_"
                  "id\":\"bad\xff\xfe\"}}}",
                  0,
                  "entity_id: entity 'bad\xEF\xBF\xBD\xEF\xBF\xBD' not found",
                  "InvalidUtf8InEntityId"));
  c.back().want = Want::kToolError;
  c.push_back(ToolError("HistoryOfUnknownEntity", "get_entity_history",
                        {{"entity_id", "ghost"}},
                        "entity_id: entity 'ghost' not found"));
  c.push_back(
      ToolError("PathFromUnknownEntity", "find_path",
                {{"from_entity_id", "nope"}, {"to_entity_id", "{id:Kitchen}"}},
                "from_entity_id: entity 'nope' not found"));
  c.push_back(
      ToolError("PathToUnknownEntity", "find_path",
                {{"from_entity_id", "{id:Kitchen}"}, {"to_entity_id", "nope"}},
                "to_entity_id: entity 'nope' not found"));
  c.push_back(ToolError("SimilarToUnknownEntity", "find_similar_entities",
                        {{"entity_id", "nope"}},
                        "entity_id: entity 'nope' not found"));
  c.push_back(ToolError("DevicesInADevice", "get_devices_in_room",
                        {{"room_id", "{id:Oven}"}},
                        "is a device ('Oven'), not a room"));
  c.push_back(ToolError("ControlsOfARoom", "find_device_controls",
                        {{"device_id", "{id:Kitchen}"}},
                        "is a room ('Kitchen'), not a device"));
  c.push_back(ToolError("ProceduresOfUnknownDevice",
                        "get_procedures_for_device", {{"device_id", "nope"}},
                        "device_id: entity 'nope' not found"));
  c.push_back(ToolError("UpdateUnknownEntity", "update_entity",
                        {{"entity_id", "nope"}, {"name", "x"}},
                        "entity 'nope' not found"));
  c.push_back(ToolError("DeleteUnknownEntity", "delete_entity",
                        {{"entity_id", "nope"}},
                        "entity 'nope' not found (or already deleted)"));
  c.push_back(ToolError("DeleteUnknownRelationship", "delete_relationship",
                        {{"relationship_id", "nope"}},
                        "relationship 'nope' not found"));
  c.push_back(ToolError("RelateUnknownTarget", "create_relationship",
                        {{"from_entity_id", "{id:Oven}"},
                         {"to_entity_id", "nope"},
                         {"relationship_type", "located_in"}},
                        "to_entity_id: entity 'nope' not found"));

  // ---- writes the graph refuses ----
  c.push_back(ToolError(
      "CreateWithTakenId", "create_entity",
      {{"entity_type", "note"}, {"name", "x"}, {"id", "{id:Kitchen}"}},
      "already exists; use update_entity to change it"));
  c.push_back(ToolError("UpdateWithNothingToChange", "update_entity",
                        {{"entity_id", "{id:Kitchen}"}},
                        "nothing to change: give a new name and/or content"));
  c.push_back(ToolError(
      "UpdateThatDeletes", "update_entity",
      {{"entity_id", "{id:Kitchen}"}, {"content", {{"deleted", true}}}},
      "content.deleted: use delete_entity to delete an entity"));
  c.push_back(ToolError("UpdateWithChangesAndName", "update_entity",
                        {{"entity_id", "{id:Kitchen}"},
                         {"name", "a"},
                         {"changes", {{"name", "b"}}}},
                        "give either changes{name, content} or top-level "
                        "name/content, not both"));
  c.push_back(ToolError("SelfRelationship", "create_relationship",
                        {{"from_entity_id", "{id:Oven}"},
                         {"to_entity_id", "{id:Oven}"},
                         {"relationship_type", "connects_to"}},
                        "an entity cannot have a relationship with itself"));
  c.push_back(ToolError("RelationshipNotAllowedBetweenTypes",
                        "create_relationship",
                        {{"from_entity_id", "{id:Kitchen}"},
                         {"to_entity_id", "{id:Oven}"},
                         {"relationship_type", "located_in"}},
                        "relationship_type: 'located_in' is not allowed from a "
                        "room to a device"));
  c.push_back(ToolError("DuplicateRelationship", "create_relationship",
                        {{"from_entity_id", "{id:Oven}"},
                         {"to_entity_id", "{id:Kitchen}"},
                         {"relationship_type", "located_in"}},
                        "a located_in relationship from device 'Oven'"));
  c.push_back(ToolError("PartOfCycleOfTwo", "create_relationship",
                        {{"from_entity_id", "{id:Kitchen Spotlights}"},
                         {"to_entity_id", "{id:Under-cabinet LED Strip}"},
                         {"relationship_type", "part_of"}},
                        "would make a cycle"));
  c.push_back(
      ToolError("PartOfCycleOfProcedures", "create_relationship",
                {{"from_entity_id", "{id:Reset the boiler after a lockout}"},
                 {"to_entity_id", "{id:Repressurise the boiler}"},
                 {"relationship_type", "part_of"}},
                "would make a cycle"));
  c.push_back(ToolError("LocatedInCycle", "create_relationship",
                        {{"from_entity_id", "{id:Ground Floor}"},
                         {"to_entity_id", "{id:Kitchen}"},
                         {"relationship_type", "located_in"}},
                        "would make a cycle"));
  c.push_back(ToolError("CycleThroughThreeLevels", "create_relationship",
                        {{"from_entity_id", "{id:Ground Floor}"},
                         {"to_entity_id", "{id:Kitchen Spotlights}"},
                         {"relationship_type", "part_of"}},
                        "is already inside zone 'Ground Floor'"));
  c.push_back(ToolError("ContainedInCycle", "create_relationship",
                        {{"from_entity_id", "{id:Living Room}"},
                         {"to_entity_id", "{id:Apple TV}"},
                         {"relationship_type", "contained_in"}},
                        "would make a cycle"));

  // ---- query_graph statements ----
  c.push_back(ToolError("CypherSyntaxError", "query_graph",
                        {{"cypher", "MATCH (d:device RETURN d"}},
                        "syntax error at"));
  c.push_back(ToolError("CypherWrite", "query_graph",
                        {{"cypher", "MATCH (d:device) DELETE d"}},
                        "query_graph is read-only: DELETE"));
  c.push_back(ToolError("CypherCreate", "query_graph",
                        {{"cypher", "CREATE (n:note {name:'x'})"}},
                        "query_graph is read-only: CREATE"));
  c.push_back(ToolError(
      "CypherAndStructuredFields", "query_graph",
      {{"cypher", "MATCH (d:device) RETURN d"}, {"entity_type", "device"}},
      "give either cypher or structured fields, not both (found "
      "'entity_type')"));
  return c;
}

// A raw client of one `funkygibbon mcp` process. Every line it reads must be
// a JSON-RPC 2.0 message.
class StdioServer {
 public:
  bool Start(const std::string& db) {
    return child_.Start({BinaryPath(), "--db", db, "mcp"});
  }

  bool Initialize() {
    Json r = Call("initialize",
                  {{"protocolVersion", "2025-11-25"},
                   {"capabilities", Json::object()},
                   {"clientInfo", {{"name", "bad-input"}, {"version", "1"}}}});
    child_.Write(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
                 "\n");
    return r.contains("result");
  }

  // Sends `line`, then a sentinel request that goes through the same queue
  // as tool calls, and returns every reply that came before the sentinel's.
  // *served is set when the sentinel was answered.
  std::vector<Json> Exchange(const std::string& line, bool* served) {
    const std::string sentinel = "sentinel-" + std::to_string(++sentinels_);
    std::vector<Json> replies;
    *served = false;
    if (!child_.Write(line + "\n") ||
        !child_.Write(R"({"jsonrpc":"2.0","id":")" + sentinel +
                      R"(","method":"prompts/list"})"
                      "\n")) {
      return replies;
    }
    while (true) {
      std::optional<std::string> text = child_.ReadLine();
      if (!text) return replies;
      Json j = Json::parse(*text, nullptr, false);
      EXPECT_FALSE(j.is_discarded())
          << "stdout line is not JSON: " << text->substr(0, 300);
      if (j.is_discarded()) continue;
      EXPECT_EQ(j.value("jsonrpc", ""), "2.0") << text->substr(0, 300);
      if (j.contains("id") && j["id"] == sentinel) {
        *served = true;
        return replies;
      }
      if (!j.contains("method"))
        replies.push_back(std::move(j));  // notifications are not replies
    }
  }

  Json Call(const std::string& method, const Json& params) {
    const std::string id = "call-" + std::to_string(++sentinels_);
    child_.Write(Json{{"jsonrpc", "2.0"},
                      {"id", id},
                      {"method", method},
                      {"params", params}}
                     .dump() +
                 "\n");
    while (std::optional<std::string> text = child_.ReadLine()) {
      Json j = Json::parse(*text, nullptr, false);
      if (!j.is_discarded() && j.contains("id") && j["id"] == id) return j;
    }
    ADD_FAILURE() << "no answer to " << method
                  << "; stderr: " << child_.Stderr();
    return Json();
  }

  // Every entity version, every live relationship count by type: changes
  // whenever anything is written.
  std::string Digest() {
    Json entities =
        Call("tools/call", CallParams("query_graph", {{"full", true},
                                                      {"include_deleted", true},
                                                      {"order_by", "id"},
                                                      {"limit", 1000}}));
    Json stats =
        Call("tools/call", CallParams("get_graph_statistics", Json::object()));
    // The entity list is hashed so a failure message stays short.
    const Json& list = entities["result"]["structuredContent"];
    return Json{{"total", list.value("total", -1)},
                {"entity_list_hash", std::hash<std::string>()(list.dump())},
                {"statistics", stats["result"]["structuredContent"]}}
        .dump();
  }

  int Stop() {
    child_.CloseStdin();
    return child_.Wait(std::chrono::seconds(20));
  }
  std::string Stderr() const { return child_.Stderr(); }

 private:
  Child child_;
  int sentinels_ = 0;
};

// One `funkygibbon mcp` process for the whole catalogue, each row under its
// own name (SCOPED_TRACE); rows marked before_initialize get a fresh one.
class BadInputStdioTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new std::string(SeededDb());
    ids_ = new std::map<std::string, std::string>(IdsByName(*db_));
    export_before_ = new std::string(ExportOf(*db_));
    server_ = new StdioServer();
    ASSERT_TRUE(server_->Start(*db_));
    ASSERT_TRUE(server_->Initialize()) << server_->Stderr();
    digest_ = new std::string(server_->Digest());
    // The digest really covers the seeded home (127 entities).
    ASSERT_NE(digest_->find(R"("total":127)"), std::string::npos)
        << digest_->substr(0, 300);
    ASSERT_NE(digest_->find(R"("relationships":199)"), std::string::npos)
        << digest_->substr(0, 300);
  }
  static void TearDownTestSuite() {
    if (server_ != nullptr) {
      EXPECT_EQ(server_->Stop(), 0) << server_->Stderr();
      // Bad input is the client's fault: nothing may be logged as a server
      // error.
      EXPECT_EQ(server_->Stderr().find("] [error] "), std::string::npos)
          << server_->Stderr();
      EXPECT_EQ(server_->Stderr().find("] [critical] "), std::string::npos)
          << server_->Stderr();
      // Nothing the catalogue sent reached the database.
      EXPECT_EQ(ExportOf(*db_), *export_before_);
    }
    delete server_;
    delete digest_;
    delete export_before_;
    delete ids_;
    delete db_;
    server_ = nullptr;
  }

  // Sends the row's line and checks the reply, that the process still
  // serves and that the graph is unchanged.
  static void Run(const StdioCase& c);

  static std::string* db_;
  static std::map<std::string, std::string>* ids_;
  static std::string* export_before_;
  static std::string* digest_;
  static StdioServer* server_;
};

std::string* BadInputStdioTest::db_ = nullptr;
std::map<std::string, std::string>* BadInputStdioTest::ids_ = nullptr;
std::string* BadInputStdioTest::export_before_ = nullptr;
std::string* BadInputStdioTest::digest_ = nullptr;
StdioServer* BadInputStdioTest::server_ = nullptr;

void ExpectReply(const StdioCase& c, const std::vector<Json>& replies) {
  if (c.want == Want::kNothing) {
    EXPECT_TRUE(replies.empty()) << replies.front().dump().substr(0, 300);
    return;
  }
  ASSERT_EQ(replies.size(), 1u)
      << (replies.empty() ? std::string("no reply")
                          : "also: " + replies[1].dump().substr(0, 300));
  const Json& r = replies[0];
  EXPECT_EQ(r["id"], c.id) << r.dump().substr(0, 300);
  if (c.want == Want::kRpcError) {
    ASSERT_TRUE(r.contains("error")) << r.dump().substr(0, 300);
    EXPECT_FALSE(r.contains("result"));
    EXPECT_EQ(r["error"]["code"], c.code) << r.dump().substr(0, 300);
    EXPECT_NE(r["error"].value("message", "").find(c.message),
              std::string::npos)
        << "wanted \"" << c.message << "\" in " << r.dump().substr(0, 500);
    return;
  }
  ASSERT_TRUE(r.contains("result")) << r.dump().substr(0, 300);
  const Json& result = r["result"];
  EXPECT_TRUE(result.value("isError", false)) << r.dump().substr(0, 300);
  EXPECT_FALSE(result.contains("structuredContent")) << r.dump().substr(0, 300);
  std::string text;
  for (const auto& block : result.value("content", Json::array()))
    text += block.value("text", "");
  EXPECT_NE(text.find(c.message), std::string::npos)
      << "wanted \"" << c.message << "\" in " << text;
}

void BadInputStdioTest::Run(const StdioCase& c) {
  const std::string line = Expand(c.line, *ids_);
  bool served = false;
  if (c.before_initialize) {
    StdioServer fresh;
    ASSERT_TRUE(fresh.Start(*db_));
    std::vector<Json> replies = fresh.Exchange(line, &served);
    ExpectReply(c, replies);
    EXPECT_TRUE(served) << fresh.Stderr();
    EXPECT_EQ(fresh.Stop(), 0) << fresh.Stderr();
  } else {
    std::vector<Json> replies = server_->Exchange(line, &served);
    ExpectReply(c, replies);
    ASSERT_TRUE(served) << "the server stopped answering; stderr: "
                        << server_->Stderr();
  }
  // After a change the new state becomes the reference, so only the row
  // that wrote fails.
  const std::string now = server_->Digest();
  EXPECT_EQ(now, *digest_) << "the graph changed";
  *digest_ = now;
}

TEST_F(BadInputStdioTest, EveryRowIsRefusedPreciselyAndChangesNothing) {
  ASSERT_NE(server_, nullptr);
  for (const StdioCase& c : Catalogue()) {
    SCOPED_TRACE("row " + c.name);
    Run(c);
  }
}

TEST(BadInputStdioCatalogueTest, HasEnoughDistinctCases) {
  const std::vector<StdioCase> cases = Catalogue();
  std::set<std::string> names;
  for (const auto& c : cases) names.insert(c.name);
  EXPECT_EQ(names.size(), cases.size()) << "case names must be unique";
  std::printf("[ catalogue ] stdio: %zu bad inputs\n", cases.size());
  EXPECT_GE(cases.size(), 100u);
}

}  // namespace
}  // namespace funkygibbon::testing
