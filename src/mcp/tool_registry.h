// The tool table: definitions parsed from tools.json (the single source of
// wire metadata) paired by name with their handlers, and the one call
// pipeline every tool goes through:
//   lookup -> validate arguments (inputSchema) -> handler
//          -> validate structuredContent (outputSchema) -> CallToolResult.
// A tool may instead have a writer (ToolWriter), which writes its
// structuredContent as text; that text is checked the same way, except when
// served by CallSerialized with RegistryOptions::check_written_outputs off.
//
// Thread-safety: immutable after Create; all methods may be called
// concurrently. No lock is held while a handler runs.
#ifndef FUNKYGIBBON_MCP_TOOL_REGISTRY_H_
#define FUNKYGIBBON_MCP_TOOL_REGISTRY_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "core/string_hash.h"
#include "core/types.h"
#include "mcp/schema.h"
#include "mcp/tool_context.h"

namespace funkygibbon::mcp {

// What a caller may do. Guests get kReadOnly: they only see and call tools
// whose annotations.readOnlyHint is true.
enum class Access { kReadWrite, kReadOnly };

struct Tool {
  std::string name;
  Json definition;         // the tools.json entry, served as-is by tools/list
  bool read_only = false;  // annotations.readOnlyHint
  Schema input_schema;
  std::optional<Schema> output_schema;
  ToolHandler handler;
  ToolWriter writer;     // set instead of handler by tools that write their text
  QuickPredicate quick;  // empty = never quick

  // The handler's result, or the writer's text parsed (Internal if it is not
  // JSON). No checks; exceptions from the handler propagate.
  StatusOr<Json> Invoke(const Json& arguments, ToolContext& ctx) const;
};

struct RegistryOptions {
  // Parse and check a ToolWriter's text against outputSchema when it is
  // served as text (CallSerialized). Call always checks. Tests keep this on;
  // a server may turn it off, since checking means parsing the answer the
  // writer exists to avoid building (the writers are tested against it).
  bool check_written_outputs = true;
};

// A tools/call outcome for callers that write the wire form themselves.
struct SerializedToolResult {
  bool is_error = false;
  // Success: the compact JSON of structuredContent (serialized once; the
  // caller puts it both in the text content and as structuredContent).
  std::string structured;
  // is_error: the whole CallToolResult ({content, isError: true}).
  Json error_result;
};

class ToolRegistry {
 public:
  // Parses tools_json (an array of {name, title?, description, inputSchema,
  // outputSchema?, annotations?}) and pairs it with handlers. Fails with
  // InvalidArgument, naming every problem found, when: the JSON is malformed;
  // a name is missing, duplicated or does not match ^[A-Za-z0-9._-]{1,128}$;
  // a tool lacks a description or an inputSchema of type "object"; a schema
  // does not compile (including unsupported keywords); an outputSchema is not
  // of type "object"; a tool has no handler; a handler has no tool (or a
  // handler name appears twice, or a handler is empty).
  static StatusOr<std::unique_ptr<ToolRegistry>> Create(
      std::string_view tools_json, std::vector<ToolBinding> handlers,
      RegistryOptions options = {});

  ToolRegistry(const ToolRegistry&) = delete;
  ToolRegistry& operator=(const ToolRegistry&) = delete;

  // Tools in tools.json order; with kReadOnly only the read-only ones.
  std::vector<const Tool*> tools(Access access = Access::kReadWrite) const;
  // nullptr if unknown.
  const Tool* Find(std::string_view name) const;

  // Runs the pipeline. Returns:
  //   OK        a CallToolResult: {content:[{type:"text", text: <compact
  //             JSON of structuredContent>}], structuredContent,
  //             isError:false}, or {content:[{type:"text", text: message}],
  //             isError:true} when the arguments fail inputSchema, the tool is
  //             not allowed for `access`, or the handler returns a non-Internal
  //             Status.
  //   NotFound  "Unknown tool: X" (a protocol error, JSON-RPC -32602).
  //   Internal  the handler returned Internal, threw, or returned
  //             structuredContent that does not match outputSchema (a bug;
  //             details are logged to stderr; JSON-RPC -32603).
  // `arguments` null means {}; any other non-object is InvalidArgument.
  StatusOr<Json> Call(std::string_view name, const Json& arguments,
                      ToolContext& ctx,
                      Access access = Access::kReadWrite) const;

  // The same pipeline and errors as Call, without building the
  // CallToolResult: the dispatcher serializes it straight to the wire.
  StatusOr<SerializedToolResult> CallSerialized(
      std::string_view name, const Json& arguments, ToolContext& ctx,
      Access access = Access::kReadWrite) const;

  // True when the tool is known and its binding's quick predicate holds for
  // `arguments` (null means {}; a non-object is quick: it fails at once).
  bool IsQuick(std::string_view name, const Json& arguments) const;

 private:
  ToolRegistry() = default;

  // Lookup, access check, validation, handler and output check. On OK,
  // *tool_error says whether the Json is the structuredContent (false) or
  // an isError CallToolResult (true).
  // `text`: set by CallSerialized; a ToolWriter's text is left there (and
  // the Json returned is empty unless the output was checked).
  StatusOr<Json> Run(std::string_view name, const Json& arguments,
                     ToolContext& ctx, Access access, bool* tool_error,
                     std::string* text = nullptr) const;

  RegistryOptions options_;
  std::vector<Tool> tools_;
  std::unordered_map<std::string, size_t, TransparentStringHash,
                     std::equal_to<>>
      by_name_;
};

// True if name matches ^[A-Za-z0-9._-]{1,128}$.
bool IsValidToolName(std::string_view name);

}  // namespace funkygibbon::mcp

#endif  // FUNKYGIBBON_MCP_TOOL_REGISTRY_H_
