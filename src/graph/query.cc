// Query: the structured form of query_graph (StructuredQuery).
//
// Candidates come from the narrowest index available: an `id eq` filter (one
// lookup); else the smallest of a `name eq` filter (the name index) and the
// neighbours of the entity a relationship pattern names (other_id or
// other_name: its adjacency lists, walked backwards); else the entity type
// (per-type index), else every live entity. Filters and relationship
// patterns are then checked per candidate; ordering is by order_by with
// missing values last, ties by id, and only the requested page is sorted
// (a partial sort of offset + limit), or, in name order, read off the name
// index (FirstByName). Liveness and type come from per-node bytes, and the
// filters and patterns run over a candidate list that is prefetched ahead.
//
// A pattern anchor gives every possible match: a pattern holds only over an
// edge to a live entity that is (one of) the anchor(s), so every match is
// at the near end of an anchor's edges.
#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <string_view>
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
  // For `contains` with a string on a plain string field (name, id, ...):
  // the value lower-cased once, matched by ContainsFolded. Empty otherwise.
  std::optional<std::string> folded;
};

// Case-insensitive (ASCII) substring test against an already lower-cased
// needle: the common `name contains` filter of a scan, so it must be cheap.
bool ContainsFolded(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > haystack.size()) return false;
  const char first = needle[0];
  const size_t last = haystack.size() - needle.size();
  for (size_t i = 0; i <= last; ++i) {
    if (internal::LowerAscii(haystack[i]) != first) continue;
    size_t k = 1;
    while (k < needle.size() && internal::LowerAscii(haystack[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

bool FilterHolds(const internal::EntityView& e, const Filter& f) {
  const internal::FieldValue v = internal::GetField(e, f.field);
  if (f.folded && v.kind == internal::FieldValue::Kind::kString) {
    return ContainsFolded(v.str, *f.folded);
  }
  return internal::Matches(v, f.field, f.op, f.value);
}

bool PatternHolds(const GraphData& g, uint32_t n, const RelationshipPattern& p) {
  const uint16_t mask = p.type ? internal::TypeMask({*p.type}) : 0xFFFF;
  const bool any = !g.ForEachStep(n, p.direction, mask, [&](const Adj& a, bool) {
    // The type from the node's byte: the other entity is read only when
    // the pattern names it.
    if (p.other_type && g.type(a.node) != *p.other_type) return true;
    if (p.other_id || p.other_name) {
      const internal::EntityView other = *g.node(a.node).entity;
      if (p.other_id && other.id != *p.other_id) return true;
      if (p.other_name && !internal::EqualsIgnoreCase(other.name, *p.other_name)) return true;
    }
    return false;  // found one: stop
  });
  return p.negate ? !any : any;
}

Direction Reverse(Direction d) {
  switch (d) {
    case Direction::kOut:
      return Direction::kIn;
    case Direction::kIn:
      return Direction::kOut;
    case Direction::kBoth:
      return Direction::kBoth;
  }
  return Direction::kBoth;
}

// The live entities a pattern's other end can be: the one with other_id, or
// those named other_name. Empty when the pattern names neither.
std::vector<uint32_t> PatternAnchors(const GraphData& g, const RelationshipPattern& p) {
  std::vector<uint32_t> anchors;
  if (p.other_id) {
    const uint32_t n = g.FindNode(*p.other_id);
    if (n != kNone && g.live(n)) anchors.push_back(n);
  } else if (p.other_name) {
    auto [lo, hi] = g.name_set().equal_range(internal::NameKey{*p.other_name});
    anchors.assign(lo, hi);
  }
  return anchors;
}

// Whether a pattern can supply the candidates (see the file comment).
bool IsAnchoredPattern(const RelationshipPattern& p) {
  return !p.negate && (p.other_id || p.other_name);
}

// An upper bound of the candidates a pattern anchor yields: its anchors'
// adjacency list lengths, without walking them.
size_t AnchorCost(const GraphData& g, const std::vector<uint32_t>& anchors) {
  size_t cost = 0;
  for (uint32_t a : anchors) cost += g.node(a).adj.size();
  return cost;
}

// The entities at the near end of pattern p's edges to `anchors`, each once
// (tombstones included: an include_deleted query may match one whose edges
// are still in the graph).
std::vector<uint32_t> PatternCandidates(const GraphData& g, const RelationshipPattern& p,
                                        const std::vector<uint32_t>& anchors) {
  const uint16_t mask = p.type ? internal::TypeMask({*p.type}) : 0xFFFF;
  const Direction back = Reverse(p.direction);
  std::vector<uint32_t> out;
  const auto take = [&](std::span<const Adj> edges) {
    for (const Adj& adj : edges) {
      if (internal::MaskHas(mask, adj.type()) && g.node(adj.node).entity) out.push_back(adj.node);
    }
  };
  for (uint32_t a : anchors) {
    if (back != Direction::kIn) take(g.node(a).adj.out());
    if (back != Direction::kOut) take(g.node(a).adj.in());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Adds node n to the page: a summary, or the whole entity.
void AddToPage(const GraphData& g, uint32_t n, const StructuredQuery& query, QueryResult* result) {
  if (query.summaries_only) {
    result->summaries.push_back(g.Summarize(n));
  } else {
    result->entities.push_back(g.Materialize(n));
  }
}

// The first `count` live nodes for which is_match holds, in the order of
// `less` by name (case-folded name, then the exact name, then id), found by
// walking the name index, which holds live nodes by (case-folded name, id):
// its first `count` matches, plus any further ones whose folded name equals
// the last of them (the index orders those by id, `less` by exact name
// first), sorted by `less`. Reads no entity of a node that is not a match,
// where a sort of a large match set reads two per comparison. Gives up
// (nullopt) after `budget` steps (matches all late in the name order), for
// the caller's partial sort.
template <typename IsMatch, typename Less>
std::optional<std::vector<uint32_t>> FirstByName(const GraphData& g, size_t count,
                                                 const IsMatch& is_match, size_t budget,
                                                 const Less& less) {
  std::vector<uint32_t> head;
  head.reserve(count + 8);
  std::string_view last_name;
  for (uint32_t n : g.name_set()) {
    if (budget-- == 0) return std::nullopt;
    if (!is_match(n)) continue;
    if (head.size() >= count) {
      const std::string_view name = g.node(n).entity.get()->name();
      if (!internal::EqualsIgnoreCase(name, last_name)) break;
    }
    head.push_back(n);
    if (head.size() == count) last_name = g.node(n).entity.get()->name();
  }
  // Every match is a live node, so the index holds them all; fewer would
  // mean the callers' sets and the index disagree: sort instead.
  if (head.size() < count) return std::nullopt;
  std::sort(head.begin(), head.end(), less);
  head.resize(std::min(head.size(), count));
  return head;
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
    Filter f{std::move(field), op, ff.value, std::nullopt};
    if (op == internal::MatchOp::kContains && ff.value.is_string() &&
        f.field.kind != internal::FieldKind::kContent) {
      f.folded = internal::ToLowerAscii(ff.value.get_ref<const std::string&>());
    }
    filters.push_back(std::move(f));
  }
  ASSIGN_OR_RETURN(const FieldPath order,
                   internal::ParseFieldPath(query.order_by.empty() ? "name" : query.order_by));

  const GraphData& g = *impl_;
  // Pick the candidate source.
  std::vector<uint32_t> candidates;
  bool from_index = false;
  bool by_id = false;
  for (const Filter& f : filters) {
    if (f.op != internal::MatchOp::kEq || !f.value.is_string()) continue;
    const std::string& v = f.value.get_ref<const std::string&>();
    if (f.field.kind == internal::FieldKind::kId) {
      const uint32_t n = g.FindNode(v);
      candidates.clear();
      if (n != kNone && g.node(n).entity) candidates.push_back(n);
      from_index = by_id = true;
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
  if (!from_index) {
    // A `name contains` filter of three bytes or more: the live names
    // having its rarest trigram, if fewer than the scan would visit.
    for (const Filter& f : filters) {
      if (f.op != internal::MatchOp::kContains || !f.folded || f.folded->size() < 3 ||
          f.field.kind != internal::FieldKind::kName) {
        continue;
      }
      g.EnsureNameGrams();
      const std::vector<uint32_t>* grams = g.NameGramCandidates(*f.folded);
      const size_t scan = query.entity_type ? g.type_set(*query.entity_type).size()
                                            : g.live_set().size();
      if (grams == nullptr || grams->size() >= scan) continue;
      if (!from_index || grams->size() < candidates.size()) {
        candidates = *grams;
        from_index = true;
      }
    }
    // A deleted entity is not in the trigram index: check tombstones too.
    if (from_index && query.include_deleted) {
      for (uint32_t n : g.deleted_set()) candidates.push_back(n);
    }
  }
  if (!by_id) {
    // The cheapest pattern anchor, if it beats what we have.
    const RelationshipPattern* best = nullptr;
    std::vector<uint32_t> best_anchors;
    size_t best_cost = from_index ? candidates.size()
                       : query.entity_type ? g.type_set(*query.entity_type).size()
                                           : g.live_set().size();
    for (const RelationshipPattern& p : query.relationships) {
      if (!IsAnchoredPattern(p)) continue;
      std::vector<uint32_t> anchors = PatternAnchors(g, p);
      const size_t cost = AnchorCost(g, anchors);
      if (cost < best_cost) {
        best = &p;
        best_cost = cost;
        best_anchors = std::move(anchors);
      }
    }
    if (best != nullptr) {
      candidates = PatternCandidates(g, *best, best_anchors);
      from_index = true;
    }
  }
  auto less = [&](uint32_t a, uint32_t b) {
    const internal::EntityView ea = *g.node(a).entity;
    const internal::EntityView eb = *g.node(b).entity;
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
  auto page_of = [&](size_t total) {
    const size_t begin = std::min(query.offset, total);
    return std::make_pair(begin, begin + std::min(query.limit, total - begin));
  };
  const bool by_name = order.kind == internal::FieldKind::kName && !query.descending;

  // Every live entity (of the type) matches: the total is the set's size,
  // and a page in name order is read off the name index, without listing
  // the matches (at 100k entities, "every device by name" took 24 ms so).
  if (!from_index && filters.empty() && query.relationships.empty() && !query.include_deleted &&
      by_name) {
    const internal::IdSet& set = query.entity_type ? g.type_set(*query.entity_type) : g.live_set();
    const auto [begin, end] = page_of(set.size());
    std::optional<std::vector<uint32_t>> head;
    if (end > begin) {
      head = FirstByName(
          g, end,
          [&](uint32_t n) { return !query.entity_type || g.type(n) == *query.entity_type; },
          32 * set.size() + 1024, less);
    }
    if (end <= begin || head) {
      result.total = set.size();
      for (size_t i = begin; i < end; ++i) AddToPage(g, (*head)[i], query, &result);
      return result;
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

  // The candidates that pass the liveness and type checks, from per-node
  // bytes: one that fails them costs no read of its entity.
  std::vector<uint32_t> matches;
  visit([&](uint32_t n) {
    if (!query.include_deleted && !g.live(n)) return;
    if (query.entity_type && g.type(n) != *query.entity_type) return;
    matches.push_back(n);
  });
  // Then the filters, on each entity, and the patterns, on each one's edges.
  // At 100k entities each of those reads starts with cache misses (the node,
  // then its entity record or edge block), so they are fetched a few
  // candidates ahead: the node first, then what it points to.
  constexpr size_t kNodeAhead = 16, kDataAhead = 8;
  auto keep_if = [&](auto&& prefetch_data, auto&& holds) {
    size_t kept = 0;
    for (size_t i = 0; i < matches.size(); ++i) {
      if (i + kNodeAhead < matches.size()) g.PrefetchNode(matches[i + kNodeAhead]);
      if (i + kDataAhead < matches.size()) prefetch_data(matches[i + kDataAhead]);
      const uint32_t n = matches[i];
      if (holds(n)) matches[kept++] = n;
    }
    matches.resize(kept);
  };
  if (!filters.empty()) {
    keep_if([&](uint32_t n) { __builtin_prefetch(g.node(n).entity.get()); },
            [&](uint32_t n) {
              const internal::EntityView e = *g.node(n).entity;
              for (const Filter& f : filters) {
                if (!FilterHolds(e, f)) return false;
              }
              return true;
            });
  }
  if (!query.relationships.empty()) {
    keep_if([&](uint32_t n) { g.PrefetchSteps(n); },
            [&](uint32_t n) {
              for (const RelationshipPattern& p : query.relationships) {
                if (!PatternHolds(g, n, p)) return false;
              }
              return true;
            });
  }

  result.total = matches.size();
  const auto [begin, end] = page_of(matches.size());
  if (end > begin) {
    std::optional<std::vector<uint32_t>> head;
    if (by_name && !query.include_deleted && matches.size() > 2 * end) {
      std::vector<uint8_t> is_match(g.node_count(), 0);
      for (uint32_t n : matches) is_match[n] = 1;
      head = FirstByName(
          g, end, [&](uint32_t n) { return is_match[n] != 0; }, 32 * matches.size() + 1024, less);
    }
    if (head) {
      matches = std::move(*head);
    } else {
      std::partial_sort(matches.begin(), matches.begin() + static_cast<std::ptrdiff_t>(end),
                        matches.end(), less);
    }
  }
  for (size_t i = begin; i < end; ++i) AddToPage(g, matches[i], query, &result);
  return result;
}

}  // namespace funkygibbon::graph
