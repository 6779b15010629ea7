// Fuzzes query_graph: the Cypher-subset parser (graph/cypher_parser.h) and
// the structured query, both through the real tool over a small seeded
// home. An input starting with '{' is the tool's JSON arguments (the
// structured form, or {"cypher": ...} with other fields); anything else is a
// Cypher statement, parsed directly and then run through the tool.
//
// Invariants: the parser returns InvalidArgument or a query whose indices
// all point inside it and whose sizes keep the documented limits; the tool
// never fails with an internal error (which includes structuredContent not
// matching its outputSchema); results respect limit and total, and every
// Cypher row has one entry per column.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "graph/cypher_parser.h"
#include "mcp/json_text.h"

namespace funkygibbon::fuzz {
namespace {

// query_graph only reads (the tool is called read-only), so the world
// never needs a reset.
World& TheWorld() {
  static World* world = new World();
  return *world;
}

void CheckParsed(std::string_view statement) {
  auto q = graph::internal::ParseCypher(statement);
  if (!q.ok()) {
    FUZZ_CHECK(q.status().code() == StatusCode::kInvalidArgument, q.status().ToString());
    FUZZ_CHECK(!q.status().message().empty(), "empty error message");
    return;
  }
  const size_t n = q->nodes.size();
  FUZZ_CHECK(n >= 1 && n <= graph::internal::kMaxCypherNodes, std::to_string(n) + " nodes");
  FUZZ_CHECK(q->rels.size() <= graph::internal::kMaxCypherRelationships, "too many relationships");
  for (const auto& r : q->rels) FUZZ_CHECK(r.a < n && r.b < n, "relationship end out of range");
  FUZZ_CHECK(!q->returns.empty() && q->returns.size() == q->columns.size(), "returns/columns");
  for (uint32_t r : q->returns) FUZZ_CHECK(r < n, "returned node out of range");
  for (const auto& o : q->order) FUZZ_CHECK(o.node < n, "ORDER BY node out of range");
}

void CheckToolCall(const Json& args) {
  mcp::ToolContext ctx;
  ctx.user_id = "fuzz";
  auto out = TheWorld().tools().Call("query_graph", args, ctx, mcp::Access::kReadOnly);
  FUZZ_CHECK(out.ok(), "query_graph failed: " + out.status().ToString() + " for " +
                           mcp::DumpJson(args));
  if (out->value("isError", false)) return;
  const Json& sc = (*out)["structuredContent"];
  const std::string text = mcp::DumpJson(sc);
  FUZZ_CHECK(sc.contains("total") && sc["total"].is_number_unsigned(), text);
  const size_t total = sc["total"].get<size_t>();
  if (sc.contains("rows")) {
    const Json& columns = sc["columns"];
    FUZZ_CHECK(sc["rows"].size() <= args.value("limit", size_t{1000}), text);
    FUZZ_CHECK(sc["rows"].size() <= total, text);
    for (const Json& row : sc["rows"]) {
      FUZZ_CHECK(row.size() == columns.size(), "row without every column: " + text);
      for (const Json& c : columns) FUZZ_CHECK(row.contains(c.get<std::string>()), text);
    }
  } else {
    FUZZ_CHECK(sc["results"].size() <= sc["limit"].get<size_t>(), text);
    FUZZ_CHECK(sc["results"].size() <= total, text);
  }
}

}  // namespace
}  // namespace funkygibbon::fuzz

using namespace funkygibbon;       // NOLINT: fuzz entry points only
using namespace funkygibbon::fuzz;  // NOLINT

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  QuietLogs();
  TheWorld();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (!input.empty() && input.front() == '{') {
    auto args = mcp::ParseJson(input);
    if (!args.ok() || !args->is_object()) return 0;
    if (auto c = args->find("cypher"); c != args->end() && c->is_string()) {
      CheckParsed(c->get<std::string>());
    }
    CheckToolCall(*args);
    return 0;
  }
  CheckParsed(input);
  // Clients' strings arrive through the JSON parser, which refuses
  // invalid UTF-8; the tool never sees it.
  if (!mcp::IsValidUtf8(input)) return 0;
  CheckToolCall(Json{{"cypher", std::string(input)}});
  return 0;
}
