// A small tool catalogue for the MCP tests, and a harness that feeds JSON
// lines to Dispatcher::Handle in-process (the InMemoryTransport idea).
#ifndef FUNKYGIBBON_TESTS_MCP_TEST_TOOLS_H_
#define FUNKYGIBBON_TESTS_MCP_TEST_TOOLS_H_

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "mcp/dispatcher.h"
#include "mcp/json_text.h"
#include "mcp/resource_provider.h"
#include "mcp/session.h"
#include "mcp/tool_registry.h"

namespace funkygibbon::mcp::testtools {

inline constexpr char kTestToolsJson[] = R"JSON([
  {
    "name": "echo",
    "title": "Echo",
    "description": "Returns the text it is given, repeated.",
    "inputSchema": {
      "type": "object",
      "properties": {
        "text": {"type": "string", "maxLength": 100000},
        "repeat": {"type": "integer", "minimum": 1, "maximum": 5, "default": 1}
      },
      "required": ["text"],
      "additionalProperties": false
    },
    "outputSchema": {
      "type": "object",
      "properties": {"text": {"type": "string"}},
      "required": ["text"]
    },
    "annotations": {"readOnlyHint": true}
  },
  {
    "name": "lookup",
    "description": "Looks an entity up (validation fixture).",
    "inputSchema": {
      "type": "object",
      "properties": {
        "entity_id": {"type": "string", "minLength": 1},
        "entity_type": {"type": "string", "enum": ["home", "room", "device"]},
        "max_depth": {"type": "integer", "minimum": 1, "maximum": 50},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3, "uniqueItems": true}
      },
      "required": ["entity_id"],
      "additionalProperties": false
    },
    "outputSchema": {
      "type": "object",
      "properties": {"entity_id": {"type": "string"}},
      "required": ["entity_id"]
    },
    "annotations": {"readOnlyHint": true}
  },
  {
    "name": "write_note",
    "title": "Write note",
    "description": "Pretends to write; not read-only.",
    "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}},
    "annotations": {"readOnlyHint": false, "destructiveHint": false}
  },
  {
    "name": "fail",
    "description": "Fails with the requested status code.",
    "inputSchema": {
      "type": "object",
      "properties": {"code": {"enum": ["invalid", "not_found", "internal", "permission", "throw"]}},
      "required": ["code"]
    }
  },
  {
    "name": "bad_output",
    "description": "Returns output that breaks its outputSchema.",
    "inputSchema": {"type": "object", "additionalProperties": false},
    "outputSchema": {
      "type": "object",
      "properties": {"sum": {"type": "number"}},
      "required": ["sum"]
    }
  },
  {
    "name": "progress",
    "description": "Reports progress steps and log messages at every level.",
    "inputSchema": {
      "type": "object",
      "properties": {"steps": {"type": "integer", "minimum": 1, "maximum": 100}}
    },
    "annotations": {"readOnlyHint": true}
  },
  {
    "name": "wait_for_cancel",
    "description": "Runs until cancelled (at most 10 s).",
    "inputSchema": {"type": "object"},
    "annotations": {"readOnlyHint": true}
  }
])JSON";

// Set by wait_for_cancel when it starts, so tests know it is running.
inline std::atomic<int> wait_for_cancel_started{0};

inline std::vector<ToolBinding> TestBindings() {
  std::vector<ToolBinding> b;
  b.push_back({"echo", [](const Json& a, ToolContext&) -> StatusOr<Json> {
                 std::string text = a["text"].get<std::string>(), out;
                 const int64_t n = a.value("repeat", int64_t{1});
                 for (int64_t i = 0; i < n; ++i) out += text;
                 return Json{{"text", out}};
               }});
  b.push_back({"lookup", [](const Json& a, ToolContext&) -> StatusOr<Json> {
                 return Json{{"entity_id", a["entity_id"]}};
               }});
  b.push_back(
      {"write_note", [](const Json&, ToolContext& ctx) -> StatusOr<Json> {
         return Json{{"written_by", ctx.user_id}};
       }});
  b.push_back({"fail", [](const Json& a, ToolContext&) -> StatusOr<Json> {
                 const std::string code = a["code"].get<std::string>();
                 if (code == "invalid")
                   return Status::InvalidArgument("name: must not be empty");
                 if (code == "not_found")
                   return Status::NotFound(
                       "entity 'x' does not exist; use search_entities");
                 if (code == "permission")
                   return Status::PermissionDenied("not yours");
                 if (code == "throw") throw std::runtime_error("boom");
                 return Status::Internal("disk on fire");
               }});
  b.push_back({"bad_output", [](const Json&, ToolContext&) -> StatusOr<Json> {
                 return Json{{"sum", "three"}};
               }});
  b.push_back(
      {"progress", [](const Json& a, ToolContext& ctx) -> StatusOr<Json> {
         const int64_t steps = a.value("steps", int64_t{3});
         for (int64_t i = 1; i <= steps; ++i) {
           ctx.report_progress(static_cast<double>(i),
                               static_cast<double>(steps),
                               "step " + std::to_string(i));
           ctx.report_progress(static_cast<double>(i), std::nullopt,
                               "repeat: dropped");
         }
         for (int l = 0; l <= static_cast<int>(LogLevel::kEmergency); ++l) {
           ctx.log(static_cast<LogLevel>(l), Json{{"level_index", l}});
         }
         return Json{{"steps", steps}};
       }});
  b.push_back(
      {"wait_for_cancel", [](const Json&, ToolContext& ctx) -> StatusOr<Json> {
         ++wait_for_cancel_started;
         const auto deadline =
             std::chrono::steady_clock::now() + std::chrono::seconds(10);
         while (!ctx.cancelled()) {
           if (std::chrono::steady_clock::now() > deadline) {
             return Json{{"cancelled", false}};
           }
           std::this_thread::sleep_for(std::chrono::milliseconds(1));
         }
         return Status::Cancelled("cancelled by the client");
       }});
  return b;
}

inline std::unique_ptr<ToolRegistry> MakeTestRegistry() {
  auto r = ToolRegistry::Create(kTestToolsJson, TestBindings());
  if (!r.ok()) {
    ADD_FAILURE() << r.status().ToString();
    return nullptr;
  }
  return std::move(r).value();
}

// A fixed resource set: two static resources and a {name} template.
class FakeResources : public ResourceProvider {
 public:
  StatusOr<ResourcePage> List(std::string_view cursor) const override {
    ResourcePage page;
    if (cursor.empty()) {
      page.resources.push_back(Json{{"uri", "mem://a"}, {"name", "a"}});
      page.next_cursor = EncodeCursor("page2");
      return page;
    }
    if (DecodeCursor(cursor) != std::optional<std::string>("page2")) {
      return Status::InvalidArgument("resources/list: invalid cursor");
    }
    page.resources.push_back(Json{{"uri", "mem://b"}, {"name", "b"}});
    return page;
  }
  Json Templates() const override {
    return Json::array(
        {Json{{"uriTemplate", "mem://item/{name}"}, {"name", "item"}}});
  }
  StatusOr<Json> Read(std::string_view uri) const override {
    if (uri == "mem://a" || uri == "mem://b") {
      return Json::array({Json{
          {"uri", uri}, {"mimeType", "text/plain"}, {"text", "content"}}});
    }
    if (uri == "mem://broken") return Status::Internal("storage failure");
    return Status::NotFound("no resource " + std::string(uri));
  }
  StatusOr<Completion> Complete(std::string_view tmpl,
                                std::string_view argument,
                                std::string_view prefix,
                                const Json&) const override {
    if (tmpl != "mem://item/{name}" || argument != "name") {
      return Status::InvalidArgument("unknown template or argument");
    }
    Completion c;
    for (int i = 0; i < 150; ++i) {
      std::string v = "item" + std::to_string(i);
      if (v.rfind(prefix, 0) == 0) c.values.push_back(v);
    }
    c.total = c.values.size();
    return c;
  }
};

// Collects what a sink receives, thread-safely.
class Capture {
 public:
  Outbound sink() {
    return [this](const std::string& m) {
      std::lock_guard<std::mutex> lock(mu_);
      lines_.push_back(m);
    };
  }
  std::vector<Json> messages() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Json> out;
    for (const auto& l : lines_) out.push_back(Json::parse(l));
    return out;
  }
  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_.size();
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

// Dispatcher + session over the test tools and FakeResources.
struct Harness {
  explicit Harness(DispatcherOptions options = DefaultOptions())
      : registry(MakeTestRegistry()),
        dispatcher(*registry, &resources, std::move(options)),
        session(capture.sink()) {}

  static DispatcherOptions DefaultOptions() {
    DispatcherOptions o;
    o.server_version = "9.9.9-test";
    o.instructions = "Use the test tools.";
    return o;
  }

  // Sends one line; returns the parsed reply (null Json if none).
  Json Send(const std::string& line, const RequestOptions& options = {}) {
    std::optional<std::string> reply =
        dispatcher.Handle(line, session, options);
    if (!reply) return nullptr;
    EXPECT_EQ(reply->find('\n'), std::string::npos);
    return Json::parse(*reply);
  }
  Json Request(int id, const std::string& method,
               const Json& params = Json::object()) {
    Json msg{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
    if (!params.is_null()) msg["params"] = params;
    return Send(msg.dump());
  }
  Json Initialize(const std::string& version = "2025-11-25") {
    Json r = Request(
        0, "initialize",
        Json{{"protocolVersion", version},
             {"capabilities", Json::object()},
             {"clientInfo", {{"name", "test-client"}, {"version", "1"}}}});
    EXPECT_TRUE(
        Send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})")
            .is_null());
    return r;
  }
  Json CallTool(int id, const std::string& name, const Json& args,
                const Json& meta = nullptr) {
    Json params{{"name", name}, {"arguments", args}};
    if (!meta.is_null()) params["_meta"] = meta;
    return Request(id, "tools/call", params);
  }

  FakeResources resources;
  std::unique_ptr<ToolRegistry> registry;
  Dispatcher dispatcher;
  Capture capture;
  Session session;
};

}  // namespace funkygibbon::mcp::testtools

#endif  // FUNKYGIBBON_TESTS_MCP_TEST_TOOLS_H_
