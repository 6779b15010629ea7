#include "mcp/streamable_http.h"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "mcp/errors.h"
#include "mcp/json_text.h"

namespace funkygibbon::mcp {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::array<std::string_view, 3> kLegacyVersions = {
    "2025-11-25", "2025-06-18", "2025-03-26"};
// What a legacy request without MCP-Protocol-Version speaks (spec).
constexpr std::string_view kDefaultLegacyVersion = "2025-03-26";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

const std::string* Header(const HttpRequest& r, std::string_view name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? nullptr : &it->second;
}

// An answer whose body is a JSON-RPC error (id null unless given).
HttpResponse ErrorAnswer(int status, int code, std::string message, const Json& id = nullptr,
                         Json data = nullptr) {
  HttpResponse r;
  r.status = status;
  r.headers["Content-Type"] = "application/json";
  r.body = DumpJson(ErrorResponse(id, RpcError{code, std::move(message), std::move(data)}));
  return r;
}

HttpResponse JsonAnswer(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers["Content-Type"] = "application/json";
  r.body = std::move(body);
  return r;
}

// True when the comma-separated media-type list names `type` (parameters
// such as ;q= are ignored).
bool ListsMediaType(std::string_view list, std::string_view type) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    item = Trim(item.substr(0, item.find(';')));
    if (Lower(item) == type) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "127.0.0.1" || host == "[::1]";
}

// "Host: h:port" or "[v6]:port" -> the lower-case host part.
std::string HostPart(std::string_view hostport) {
  hostport = Trim(hostport);
  if (!hostport.empty() && hostport.front() == '[') {
    size_t close = hostport.find(']');
    return Lower(close == std::string_view::npos ? hostport : hostport.substr(0, close + 1));
  }
  return Lower(hostport.substr(0, hostport.find(':')));
}

std::optional<std::string> ErrorCodeAndCheck(const std::string& reply, int* code) {
  // Error responses are small; results may be large, so only parse what
  // can be an error.
  if (reply.find("\"error\":{") == std::string::npos) return std::nullopt;
  auto parsed = ParseJson(reply);
  if (!parsed.ok() || !parsed->is_object() || !parsed->contains("error")) return std::nullopt;
  const Json& e = (*parsed)["error"];
  *code = e.value("code", 0);
  return e.value("message", "");
}

// HTTP status for a JSON-RPC error code (nullopt: not an error). Legacy:
// malformed messages are 400, everything else (including JSON-RPC errors)
// is 200. 2026-07-28: unknown methods are 404, invalid requests and params,
// header mismatches, missing capabilities and unsupported versions 400.
int StatusForError(std::optional<int> error_code, bool modern) {
  if (!error_code) return 200;
  const int code = *error_code;
  if (code == kParseError || code == kInvalidRequest) return 400;
  if (!modern) return 200;
  if (code == kMethodNotFound) return 404;
  if (code == kInvalidParams || code == kHeaderMismatch || code == -32021 ||
      code == kUnsupportedProtocolVersion) {
    return 400;
  }
  return 200;
}

int StatusForReply(const std::string& reply, bool modern) {
  int code = 0;
  if (!ErrorCodeAndCheck(reply, &code)) return 200;
  return StatusForError(code, modern);
}

// "ok", "tool_error" or "protocol_error" for a tools/call reply, from what
// the dispatcher said about it (no parsing of the reply).
std::string ToolOutcome(const std::optional<std::string>& reply, const ReplyInfo& info) {
  if (!reply || info.error_code) return "protocol_error";  // cancelled, or an error
  return info.tool_error ? "tool_error" : "ok";
}

const Json& MetaOf(const Json& message) {
  static const Json* const kEmpty = new Json(Json::object());
  auto p = message.find("params");
  if (p == message.end() || !p->is_object()) return *kEmpty;
  auto m = p->find("_meta");
  return m != p->end() && m->is_object() ? *m : *kEmpty;
}

std::string MethodOf(const Json& message) {
  auto m = message.find("method");
  return m != message.end() && m->is_string() ? m->get<std::string>() : "";
}

bool IsRequest(const Json& message) {
  return message.contains("method") && message.contains("id");
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

}  // namespace

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  // ASCII folding (header names are ASCII): std::tolower is a locale
  // lookup per character, and every header of every request goes through
  // this comparison several times.
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]);
    unsigned char y = static_cast<unsigned char>(b[i]);
    if (static_cast<unsigned>(x - 'A') < 26u) x = static_cast<unsigned char>(x | 0x20);
    if (static_cast<unsigned>(y - 'A') < 26u) y = static_cast<unsigned char>(y | 0x20);
    if (x != y) return x < y;
  }
  return a.size() < b.size();
}

std::optional<std::string> DecodeHeaderValue(std::string_view value) {
  constexpr std::string_view kPrefix = "=?base64?";
  constexpr std::string_view kSuffix = "?=";
  if (value.size() < kPrefix.size() + kSuffix.size() ||
      Lower(value.substr(0, kPrefix.size())) != kPrefix ||
      value.substr(value.size() - kSuffix.size()) != kSuffix) {
    return std::string(value);
  }
  std::string_view b64 = value.substr(kPrefix.size(), value.size() - kPrefix.size() - kSuffix.size());
  while (!b64.empty() && b64.back() == '=') b64.remove_suffix(1);
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : b64) {
    int v = Base64Value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFFu));
    }
  }
  if (bits >= 6) return std::nullopt;  // a lone trailing character
  return out;
}

StreamableHttp::StreamableHttp(const Dispatcher& dispatcher, StreamableHttpOptions options)
    : dispatcher_(dispatcher), options_(std::move(options)) {}

StreamableHttp::~StreamableHttp() { CloseAll(); }

size_t StreamableHttp::session_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

void StreamableHttp::CloseAll() {
  std::map<std::string, Entry> ended;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ended.swap(sessions_);
  }
  for (auto& [id, entry] : ended) entry.session->CancelAll();
}

std::string StreamableHttp::NewSessionId() const {
  std::array<unsigned char, 24> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id.push_back(kHex[b >> 4]);
    id.push_back(kHex[b & 0xF]);
  }
  return id;
}

void StreamableHttp::Expire(Clock::time_point now) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (now - it->second.last_used > options_.session_idle_timeout) {
      spdlog::debug("MCP session {}... expired after idling", it->first.substr(0, 8));
      it->second.session->CancelAll();
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
}

bool StreamableHttp::HostAllowed(const HttpRequest& request, std::string* why) const {
  const auto configured = [&](const std::string& host) {
    return std::any_of(options_.allowed_hosts.begin(), options_.allowed_hosts.end(),
                       [&](const std::string& h) { return Lower(h) == host; });
  };
  const std::string* host = Header(request, "Host");
  if (host == nullptr || Trim(*host).empty()) {
    *why = "the Host header is required";
    return false;
  }
  const std::string h = HostPart(*host);
  if (!IsLoopbackHost(h) && !configured(h)) {
    *why = "Host '" + std::string(Trim(*host)) +
           "' is not allowed (DNS rebinding protection; serve --allowed-host adds names)";
    return false;
  }
  const std::string* origin = Header(request, "Origin");
  if (origin == nullptr) return true;
  const std::string o = Lower(Trim(*origin));
  if (std::any_of(options_.allowed_origins.begin(), options_.allowed_origins.end(),
                  [&](const std::string& a) { return Lower(a) == o; })) {
    return true;
  }
  for (std::string_view scheme : {"http://", "https://"}) {
    if (o.rfind(scheme, 0) == 0) {
      std::string_view rest = std::string_view(o).substr(scheme.size());
      if (rest.find('/') != std::string_view::npos) break;
      const std::string oh = HostPart(rest);
      if (IsLoopbackHost(oh) || configured(oh)) return true;
      break;
    }
  }
  *why = "Origin '" + std::string(Trim(*origin)) + "' is not allowed (DNS rebinding protection)";
  return false;
}

HttpResponse StreamableHttp::Handle(const HttpRequest& request) {
  std::string why;
  if (!HostAllowed(request, &why)) return ErrorAnswer(403, kInvalidRequest, "Forbidden: " + why);
  if (request.method == "POST") return HandlePost(request);
  if (request.method == "DELETE") return HandleDelete(request);
  HttpResponse r = ErrorAnswer(
      405, kInvalidRequest,
      "Method Not Allowed: " + request.method +
          " is not served here; POST JSON-RPC messages (DELETE ends a 2025-era session; "
          "there is no GET stream)");
  r.headers["Allow"] = "POST, DELETE";
  return r;
}

HttpResponse StreamableHttp::HandleDelete(const HttpRequest& request) {
  const std::string* version = Header(request, "MCP-Protocol-Version");
  if (version != nullptr && *version == kModernProtocolVersion) {
    HttpResponse r = ErrorAnswer(405, kInvalidRequest,
                                 "Method Not Allowed: 2026-07-28 has no sessions to end");
    r.headers["Allow"] = "POST";
    return r;
  }
  if (version != nullptr &&
      std::find(kLegacyVersions.begin(), kLegacyVersions.end(), *version) == kLegacyVersions.end()) {
    return ErrorAnswer(400, kInvalidRequest, "Bad Request: unsupported MCP-Protocol-Version '" +
                                                 *version + "'");
  }
  const std::string* sid = Header(request, "Mcp-Session-Id");
  if (sid == nullptr) {
    return ErrorAnswer(400, kInvalidRequest, "Bad Request: the Mcp-Session-Id header is required");
  }
  std::shared_ptr<Session> ended;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Expire(options_.now());
    auto it = sessions_.find(*sid);
    if (it != sessions_.end()) {
      ended = it->second.session;
      sessions_.erase(it);
    }
  }
  if (!ended) return ErrorAnswer(404, kSessionNotFound, "Session not found (it may have ended)");
  ended->CancelAll();
  HttpResponse r;
  r.status = 200;
  return r;
}

HttpResponse StreamableHttp::HandlePost(const HttpRequest& request) {
  const std::string* content_type = Header(request, "Content-Type");
  if (content_type == nullptr || !ListsMediaType(*content_type, "application/json")) {
    return ErrorAnswer(415, kInvalidRequest,
                       "Unsupported Media Type: Content-Type must be application/json");
  }
  const std::string* accept = Header(request, "Accept");
  if (accept == nullptr || !ListsMediaType(*accept, "application/json") ||
      !ListsMediaType(*accept, "text/event-stream")) {
    return ErrorAnswer(406, kInvalidRequest,
                       "Not Acceptable: Accept must list both application/json and "
                       "text/event-stream");
  }
  if (request.body.size() > options_.max_body_bytes) {
    return ErrorAnswer(413, kInvalidRequest,
                       "Payload Too Large: the body is limited to " +
                           std::to_string(options_.max_body_bytes) + " bytes");
  }
  // The dispatcher reads ill-formed UTF-8 leniently (as U+FFFD); this look at
  // the body, made only to route it, must not be stricter than that.
  std::string sanitized;
  std::string_view body = request.body;
  if (!IsValidUtf8(body)) {
    sanitized = SanitizeUtf8(body);
    body = sanitized;
  }
  StatusOr<Json> parsed = ParseJson(body, options_.max_json_depth);
  if (!parsed.ok()) {
    if (parsed.status().code() == StatusCode::kResourceExhausted) {
      return ErrorAnswer(400, kInvalidRequest,
                         "Invalid Request: the message is nested deeper than " +
                             std::to_string(options_.max_json_depth) + " levels");
    }
    return ErrorAnswer(400, kParseError, "Parse error: " + parsed.status().message());
  }
  if (parsed->is_array()) {
    return ErrorAnswer(400, kInvalidRequest,
                       "Invalid Request: batches are not supported; POST one JSON-RPC message");
  }
  if (!parsed->is_object()) {
    return ErrorAnswer(400, kInvalidRequest,
                       "Invalid Request: the body must be one JSON-RPC message (an object)");
  }
  if (MetaOf(*parsed).contains(kMetaProtocolVersion)) return PostModern(request, *parsed);
  return PostLegacy(request, *parsed);
}

std::optional<std::string> StreamableHttp::Dispatch(const HttpRequest& request, Json message,
                                                    Session& session,
                                                    const RequestOptions& options) const {
  // HandlePost has replaced ill-formed UTF-8 and parsed within our nesting
  // limit, as Dispatcher::Accept would; when its limit is no stricter than
  // ours, the parsed message can go straight in.
  if (dispatcher_.max_json_depth() >= options_.max_json_depth) {
    return dispatcher_.Execute(dispatcher_.AcceptParsed(std::move(message), session), session,
                               options);
  }
  return dispatcher_.Handle(request.body, session, options);
}

HttpResponse StreamableHttp::PostLegacy(const HttpRequest& request, Json& message) {
  const std::string* version = Header(request, "MCP-Protocol-Version");
  const std::string_view v = version ? std::string_view(*version) : kDefaultLegacyVersion;
  if (std::find(kLegacyVersions.begin(), kLegacyVersions.end(), v) == kLegacyVersions.end()) {
    return ErrorAnswer(400, kInvalidRequest,
                       "Bad Request: unsupported MCP-Protocol-Version '" + std::string(v) +
                           "' (supported: 2025-11-25, 2025-06-18, 2025-03-26; 2026-07-28 requests "
                           "carry params._meta)");
  }
  const std::string method = MethodOf(message);
  if (method == "initialize" && IsRequest(message)) {
    // A new session; it exists only once initialize has succeeded.
    auto session = std::make_shared<Session>(nullptr, request.caller);
    RequestOptions ro;
    ro.caller = request.caller;
    std::optional<std::string> reply = dispatcher_.Handle(request.body, *session, ro);
    if (!reply) return ErrorAnswer(400, kInvalidRequest, "initialize was not answered");
    int code = 0;
    if (ErrorCodeAndCheck(*reply, &code)) return JsonAnswer(StatusForReply(*reply, false), *reply);
    const std::string id = NewSessionId();
    if (id.empty()) return ErrorAnswer(503, kInternalError, "no randomness for a session id");
    std::shared_ptr<Session> evicted;
    {
      std::lock_guard<std::mutex> lock(mu_);
      const Clock::time_point now = options_.now();
      Expire(now);
      if (sessions_.size() >= std::max<size_t>(options_.max_sessions, 1)) {
        auto lru = std::min_element(sessions_.begin(), sessions_.end(), [](const auto& a, const auto& b) {
          return a.second.last_used < b.second.last_used;
        });
        evicted = lru->second.session;
        sessions_.erase(lru);
      }
      sessions_[id] = Entry{session, now};
    }
    if (evicted) evicted->CancelAll();
    HttpResponse r = JsonAnswer(200, *reply);
    r.headers["Mcp-Session-Id"] = id;
    r.rpc_method = method;
    return r;
  }

  const std::string* sid = Header(request, "Mcp-Session-Id");
  if (sid == nullptr) {
    return ErrorAnswer(400, kInvalidRequest,
                       "Bad Request: the Mcp-Session-Id header is required (send initialize "
                       "first, or carry params._meta for 2026-07-28)",
                       IsRequest(message) ? message["id"] : Json(nullptr));
  }
  std::shared_ptr<Session> session;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const Clock::time_point now = options_.now();
    Expire(now);
    auto it = sessions_.find(*sid);
    if (it != sessions_.end()) {
      it->second.last_used = now;
      session = it->second.session;
    }
  }
  if (!session) {
    return ErrorAnswer(404, kSessionNotFound,
                       "Session not found (it ended or expired); initialize a new session",
                       IsRequest(message) ? message["id"] : Json(nullptr));
  }
  return Run(request, message, std::move(session), /*modern=*/false);
}

HttpResponse StreamableHttp::PostModern(const HttpRequest& request, Json& message) {
  const Json& id = IsRequest(message) ? message["id"] : Json(nullptr);
  const Json& meta_version = MetaOf(message)[std::string(kMetaProtocolVersion)];
  const std::string* version = Header(request, "MCP-Protocol-Version");
  if (version == nullptr || !meta_version.is_string() ||
      *version != meta_version.get_ref<const std::string&>()) {
    return ErrorAnswer(400, kHeaderMismatch,
                       version == nullptr
                           ? "Header mismatch: MCP-Protocol-Version is required"
                           : "Header mismatch: MCP-Protocol-Version '" + *version +
                                 "' differs from params._meta protocolVersion",
                       id);
  }
  const std::string method = MethodOf(message);
  const std::string* mcp_method = Header(request, "Mcp-Method");
  if (!method.empty() && (mcp_method == nullptr || *mcp_method != method)) {
    return ErrorAnswer(400, kHeaderMismatch,
                       mcp_method == nullptr ? "Header mismatch: Mcp-Method is required"
                                             : "Header mismatch: Mcp-Method '" + *mcp_method +
                                                   "' differs from the body's method '" + method + "'",
                       id);
  }
  const char* name_key = method == "tools/call" || method == "prompts/get" ? "name"
                         : method == "resources/read"                      ? "uri"
                                                                           : nullptr;
  if (name_key != nullptr) {
    const std::string* name_header = Header(request, "Mcp-Name");
    if (name_header == nullptr) {
      return ErrorAnswer(400, kHeaderMismatch,
                         "Header mismatch: Mcp-Name is required for " + method, id);
    }
    std::optional<std::string> name = DecodeHeaderValue(*name_header);
    if (!name) {
      return ErrorAnswer(400, kHeaderMismatch,
                         "Header mismatch: Mcp-Name is not valid =?base64?...?= text", id);
    }
    auto params = message.find("params");
    const Json* body_name = nullptr;
    if (params != message.end() && params->is_object()) {
      if (auto it = params->find(name_key); it != params->end()) body_name = &*it;
    }
    if (body_name != nullptr && body_name->is_string() &&
        body_name->get_ref<const std::string&>() != *name) {
      return ErrorAnswer(400, kHeaderMismatch,
                         "Header mismatch: Mcp-Name '" + *name + "' differs from params." + name_key,
                         id);
    }
  }
  // Stateless: a throwaway session (any Mcp-Session-Id is ignored).
  return Run(request, message, std::make_shared<Session>(nullptr, request.caller), /*modern=*/true);
}

HttpResponse StreamableHttp::Run(const HttpRequest& request, Json& message,
                                 std::shared_ptr<Session> session, bool modern) {
  const std::string method = MethodOf(message);
  RequestOptions ro;
  ro.caller = request.caller;
  std::string tool;
  if (method == "tools/call") {
    auto params = message.find("params");
    if (params != message.end() && params->is_object()) {
      auto name = params->find("name");
      if (name != params->end() && name->is_string()) tool = name->get<std::string>();
    }
  }
  const Json& meta = MetaOf(message);
  const bool wants_stream =
      IsRequest(message) &&
      (meta.contains("progressToken") ||
       (method == "tools/call" &&
        (modern ? meta.contains("io.modelcontextprotocol/logLevel") : session->log_level().has_value())));

  const bool is_request = IsRequest(message);
  if (!wants_stream) {
    ReplyInfo info;
    ro.info = &info;
    std::optional<std::string> reply = Dispatch(request, std::move(message), *session, ro);
    HttpResponse r;
    r.rpc_method = method;
    r.tool = tool;
    if (!tool.empty()) *r.tool_outcome = ToolOutcome(reply, info);
    if (!reply) {
      if (is_request) {
        // Cancelled while running: nothing to say (204 keeps clients calm).
        r.status = 204;
        return r;
      }
      r.status = 202;  // notification or client response
      return r;
    }
    const int status = StatusForError(info.error_code, modern);
    HttpResponse answer = JsonAnswer(status, std::move(*reply));
    answer.rpc_method = std::move(r.rpc_method);
    answer.tool = std::move(r.tool);
    answer.tool_outcome = std::move(r.tool_outcome);
    return answer;
  }

  HttpResponse r;
  r.status = 200;
  r.headers["Content-Type"] = "text/event-stream";
  r.headers["Cache-Control"] = "no-cache";
  if (modern) r.headers["X-Accel-Buffering"] = "no";
  r.rpc_method = method;
  r.tool = tool;
  auto outcome = r.tool_outcome;
  const Json id = message["id"];
  r.stream = [this, session, request, message = std::move(message), ro, id, modern, outcome,
              track_tool = !tool.empty()](const SseWrite& write) mutable {
    auto mu = std::make_shared<std::mutex>();
    auto gone = std::make_shared<bool>(false);
    auto send = [this, mu, gone, &write, session, id, modern](const std::string& data) {
      std::lock_guard<std::mutex> lock(*mu);
      if (*gone) return;
      std::string event = "id: " + std::to_string(next_event_.fetch_add(1)) + "\ndata: " + data + "\n\n";
      if (!write(event)) {
        *gone = true;
        // 2026-07-28: closing the response stream cancels the request.
        // 2025-11-25: a disconnect is not a cancellation.
        if (modern) session->Cancel(id);
      }
    };
    send("");  // priming event: an id and empty data
    ro.notify = send;
    ReplyInfo info;
    ro.info = &info;
    std::optional<std::string> reply = Dispatch(request, std::move(message), *session, ro);
    if (track_tool) *outcome = ToolOutcome(reply, info);
    if (reply) send(*reply);
  };
  return r;
}

}  // namespace funkygibbon::mcp
