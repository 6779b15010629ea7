// Neighbourhood: k-hop BFS with distances.
//
// Each level is processed in id order, so the edge recorded as `via` is the
// one from the smallest-id parent at the previous level, and among that
// parent's edges to the node the smallest by (type name, edge id): the same
// answer whatever order the edges were added in.
#include <algorithm>
#include <string>
#include <vector>

#include "graph/graph_data.h"
#include "graph/graph_index.h"

namespace funkygibbon::graph {
namespace {

using internal::Adj;
using internal::GraphData;
using internal::kNone;

struct Reached {
  int distance = 0;
  uint32_t parent_rank = 0;  // position of the parent in its (id-sorted) level
  Adj via{kNone, 0};
  bool forward = true;
};

bool ViaLess(const GraphData& g, const Adj& a, const Adj& b) {
  const int ra = internal::TypeRank(a.type()), rb = internal::TypeRank(b.type());
  if (ra != rb) return ra < rb;
  return g.CompareEdgeIds(a.edge(), b.edge()) < 0;
}

}  // namespace

StatusOr<NeighbourhoodResult> GraphIndex::Neighbourhood(
    std::string_view id, const NeighbourhoodOptions& options) const {
  if (options.depth < 1 || options.depth > kMaxNeighbourhoodDepth) {
    return Status::InvalidArgument("depth must be between 1 and " +
                                   std::to_string(kMaxNeighbourhoodDepth) + "; got " +
                                   std::to_string(options.depth));
  }
  const GraphData& g = *impl_;
  const uint32_t start = g.FindLiveNode(id);
  if (start == kNone) return Status::NotFound("entity '" + std::string(id) + "' not found");
  const uint16_t mask = internal::TypeMask(options.relationship_types);
  auto id_less = [&g](uint32_t a, uint32_t b) { return g.NodeId(a) < g.NodeId(b); };

  internal::NodeMap<Reached> reached(64);
  reached.Insert(start);  // distance 0
  std::vector<uint32_t> level{start};
  std::vector<uint32_t> order;  // every reached node but the start, by (distance, id)
  for (int d = 1; d <= options.depth && !level.empty(); ++d) {
    std::vector<uint32_t> next;
    for (size_t rank = 0; rank < level.size(); ++rank) {
      g.ForEachStep(level[rank], options.direction, mask, [&](const Adj& a, bool forward) {
        auto [r, inserted] = reached.Insert(a.node);
        if (inserted) {
          *r = Reached{d, static_cast<uint32_t>(rank), a, forward};
          next.push_back(a.node);
        } else if (r->distance == d && r->parent_rank == rank && ViaLess(g, a, r->via)) {
          r->via = a;
          r->forward = forward;
        }
        return true;
      });
    }
    std::sort(next.begin(), next.end(), id_less);
    order.insert(order.end(), next.begin(), next.end());
    level = std::move(next);
  }

  NeighbourhoodResult result;
  for (uint32_t n : order) {
    const EntityType type = g.node(n).entity->entity_type;
    if (!options.entity_types.empty() &&
        std::find(options.entity_types.begin(), options.entity_types.end(), type) ==
            options.entity_types.end()) {
      continue;
    }
    ++result.total;
    if (result.neighbours.size() >= options.limit) continue;
    const Reached& r = *reached.Find(n);
    Neighbour nb;
    nb.distance = r.distance;
    nb.forward = r.forward;
    if (options.summaries_only) {
      nb.summary = g.Summarize(n);
      nb.via_id = g.edge(r.via.edge()).id.ToString();
      nb.via_type = g.edge(r.via.edge()).type;
    } else {
      nb.entity = g.Materialize(n);
      nb.via = g.MakeRelationship(r.via.edge());
    }
    result.neighbours.push_back(std::move(nb));
  }
  result.truncated = result.total > result.neighbours.size();
  return result;
}

}  // namespace funkygibbon::graph
