// Statistics: counts over the live graph. An edge counts when both of its
// ends are live entities (the edges that traversal walks); a self-loop adds
// two to its entity's degree.
#include <string>
#include <vector>

#include "graph/graph_data.h"
#include "graph/graph_index.h"

namespace funkygibbon::graph {

GraphStatistics GraphIndex::Statistics() const {
  const internal::GraphData& g = *impl_;
  GraphStatistics st;
  st.entities = g.live_entities();
  st.deleted_entities = g.deleted_entities();
  for (EntityType t : AllEntityTypes()) {
    const size_t n = g.type_set(t).size();
    if (n > 0) st.entities_by_type[std::string(ToString(t))] = n;
  }
  std::vector<size_t> by_type(internal::kRelationshipTypeCount, 0);
  for (size_t e = 0; e < g.edge_slots(); ++e) {
    const internal::EdgeRec& rec = g.edge(static_cast<uint32_t>(e));
    if (!rec.used() || !g.live(rec.from) || !g.live(rec.to)) continue;
    ++st.relationships;
    ++by_type[static_cast<size_t>(rec.type)];
  }
  for (RelationshipType t : AllRelationshipTypes()) {
    const size_t n = by_type[static_cast<size_t>(t)];
    if (n > 0) st.relationships_by_type[std::string(ToString(t))] = n;
  }
  // Walk live entities in id order so ties on max degree go to the smallest id.
  for (uint32_t n : g.live_set()) {
    const internal::Node& nd = g.node(n);
    size_t degree = 0;
    for (const internal::Adj& a : nd.adj.out()) degree += g.live(a.node) ? 1 : 0;
    for (const internal::Adj& a : nd.adj.in()) degree += g.live(a.node) ? 1 : 0;
    if (degree > st.max_degree) {
      st.max_degree = degree;
      st.max_degree_entity_id = std::string(g.NodeId(n));
    }
    if (degree == 0) {
      ++st.isolated_entities;
      if (st.isolated_sample.size() < 20) st.isolated_sample.push_back(std::string(g.NodeId(n)));
    }
  }
  st.average_degree =
      st.entities == 0 ? 0.0
                       : 2.0 * static_cast<double>(st.relationships) / static_cast<double>(st.entities);
  return st;
}

}  // namespace funkygibbon::graph
