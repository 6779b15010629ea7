// JSON-RPC 2.0 dispatch for MCP. Maps method names to handlers, keeps the
// lifecycle rules, and turns every failure into the right JSON-RPC error.
// It knows tools only through ToolRegistry and resources only through
// ResourceProvider; transports only frame bytes and call Handle (or the
// two-phase Accept/Execute).
//
// Protocol eras:
//   legacy (2025-11-25, 2025-06-18, 2025-03-26): initialize handshake;
//     state lives in the Session.
//   2026-07-28 (stateless): a request whose params._meta carries
//     "io.modelcontextprotocol/protocolVersion" is served on its own, with
//     no handshake; server/discover describes the server; results carry
//     resultType (and ttlMs/cacheScope for lists and reads).
//
// Thread-safety: thread-safe; Handle/Accept/Execute may run concurrently on
// any number of sessions and threads. No lock is held while a tool runs.
#ifndef FUNKYGIBBON_MCP_DISPATCHER_H_
#define FUNKYGIBBON_MCP_DISPATCHER_H_

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/types.h"
#include "mcp/errors.h"
#include "mcp/json_text.h"
#include "mcp/resource_provider.h"
#include "mcp/session.h"
#include "mcp/tool_registry.h"

namespace funkygibbon::mcp {

inline constexpr std::string_view kLatestProtocolVersion = "2025-11-25";
inline constexpr std::string_view kModernProtocolVersion = "2026-07-28";
// The _meta key that marks a 2026-07-28 (stateless) request.
inline constexpr std::string_view kMetaProtocolVersion =
    "io.modelcontextprotocol/protocolVersion";

struct DispatcherOptions {
  std::string server_name = "funkygibbon";   // serverInfo.name
  std::string server_title = "FunkyGibbon";  // serverInfo.title
  std::string
      server_version;        // serverInfo.version; the app passes its constant
  std::string instructions;  // how to use the tools; empty = omitted
  size_t tools_page_size =
      50;  // tools/list page; all tools normally fit on one
  int max_json_depth = kMaxJsonDepth;  // deeper messages get -32600
};

// What Execute answered, for transports that map it to their own status
// codes and metrics without parsing the reply again.
struct ReplyInfo {
  std::optional<int> error_code;  // set when the reply is a JSON-RPC error
  bool tool_error = false;        // a tools/call result with isError: true
};

// Per-request transport context.
struct RequestOptions {
  // Where notifications tied to this request go (progress, log messages
  // from its tool). Empty = the session's outbound sink. HTTP passes the
  // request's own SSE stream here.
  Outbound notify;
  // Who is calling, if the transport knows per request (HTTP bearer
  // token); empty = session.caller().
  std::optional<Caller> caller;
  // When set, Execute describes its reply here (left untouched when there
  // is no reply).
  ReplyInfo* info = nullptr;
};

// A message that Dispatcher::Accept has read but not yet executed.
class Incoming {
 public:
  Incoming(Incoming&&) = default;
  Incoming& operator=(Incoming&&) = default;

  // True when Accept already dealt with the message (malformed input, ping,
  // notifications/cancelled, responses from the client); reply() then holds
  // the answer to send, if any, and Execute just returns it.
  bool done() const { return done_; }
  const std::optional<std::string>& reply() const { return reply_; }

 private:
  friend class Dispatcher;
  Incoming() = default;

  bool done_ = true;
  std::optional<std::string> reply_;
  std::optional<int> error_code_;  // when reply_ is an error
  Json message_;
  bool is_request_ = false;
  InFlightHandle flight_;  // requests only (never initialize)
};

class Dispatcher {
 public:
  // `tools` (and `resources`, if not null) must outlive the dispatcher.
  // With resources == nullptr the resources and completions capabilities
  // are not offered and their methods answer -32601.
  Dispatcher(const ToolRegistry& tools, const ResourceProvider* resources,
             DispatcherOptions options);
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // One message in, at most one message out (nullopt for notifications,
  // client responses and cancelled requests). Equivalent to
  // Execute(Accept(message, session), session, options).
  std::optional<std::string> Handle(std::string_view message, Session& session,
                                    const RequestOptions& options = {}) const;

  // Two-phase form for transports that read and execute on different
  // threads (stdio). Accept parses and checks the message, answers what can
  // be answered at once (errors, ping), applies notifications/cancelled
  // immediately, and registers requests so they can be cancelled while
  // still queued. Execute runs the rest, in the order the transport chooses.
  Incoming Accept(std::string_view message, Session& session) const;
  std::optional<std::string> Execute(Incoming incoming, Session& session,
                                     const RequestOptions& options = {}) const;

  // Accept for a message the transport has already parsed, with ill-formed
  // UTF-8 already replaced and nested at most max_json_depth() deep (what
  // Accept checks on text). Saves parsing the same bytes twice.
  Incoming AcceptParsed(Json message, Session& session) const;
  int max_json_depth() const { return options_.max_json_depth; }

  // True when executing `incoming` is short and bounded: a notification, a
  // handshake or listing method, or a tools/call of a tool whose binding
  // calls these arguments quick (ToolRegistry::IsQuick). Transports may run
  // such messages on their reading thread.
  bool IsQuick(const Incoming& incoming) const;

 private:
  struct Call;
  struct Method;

  RpcOutcome Dispatch(Call& call) const;

  RpcOutcome Initialize(Call& call) const;
  RpcOutcome Ping(Call& call) const;
  RpcOutcome Discover(Call& call) const;
  RpcOutcome ListTools(Call& call) const;
  RpcOutcome CallTool(Call& call) const;
  RpcOutcome SetLevel(Call& call) const;
  RpcOutcome ListResources(Call& call) const;
  RpcOutcome ReadResource(Call& call) const;
  RpcOutcome ListResourceTemplates(Call& call) const;
  RpcOutcome Complete(Call& call) const;
  RpcOutcome ListPrompts(Call& call) const;
  RpcOutcome GetPrompt(Call& call) const;

  std::string ToolResultText(const std::string& structured, bool modern) const;
  // `"_meta":{serverInfo}`, the member Execute adds to modern JSON results,
  // for the results written as text.
  const std::string& ServerInfoMetaMember() const { return server_info_meta_member_; }
  Json Capabilities() const;
  Json ServerInfo() const;

  // The "tools" array of one tools/list page, as text, made on first use
  // (the registry never changes; a page is about 40 KB of JSON, and copying
  // and writing it out was most of a tools/list). Keyed by the caller's
  // access and the page's first tool.
  std::shared_ptr<const std::string> ToolPage(Access access, size_t start, size_t end) const;

  const ToolRegistry& tools_;
  const ResourceProvider* resources_;
  const DispatcherOptions options_;
  // `"_meta":{<server info>}`, built once (the options never change).
  const std::string server_info_meta_member_;
  mutable std::mutex pages_mu_;
  mutable std::map<std::pair<Access, size_t>, std::shared_ptr<const std::string>>
      tool_pages_;  // guarded by pages_mu_
};

}  // namespace funkygibbon::mcp

#endif  // FUNKYGIBBON_MCP_DISPATCHER_H_
