#include "bench/bench_data.h"

#include <array>
#include <cstdio>
#include <random>
#include <utility>

#include "core/version.h"
#include "core/vocabulary.h"
#include "store/store.h"

namespace funkygibbon::bench {
namespace {

// A home holds mostly devices, then notes, rooms and documents; the weights
// follow AllEntityTypes() order (home, room, device, zone, door, window,
// procedure, manual, note, schedule, automation, app).
constexpr std::array<int, 12> kTypeWeights = {1, 10, 35, 3, 5, 5, 8, 8, 10, 5, 8, 2};

constexpr std::array<const char*, 8> kPlaces = {"Kitchen", "Hall",   "Bedroom",  "Office",
                                                "Garage",  "Loft",   "Bathroom", "Cellar"};
constexpr std::array<const char*, 8> kThings = {"Lamp", "Thermostat", "Sensor", "Plug",
                                                "Speaker", "Camera", "Lock", "Blind"};
constexpr std::array<const char*, 6> kMakers = {"Acme", "Philips", "Ikea", "Bosch", "Eve", "Nest"};

// 2026-06-15T09:41:02+00:00: a fixed base keeps versions comparable between runs.
constexpr Micros kBaseTime = 1781516462000000;

std::string NameFor(size_t i, std::mt19937_64& rng) {
  return std::string(kPlaces[rng() % kPlaces.size()]) + " " + kThings[rng() % kThings.size()] +
         " " + std::to_string(i);
}

// About 90 bytes once serialized.
Json ContentFor(size_t i, std::mt19937_64& rng) {
  return Json{{"manufacturer", kMakers[rng() % kMakers.size()]},
              {"model", "M-" + std::to_string(1000 + rng() % 9000)},
              {"note", "Keyword " + KeywordOf(i) + ", installed 2024, checked monthly."}};
}

// allowed[from][to]: relationship types allowed between the two entity types.
using AllowedTable = std::vector<std::vector<std::vector<RelationshipType>>>;

AllowedTable BuildAllowed() {
  const auto types = AllEntityTypes();
  AllowedTable t(types.size(), std::vector<std::vector<RelationshipType>>(types.size()));
  for (size_t a = 0; a < types.size(); ++a) {
    for (size_t b = 0; b < types.size(); ++b) t[a][b] = AllowedRelationships(types[a], types[b]);
  }
  return t;
}

}  // namespace

std::string KeywordOf(size_t i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "kw%07zu", i);
  return buf;
}

GraphCatalog GenerateGraph(const GraphSpec& spec, const std::function<void(Entity&&)>& on_entity,
                           const std::function<void(Relationship&&)>& on_relationship) {
  std::mt19937_64 rng(spec.seed);
  const auto types = AllEntityTypes();
  std::discrete_distribution<size_t> pick_type(kTypeWeights.begin(), kTypeWeights.end());
  GraphCatalog cat;
  cat.ids.reserve(spec.entities);
  cat.names.reserve(spec.entities);
  cat.types.reserve(spec.entities);
  std::vector<size_t> type_index;
  std::vector<std::string> versions;
  type_index.reserve(spec.entities);
  versions.reserve(spec.entities);
  for (size_t i = 0; i < spec.entities; ++i) {
    Entity e;
    e.id = NewUuid();
    const size_t t = pick_type(rng);
    e.entity_type = types[t];
    e.name = NameFor(i, rng);
    e.content = ContentFor(i, rng);
    e.source_type = SourceType::kGenerated;
    e.user_id = "bench";
    e.created_at = FormatTimestamp(kBaseTime + static_cast<Micros>(i) * 1000);
    e.updated_at = e.created_at;
    e.version = e.created_at + "-000001-bench";
    cat.ids.push_back(e.id);
    cat.names.push_back(e.name);
    cat.types.push_back(e.entity_type);
    type_index.push_back(t);
    versions.push_back(e.version);
    on_entity(std::move(e));
  }
  if (spec.entities < 2) return cat;
  const AllowedTable allowed = BuildAllowed();
  const std::string rel_time = FormatTimestamp(kBaseTime + static_cast<Micros>(spec.entities) * 1000);
  for (size_t j = 0; j < spec.relationships; ++j) {
    size_t a = 0, b = 0;
    const std::vector<RelationshipType>* options = nullptr;
    // Most random type pairs have an allowed relationship; retry the rest.
    do {
      a = rng() % spec.entities;
      b = rng() % spec.entities;
      options = &allowed[type_index[a]][type_index[b]];
    } while (a == b || options->empty());
    Relationship r;
    r.id = NewUuid();
    r.from_entity_id = cat.ids[a];
    r.from_entity_version = versions[a];
    r.to_entity_id = cat.ids[b];
    r.to_entity_version = versions[b];
    r.relationship_type = (*options)[rng() % options->size()];
    r.user_id = "bench";
    r.created_at = rel_time;
    r.updated_at = rel_time;
    on_relationship(std::move(r));
  }
  return cat;
}

StatusOr<GraphCatalog> FillGraph(graph::KnowledgeGraph& kg, const GraphSpec& spec,
                                 size_t batch_size) {
  store::WriteBatch batch;
  Status status;
  auto flush = [&] {
    if (!status.ok() || batch.empty()) return;
    auto done = kg.CommitBatch(batch);
    if (!done.ok()) status = done.status();
    batch = store::WriteBatch();
  };
  GraphCatalog cat = GenerateGraph(
      spec,
      [&](Entity&& e) {
        batch.entities.push_back({std::move(e), true});
        if (batch.entities.size() >= batch_size) flush();
      },
      [&](Relationship&& r) {
        // Every entity is committed before the first edge names it.
        if (!batch.entities.empty()) flush();
        batch.relationships.push_back(std::move(r));
        if (batch.relationships.size() >= batch_size) flush();
      });
  flush();
  RETURN_IF_ERROR(status);
  return cat;
}

StatusOr<FilledGraph> MakeFilledGraph(const std::string& path, const GraphSpec& spec) {
  ASSIGN_OR_RETURN(std::unique_ptr<store::Store> store,
                   store::OpenSqliteStore(store::StoreOptions{}, path));
  FilledGraph out;
  ASSIGN_OR_RETURN(out.graph, graph::KnowledgeGraph::Open(std::move(store)));
  ASSIGN_OR_RETURN(out.catalog, FillGraph(*out.graph, spec));
  return out;
}

}  // namespace funkygibbon::bench
