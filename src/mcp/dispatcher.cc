#include "mcp/dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <mutex>
#include <utility>
#include <vector>

#include "core/json_escape.h"

namespace funkygibbon::mcp {
namespace {

// Legacy versions we speak; initialize echoes any of these and answers
// kLatestProtocolVersion to anything else.
constexpr std::array<std::string_view, 3> kLegacyVersions = {
    "2025-11-25", "2025-06-18", "2025-03-26"};
constexpr std::string_view kMetaClientCapabilities =
    "io.modelcontextprotocol/clientCapabilities";
constexpr std::string_view kMetaLogLevel = "io.modelcontextprotocol/logLevel";
constexpr std::string_view kMetaServerInfo =
    "io.modelcontextprotocol/serverInfo";
constexpr size_t kMaxCompletionValues = 100;  // spec maximum
// Tools never change while we run; graph contents change at any time.
constexpr int64_t kListTtlMs = 60 * 60 * 1000;
constexpr int64_t kResourceTtlMs = 0;

bool IsValidId(const Json& id) {
  return id.is_string() || id.is_number_integer();
}

const Json& EmptyObject() {
  static const Json* const kEmpty = new Json(Json::object());
  return *kEmpty;
}

// params._meta, or an empty object.
const Json& MetaOf(const Json& params) {
  if (!params.is_object()) return EmptyObject();
  auto it = params.find("_meta");
  return it != params.end() && it->is_object() ? *it : EmptyObject();
}

bool IsModern(const Json& params) {
  return MetaOf(params).contains(kMetaProtocolVersion);
}

std::string Reply(const Json& id, RpcOutcome& outcome) {
  if (const auto* error = std::get_if<RpcError>(&outcome)) {
    return DumpJson(ErrorResponse(id, *error));
  }
  if (auto* raw = std::get_if<SerializedResult>(&outcome)) {
    // The members in the order DumpJson writes them (sorted).
    std::string out = "{\"id\":" + DumpJson(id) + ",\"jsonrpc\":\"2.0\",\"result\":";
    out.reserve(out.size() + raw->json.size() + 1);
    out += raw->json;
    out += '}';
    return out;
  }
  return DumpJson(ResultResponse(id, std::move(std::get<Json>(outcome))));
}

std::string ErrorReply(const Json& id, const RpcError& error) {
  return DumpJson(ErrorResponse(id, error));
}

// Reads an optional string member; InvalidParams if present but not a string.
std::optional<RpcError> OptionalString(const Json& params,
                                       std::string_view method, const char* key,
                                       std::string* out) {
  auto it = params.find(key);
  if (it == params.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    return RpcError::InvalidParams(std::string(method) + ": params." + key +
                                   " must be a string");
  }
  *out = it->get<std::string>();
  return std::nullopt;
}

// Serializes notifications of one request (progress and log messages) and
// stops them once the request has finished, so none follows the response.
// Its lock is held while the sink runs: that keeps progress values in
// increasing order on the wire and lets Close() wait out a send in
// progress. The sink never calls back into the emitter, so this cannot
// deadlock.
class RequestEmitter {
 public:
  explicit RequestEmitter(Outbound sink) : sink_(std::move(sink)) {}

  void Progress(const Json& token, double progress, std::optional<double> total,
                const std::string& message) {
    if (!std::isfinite(progress)) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || (last_progress_ && progress <= *last_progress_)) return;
    last_progress_ = progress;
    Json params{{"progressToken", token}, {"progress", progress}};
    if (total && std::isfinite(*total)) params["total"] = *total;
    if (!message.empty()) params["message"] = message;
    sink_(DumpJson(Notification("notifications/progress", std::move(params))));
  }

  // `threshold` runs under the lock, before Close(), so it may read state
  // (the session) that only lives as long as the request.
  template <typename Threshold>
  void Log(LogLevel level, const std::string& logger, const Json& data,
           Threshold&& threshold) {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    const std::optional<LogLevel> min = threshold();
    if (!min || level < *min) return;
    sink_(DumpJson(Notification(
        "notifications/message",
        Json{{"level", ToString(level)}, {"logger", logger}, {"data", data}})));
  }

  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }

 private:
  std::mutex mu_;
  Outbound sink_;
  bool closed_ = false;                  // guarded by mu_
  std::optional<double> last_progress_;  // guarded by mu_
};

}  // namespace

// Everything a method handler needs about the request being served.
struct Dispatcher::Call {
  Session& session;
  std::string_view method;
  const Json& params;  // an object (empty if the request had none)
  bool modern = false;
  Caller caller;
  Outbound notify;  // resolved: request sink or session
  std::optional<LogLevel>
      modern_log_level;                     // 2026 era: the request's own level
  std::shared_ptr<InFlightRequest> flight;  // cancellation state (may be null)
};

// The method table. Flags say which eras a method exists in, whether it may
// precede initialize, and whether it needs a ResourceProvider.
enum MethodFlag : unsigned {
  kLegacy = 1u << 0,
  kModern = 1u << 1,
  kBeforeInitialize = 1u << 2,
  kNeedsResources = 1u << 3,
};
struct Dispatcher::Method {
  std::string_view name;
  RpcOutcome (Dispatcher::*fn)(Call&) const;
  unsigned flags;
};

namespace {
using D = Dispatcher;
}  // namespace

Dispatcher::Dispatcher(const ToolRegistry& tools,
                       const ResourceProvider* resources,
                       DispatcherOptions options)
    : tools_(tools),
      resources_(resources),
      options_(std::move(options)),
      server_info_meta_member_("\"_meta\":" +
                               DumpJson(Json{{std::string(kMetaServerInfo), ServerInfo()}})) {}

std::optional<std::string> Dispatcher::Handle(
    std::string_view message, Session& session,
    const RequestOptions& options) const {
  return Execute(Accept(message, session), session, options);
}

Incoming Dispatcher::Accept(std::string_view message, Session& session) const {
  Incoming in;
  const auto fail = [&](const Json& id, const RpcError& e) {
    in.done_ = true;
    in.reply_ = ErrorReply(id, e);
    in.error_code_ = e.code;
    return std::move(in);
  };

  // Be lenient about encoding, as Node-based clients and servers are: an
  // ill-formed UTF-8 sequence becomes U+FFFD instead of failing the message.
  std::string sanitized;
  if (!IsValidUtf8(message)) {
    sanitized = SanitizeUtf8(message);
    message = sanitized;
  }
  StatusOr<Json> parsed = ParseJson(message, options_.max_json_depth);
  if (!parsed.ok()) {
    if (parsed.status().code() == StatusCode::kResourceExhausted) {
      return fail(nullptr,
                  RpcError::InvalidRequest(
                      "message nested deeper than " +
                      std::to_string(options_.max_json_depth) + " levels"));
    }
    return fail(nullptr, RpcError::ParseError(parsed.status().message()));
  }
  return AcceptParsed(*std::move(parsed), session);
}

Incoming Dispatcher::AcceptParsed(Json msg, Session& session) const {
  Incoming in;
  const auto fail = [&](const Json& id, const RpcError& e) {
    in.done_ = true;
    in.reply_ = ErrorReply(id, e);
    in.error_code_ = e.code;
    return std::move(in);
  };
  if (msg.is_array()) {
    return fail(
        nullptr,
        RpcError::InvalidRequest(
            "batches are not supported (JSON-RPC batching was removed in MCP "
            "2025-06-18); send each message on its own"));
  }
  if (!msg.is_object())
    return fail(nullptr,
                RpcError::InvalidRequest("a message must be a JSON object"));

  auto id_it = msg.find("id");
  const bool has_id = id_it != msg.end();
  const Json id = has_id && IsValidId(*id_it) ? *id_it : Json(nullptr);
  auto version = msg.find("jsonrpc");
  if (version == msg.end() || !version->is_string() ||
      version->get_ref<const std::string&>() != "2.0") {
    return fail(id, RpcError::InvalidRequest("\"jsonrpc\" must be \"2.0\""));
  }

  auto method_it = msg.find("method");
  if (method_it == msg.end()) {
    if (has_id && (msg.contains("result") || msg.contains("error"))) {
      // A response from the client. We send no requests, so there is
      // nothing to match it with; responses are never answered.
      in.done_ = true;
      return in;
    }
    return fail(id, RpcError::InvalidRequest(
                        "a message needs a \"method\" (or is a response)"));
  }
  if (!method_it->is_string()) {
    return fail(id, RpcError::InvalidRequest("\"method\" must be a string"));
  }
  if (has_id && !IsValidId(*id_it)) {
    return fail(nullptr, RpcError::InvalidRequest(
                             "\"id\" must be a string or an integer"));
  }
  const std::string& method = method_it->get_ref<const std::string&>();
  auto params_it = msg.find("params");
  if (params_it != msg.end() && !params_it->is_object() &&
      !params_it->is_null()) {
    if (!has_id) {  // never answer a notification
      in.done_ = true;
      return in;
    }
    return fail(id,
                RpcError::InvalidParams(method + ": params must be an object"));
  }
  const Json& params = params_it != msg.end() ? *params_it : EmptyObject();

  if (!has_id) {
    if (method == "notifications/cancelled") {
      // Applied at once, so it reaches a request that is queued or running.
      auto rid = params.is_object() ? params.find("requestId") : params.end();
      if (params.is_object() && rid != params.end() && IsValidId(*rid)) {
        const bool found = session.Cancel(*rid);
        spdlog::debug("cancel request {}: {}", DumpJson(*rid),
                      found ? "cancelled" : "not in flight");
      }
      in.done_ = true;
      return in;
    }
    in.done_ = false;
    in.message_ = std::move(msg);
    return in;
  }

  if (method == "ping" && !IsModern(params)) {
    // Answered at once (the spec asks for a prompt reply, even while a long
    // call is running), and allowed before initialize.
    in.done_ = true;
    in.reply_ = DumpJson(ResultResponse(id, Json::object()));
    return in;
  }
  // initialize must not be cancelled, so it is not registered.
  if (method != "initialize") in.flight_ = session.Track(id);
  in.done_ = false;
  in.is_request_ = true;
  in.message_ = std::move(msg);
  return in;
}

bool Dispatcher::IsQuick(const Incoming& in) const {
  if (in.done_) return true;
  if (!in.is_request_) return true;  // notifications only touch the session
  const Json& msg = in.message_;
  const std::string& method = msg["method"].get_ref<const std::string&>();
  if (method == "tools/call") {
    auto params = msg.find("params");
    if (params == msg.end() || !params->is_object()) return true;  // fails at once
    auto name = params->find("name");
    if (name == params->end() || !name->is_string()) return true;
    static const Json* const kNull = new Json();
    auto arguments = params->find("arguments");
    return tools_.IsQuick(name->get_ref<const std::string&>(),
                          arguments == params->end() ? *kNull : *arguments);
  }
  // Resources and completions read the graph; the rest answers from memory.
  return method.rfind("resources/", 0) != 0 && method != "completion/complete";
}

std::optional<std::string> Dispatcher::Execute(
    Incoming in, Session& session, const RequestOptions& options) const {
  if (in.done_) {
    if (options.info && in.reply_) options.info->error_code = in.error_code_;
    return std::move(in.reply_);
  }
  const Json& msg = in.message_;
  const std::string& method = msg["method"].get_ref<const std::string&>();
  auto params_it = msg.find("params");
  const Json& params = params_it != msg.end() && params_it->is_object()
                           ? *params_it
                           : EmptyObject();

  if (!in.is_request_) {
    if (method == "notifications/initialized") {
      session.SetClientReady();
    } else {
      spdlog::debug("ignoring notification {}", method);
    }
    return std::nullopt;
  }

  const Json& id = msg["id"];
  if (in.flight_.cancelled()) return std::nullopt;  // cancelled while queued

  Outbound notify = options.notify;
  if (!notify) notify = [&session](const std::string& m) { session.Send(m); };
  Call call{session,
            method,
            params,
            IsModern(params),
            options.caller ? *options.caller : session.caller(),
            std::move(notify),
            std::nullopt,
            in.flight_.state()};

  RpcOutcome outcome = RpcError::Internal("");
  try {
    outcome = Dispatch(call);
  } catch (const std::exception& e) {
    // Handlers convert nlohmann exceptions where they happen; this is the
    // last guard so a slip becomes -32603 rather than a dead process.
    spdlog::error("{} failed with an exception: {}", method, e.what());
    outcome = RpcError::Internal("");
  }
  if (in.flight_.cancelled())
    return std::nullopt;  // the client no longer wants it
  if (call.modern) {
    if (auto* result = std::get_if<Json>(&outcome)) {
      (*result)["resultType"] = "complete";
      (*result)["_meta"][std::string(kMetaServerInfo)] = ServerInfo();
    }
  }
  if (options.info) {
    if (const auto* error = std::get_if<RpcError>(&outcome)) {
      options.info->error_code = error->code;
    } else if (const auto* result = std::get_if<Json>(&outcome)) {
      auto is_error = result->find("isError");
      options.info->tool_error = method == "tools/call" &&
                                 is_error != result->end() &&
                                 is_error->is_boolean() && is_error->get<bool>();
    }
  }
  return Reply(id, outcome);
}

RpcOutcome Dispatcher::Dispatch(Call& call) const {
  constexpr unsigned kBoth = kLegacy | kModern;
  static constexpr Method kMethods[] = {
      {"initialize", &D::Initialize, kLegacy | kBeforeInitialize},
      {"ping", &D::Ping, kLegacy | kBeforeInitialize},
      {"server/discover", &D::Discover, kBoth | kBeforeInitialize},
      {"tools/list", &D::ListTools, kBoth},
      {"tools/call", &D::CallTool, kBoth},
      {"logging/setLevel", &D::SetLevel, kLegacy},
      {"resources/list", &D::ListResources, kBoth | kNeedsResources},
      {"resources/read", &D::ReadResource, kBoth | kNeedsResources},
      {"resources/templates/list", &D::ListResourceTemplates,
       kBoth | kNeedsResources},
      {"completion/complete", &D::Complete, kBoth | kNeedsResources},
      {"prompts/list", &D::ListPrompts, kBoth},
      {"prompts/get", &D::GetPrompt, kBoth},
  };

  const Method* m = nullptr;
  for (const auto& candidate : kMethods) {
    if (candidate.name == call.method) m = &candidate;
  }
  if (m == nullptr || ((m->flags & kNeedsResources) && resources_ == nullptr)) {
    return RpcError::MethodNotFound(call.method);
  }

  if (call.modern) {
    // 2026-07-28: every request stands alone and says which version it
    // speaks; methods removed in that revision are unknown there.
    if (!(m->flags & kModern)) return RpcError::MethodNotFound(call.method);
    const Json& meta = MetaOf(call.params);
    const Json& requested = meta[std::string(kMetaProtocolVersion)];
    if (!requested.is_string() ||
        requested.get_ref<const std::string&>() != kModernProtocolVersion) {
      Json supported = Json::array({kModernProtocolVersion});
      for (auto v : kLegacyVersions) supported.push_back(v);
      return RpcError{
          kUnsupportedProtocolVersion, "Unsupported protocol version",
          Json{{"supported", std::move(supported)}, {"requested", requested}}};
    }
    auto caps = meta.find(kMetaClientCapabilities);
    if (caps == meta.end() || !caps->is_object()) {
      return RpcError::InvalidParams("params._meta[\"" +
                                     std::string(kMetaClientCapabilities) +
                                     "\"] is required (an object)");
    }
    if (auto level = meta.find(kMetaLogLevel); level != meta.end()) {
      auto parsed = level->is_string()
                        ? ParseLogLevel(level->get_ref<const std::string&>())
                        : std::nullopt;
      if (!parsed) {
        return RpcError::InvalidParams(
            "params._meta[\"" + std::string(kMetaLogLevel) +
            "\"] must be one of debug, info, notice, warning, error, "
            "critical, alert, emergency");
      }
      call.modern_log_level = parsed;
    }
  } else if (!(m->flags & kLegacy)) {
    return RpcError::MethodNotFound(call.method);
  } else if (!(m->flags & kBeforeInitialize) && !call.session.initialized()) {
    // 2025-11-25 lifecycle: initialize MUST be the first interaction and a
    // client SHOULD NOT send requests other than ping before it, but the
    // spec names no error for a server to answer. We answer the standard
    // -32600 (the request is not valid in this state). The TypeScript SDK's
    // HTTP transport uses the implementation-defined -32000 here, a range
    // 2026-07-28 marks as legacy; SDK clients never hit this because they
    // always initialize first. We are lenient about
    // notifications/initialized: requests after our initialize response
    // are served even if it has not arrived yet (an HTTP client's POSTs may
    // overtake each other, and some clients send it late).
    return RpcError::InvalidRequest(
        "server not initialized: send initialize first");
  }
  return (this->*(m->fn))(call);
}

Json Dispatcher::Capabilities() const {
  Json caps{{"tools", {{"listChanged", false}}}, {"logging", Json::object()}};
  if (resources_ != nullptr) {
    caps["resources"] = {{"subscribe", false}, {"listChanged", false}};
    caps["completions"] = Json::object();
  }
  return caps;
}

Json Dispatcher::ServerInfo() const {
  return Json{{"name", options_.server_name},
              {"title", options_.server_title},
              {"version", options_.server_version}};
}

RpcOutcome Dispatcher::Initialize(Call& call) const {
  std::string requested;
  if (auto e = OptionalString(call.params, call.method, "protocolVersion",
                              &requested))
    return *e;
  // Version negotiation: echo a version we support, else offer our latest
  // and let the client decide whether it can use it.
  const bool known = std::find(kLegacyVersions.begin(), kLegacyVersions.end(),
                               requested) != kLegacyVersions.end();
  std::string version = known ? requested : std::string(kLatestProtocolVersion);
  const Json client_info = call.params.value("clientInfo", Json::object());
  const Json capabilities = call.params.value("capabilities", Json::object());
  spdlog::info("initialize: client {} asked for {}, using {}",
               DumpJson(client_info), requested.empty() ? "(none)" : requested,
               version);
  call.session.SetNegotiated(version, client_info, capabilities);
  Json result{{"protocolVersion", version},
              {"capabilities", Capabilities()},
              {"serverInfo", ServerInfo()}};
  if (!options_.instructions.empty())
    result["instructions"] = options_.instructions;
  return result;
}

RpcOutcome Dispatcher::Ping(Call&) const { return Json::object(); }

RpcOutcome Dispatcher::Discover(Call&) const {
  Json supported = Json::array({kModernProtocolVersion});
  for (auto v : kLegacyVersions) supported.push_back(v);
  Json result{{"supportedVersions", std::move(supported)},
              {"capabilities", Capabilities()},
              {"ttlMs", kListTtlMs},
              {"cacheScope", "public"}};
  if (!options_.instructions.empty())
    result["instructions"] = options_.instructions;
  result["resultType"] = "complete";
  result["_meta"][std::string(kMetaServerInfo)] = ServerInfo();
  return result;
}

RpcOutcome Dispatcher::ListTools(Call& call) const {
  std::string cursor;
  if (auto e = OptionalString(call.params, call.method, "cursor", &cursor))
    return *e;
  const auto list = tools_.tools(call.caller.read_only ? Access::kReadOnly
                                                       : Access::kReadWrite);
  size_t start = 0;
  if (!cursor.empty()) {
    // Cursors are "tools:<offset>", base64url-encoded; anything else, or an
    // offset we could not have issued, is an invalid cursor.
    auto payload = DecodeCursor(cursor);
    constexpr std::string_view kPrefix = "tools:";
    bool ok = payload && payload->size() > kPrefix.size() &&
              payload->rfind(kPrefix, 0) == 0 &&
              payload->size() <= kPrefix.size() + 6;
    if (ok) {
      for (char c : payload->substr(kPrefix.size()))
        ok = ok && c >= '0' && c <= '9';
    }
    if (ok) start = std::stoul(payload->substr(kPrefix.size()));
    if (!ok || start == 0 || start >= list.size()) {
      return RpcError::InvalidParams("tools/list: invalid cursor");
    }
  }
  const size_t page = std::max<size_t>(1, options_.tools_page_size);
  const size_t end = std::min(list.size(), start + page);
  const Access access = call.caller.read_only ? Access::kReadOnly : Access::kReadWrite;
  const std::shared_ptr<const std::string> tools = ToolPage(access, start, end);
  // Members in the order DumpJson writes them (sorted), as for other
  // results; a modern result carries what Execute adds to JSON results.
  std::string out;
  out.reserve(tools->size() + 512);
  out += '{';
  if (call.modern) {
    out += ServerInfoMetaMember();
    out += ",\"cacheScope\":\"private\",";  // the list depends on the caller's role
  }
  if (end < list.size()) {
    out += "\"nextCursor\":";
    out += DumpJson(EncodeCursor("tools:" + std::to_string(end)));
    out += ',';
  }
  if (call.modern) out += "\"resultType\":\"complete\",";
  out += "\"tools\":";
  out += *tools;
  if (call.modern) out += ",\"ttlMs\":" + std::to_string(kListTtlMs);
  out += '}';
  return SerializedResult{std::move(out)};
}

std::shared_ptr<const std::string> Dispatcher::ToolPage(Access access, size_t start,
                                                        size_t end) const {
  const auto key = std::make_pair(access, start);
  {
    std::lock_guard<std::mutex> lock(pages_mu_);
    if (auto it = tool_pages_.find(key); it != tool_pages_.end()) return it->second;
  }
  const auto list = tools_.tools(access);
  Json tools = Json::array();
  for (size_t i = start; i < end; ++i) tools.push_back(list[i]->definition);
  auto text = std::make_shared<const std::string>(DumpJson(tools));
  std::lock_guard<std::mutex> lock(pages_mu_);
  return tool_pages_.emplace(key, std::move(text)).first->second;
}

RpcOutcome Dispatcher::CallTool(Call& call) const {
  auto name = call.params.find("name");
  if (name == call.params.end() || !name->is_string()) {
    return RpcError::InvalidParams(
        "tools/call: params.name must be a string naming a tool");
  }
  const Json* arguments = &EmptyObject();
  if (auto a = call.params.find("arguments");
      a != call.params.end() && !a->is_null()) {
    if (!a->is_object())
      return RpcError::InvalidParams(
          "tools/call: params.arguments must be an object");
    arguments = &*a;
  }
  const std::string& tool = name->get_ref<const std::string&>();

  auto emitter = std::make_shared<RequestEmitter>(call.notify);
  ToolContext ctx;
  ctx.user_id = call.caller.user_id;
  const Json& meta = MetaOf(call.params);
  if (auto token = meta.find("progressToken");
      token != meta.end() &&
      (token->is_string() || token->is_number_integer())) {
    ctx.report_progress = [emitter, token = *token](
                              double progress, std::optional<double> total,
                              const std::string& message) {
      emitter->Progress(token, progress, total, message);
    };
  }
  Session* session = &call.session;
  const bool modern = call.modern;
  const std::optional<LogLevel> modern_level = call.modern_log_level;
  ctx.log = [emitter, session, modern, modern_level, tool](LogLevel level,
                                                           const Json& data) {
    // No messages until the client asks for them (logging/setLevel, or the
    // request's own level in the 2026 era). The session is only touched
    // while the emitter is open, i.e. while this request runs.
    emitter->Log(level, tool, data,
                 [&] { return modern ? modern_level : session->log_level(); });
  };
  std::shared_ptr<InFlightRequest> flight = call.flight;
  ctx.cancelled = [flight] { return flight && flight->cancelled.load(); };

  StatusOr<SerializedToolResult> result = tools_.CallSerialized(
      tool, *arguments, ctx,
      call.caller.read_only ? Access::kReadOnly : Access::kReadWrite);
  emitter->Close();
  if (!result.ok()) return ToRpcError(result.status());
  if (result->is_error) return std::move(result->error_result);
  return SerializedResult{ToolResultText(result->structured, call.modern)};
}

// The CallToolResult of a success, written straight from the serialized
// structuredContent: it goes out twice (as the text content, for clients
// that only read text, and as structuredContent) but is serialized once.
// Members in the order DumpJson writes them (sorted), as for other results.
std::string Dispatcher::ToolResultText(const std::string& structured,
                                       bool modern) const {
  std::string out;
  out.reserve(2 * structured.size() + structured.size() / 8 + 256);
  out += '{';
  if (modern) {
    out += ServerInfoMetaMember();
    out += ',';
  }
  out += "\"content\":[{\"text\":";
  AppendQuoteDenseJsonString(&out, structured);
  out += ",\"type\":\"text\"}],\"isError\":false,";
  if (modern) out += "\"resultType\":\"complete\",";
  out += "\"structuredContent\":";
  out += structured;
  out += '}';
  return out;
}

RpcOutcome Dispatcher::SetLevel(Call& call) const {
  auto level = call.params.find("level");
  std::optional<LogLevel> parsed;
  if (level != call.params.end() && level->is_string()) {
    parsed = ParseLogLevel(level->get_ref<const std::string&>());
  }
  if (!parsed) {
    return RpcError::InvalidParams(
        "logging/setLevel: params.level must be one of debug, info, notice, "
        "warning, error, "
        "critical, alert, emergency");
  }
  call.session.SetLogLevel(*parsed);
  return Json::object();
}

RpcOutcome Dispatcher::ListResources(Call& call) const {
  std::string cursor;
  if (auto e = OptionalString(call.params, call.method, "cursor", &cursor))
    return *e;
  StatusOr<ResourcePage> page = resources_->List(cursor);
  if (!page.ok()) return ToRpcError(page.status());
  Json result{{"resources", std::move(page->resources)}};
  if (!page->next_cursor.empty()) result["nextCursor"] = page->next_cursor;
  if (call.modern) {
    result["ttlMs"] = kResourceTtlMs;
    result["cacheScope"] = "private";
  }
  return result;
}

RpcOutcome Dispatcher::ReadResource(Call& call) const {
  auto uri = call.params.find("uri");
  if (uri == call.params.end() || !uri->is_string()) {
    return RpcError::InvalidParams(
        "resources/read: params.uri must be a string");
  }
  const std::string& u = uri->get_ref<const std::string&>();
  StatusOr<Json> contents = resources_->Read(u);
  if (!contents.ok()) {
    if (contents.status().code() == StatusCode::kNotFound) {
      // -32002 in 2025-11-25; 2026-07-28 folds it into -32602.
      return RpcError{call.modern ? kInvalidParams : kResourceNotFound,
                      "Resource not found: " + contents.status().message(),
                      Json{{"uri", u}}};
    }
    return ToRpcError(contents.status());
  }
  Json result{{"contents", *std::move(contents)}};
  if (call.modern) {
    result["ttlMs"] = kResourceTtlMs;
    result["cacheScope"] = "private";
  }
  return result;
}

RpcOutcome Dispatcher::ListResourceTemplates(Call& call) const {
  std::string cursor;
  if (auto e = OptionalString(call.params, call.method, "cursor", &cursor))
    return *e;
  if (!cursor.empty()) {
    return RpcError::InvalidParams("resources/templates/list: invalid cursor");
  }
  Json result{{"resourceTemplates", resources_->Templates()}};
  if (call.modern) {
    result["ttlMs"] = kListTtlMs;
    result["cacheScope"] = "public";
  }
  return result;
}

RpcOutcome Dispatcher::Complete(Call& call) const {
  auto ref = call.params.find("ref");
  if (ref == call.params.end() || !ref->is_object() || !ref->contains("type") ||
      !(*ref)["type"].is_string()) {
    return RpcError::InvalidParams(
        "completion/complete: params.ref must be an object with a type");
  }
  auto argument = call.params.find("argument");
  if (argument == call.params.end() || !argument->is_object() ||
      !argument->value("name", Json()).is_string() ||
      !argument->value("value", Json()).is_string()) {
    return RpcError::InvalidParams(
        "completion/complete: params.argument must be {name: string, value: "
        "string}");
  }
  const std::string type = (*ref)["type"].get<std::string>();
  if (type == "ref/prompt") {
    return RpcError::InvalidParams("completion/complete: unknown prompt " +
                                   DumpJson(ref->value("name", Json())) +
                                   " (this server has no prompts)");
  }
  if (type != "ref/resource" || !ref->value("uri", Json()).is_string()) {
    return RpcError::InvalidParams(
        "completion/complete: params.ref must be {type: \"ref/resource\", uri} "
        "or "
        "{type: \"ref/prompt\", name}");
  }
  Json context_arguments = Json::object();
  if (auto c = call.params.find("context");
      c != call.params.end() && c->is_object()) {
    if (auto a = c->find("arguments"); a != c->end() && a->is_object())
      context_arguments = *a;
  }
  StatusOr<Completion> completion = resources_->Complete(
      (*ref)["uri"].get<std::string>(), (*argument)["name"].get<std::string>(),
      (*argument)["value"].get<std::string>(), context_arguments);
  if (!completion.ok()) return ToRpcError(completion.status());
  Completion c = *std::move(completion);
  if (c.values.size() > kMaxCompletionValues) {
    c.values.resize(kMaxCompletionValues);
    c.has_more = true;
  }
  c.total = std::max(c.total, c.values.size());
  return Json{
      {"completion",
       {{"values", c.values}, {"total", c.total}, {"hasMore", c.has_more}}}};
}

// We offer no prompts (and do not declare the capability), but answering
// prompts/list with an empty list costs nothing and keeps generic clients
// that list everything from failing.
RpcOutcome Dispatcher::ListPrompts(Call& call) const {
  std::string cursor;
  if (auto e = OptionalString(call.params, call.method, "cursor", &cursor))
    return *e;
  if (!cursor.empty())
    return RpcError::InvalidParams("prompts/list: invalid cursor");
  Json result{{"prompts", Json::array()}};
  if (call.modern) {
    result["ttlMs"] = kListTtlMs;
    result["cacheScope"] = "public";
  }
  return result;
}

RpcOutcome Dispatcher::GetPrompt(Call& call) const {
  return RpcError::InvalidParams("prompts/get: unknown prompt " +
                                 DumpJson(call.params.value("name", Json())) +
                                 " (this server has no prompts)");
}

}  // namespace funkygibbon::mcp
