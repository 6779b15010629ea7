// Query: the structured form of query_graph (StructuredQuery).
//
// Candidates come from the narrowest index available: an `id eq` filter (one
// lookup), a `name eq` filter (the name index), the entity type (per-type
// index), else every live entity. Filters and relationship patterns are then
// checked per candidate; ordering is by order_by with missing values last,
// ties by id.
#include <algorithm>
#include <string>
#include <vector>

#include "graph/field.h"
#include "graph/graph_data.h"
#include "graph/graph_index.h"

namespace funkygibbon::graph {
namespace {

using internal::Adj;
using internal::FieldPath;
using internal::GraphData;
using internal::kNone;

constexpr size_t kMaxQueryLimit = 1000;

struct Filter {
  FieldPath field;
  internal::MatchOp op;
  Json value;
};

bool PatternHolds(const GraphData& g, uint32_t n, const RelationshipPattern& p) {
  const uint16_t mask = p.type ? internal::TypeMask({*p.type}) : 0xFFFF;
  const bool any = !g.ForEachStep(n, p.direction, mask, [&](const Adj& a, bool) {
    const Entity& other = *g.node(a.node).entity;
    if (p.other_type && other.entity_type != *p.other_type) return true;
    if (p.other_id && other.id != *p.other_id) return true;
    if (p.other_name && !internal::EqualsIgnoreCase(other.name, *p.other_name)) return true;
    return false;  // found one: stop
  });
  return p.negate ? !any : any;
}

}  // namespace

StatusOr<QueryResult> GraphIndex::Query(const StructuredQuery& query) const {
  if (query.limit > kMaxQueryLimit) {
    return Status::InvalidArgument("limit must be between 0 and " +
                                   std::to_string(kMaxQueryLimit) + "; got " +
                                   std::to_string(query.limit));
  }
  std::vector<Filter> filters;
  for (const FieldFilter& ff : query.filters) {
    ASSIGN_OR_RETURN(FieldPath field, internal::ParseFieldPath(ff.field));
    const internal::MatchOp op = internal::ToMatchOp(ff.op);
    RETURN_IF_ERROR(internal::CheckOperand(field, op, ff.value));
    filters.push_back(Filter{std::move(field), op, ff.value});
  }
  ASSIGN_OR_RETURN(const FieldPath order,
                   internal::ParseFieldPath(query.order_by.empty() ? "name" : query.order_by));

  const GraphData& g = *impl_;
  // Pick the candidate source.
  std::vector<uint32_t> candidates;
  bool from_index = false;
  for (const Filter& f : filters) {
    if (f.op != internal::MatchOp::kEq || !f.value.is_string()) continue;
    const std::string& v = f.value.get_ref<const std::string&>();
    if (f.field.kind == internal::FieldKind::kId) {
      const uint32_t n = g.FindNode(v);
      candidates.clear();
      if (n != kNone && g.node(n).entity) candidates.push_back(n);
      from_index = true;
      break;
    }
    if (f.field.kind == internal::FieldKind::kName && !from_index) {
      auto [lo, hi] = g.name_set().equal_range(internal::NameKey{v});
      candidates.assign(lo, hi);
      from_index = true;
      // A deleted entity is not in the name index: scan tombstones too.
      if (query.include_deleted) {
        for (uint32_t n : g.deleted_set()) {
          if (internal::EqualsIgnoreCase(g.node(n).entity->name, v)) candidates.push_back(n);
        }
      }
    }
  }
  auto visit = [&](auto&& fn) {
    if (from_index) {
      for (uint32_t n : candidates) fn(n);
      return;
    }
    for (uint32_t n : query.entity_type ? g.type_set(*query.entity_type) : g.live_set()) fn(n);
    if (query.include_deleted) {
      for (uint32_t n : g.deleted_set()) fn(n);
    }
  };

  std::vector<uint32_t> matches;
  visit([&](uint32_t n) {
    const Entity& e = *g.node(n).entity;
    if (!query.include_deleted && !g.live(n)) return;
    if (query.entity_type && e.entity_type != *query.entity_type) return;
    for (const Filter& f : filters) {
      if (!internal::Matches(internal::GetField(e, f.field), f.field, f.op, f.value)) return;
    }
    for (const RelationshipPattern& p : query.relationships) {
      if (!PatternHolds(g, n, p)) return;
    }
    matches.push_back(n);
  });

  auto less = [&](uint32_t a, uint32_t b) {
    const Entity& ea = *g.node(a).entity;
    const Entity& eb = *g.node(b).entity;
    const internal::FieldValue va = internal::GetField(ea, order);
    const internal::FieldValue vb = internal::GetField(eb, order);
    const bool ma = internal::IsMissing(va), mb = internal::IsMissing(vb);
    if (ma != mb) return mb;  // missing values last, either direction
    if (!ma) {
      const int c = internal::CompareForOrder(va, vb);
      if (c != 0) return query.descending ? c > 0 : c < 0;
    }
    return ea.id < eb.id;
  };
  QueryResult result;
  result.total = matches.size();
  const size_t begin = std::min(query.offset, matches.size());
  const size_t end = begin + std::min(query.limit, matches.size() - begin);
  if (end > begin) {
    std::partial_sort(matches.begin(), matches.begin() + static_cast<std::ptrdiff_t>(end),
                      matches.end(), less);
  }
  for (size_t i = begin; i < end; ++i) result.entities.push_back(g.node(matches[i]).entity);
  return result;
}

}  // namespace funkygibbon::graph
