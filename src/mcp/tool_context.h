// What a tool handler receives besides its (already validated) arguments.
//
// Thread-safety: one ToolContext per call; its callbacks are safe to call
// from the handler's thread.
#ifndef FUNKYGIBBON_MCP_TOOL_CONTEXT_H_
#define FUNKYGIBBON_MCP_TOOL_CONTEXT_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/types.h"

namespace funkygibbon::mcp {

// RFC 5424 levels, as MCP logging names them.
enum class LogLevel { kDebug, kInfo, kNotice, kWarning, kError, kCritical, kAlert, kEmergency };
std::optional<LogLevel> ParseLogLevel(std::string_view s);
std::string_view ToString(LogLevel l);

struct ToolContext {
  // Who is calling; recorded as user_id on writes.
  std::string user_id = "mcp";
  // Sends notifications/progress when the caller gave a progressToken; a
  // no-op otherwise. progress must increase between calls.
  std::function<void(double progress, std::optional<double> total, const std::string& message)>
      report_progress = [](double, std::optional<double>, const std::string&) {};
  // Sends notifications/message when the session's level admits it.
  std::function<void(LogLevel level, const Json& data)> log = [](LogLevel, const Json&) {};
  // True once the caller cancelled this request; long handlers poll it and
  // return Status::Cancelled.
  std::function<bool()> cancelled = [] { return false; };
};

// A handler gets arguments that passed the tool's inputSchema and returns the
// structuredContent object (checked against outputSchema), or a Status:
// InvalidArgument / NotFound / AlreadyExists / FailedPrecondition /
// PermissionDenied / ... become an isError result whose text is the message
// (so write messages that tell the model what to do); Internal becomes a
// JSON-RPC internal error.
using ToolHandler = std::function<StatusOr<Json>(const Json& arguments, ToolContext& ctx)>;

// A handler that writes the structuredContent object itself: compact JSON
// text exactly as DumpJson would write the object (members sorted by name,
// no spaces). For read tools whose answers are large and hot, building a Json
// tree only to serialize it costs most of the call. Statuses as for
// ToolHandler.
using ToolWriter = std::function<StatusOr<std::string>(const Json& arguments, ToolContext& ctx)>;

// Whether a call with these (validated) arguments is short and bounded.
using QuickPredicate = std::function<bool(const Json& arguments)>;

struct ToolBinding {
  ToolBinding() = default;
  ToolBinding(std::string name, ToolHandler handler, QuickPredicate quick = nullptr)
      : name(std::move(name)), handler(std::move(handler)), quick(std::move(quick)) {}

  std::string name;
  ToolHandler handler;
  ToolWriter writer;  // instead of handler (one of the two is set)
  // Quick calls may run on a transport's reading thread (stdio does so when
  // nothing else is queued or waiting to be read), which saves a thread
  // handoff but means the call cannot be cancelled midway and holds up the
  // reading of the next message. Only bounded work qualifies: a lookup, a
  // search with a limit, one small commit. Empty = never quick.
  QuickPredicate quick;
};

}  // namespace funkygibbon::mcp

#endif  // FUNKYGIBBON_MCP_TOOL_CONTEXT_H_
