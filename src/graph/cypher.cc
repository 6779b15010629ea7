// RunCypher: plans and matches a parsed CypherQuery (cypher_parser.h).
//
// Plan: bind the most selective node first (an {id: ...} is one lookup, a
// {name: ...} uses the name index, a type uses the per-type index, anything
// else is every live entity), then repeatedly expand along a relationship
// from a bound node to the unbound node with the fewest candidates; a
// relationship whose two ends are already bound is checked. Disconnected
// pattern parts start a new scan (a cartesian product, paid for by the
// budget). Each relationship binds a distinct edge (Cypher's relationship
// uniqueness); nodes may repeat.
//
// Rows are distinct and ordered by the returned entities' ids unless ORDER
// BY says otherwise. Work is counted (candidates scanned plus edges looked
// at); past kWorkBudget the query fails with ResourceExhausted, except that
// when no ORDER BY is given it is retried with the first returned variable
// as the outer loop in id order, stopping once SKIP + LIMIT (or max_rows)
// + 1 rows are known. `total` is then that lower bound: it says that more
// rows exist without counting them all.
#include <algorithm>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "graph/cypher_parser.h"
#include "graph/field.h"
#include "graph/graph_data.h"
#include "graph/graph_index.h"

namespace funkygibbon::graph {
namespace {

using internal::Adj;
using internal::CypherNode;
using internal::CypherQuery;
using internal::CypherRel;
using internal::GraphData;
using internal::kNone;

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
// Fuzzing builds (fuzz/) run over an 11-entity graph under ASan, where 2M
// steps take seconds: smaller limits reach the same over-budget paths
// thousands of times faster.
constexpr size_t kWorkBudget = 20'000;
constexpr size_t kMaxDistinctRows = 1'000;
#else
constexpr size_t kWorkBudget = 2'000'000;
constexpr size_t kMaxDistinctRows = 100'000;
#endif

Direction Reverse(Direction d) {
  if (d == Direction::kOut) return Direction::kIn;
  if (d == Direction::kIn) return Direction::kOut;
  return Direction::kBoth;
}

// Where a node's candidates come from.
struct Source {
  enum class Kind { kNothing, kSingle, kName, kType, kAll };
  Kind kind = Kind::kAll;
  uint32_t single = kNone;
  std::string name;
  EntityType type = EntityType::kNote;
  size_t estimate = 0;
};

Source PickSource(const GraphData& g, const CypherNode& n) {
  Source s;
  if (n.impossible) {
    s.kind = Source::Kind::kNothing;
    return s;
  }
  for (const internal::CypherCond& c : n.conds) {
    if (c.op == internal::MatchOp::kEq && c.field.kind == internal::FieldKind::kId) {
      s.kind = Source::Kind::kSingle;
      s.single = c.value.is_string() ? g.FindLiveNode(c.value.get_ref<const std::string&>()) : kNone;
      s.estimate = s.single == kNone ? 0 : 1;
      return s;
    }
  }
  for (const internal::CypherCond& c : n.conds) {
    if (c.op == internal::MatchOp::kEq && c.field.kind == internal::FieldKind::kName &&
        c.value.is_string()) {
      s.kind = Source::Kind::kName;
      s.name = c.value.get<std::string>();
      auto [lo, hi] = g.name_set().equal_range(internal::NameKey{s.name});
      s.estimate = static_cast<size_t>(std::distance(lo, hi));
      return s;
    }
  }
  if (n.type) {
    s.kind = Source::Kind::kType;
    s.type = *n.type;
    s.estimate = g.type_set(*n.type).size();
    return s;
  }
  s.kind = Source::Kind::kAll;
  s.estimate = g.live_entities();
  return s;
}

// Calls f(node) for the candidates of s in id order until f returns false.
template <typename F>
void ForEachCandidate(const GraphData& g, const Source& s, F&& f) {
  switch (s.kind) {
    case Source::Kind::kNothing:
      return;
    case Source::Kind::kSingle:
      if (s.single != kNone) f(s.single);
      return;
    case Source::Kind::kName: {
      auto [lo, hi] = g.name_set().equal_range(internal::NameKey{s.name});
      for (auto it = lo; it != hi; ++it) {
        if (!f(*it)) return;
      }
      return;
    }
    case Source::Kind::kType:
      for (uint32_t n : g.type_set(s.type)) {
        if (!f(n)) return;
      }
      return;
    case Source::Kind::kAll:
      for (uint32_t n : g.live_set()) {
        if (!f(n)) return;
      }
      return;
  }
}

struct PlanStep {
  enum class Kind { kScan, kExpand, kCheck };
  Kind kind = Kind::kScan;
  uint32_t node = 0;    // kScan: the node; kExpand: the node it binds
  uint32_t rel = 0;     // kExpand / kCheck
  bool from_a = true;   // kExpand: walk from rel.a (else from rel.b)
};

std::vector<PlanStep> MakePlan(const CypherQuery& q, const std::vector<Source>& sources,
                               std::optional<uint32_t> first) {
  const size_t n = q.nodes.size();
  std::vector<bool> bound(n, false), done(q.rels.size(), false);
  std::vector<PlanStep> plan;
  auto add_checks = [&] {
    for (uint32_t r = 0; r < q.rels.size(); ++r) {
      if (!done[r] && bound[q.rels[r].a] && bound[q.rels[r].b]) {
        done[r] = true;
        plan.push_back(PlanStep{PlanStep::Kind::kCheck, 0, r, true});
      }
    }
  };
  auto scan = [&](uint32_t node) {
    bound[node] = true;
    plan.push_back(PlanStep{PlanStep::Kind::kScan, node, 0, true});
    add_checks();
  };
  if (first) scan(*first);
  while (true) {
    // Expand along a relationship with exactly one bound end, to the
    // cheapest unbound node.
    std::optional<uint32_t> best_rel;
    uint32_t best_node = 0;
    for (uint32_t r = 0; r < q.rels.size(); ++r) {
      const CypherRel& rel = q.rels[r];
      if (done[r] || bound[rel.a] == bound[rel.b]) continue;
      const uint32_t other = bound[rel.a] ? rel.b : rel.a;
      if (!best_rel || sources[other].estimate < sources[best_node].estimate) {
        best_rel = r;
        best_node = other;
      }
    }
    if (best_rel) {
      const bool from_a = q.rels[*best_rel].b == best_node;
      done[*best_rel] = true;
      bound[best_node] = true;
      plan.push_back(PlanStep{PlanStep::Kind::kExpand, best_node, *best_rel, from_a});
      add_checks();
      continue;
    }
    std::optional<uint32_t> cheapest;
    for (uint32_t i = 0; i < n; ++i) {
      if (!bound[i] && (!cheapest || sources[i].estimate < sources[*cheapest].estimate)) cheapest = i;
    }
    if (!cheapest) break;
    scan(*cheapest);
  }
  return plan;
}

class Matcher {
 public:
  Matcher(const GraphData& g, const CypherQuery& q, const std::vector<Source>& sources,
          std::vector<PlanStep> plan)
      : g_(g), q_(q), sources_(sources), plan_(std::move(plan)),
        binding_(q.nodes.size(), kNone), edges_(q.rels.size(), kNone) {}

  enum class Outcome { kDone, kOverBudget, kTooManyRows };

  // Finds every distinct row (up to kMaxDistinctRows).
  Outcome RunAll() {
    Exec(0);
    Compact();
    if (outcome_ == Outcome::kDone && rows_.size() / Stride() > kMaxDistinctRows) {
      outcome_ = Outcome::kTooManyRows;
    }
    return outcome_;
  }

  // plan_[0] must scan the first returned variable (in id order). Keeps the
  // `target` smallest rows in id order and stops after the first outer
  // candidate that leaves `target` rows kept: every later row sorts after
  // them.
  Outcome RunFirst(size_t target) {
    early_target_ = target;
    Exec(0);
    rows_.clear();
    for (const std::vector<uint32_t>& row : kept_) rows_.insert(rows_.end(), row.begin(), row.end());
    return outcome_;
  }

  // Distinct rows, flat (Stride() node numbers per row).
  std::vector<uint32_t>& rows() { return rows_; }
  size_t Stride() const { return q_.returns.size(); }

 private:
  bool Spend() {
    if (++work_ > kWorkBudget) {
      outcome_ = Outcome::kOverBudget;
      return false;
    }
    return true;
  }

  bool NodeOk(uint32_t qn, uint32_t n) const {
    const CypherNode& cn = q_.nodes[qn];
    const internal::EntityView e = *g_.node(n).entity;
    if (cn.type && e.entity_type != *cn.type) return false;
    for (const internal::CypherCond& c : cn.conds) {
      if (!internal::Matches(internal::GetField(e, c.field), c.field, c.op, c.value)) return false;
    }
    return true;
  }

  bool EdgeUsed(uint32_t e) const {
    for (uint32_t x : edges_) {
      if (x == e) return true;
    }
    return false;
  }

  void Exec(size_t i) {
    if (outcome_ != Outcome::kDone) return;
    if (i == plan_.size()) {
      Emit();
      return;
    }
    const PlanStep& st = plan_[i];
    switch (st.kind) {
      case PlanStep::Kind::kScan:
        ForEachCandidate(g_, sources_[st.node], [&](uint32_t n) {
          if (!Spend()) return false;
          if (!NodeOk(st.node, n)) return true;
          binding_[st.node] = n;
          Exec(i + 1);
          binding_[st.node] = kNone;
          if (i == 0 && early_target_ > 0 && kept_.size() >= early_target_) return false;
          return outcome_ == Outcome::kDone;
        });
        return;
      case PlanStep::Kind::kExpand: {
        const CypherRel& r = q_.rels[st.rel];
        const uint32_t from_q = st.from_a ? r.a : r.b;
        const Direction d = st.from_a ? r.dir : Reverse(r.dir);
        g_.ForEachStep(binding_[from_q], d, r.mask, [&](const Adj& a, bool) {
          if (!Spend()) return false;
          if (EdgeUsed(a.edge()) || !NodeOk(st.node, a.node)) return true;
          binding_[st.node] = a.node;
          edges_[st.rel] = a.edge();
          Exec(i + 1);
          edges_[st.rel] = kNone;
          binding_[st.node] = kNone;
          return outcome_ == Outcome::kDone;
        });
        return;
      }
      case PlanStep::Kind::kCheck: {
        const CypherRel& r = q_.rels[st.rel];
        uint32_t u = binding_[r.a], v = binding_[r.b];
        Direction d = r.dir;
        const internal::Node& nu = g_.node(u);
        const internal::Node& nv = g_.node(v);
        if (nv.adj.size() < nu.adj.size()) {
          std::swap(u, v);
          d = Reverse(d);
        }
        g_.ForEachStep(u, d, r.mask, [&](const Adj& a, bool) {
          if (!Spend()) return false;
          if (a.node != v || EdgeUsed(a.edge())) return true;
          edges_[st.rel] = a.edge();
          Exec(i + 1);
          edges_[st.rel] = kNone;
          return outcome_ == Outcome::kDone;
        });
        return;
      }
    }
  }

  void Emit() {
    if (early_target_ > 0) {
      std::vector<uint32_t> row;
      row.reserve(Stride());
      for (uint32_t r : q_.returns) row.push_back(binding_[r]);
      kept_.insert(std::move(row));
      if (kept_.size() > early_target_) kept_.erase(std::prev(kept_.end()));
      return;
    }
    for (uint32_t r : q_.returns) rows_.push_back(binding_[r]);
    if (rows_.size() / Stride() >= next_compact_) {
      Compact();
      if (rows_.size() / Stride() > kMaxDistinctRows) {
        outcome_ = Outcome::kTooManyRows;
        return;
      }
      next_compact_ = std::max<size_t>(4096, 2 * (rows_.size() / Stride()));
    }
  }

  // Sorts rows by node numbers and drops duplicates.
  void Compact() {
    const size_t k = Stride();
    const size_t count = rows_.size() / k;
    if (count < 2) return;
    std::vector<uint32_t> order(count);
    for (uint32_t i = 0; i < count; ++i) order[i] = i;
    auto row_less = [&](uint32_t a, uint32_t b) {
      return std::lexicographical_compare(rows_.begin() + a * k, rows_.begin() + (a + 1) * k,
                                          rows_.begin() + b * k, rows_.begin() + (b + 1) * k);
    };
    std::sort(order.begin(), order.end(), row_less);
    std::vector<uint32_t> out;
    out.reserve(rows_.size());
    for (size_t i = 0; i < count; ++i) {
      const uint32_t r = order[i];
      if (i > 0 && std::equal(rows_.begin() + r * k, rows_.begin() + (r + 1) * k,
                              rows_.begin() + order[i - 1] * k)) {
        continue;
      }
      out.insert(out.end(), rows_.begin() + r * k, rows_.begin() + (r + 1) * k);
    }
    rows_.swap(out);
  }

  // Orders rows by the ids of their entities, column by column.
  struct RowLess {
    const GraphData* g;
    bool operator()(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) const {
      for (size_t c = 0; c < a.size(); ++c) {
        if (a[c] == b[c]) continue;
        return g->NodeId(a[c]) < g->NodeId(b[c]);
      }
      return false;
    }
  };

  const GraphData& g_;
  const CypherQuery& q_;
  const std::vector<Source>& sources_;
  const std::vector<PlanStep> plan_;
  std::vector<uint32_t> binding_;
  std::vector<uint32_t> edges_;
  std::vector<uint32_t> rows_;
  size_t work_ = 0;
  size_t next_compact_ = 4096;
  size_t early_target_ = 0;
  std::set<std::vector<uint32_t>, RowLess> kept_{RowLess{&g_}};
  Outcome outcome_ = Outcome::kDone;
};

Status TooBroad() {
  return Status::ResourceExhausted(
      "query_graph: the pattern matches too much of the graph (over " +
      std::to_string(kWorkBudget) + " steps or " + std::to_string(kMaxDistinctRows) +
      " rows); give nodes a type such as (d:device), a {name: \"...\"} or {id: \"...\"}, add "
      "WHERE conditions, or add a LIMIT (without ORDER BY)");
}

}  // namespace

StatusOr<CypherResult> GraphIndex::RunCypher(std::string_view statement, size_t max_rows) const {
  ASSIGN_OR_RETURN(const CypherQuery q, internal::ParseCypher(statement));
  const GraphData& g = *impl_;
  std::vector<Source> sources;
  sources.reserve(q.nodes.size());
  for (const CypherNode& n : q.nodes) sources.push_back(PickSource(g, n));

  Matcher first(g, q, sources, MakePlan(q, sources, std::nullopt));
  Matcher::Outcome outcome = first.RunAll();
  Matcher* used = &first;
  std::optional<Matcher> retry;
  if (outcome != Matcher::Outcome::kDone) {
    if (!q.order.empty()) return TooBroad();
    const size_t want = std::min(q.limit.value_or(max_rows), max_rows);
    const size_t skip = q.skip.value_or(0);
    if (want >= kMaxDistinctRows || skip >= kMaxDistinctRows) return TooBroad();
    retry.emplace(g, q, sources, MakePlan(q, sources, q.returns.front()));
    if (retry->RunFirst(skip + want + 1) != Matcher::Outcome::kDone) return TooBroad();
    used = &*retry;
  }

  std::vector<uint32_t>& flat = used->rows();
  const size_t k = used->Stride();
  const size_t count = flat.size() / k;
  std::vector<uint32_t> order(count);
  for (uint32_t i = 0; i < count; ++i) order[i] = i;
  auto id_of = [&](uint32_t row, size_t col) { return g.NodeId(flat[row * k + col]); };
  auto col_of = [&](uint32_t node) {
    for (size_t c = 0; c < q.returns.size(); ++c) {
      if (q.returns[c] == node) return c;
    }
    return size_t{0};
  };
  auto less = [&](uint32_t a, uint32_t b) {
    for (const internal::CypherOrder& o : q.order) {
      const size_t c = col_of(o.node);
      const internal::EntityView ea = *g.node(flat[a * k + c]).entity;
      const internal::EntityView eb = *g.node(flat[b * k + c]).entity;
      const internal::FieldValue va = internal::GetField(ea, o.field);
      const internal::FieldValue vb = internal::GetField(eb, o.field);
      const bool ma = internal::IsMissing(va), mb = internal::IsMissing(vb);
      if (ma != mb) return mb;  // missing values last
      if (ma) continue;
      const int cmp = internal::CompareForOrder(va, vb);
      if (cmp != 0) return o.descending ? cmp > 0 : cmp < 0;
    }
    for (size_t c = 0; c < k; ++c) {
      const std::string_view ia = id_of(a, c), ib = id_of(b, c);
      if (ia != ib) return ia < ib;
    }
    return false;
  };
  CypherResult result;
  result.columns = q.columns;
  result.total = count;
  const size_t begin = std::min(q.skip.value_or(0), count);
  const size_t take = std::min({q.limit.value_or(count), max_rows, count - begin});
  if (take > 0) {
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(begin + take),
                      order.end(), less);
  }
  result.rows.reserve(take);
  // An entity often appears in many rows: build each one once.
  internal::NodeMap<EntityPtr> made(take * k);
  for (size_t i = begin; i < begin + take; ++i) {
    std::vector<EntityPtr> row;
    row.reserve(k);
    for (size_t c = 0; c < k; ++c) {
      const uint32_t n = flat[order[i] * k + c];
      EntityPtr& e = *made.Insert(n).first;
      if (!e) e = g.Materialize(n);
      row.push_back(e);
    }
    result.rows.push_back(std::move(row));
  }
  return result;
}

}  // namespace funkygibbon::graph
