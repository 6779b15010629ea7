// GraphIndex: mutation, lookups, listings and completion. The read
// algorithms live in find_path.cc, neighbourhood.cc, statistics.cc,
// similarity.cc, query.cc and cypher.cc.
#include "graph/graph_index.h"

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include "graph/graph_data.h"

namespace funkygibbon::graph {

using internal::Adj;
using internal::kNone;

std::optional<Direction> ParseDirection(std::string_view s) {
  if (internal::EqualsIgnoreCase(s, "out")) return Direction::kOut;
  if (internal::EqualsIgnoreCase(s, "in")) return Direction::kIn;
  if (internal::EqualsIgnoreCase(s, "both")) return Direction::kBoth;
  return std::nullopt;
}

std::string_view ToString(Direction d) {
  switch (d) {
    case Direction::kOut:
      return "out";
    case Direction::kIn:
      return "in";
    case Direction::kBoth:
      return "both";
  }
  return "both";
}

std::optional<FilterOp> ParseFilterOp(std::string_view s) {
  static constexpr std::pair<std::string_view, FilterOp> kOps[] = {
      {"eq", FilterOp::kEq},         {"ne", FilterOp::kNe},
      {"contains", FilterOp::kContains}, {"exists", FilterOp::kExists},
      {"not_exists", FilterOp::kNotExists}, {"gt", FilterOp::kGt},
      {"gte", FilterOp::kGte},       {"lt", FilterOp::kLt},
      {"lte", FilterOp::kLte},       {"in", FilterOp::kIn}};
  for (const auto& [name, op] : kOps) {
    if (internal::EqualsIgnoreCase(s, name)) return op;
  }
  return std::nullopt;
}

GraphIndex::GraphIndex() : impl_(std::make_unique<Impl>()) {}

GraphIndex::~GraphIndex() = default;

PreparedEntity::PreparedEntity(const Entity& e) : record_(internal::EntityRecord::Make(e)) {}
PreparedEntity::~PreparedEntity() = default;

void GraphIndex::PutEntity(EntityPtr e) {
  if (e) impl_->PutEntity(internal::EntityRecord::Make(*e));
}

void GraphIndex::PutEntity(PreparedEntity e) { impl_->PutEntity(std::move(e.record_)); }

Status GraphIndex::PutEntityRow(const store::EntityRow& row) {
  ASSIGN_OR_RETURN(internal::RecordPtr r, internal::EntityRecord::FromRow(row));
  impl_->PutEntity(std::move(r));
  return Status::Ok();
}

void GraphIndex::PutRelationship(RelationshipPtr r) {
  if (r) impl_->PutRelationship(*r);
}

void GraphIndex::PutRelationship(const Relationship& r) { impl_->PutRelationship(r); }

void GraphIndex::Compact() { impl_->Compact(); }

void GraphIndex::Clear() { impl_ = std::make_unique<Impl>(); }

EntityPtr GraphIndex::Get(std::string_view id) const {
  const uint32_t n = impl_->FindNode(id);
  return n == kNone ? nullptr : impl_->Materialize(n);
}

bool GraphIndex::IsLive(std::string_view id) const { return impl_->FindLiveNode(id) != kNone; }

std::optional<EntitySummary> GraphIndex::GetSummary(std::string_view id) const {
  const uint32_t n = impl_->FindNode(id);
  if (n == kNone || impl_->node(n).entity.get() == nullptr) return std::nullopt;
  return impl_->Summarize(n);
}

bool GraphIndex::AppendEntityJson(std::string_view id, std::string* out, bool* deleted) const {
  const uint32_t n = impl_->FindNode(id);
  if (n == kNone) return false;
  const internal::EntityRecord* record = impl_->node(n).entity.get();
  if (record == nullptr) return false;
  if (deleted != nullptr) *deleted = record->deleted();
  record->AppendJson(out);
  return true;
}

RelationshipPtr GraphIndex::GetRelationship(std::string_view id) const {
  const uint32_t e = impl_->FindEdge(id);
  return e == kNone ? nullptr : impl_->MakeRelationship(e);
}

size_t GraphIndex::entity_count() const { return impl_->live_entities(); }

size_t GraphIndex::relationship_count() const { return impl_->stored_edges(); }

namespace {

// Entries [offset, offset + limit) of the edges of `id` (out or in), in
// (type name, other id, edge id) order, built as relationships; only that
// prefix of the order is sorted. *total is how many edges there are.
// Entries [offset, offset + limit) of node id's outgoing or incoming list,
// sorted by (relationship type name, other id, edge id); *total is how many
// the list holds in all (0 for an unknown id, with *node kNone).
std::vector<Adj> SortedPage(const internal::GraphData& g, std::string_view id, bool outgoing,
                            size_t offset, size_t limit, size_t* total, uint32_t* node) {
  const uint32_t n = g.FindNode(id);
  *node = n;
  *total = 0;
  if (n == kNone) return {};
  const std::span<const Adj> adj = outgoing ? g.node(n).adj.out() : g.node(n).adj.in();
  *total = adj.size();
  const size_t begin = std::min(offset, adj.size());
  const size_t end = begin + std::min(limit, adj.size() - begin);
  if (begin == end) return {};
  std::vector<Adj> sorted(adj.begin(), adj.end());
  std::partial_sort(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(end), sorted.end(),
                    [&g](const Adj& a, const Adj& b) { return g.AdjLess(a, b); });
  sorted.erase(sorted.begin() + static_cast<std::ptrdiff_t>(end), sorted.end());
  sorted.erase(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(begin));
  return sorted;
}

std::vector<RelationshipPtr> SortedEdges(const internal::GraphData& g, std::string_view id,
                                         bool outgoing, size_t offset, size_t limit,
                                         size_t* total) {
  uint32_t n = kNone;
  std::vector<RelationshipPtr> out;
  for (const Adj& a : SortedPage(g, id, outgoing, offset, limit, total, &n)) {
    out.push_back(g.MakeRelationship(a.edge()));
  }
  return out;
}

}  // namespace

size_t GraphIndex::VisitEdgePage(std::string_view id, bool outgoing, size_t offset, size_t limit,
                                 const std::function<void(const EdgeBrief&)>& visit) const {
  const internal::GraphData& g = *impl_;
  size_t total = 0;
  uint32_t n = kNone;
  static const Json kNoProperties = Json::object();
  internal::PackedString::Buffer buf;
  for (const Adj& a : SortedPage(g, id, outgoing, offset, limit, &total, &n)) {
    const internal::EdgeRec& rec = g.edge(a.edge());
    EdgeBrief b;
    b.id = rec.id.View(&buf);
    b.from_entity_id = g.NodeId(rec.from);
    b.to_entity_id = g.NodeId(rec.to);
    b.relationship_type = rec.type;
    b.properties = rec.wire.properties();
    if (b.properties == nullptr) b.properties = &kNoProperties;
    const uint32_t other = rec.from == n ? rec.to : rec.from;
    b.other_id = g.NodeId(other);
    if (g.node(other).entity) {
      const internal::EntityView v = *g.node(other).entity;
      b.other_name = v.name;
      b.other_type = v.entity_type;
      b.other_known = true;
    }
    visit(b);
  }
  return total;
}

std::vector<RelationshipPtr> GraphIndex::Outgoing(std::string_view id) const {
  size_t total = 0;
  return SortedEdges(*impl_, id, /*outgoing=*/true, 0, SIZE_MAX, &total);
}

std::vector<RelationshipPtr> GraphIndex::Incoming(std::string_view id) const {
  size_t total = 0;
  return SortedEdges(*impl_, id, /*outgoing=*/false, 0, SIZE_MAX, &total);
}

std::vector<RelationshipPtr> GraphIndex::OutgoingPage(std::string_view id, size_t offset,
                                                      size_t limit, size_t* total) const {
  return SortedEdges(*impl_, id, /*outgoing=*/true, offset, limit, total);
}

std::vector<RelationshipPtr> GraphIndex::IncomingPage(std::string_view id, size_t offset,
                                                      size_t limit, size_t* total) const {
  return SortedEdges(*impl_, id, /*outgoing=*/false, offset, limit, total);
}

std::vector<EntityPtr> GraphIndex::List(std::optional<EntityType> type, std::string_view after,
                                        size_t limit) const {
  const internal::IdSet& set = type ? impl_->type_set(*type) : impl_->live_set();
  std::vector<EntityPtr> out;
  for (auto it = set.upper_bound(after); it != set.end() && out.size() < limit; ++it) {
    out.push_back(impl_->Materialize(*it));
  }
  return out;
}

std::vector<EntityPtr> GraphIndex::FindByName(std::string_view name,
                                              std::optional<EntityType> type) const {
  std::vector<EntityPtr> out;
  auto [lo, hi] = impl_->name_set().equal_range(internal::NameKey{name});
  for (auto it = lo; it != hi; ++it) {
    if (!type || impl_->node(*it).entity->entity_type == *type) {
      out.push_back(impl_->Materialize(*it));
    }
  }
  return out;  // equal names are ordered by id
}

namespace {

// Ids in `set` (byte order) that start with `prefix` ignoring case. Ids are
// ordered by bytes, so each case spelling of the prefix is its own range;
// only spellings that some id actually starts with are explored.
void CollectIdPrefix(const internal::GraphData& g, const internal::IdSet& set,
                     std::string_view prefix, std::string& spelled, size_t limit,
                     std::vector<std::string>* out) {
  auto starts = [&](uint32_t n) { return g.NodeId(n).substr(0, spelled.size()) == spelled; };
  if (spelled.size() == prefix.size()) {
    size_t taken = 0;
    for (auto it = set.lower_bound(std::string_view(spelled));
         it != set.end() && taken < limit && starts(*it); ++it, ++taken) {
      out->push_back(std::string(g.NodeId(*it)));
    }
    return;
  }
  const char c = prefix[spelled.size()];
  char variants[2] = {c, c};
  int count = 1;
  if (c >= 'a' && c <= 'z') {
    variants[1] = static_cast<char>(c - 'a' + 'A');
    count = 2;
  } else if (c >= 'A' && c <= 'Z') {
    variants[1] = static_cast<char>(c - 'A' + 'a');
    count = 2;
  }
  for (int i = 0; i < count; ++i) {
    spelled.push_back(variants[i]);
    auto it = set.lower_bound(std::string_view(spelled));
    if (it != set.end() && starts(*it)) CollectIdPrefix(g, set, prefix, spelled, limit, out);
    spelled.pop_back();
  }
}

}  // namespace

std::vector<std::string> GraphIndex::CompleteIds(std::string_view prefix, size_t limit) const {
  std::vector<std::string> out;
  if (limit == 0) return out;
  std::string spelled;
  CollectIdPrefix(*impl_, impl_->live_set(), prefix, spelled, limit, &out);
  std::sort(out.begin(), out.end());
  if (out.size() > limit) out.resize(limit);
  return out;
}

std::vector<std::string> GraphIndex::CompleteNames(std::string_view prefix, size_t limit) const {
  std::vector<std::string> out;
  const internal::NameSet& set = impl_->name_set();
  auto it = set.lower_bound(internal::NameKey{prefix});
  while (it != set.end() && out.size() < limit) {
    const std::string_view name = impl_->node(*it).entity->name;
    if (!internal::StartsWithIgnoreCase(name, prefix)) break;
    out.emplace_back(name);
    // Skip the other entities with the same (case-folded) name.
    it = set.upper_bound(internal::NameKey{name});
  }
  return out;
}

std::vector<EntityPtr> GraphIndex::AllEntities() const {
  std::vector<uint32_t> nodes;
  nodes.reserve(impl_->live_entities() + impl_->deleted_entities());
  for (size_t n = 0; n < impl_->node_slots(); ++n) {
    if (impl_->node(static_cast<uint32_t>(n)).entity) nodes.push_back(static_cast<uint32_t>(n));
  }
  std::sort(nodes.begin(), nodes.end(),
            [this](uint32_t a, uint32_t b) { return impl_->NodeId(a) < impl_->NodeId(b); });
  std::vector<EntityPtr> out;
  out.reserve(nodes.size());
  for (uint32_t n : nodes) out.push_back(impl_->Materialize(n));
  return out;
}

std::vector<RelationshipPtr> GraphIndex::AllRelationships() const {
  std::vector<uint32_t> ids;
  ids.reserve(impl_->stored_edges());
  for (size_t e = 0; e < impl_->edge_slots(); ++e) {
    if (impl_->edge(static_cast<uint32_t>(e)).used()) ids.push_back(static_cast<uint32_t>(e));
  }
  std::sort(ids.begin(), ids.end(),
            [this](uint32_t a, uint32_t b) { return impl_->CompareEdgeIds(a, b) < 0; });
  std::vector<RelationshipPtr> out;
  out.reserve(ids.size());
  for (uint32_t e : ids) out.push_back(impl_->MakeRelationship(e));
  return out;
}

}  // namespace funkygibbon::graph
