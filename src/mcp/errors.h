// JSON-RPC 2.0 / MCP error codes and the one place where a Status becomes
// something on the wire (STYLE.md item 4):
//   - protocol errors (the request itself is wrong) -> a JSON-RPC error;
//   - tool failures a model can fix -> a CallToolResult with isError: true.
//
// Thread-safety: free functions and value types.
#ifndef FUNKYGIBBON_MCP_ERRORS_H_
#define FUNKYGIBBON_MCP_ERRORS_H_

#include <string>
#include <string_view>
#include <variant>

#include "core/status.h"
#include "core/types.h"

namespace funkygibbon::mcp {

inline constexpr int kParseError = -32700;      // not JSON
inline constexpr int kInvalidRequest = -32600;  // JSON, but not a valid request
inline constexpr int kMethodNotFound =
    -32601;  // unknown method or capability not offered
inline constexpr int kInvalidParams =
    -32602;  // params malformed; unknown tool; bad cursor
inline constexpr int kInternalError = -32603;  // a bug on our side
inline constexpr int kResourceNotFound =
    -32002;  // 2025-11-25 (2026-07-28 uses -32602)
inline constexpr int kUnsupportedProtocolVersion = -32022;  // 2026-07-28

struct RpcError {
  int code = kInternalError;
  std::string message;
  Json data;  // null = omitted

  static RpcError ParseError(std::string_view detail);
  static RpcError InvalidRequest(std::string_view detail);
  static RpcError MethodNotFound(std::string_view method);
  static RpcError InvalidParams(std::string message);
  static RpcError Internal(std::string_view detail);
};

// A result object already serialized to compact JSON. tools/call answers
// with it so a large structuredContent is serialized only once.
struct SerializedResult {
  std::string json;
};

// What a method handler produces: a result object or an error.
using RpcOutcome = std::variant<Json, RpcError, SerializedResult>;

// Protocol-level mapping of a Status (for failures of the request itself):
//   InvalidArgument, NotFound, AlreadyExists, FailedPrecondition -> -32602
//   ResourceExhausted, PermissionDenied, Unauthenticated          -> -32600
//   everything else (Internal, Unavailable, ...)                  -> -32603
RpcError ToRpcError(const Status& status);

// A CallToolResult reporting a failure the model can act on:
// {content:[{type:"text", text: message}], isError: true}.
Json ToolErrorResult(std::string_view message);

// {"jsonrpc":"2.0","id":id,"result":result}
Json ResultResponse(const Json& id, Json result);
// {"jsonrpc":"2.0","id":id,"error":{code,message[,data]}}; id may be null.
Json ErrorResponse(const Json& id, const RpcError& error);
// {"jsonrpc":"2.0","method":method,"params":params}
Json Notification(std::string_view method, Json params);

}  // namespace funkygibbon::mcp

#endif  // FUNKYGIBBON_MCP_ERRORS_H_
