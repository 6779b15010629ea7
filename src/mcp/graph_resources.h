// MCP resources over the knowledge graph:
//   funkygibbon://entity/{id}   (template) one entity with its relationships
//   funkygibbon://schema        the vocabulary and the allowed relationship
//   pairs funkygibbon://statistics    counts by type, degrees, isolated
//   entities
// resources/list gives the two static resources and then every live entity,
// paginated by an id cursor. Completion offers entity ids for {id}, matching
// the typed prefix against ids and names.
//
// Thread-safety: thread-safe (reads go through KnowledgeGraph::Read).
#ifndef FUNKYGIBBON_MCP_GRAPH_RESOURCES_H_
#define FUNKYGIBBON_MCP_GRAPH_RESOURCES_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "graph/knowledge_graph.h"
#include "mcp/resource_provider.h"

namespace funkygibbon::mcp {

inline constexpr std::string_view kEntityUriTemplate =
    "funkygibbon://entity/{id}";
inline constexpr std::string_view kEntityUriPrefix = "funkygibbon://entity/";
inline constexpr std::string_view kSchemaUri = "funkygibbon://schema";
inline constexpr std::string_view kStatisticsUri = "funkygibbon://statistics";

struct GraphResourcesOptions {
  size_t page_size = 100;  // entities per resources/list page
};

// "funkygibbon://entity/" + the id percent-encoded (RFC 3986 unreserved
// characters stay as they are, as RFC 6570 simple expansion does).
std::string EntityUri(std::string_view id);

class GraphResources : public ResourceProvider {
 public:
  // `graph` must outlive this object.
  explicit GraphResources(const graph::KnowledgeGraph& graph,
                          GraphResourcesOptions options = {});
  GraphResources(const GraphResources&) = delete;
  GraphResources& operator=(const GraphResources&) = delete;

  StatusOr<ResourcePage> List(std::string_view cursor) const override;
  Json Templates() const override;
  StatusOr<Json> Read(std::string_view uri) const override;
  StatusOr<Completion> Complete(std::string_view uri_template,
                                std::string_view argument,
                                std::string_view prefix,
                                const Json& context_arguments) const override;

 private:
  const graph::KnowledgeGraph& graph_;
  const GraphResourcesOptions options_;
};

}  // namespace funkygibbon::mcp

#endif  // FUNKYGIBBON_MCP_GRAPH_RESOURCES_H_
