// The graph tools of tools.json: one handler per tool, paired by name.
//
// Thread-safety: the handlers are thread-safe (KnowledgeGraph is).
#ifndef FUNKYGIBBON_MCP_TOOL_HANDLERS_H_
#define FUNKYGIBBON_MCP_TOOL_HANDLERS_H_

#include <vector>

#include "graph/knowledge_graph.h"
#include "mcp/tool_context.h"

namespace funkygibbon::mcp {

// Handlers for every tool in tools.json except sync_now and sync_status,
// which the app binds when it is configured with a hub. kg must outlive them.
std::vector<ToolBinding> GraphToolBindings(graph::KnowledgeGraph& kg);

// The get_graph_statistics document (also the funkygibbon://statistics resource).
Json StatisticsJson(const graph::GraphStatistics& s);

// The describe_schema document (also served as the funkygibbon://schema resource).
Json DescribeSchema();

}  // namespace funkygibbon::mcp

#endif  // FUNKYGIBBON_MCP_TOOL_HANDLERS_H_
