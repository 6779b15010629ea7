// FindPath: bidirectional BFS for the distance, then a greedy walk that picks
// the canonical shortest path.
//
// Canonical path: among all shortest paths, the one whose steps, compared
// one by one from the start, are smallest by (relationship type name,
// neighbour id, edge id). That is exactly the path a plain BFS would give if
// it expanded neighbours in that order and kept the first discoverer, but
// the bidirectional search touches ~2*sqrt of the nodes a one-sided BFS
// touches on a random graph, and nothing has to be sorted during the search.
//
// How the walk stays on shortest paths: when the two searches meet we know
// complete forward levels 0..F (fd = distance from the start) and complete
// backward levels 0..B (bd = distance to the target), and the distance is
// d = F + B + 1. A node u with fd(u) = i < F is on a shortest path iff it
// has a step to a node at fd = i + 1 that is; a node at fd = F is iff it
// has a step to a node with bd = B. Past that, any step that lowers bd by
// one stays on a shortest path. "Good" is computed lazily and memoized.
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

struct Visit {
  int16_t fd = -1;    // distance from the start, -1 = not reached
  int16_t bd = -1;    // distance to the target, -1 = not reached
  int8_t good = -1;   // on a shortest path: -1 unknown, 0 no, 1 yes
};

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

struct Step {
  Adj adj;
  bool forward;
};

// How far ahead of the expansion a level's nodes, then their edge blocks,
// are prefetched (see GraphData::PrefetchNode).
constexpr size_t kPrefetchNode = 8;
constexpr size_t kPrefetchSteps = 4;
// How many of a node's next-level steps Good() prefetches at once.
constexpr size_t kGoodBatch = 16;

class PathSearch {
 public:
  PathSearch(const GraphData& g, Direction dir, uint16_t mask) : g_(g), dir_(dir), mask_(mask) {}

  // Runs the search; true if s and t are within max_depth of each other.
  bool Meet(uint32_t s, uint32_t t, int max_depth) {
    std::vector<uint32_t> fq{s}, bq{t};
    visits_.Insert(s).first->fd = 0;
    visits_.Insert(t).first->bd = 0;
    size_t f_begin = 0, b_begin = 0;
    const Direction rdir = Reverse(dir_);
    while (F_ + B_ < max_depth) {
      const size_t f_size = fq.size() - f_begin, b_size = bq.size() - b_begin;
      if (f_size == 0 || b_size == 0) return false;
      const bool forward = f_size <= b_size;
      std::vector<uint32_t>& q = forward ? fq : bq;
      const size_t begin = forward ? f_begin : b_begin;
      const size_t end = q.size();
      const int16_t next = static_cast<int16_t>((forward ? F_ : B_) + 1);
      bool met = false;
      for (size_t i = begin; i < end && !met; ++i) {
        if (i + kPrefetchNode < end) g_.PrefetchNode(q[i + kPrefetchNode]);
        if (i + kPrefetchSteps < end) g_.PrefetchSteps(q[i + kPrefetchSteps]);
        g_.ForEachStep(q[i], forward ? dir_ : rdir, mask_, [&](const Adj& a, bool) {
          Visit* v = visits_.Insert(a.node).first;
          int16_t& mine = forward ? v->fd : v->bd;
          const int16_t other = forward ? v->bd : v->fd;
          if (mine >= 0) return true;
          if (other >= 0) {
            met = true;
            return false;
          }
          mine = next;
          q.push_back(a.node);
          return true;
        });
      }
      if (met) return true;
      if (forward) {
        f_begin = end;
        ++F_;
      } else {
        b_begin = end;
        ++B_;
      }
    }
    return false;
  }

  // After Meet() returned true: the canonical shortest path.
  void Walk(uint32_t s, std::vector<uint32_t>* nodes, std::vector<Step>* steps) {
    uint32_t u = s;
    nodes->push_back(u);
    std::vector<Step> cands;
    for (int i = 0; i < F_; ++i) {
      Collect(u, [&](uint32_t w) {
        const Visit* v = visits_.Find(w);
        return v != nullptr && v->fd == i + 1;
      }, &cands);
      const Step* pick = nullptr;
      for (const Step& c : cands) {
        if (Good(c.adj.node, i + 1)) {
          pick = &c;
          break;
        }
      }
      if (pick == nullptr) return;  // cannot happen: s is good
      steps->push_back(*pick);
      u = pick->adj.node;
      nodes->push_back(u);
    }
    // From fd = F onto bd = B, then down bd = B-1 .. 0 (the target).
    for (int want = B_; want >= 0; --want) {
      Collect(u, [&](uint32_t w) {
        const Visit* v = visits_.Find(w);
        return v != nullptr && v->bd == want;
      }, &cands);
      if (cands.empty()) return;  // cannot happen
      steps->push_back(cands.front());
      u = cands.front().adj.node;
      nodes->push_back(u);
    }
  }

  size_t explored() const { return visits_.size(); }

 private:
  // Steps from u whose other end passes keep(), sorted by the tie-break key.
  template <typename Keep>
  void Collect(uint32_t u, const Keep& keep, std::vector<Step>* out) const {
    out->clear();
    g_.ForEachStep(u, dir_, mask_, [&](const Adj& a, bool forward) {
      if (keep(a.node)) out->push_back(Step{a, forward});
      return true;
    });
    std::sort(out->begin(), out->end(),
              [this](const Step& a, const Step& b) { return g_.AdjLess(a.adj, b.adj); });
  }

  bool Good(uint32_t n, int level) {
    Visit* v = visits_.Find(n);
    if (v->good >= 0) return v->good == 1;
    bool good = false;
    if (level == F_) {
      g_.ForEachStep(n, dir_, mask_, [&](const Adj& a, bool) {
        const Visit* w = visits_.Find(a.node);
        good = w != nullptr && w->bd == B_;
        return !good;
      });
    } else {
      // The next level's nodes among n's steps, their nodes and then their
      // edge blocks prefetched before any is looked into (the recursion
      // would otherwise wait on each in turn). Past kGoodBatch of them, the
      // rest are looked into as they come, unprefetched.
      uint32_t next[kGoodBatch];
      size_t count = 0;
      g_.ForEachStep(n, dir_, mask_, [&](const Adj& a, bool) {
        const Visit* w = visits_.Find(a.node);
        if (w == nullptr || w->fd != level + 1 || w->good == 0) return true;
        if (count == kGoodBatch) {
          good = Good(a.node, level + 1);
          return !good;
        }
        next[count++] = a.node;
        g_.PrefetchNode(a.node);
        return true;
      });
      for (size_t i = 0; i < count && !good; ++i) g_.PrefetchSteps(next[i]);
      for (size_t i = 0; i < count && !good; ++i) good = Good(next[i], level + 1);
    }
    visits_.Find(n)->good = good ? 1 : 0;  // Find never moves slots
    return good;
  }

  const GraphData& g_;
  const Direction dir_;
  const uint16_t mask_;
  // Room for ~1,000 nodes before the first growth: on a random graph of
  // 100k entities with ~4 edges each a search visits ~600.
  internal::NodeMap<Visit> visits_{1024};
  int F_ = 0;  // complete forward levels 0..F_
  int B_ = 0;  // complete backward levels 0..B_
};

}  // namespace

StatusOr<PathResult> GraphIndex::FindPath(std::string_view from, std::string_view to,
                                          const PathOptions& options) const {
  if (options.max_depth < 1) {
    return Status::InvalidArgument("max_depth must be at least 1 (it is capped at " +
                                   std::to_string(kMaxPathDepth) + "); got " +
                                   std::to_string(options.max_depth));
  }
  const int max_depth = std::min(options.max_depth, kMaxPathDepth);
  const GraphData& g = *impl_;
  const uint32_t s = g.FindLiveNode(from);
  if (s == kNone) return Status::NotFound("entity '" + std::string(from) + "' not found");
  const uint32_t t = g.FindLiveNode(to);
  if (t == kNone) return Status::NotFound("entity '" + std::string(to) + "' not found");

  PathResult result;
  if (s == t) {
    result.found = true;
    result.nodes.push_back(g.Summarize(s));
    result.explored = 1;
    return result;
  }
  PathSearch search(g, options.direction, internal::TypeMask(options.relationship_types));
  const bool met = search.Meet(s, t, max_depth);
  result.explored = search.explored();
  if (!met) return result;
  std::vector<uint32_t> nodes;
  std::vector<Step> steps;
  search.Walk(s, &nodes, &steps);
  if (nodes.empty() || nodes.back() != t) {
    return Status::Internal("find_path: could not rebuild the path it found");
  }
  result.found = true;
  result.nodes.reserve(nodes.size());
  for (uint32_t n : nodes) result.nodes.push_back(g.Summarize(n));
  result.edges.reserve(steps.size());
  for (const Step& st : steps) {
    const internal::EdgeRec& e = g.edge(st.adj.edge());
    result.edges.push_back(PathStep{e.id.ToString(), e.type, std::string(g.NodeId(e.from)),
                                    std::string(g.NodeId(e.to)), st.forward});
  }
  return result;
}

}  // namespace funkygibbon::graph
