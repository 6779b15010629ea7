// The sync tools of tools.json: sync_now, sync_status and get_sync_conflicts.
// Without a hub client (the hub itself, or an instance started without
// --hub) sync_now answers with an isError that says how to configure one.
//
// Thread-safety: as SyncClient and KnowledgeGraph (thread-safe).
#ifndef FUNKYGIBBON_APP_SYNC_TOOLS_H_
#define FUNKYGIBBON_APP_SYNC_TOOLS_H_

#include <vector>

#include "graph/knowledge_graph.h"
#include "mcp/tool_context.h"
#include "sync/edge.h"

namespace funkygibbon::app {

// client may be null. background_interval_s (0 = none) is reported by sync_status.
std::vector<mcp::ToolBinding> SyncToolBindings(graph::KnowledgeGraph& kg, sync::SyncClient* client,
                                               int background_interval_s);

// What sync_now says when no hub is configured.
extern const char* const kNoHubMessage;

}  // namespace funkygibbon::app

#endif  // FUNKYGIBBON_APP_SYNC_TOOLS_H_
