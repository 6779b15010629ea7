#include "mcp/tool_registry.h"

#include <spdlog/spdlog.h>

#include <exception>
#include <set>
#include <utility>

#include "mcp/errors.h"
#include "mcp/json_text.h"

namespace funkygibbon::mcp {
namespace {

bool IsObjectSchema(const Json& s) {
  if (!s.is_object()) return false;
  auto t = s.find("type");
  return t != s.end() && t->is_string() &&
         t->get_ref<const std::string&>() == "object";
}

// Collects problems so Create can report all of them at once.
class Problems {
 public:
  void Add(std::string p) { list_.push_back(std::move(p)); }
  bool empty() const { return list_.empty(); }
  Status ToStatus() const {
    std::string msg = "tools.json: ";
    for (size_t i = 0; i < list_.size(); ++i) {
      if (i > 0) msg += "; ";
      msg += list_[i];
    }
    return Status::InvalidArgument(msg);
  }

 private:
  std::vector<std::string> list_;
};

}  // namespace

bool IsValidToolName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

StatusOr<std::unique_ptr<ToolRegistry>> ToolRegistry::Create(
    std::string_view tools_json, std::vector<ToolBinding> handlers,
    RegistryOptions options) {
  StatusOr<Json> parsed = ParseJson(tools_json);
  if (!parsed.ok())
    return Status::InvalidArgument("tools.json: " + parsed.status().message());
  const Json& doc = *parsed;
  if (!doc.is_array())
    return Status::InvalidArgument("tools.json: must be a JSON array of tools");

  Problems problems;
  std::unordered_map<std::string, ToolBinding> by_handler_name;
  for (auto& b : handlers) {
    if (!b.handler && !b.writer) problems.Add("handler '" + b.name + "' is empty");
    const std::string name = b.name;  // b is moved from below
    if (!by_handler_name.emplace(name, std::move(b)).second) {
      problems.Add("handler '" + name + "' is registered twice");
    }
  }

  std::unique_ptr<ToolRegistry> reg(new ToolRegistry());
  reg->options_ = options;
  std::set<std::string> seen;
  for (size_t i = 0; i < doc.size(); ++i) {
    const Json& t = doc[i];
    const std::string where = "tool #" + std::to_string(i);
    if (!t.is_object()) {
      problems.Add(where + " is not an object");
      continue;
    }
    auto name_it = t.find("name");
    if (name_it == t.end() || !name_it->is_string()) {
      problems.Add(where + " has no name");
      continue;
    }
    const std::string name = name_it->get<std::string>();
    const std::string what = "tool '" + name + "'";
    if (!IsValidToolName(name)) {
      problems.Add(what + ": name must match ^[A-Za-z0-9._-]{1,128}$");
    }
    if (!seen.insert(name).second) {
      problems.Add(what + " is defined twice");
      continue;
    }
    auto desc = t.find("description");
    if (desc == t.end() || !desc->is_string() ||
        desc->get_ref<const std::string&>().empty()) {
      problems.Add(what + " has no description");
    }
    if (auto title = t.find("title"); title != t.end() && !title->is_string()) {
      problems.Add(what + ": title must be a string");
    }
    auto annotations = t.find("annotations");
    if (annotations != t.end() && !annotations->is_object()) {
      problems.Add(what + ": annotations must be an object");
    }

    Tool tool{name,         t,       false,   Schema::Compile(true).value(),
              std::nullopt, nullptr, nullptr, nullptr};
    if (annotations != t.end() && annotations->is_object()) {
      auto ro = annotations->find("readOnlyHint");
      tool.read_only =
          ro != annotations->end() && ro->is_boolean() && ro->get<bool>();
    }
    auto input = t.find("inputSchema");
    if (input == t.end() || !IsObjectSchema(*input)) {
      problems.Add(what + " needs an inputSchema with \"type\": \"object\"");
    } else if (auto s = Schema::Compile(*input); !s.ok()) {
      problems.Add(what + " inputSchema: " + s.status().message());
    } else {
      tool.input_schema = *std::move(s);
    }
    if (auto output = t.find("outputSchema"); output != t.end()) {
      if (!IsObjectSchema(*output)) {
        problems.Add(what + " outputSchema must have \"type\": \"object\"");
      } else if (auto s = Schema::Compile(*output); !s.ok()) {
        problems.Add(what + " outputSchema: " + s.status().message());
      } else {
        tool.output_schema = *std::move(s);
      }
    }
    auto h = by_handler_name.find(name);
    if (h == by_handler_name.end()) {
      problems.Add(what + " has no handler");
    } else {
      tool.handler = std::move(h->second.handler);
      tool.writer = std::move(h->second.writer);
      tool.quick = std::move(h->second.quick);
      by_handler_name.erase(h);
    }
    reg->by_name_[name] = reg->tools_.size();
    reg->tools_.push_back(std::move(tool));
  }
  // Sorted, so the message is stable.
  std::set<std::string> orphans;
  for (const auto& [name, binding] : by_handler_name) orphans.insert(name);
  for (const auto& name : orphans)
    problems.Add("handler '" + name + "' has no tool in tools.json");

  if (!problems.empty()) return problems.ToStatus();
  return reg;
}

StatusOr<Json> Tool::Invoke(const Json& arguments, ToolContext& ctx) const {
  if (!writer) return handler(arguments, ctx);
  ASSIGN_OR_RETURN(std::string text, writer(arguments, ctx));
  StatusOr<Json> parsed = ParseJson(text);
  if (!parsed.ok()) {
    spdlog::error("tool '{}' wrote malformed JSON: {}", name, parsed.status().message());
    return Status::Internal("tool '" + name + "' returned a malformed result");
  }
  return parsed;
}

std::vector<const Tool*> ToolRegistry::tools(Access access) const {
  std::vector<const Tool*> out;
  out.reserve(tools_.size());
  for (const auto& t : tools_) {
    if (access == Access::kReadWrite || t.read_only) out.push_back(&t);
  }
  return out;
}

const Tool* ToolRegistry::Find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &tools_[it->second];
}

bool ToolRegistry::IsQuick(std::string_view name, const Json& arguments) const {
  const Tool* tool = Find(name);
  if (tool == nullptr || !tool->quick) return false;
  if (arguments.is_null()) return tool->quick(Json::object());
  return !arguments.is_object() || tool->quick(arguments);
}

StatusOr<Json> ToolRegistry::Call(std::string_view name, const Json& arguments,
                                  ToolContext& ctx, Access access) const {
  bool tool_error = false;
  ASSIGN_OR_RETURN(Json out, Run(name, arguments, ctx, access, &tool_error));
  if (tool_error) return out;
  std::string text = DumpJson(out);
  return Json{
      {"content",
       Json::array({Json{{"type", "text"}, {"text", std::move(text)}}})},
      {"structuredContent", std::move(out)},
      {"isError", false}};
}

StatusOr<SerializedToolResult> ToolRegistry::CallSerialized(
    std::string_view name, const Json& arguments, ToolContext& ctx,
    Access access) const {
  SerializedToolResult result;
  std::string text;
  ASSIGN_OR_RETURN(Json out,
                   Run(name, arguments, ctx, access, &result.is_error, &text));
  if (result.is_error) {
    result.error_result = std::move(out);
  } else if (!text.empty()) {
    result.structured = std::move(text);
  } else {
    result.structured = DumpJson(out);
  }
  return result;
}

StatusOr<Json> ToolRegistry::Run(std::string_view name, const Json& arguments,
                                 ToolContext& ctx, Access access,
                                 bool* tool_error, std::string* text) const {
  *tool_error = true;
  const Tool* tool = Find(name);
  if (tool == nullptr)
    return Status::NotFound("Unknown tool: " + std::string(name));

  if (access == Access::kReadOnly && !tool->read_only) {
    return ToolErrorResult(
        "permission denied: tool '" + tool->name +
        "' changes the graph, and this caller is read-only (guest); only "
        "read-only tools may be called");
  }

  const Json empty = Json::object();
  const Json& args = arguments.is_null() ? empty : arguments;
  if (!args.is_object()) {
    return Status::InvalidArgument("tools/call: arguments must be an object");
  }
  if (auto errors = tool->input_schema.Validate(args); !errors.empty()) {
    return ToolErrorResult("Invalid arguments for tool '" + tool->name +
                           "': " + FormatSchemaErrors(errors, "arguments"));
  }

  StatusOr<Json> out = Status::Internal("handler did not run");
  StatusOr<std::string> written = Status::Internal("handler did not run");
  try {
    if (tool->writer) {
      written = tool->writer(args, ctx);
    } else {
      out = tool->handler(args, ctx);
    }
  } catch (const std::exception& e) {
    spdlog::error("tool '{}' threw: {}", tool->name, e.what());
    return Status::Internal("tool '" + tool->name + "' failed unexpectedly");
  }
  if (const Status& s = tool->writer ? written.status() : out.status(); !s.ok()) {
    if (s.code() == StatusCode::kInternal) {
      spdlog::error("tool '{}' failed: {}", tool->name, s.message());
      return s;
    }
    return ToolErrorResult(s.message());
  }
  if (tool->writer) {
    if (text != nullptr && !options_.check_written_outputs && !written->empty()) {
      *tool_error = false;
      *text = *std::move(written);
      return Json();
    }
    // Checked: well-formed, and exactly what DumpJson writes for it (the
    // text must not depend on which way it is served).
    out = ParseJson(*written);
    if (!out.ok() || DumpJson(*out) != *written) {
      spdlog::error("tool '{}' wrote {}: {}", tool->name,
                    out.ok() ? "JSON that is not in DumpJson's form" : "malformed JSON",
                    written->substr(0, 200));
      return Status::Internal("tool '" + tool->name + "' returned a malformed result");
    }
    if (text != nullptr) *text = *std::move(written);
  }

  Json structured = *std::move(out);
  if (!structured.is_object()) {
    spdlog::error("tool '{}' returned a non-object structuredContent: {}",
                  tool->name, DumpJson(structured).substr(0, 200));
    return Status::Internal("tool '" + tool->name +
                            "' returned a malformed result");
  }
  if (tool->output_schema) {
    if (auto errors = tool->output_schema->Validate(structured);
        !errors.empty()) {
      spdlog::error("tool '{}' output does not match its outputSchema: {}",
                    tool->name,
                    FormatSchemaErrors(errors, "structuredContent"));
      return Status::Internal(
          "tool '" + tool->name +
          "' returned output that does not match its outputSchema");
    }
  }
  *tool_error = false;
  return structured;
}

}  // namespace funkygibbon::mcp
