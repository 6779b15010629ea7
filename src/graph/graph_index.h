// The current graph in memory: every current entity version and every live
// relationship, with adjacency lists, and the read algorithms over them.
// No I/O, no SQL, no JSON-RPC.
//
// Thread-safety: not synchronized. Any number of threads may call const
// methods concurrently; mutation needs exclusive access. KnowledgeGraph
// (knowledge_graph.h) provides that locking.
#ifndef FUNKYGIBBON_GRAPH_GRAPH_INDEX_H_
#define FUNKYGIBBON_GRAPH_GRAPH_INDEX_H_

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "store/store.h"

namespace funkygibbon::graph {

using EntityPtr = std::shared_ptr<const Entity>;
using RelationshipPtr = std::shared_ptr<const Relationship>;

enum class Direction { kOut, kIn, kBoth };
std::optional<Direction> ParseDirection(std::string_view s);  // "out"|"in"|"both", any case
std::string_view ToString(Direction d);

// ---- find_path -------------------------------------------------------------
struct PathOptions {
  Direction direction = Direction::kBoth;           // which way edges may be walked
  std::vector<RelationshipType> relationship_types;  // empty = any type
  int max_depth = 10;                                // edges; capped at kMaxPathDepth
};
inline constexpr int kMaxPathDepth = 50;

// One edge of a path, without its properties and timestamps.
struct PathStep {
  std::string id;
  RelationshipType relationship_type = RelationshipType::kConnectsTo;
  std::string from_entity_id;
  std::string to_entity_id;
  bool forward = true;  // walked from_entity -> to_entity (false: against it)
};
// An entity a path passes through, without its content.
struct EntitySummary {
  std::string id;
  std::string name;
  EntityType entity_type = EntityType::kNote;
};
struct PathResult {
  bool found = false;
  std::vector<EntitySummary> nodes;  // from .. to; empty if not found
  std::vector<PathStep> edges;    // nodes.size() - 1 steps
  size_t explored = 0;            // entities visited by the search
};

// ---- neighbourhood -----------------------------------------------------------
struct NeighbourhoodOptions {
  Direction direction = Direction::kBoth;
  std::vector<RelationshipType> relationship_types;  // empty = any
  std::vector<EntityType> entity_types;              // filter on returned entities; empty = any
  int depth = 1;                                     // hops, 1..kMaxNeighbourhoodDepth
  size_t limit = 100;                                // max entities returned
  // Neighbours as summaries (Neighbour::summary, via_id, via_type) instead
  // of whole entities and relationships, which are most of the cost.
  bool summaries_only = false;
};
inline constexpr int kMaxNeighbourhoodDepth = 10;

struct Neighbour {
  EntityPtr entity;             // unless summaries_only
  int distance = 0;             // hops from the start
  RelationshipPtr via;          // the edge that first reached it (unless summaries_only)
  bool forward = true;          // direction `via` was walked
  // summaries_only: the entity's summary, and the id and type of `via`.
  EntitySummary summary;
  std::string via_id;
  RelationshipType via_type = RelationshipType::kConnectsTo;
};
struct NeighbourhoodResult {
  std::vector<Neighbour> neighbours;  // by distance, then id
  size_t total = 0;                   // matches before limit
  bool truncated = false;
};

// ---- statistics ----------------------------------------------------------------
struct GraphStatistics {
  size_t entities = 0;        // live (not deleted)
  size_t deleted_entities = 0;
  size_t relationships = 0;   // live
  std::map<std::string, size_t> entities_by_type;        // lowercase type -> count
  std::map<std::string, size_t> relationships_by_type;
  double average_degree = 0;
  size_t max_degree = 0;
  std::string max_degree_entity_id;
  size_t isolated_entities = 0;       // live entities with no live edge
  std::vector<std::string> isolated_sample;  // up to 20 ids, sorted
};

// ---- similarity ------------------------------------------------------------------
struct SimilarOptions {
  double threshold = 0.3;  // 0..1; results scoring below are dropped
  size_t limit = 10;
  std::vector<EntityType> entity_types;  // empty = any
};
struct SimilarHit {
  EntityPtr entity;
  double score = 0;  // 0..1
  std::vector<std::string> reasons;  // e.g. "same type", "shares 3 terms", "2 common neighbours"
};

// ---- query_graph -------------------------------------------------------------------
enum class FilterOp { kEq, kNe, kContains, kExists, kNotExists, kGt, kGte, kLt, kLte, kIn };
std::optional<FilterOp> ParseFilterOp(std::string_view s);  // "eq","ne","contains","exists","not_exists","gt","gte","lt","lte","in"

struct FieldFilter {
  std::string field;  // "name", "id", "entity_type", "source_type", "user_id", or a content path "content.a.b" (also plain "a.b" = content)
  FilterOp op = FilterOp::kEq;
  Json value;         // unused for exists/not_exists; array for kIn
};

struct RelationshipPattern {
  std::optional<RelationshipType> type;  // any if unset
  Direction direction = Direction::kOut;  // from the matched entity's point of view
  std::optional<EntityType> other_type;
  std::optional<std::string> other_name;  // case-insensitive equality
  std::optional<std::string> other_id;
  bool negate = false;                    // true: the entity has NO such edge
};

struct StructuredQuery {
  std::optional<EntityType> entity_type;
  std::vector<FieldFilter> filters;                 // all must hold
  std::vector<RelationshipPattern> relationships;   // all must hold
  std::string order_by = "name";                    // a field as in FieldFilter
  bool descending = false;
  size_t limit = 50;
  size_t offset = 0;
  bool include_deleted = false;
  // The page as summaries (id, name, type) instead of whole entities: no
  // entity is built, which is most of the cost of a page.
  bool summaries_only = false;
};

struct QueryResult {
  std::vector<EntityPtr> entities;       // the page (unless summaries_only)
  std::vector<EntitySummary> summaries;  // the page (summaries_only)
  size_t total = 0;  // matches before limit/offset
};

// A parsed Cypher-like statement (read-only subset), e.g.
//   MATCH (d:device)-[:located_in]->(r:room {name:"Kitchen"}) RETURN d
//   MATCH (a:automation)-[:triggered_by|automates]-(x) WHERE x.name CONTAINS "door" RETURN a, x LIMIT 5
struct CypherResult {
  std::vector<std::string> columns;              // the RETURN variables
  std::vector<std::vector<EntityPtr>> rows;      // one entity per column
  size_t total = 0;                              // rows before LIMIT/SKIP (a lower bound
                                                 // when a broad pattern was cut short
                                                 // by LIMIT, see cypher.cc)
};

namespace internal {
class EntityRecord;
struct RecordDeleter {
  void operator()(EntityRecord* r) const;
};
}  // namespace internal

// An entity already in the index's compact form: made without any lock,
// so that a writer holds exclusive access only to insert it.
class PreparedEntity {
 public:
  explicit PreparedEntity(const Entity& e);
  PreparedEntity(PreparedEntity&&) noexcept = default;
  PreparedEntity& operator=(PreparedEntity&&) noexcept = default;
  ~PreparedEntity();

 private:
  friend class GraphIndex;
  std::unique_ptr<internal::EntityRecord, internal::RecordDeleter> record_;
};

class GraphIndex {
 public:
  GraphIndex();
  ~GraphIndex();
  GraphIndex(const GraphIndex&) = delete;
  GraphIndex& operator=(const GraphIndex&) = delete;

  // ---- mutation (exclusive access) ----
  // Makes e the current version of its id (a tombstone marks it deleted:
  // it stays findable by Get but is excluded from traversal, queries,
  // statistics and listings).
  void PutEntity(EntityPtr e);
  void PutEntity(PreparedEntity e);
  // Adds or replaces an edge by id; a deleted one is removed. An edge may
  // name entities that have not arrived yet: it is kept, and walked once
  // both ends are live. Edges are stored compactly (the pointer is not kept).
  void PutRelationship(RelationshipPtr r);
  void PutRelationship(const Relationship& r);
  // Loading from a store: the entity as its stored row, without building
  // an Entity. Internal (nothing changed) if its content is not a JSON
  // object or its parent versions not an array of strings.
  Status PutEntityRow(const store::EntityRow& row);
  // After a bulk load: gives back spare capacity.
  void Compact();
  void Clear();

  // ---- reads ----
  // Entities are held compactly and every read that returns one builds a
  // fresh copy (equal to what was put, never the same pointer).

  // Current version (including tombstones), or nullptr.
  EntityPtr Get(std::string_view id) const;
  // True if id has a current version that is not a tombstone; cheaper than
  // Get (nothing is built).
  bool IsLive(std::string_view id) const;
  // Id, name and type of the current version (tombstones included), without
  // building the entity; nullopt if there is none.
  std::optional<EntitySummary> GetSummary(std::string_view id) const;
  // Appends the JSON text of the current version of id (tombstones
  // included), exactly as mcp::DumpJson(ToJson(*Get(id))) writes it, read
  // in place (no Entity is built); *deleted (if given) tells whether it is a
  // tombstone. False, with nothing appended, if there is none.
  bool AppendEntityJson(std::string_view id, std::string* out, bool* deleted = nullptr) const;
  // The edge (not deleted), or nullptr. A fresh copy on every call.
  RelationshipPtr GetRelationship(std::string_view id) const;
  size_t entity_count() const;        // live only
  size_t relationship_count() const;  // every stored (not deleted) edge, even one whose
                                      // other end is deleted or not yet known; Statistics()
                                      // counts only edges between live entities

  // Live (not deleted) edges touching id, whatever the state of the other
  // end, sorted by (relationship type name, other id, edge id).
  std::vector<RelationshipPtr> Outgoing(std::string_view id) const;
  std::vector<RelationshipPtr> Incoming(std::string_view id) const;
  // Entries [offset, offset + limit) of Outgoing / Incoming, building only
  // those; *total is how many there are in all.
  std::vector<RelationshipPtr> OutgoingPage(std::string_view id, size_t offset, size_t limit,
                                            size_t* total) const;
  std::vector<RelationshipPtr> IncomingPage(std::string_view id, size_t offset, size_t limit,
                                            size_t* total) const;
  // One entry of such a page, read in place: the views last only for the
  // call of the visitor they are passed to.
  struct EdgeBrief {
    std::string_view id, from_entity_id, to_entity_id;
    RelationshipType relationship_type = RelationshipType::kConnectsTo;
    const Json* properties = nullptr;  // never null: {} for an edge without any
    // The end that is not the listed entity (itself for a self-loop), with
    // the name and type of its current version if one has arrived.
    std::string_view other_id, other_name;
    EntityType other_type = EntityType::kNote;
    bool other_known = false;
  };
  // Calls visit for the entries [offset, offset + limit) of Outgoing(id)
  // (outgoing) or Incoming(id), in the same order, building no
  // Relationship; returns how many entries there are in all.
  size_t VisitEdgePage(std::string_view id, bool outgoing, size_t offset, size_t limit,
                       const std::function<void(const EdgeBrief&)>& visit) const;

  // Live entities, sorted by id; optional type filter; paging by id cursor
  // (entities with id > after).
  std::vector<EntityPtr> List(std::optional<EntityType> type, std::string_view after,
                              size_t limit) const;

  // Live entities whose name equals (case-insensitive) `name`; optional type.
  std::vector<EntityPtr> FindByName(std::string_view name, std::optional<EntityType> type) const;

  // Ids and names starting with prefix (case-insensitive), up to limit, for completion.
  std::vector<std::string> CompleteIds(std::string_view prefix, size_t limit) const;
  std::vector<std::string> CompleteNames(std::string_view prefix, size_t limit) const;

  // Every current entity (tombstones included) sorted by id, for export and state digests.
  std::vector<EntityPtr> AllEntities() const;
  // Every live (not deleted) relationship sorted by id, including edges
  // whose ends are deleted or not yet known.
  std::vector<RelationshipPtr> AllRelationships() const;

  // Shortest path by BFS; ties broken by (relationship type, neighbour id, edge id)
  // so the answer is deterministic. NotFound if an endpoint is unknown or deleted;
  // "no path" is found=false with OK status. max_depth < 1 is InvalidArgument;
  // above kMaxPathDepth it is capped. Details in find_path.cc.
  StatusOr<PathResult> FindPath(std::string_view from, std::string_view to,
                                const PathOptions& options) const;

  StatusOr<NeighbourhoodResult> Neighbourhood(std::string_view id,
                                              const NeighbourhoodOptions& options) const;

  GraphStatistics Statistics() const;

  // Entities like `id`: blends term overlap of name+content (cosine over
  // term sets), same type, and shared neighbours (weights in similarity.cc).
  // Only entities sharing a term or a neighbour are candidates. NotFound if
  // id is unknown or deleted; InvalidArgument if threshold is outside 0..1.
  StatusOr<std::vector<SimilarHit>> FindSimilar(std::string_view id,
                                                const SimilarOptions& options) const;

  // Operator semantics (case, numbers, missing fields) are in field.h.
  // InvalidArgument for a bad field path, operand or a limit above 1000.
  StatusOr<QueryResult> Query(const StructuredQuery& query) const;

  // Parses and runs a Cypher-like statement. InvalidArgument with the
  // position and what was expected on a syntax error; anything that would
  // write (CREATE, MERGE, SET, DELETE, REMOVE) is rejected. Grammar in
  // cypher_parser.h; planning, limits and ResourceExhausted in cypher.cc.
  StatusOr<CypherResult> RunCypher(std::string_view statement, size_t max_rows) const;

 private:
  struct Impl;  // defined in graph_data.h (this private section may change freely)
  std::unique_ptr<Impl> impl_;
};

}  // namespace funkygibbon::graph

#endif  // FUNKYGIBBON_GRAPH_GRAPH_INDEX_H_
