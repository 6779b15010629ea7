// Example: open a database (or an in-memory one seeded with the example
// home), then ask the graph a few questions through the same tool pipeline
// MCP clients use.
//
//   build/examples/example_query_graph [DB]
#include <cstdio>
#include <string>

#include "app/runtime.h"
#include "app/seed.h"
#include "mcp/tool_context.h"

using funkygibbon::Json;
namespace app = funkygibbon::app;

int main(int argc, char** argv) {
  app::RuntimeOptions options;
  options.db_path = argc > 1 ? argv[1] : ":memory:";
  auto runtime = app::Runtime::Open(options);
  if (!runtime.ok()) {
    std::fprintf(stderr, "%s\n", runtime.status().ToString().c_str());
    return 1;
  }
  app::Runtime& rt = **runtime;
  if (argc <= 1) (void)app::SeedExampleHome(rt.graph());

  funkygibbon::mcp::ToolContext ctx;
  auto call = [&](const char* tool, const Json& args) {
    auto result = rt.tools().Call(tool, args, ctx);
    if (!result.ok()) return Json{{"error", result.status().ToString()}};
    return result->value("structuredContent", Json{{"error", (*result)["content"]}});
  };

  Json kitchen_devices = call("query_graph", {{"cypher",
      "MATCH (d:device)-[:located_in]->(r:room {name:\"Kitchen\"}) RETURN d ORDER BY d.name"}});
  std::printf("Devices in the kitchen:\n");
  for (const auto& row : kitchen_devices.value("rows", Json::array())) {
    std::printf("  %s\n", row["d"]["name"].get<std::string>().c_str());
  }

  Json lamp = call("search_entities", {{"query", "floor lamp"}, {"limit", 1}});
  Json home = call("query_graph", {{"entity_type", "home"}, {"limit", 1}});
  if (!lamp.value("results", Json::array()).empty() && !home.value("results", Json::array()).empty()) {
    Json path = call("find_path", {{"from_entity_id", lamp["results"][0]["id"]},
                                   {"to_entity_id", home["results"][0]["id"]},
                                   {"direction", "out"}});
    std::printf("Path from the lamp to the home:");
    for (const auto& n : path.value("nodes", Json::array())) {
      std::printf(" -> %s", n["name"].get<std::string>().c_str());
    }
    std::printf("\n");
  }
  return 0;
}
