// Realistic home graphs for the benchmarks: UUID ids, canonical versions,
// wire timestamps, a name and about 90 bytes of content per entity, and
// relationships whose types are allowed between their endpoints' types.
// Deterministic in the seed except for the UUIDs (which are random, as in
// production), so two runs walk graphs of the same shape.
//
// Thread-safety: plain functions; the generator is not shared.
#ifndef FUNKYGIBBON_BENCH_BENCH_DATA_H_
#define FUNKYGIBBON_BENCH_BENCH_DATA_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "graph/knowledge_graph.h"

namespace funkygibbon::bench {

struct GraphSpec {
  size_t entities = 1000;
  size_t relationships = 2000;
  uint64_t seed = 42;
};

// What the benchmarks need to pick targets: ids, names and keywords by index.
struct GraphCatalog {
  std::vector<std::string> ids;
  std::vector<std::string> names;
  std::vector<EntityType> types;
};

// The unique word in entity i's content ("kw0001234"), for search benchmarks.
std::string KeywordOf(size_t i);

// Calls on_entity for every entity, then on_relationship for every
// relationship (both endpoints already emitted). Returns the catalog.
GraphCatalog GenerateGraph(const GraphSpec& spec, const std::function<void(Entity&&)>& on_entity,
                           const std::function<void(Relationship&&)>& on_relationship);

// Writes a generated graph through KnowledgeGraph::CommitBatch in batches
// (entities first), so the store and the index end up as a server's would.
StatusOr<GraphCatalog> FillGraph(graph::KnowledgeGraph& kg, const GraphSpec& spec,
                                 size_t batch_size = 10000);

// Opens (creating) a SQLite store at path (":memory:" works) and fills it.
struct FilledGraph {
  std::unique_ptr<graph::KnowledgeGraph> graph;
  GraphCatalog catalog;
};
StatusOr<FilledGraph> MakeFilledGraph(const std::string& path, const GraphSpec& spec);

}  // namespace funkygibbon::bench

#endif  // FUNKYGIBBON_BENCH_BENCH_DATA_H_
