// FindSimilar.
//
//   score = 0.60 * text + 0.25 * neighbours + 0.15 * same_type
//
//   text       cosine of the two term sets: |A & B| / sqrt(|A| * |B|), over
//              the lowercased words of name + flattened content (stop words,
//              one-letter words and pure numbers dropped; SimilarityTerms).
//   neighbours cosine of the two sets of live neighbours (any edge, either
//              direction).
//   same_type  1 if the entity types are equal.
//
// Candidates are the entities that share at least one term or one neighbour
// with the target (an inverted term index keeps this proportional to what
// they share, not to the graph). Terms carried by more than kBroadTerm
// entities, and neighbours with more than kBroadDegree edges, still count
// in the scores but do not nominate candidates on their own.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "graph/graph_data.h"
#include "graph/graph_index.h"

namespace funkygibbon::graph {
namespace {

using internal::Adj;
using internal::GraphData;
using internal::kNone;

constexpr double kTextWeight = 0.60;
constexpr double kNeighbourWeight = 0.25;
constexpr double kTypeWeight = 0.15;
constexpr size_t kBroadTerm = 5000;
constexpr size_t kBroadDegree = 5000;

struct Candidate {
  uint32_t shared_terms = 0;
  uint32_t shared_neighbours = 0;
  uint32_t last_neighbour = kNone;  // the neighbour that last counted this one
};

// Distinct live neighbours of n, sorted.
std::vector<uint32_t> Neighbours(const GraphData& g, uint32_t n) {
  std::vector<uint32_t> out;
  g.ForEachStep(n, Direction::kBoth, 0xFFFF, [&](const Adj& a, bool) {
    if (a.node != n) out.push_back(a.node);
    return true;
  });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool Adjacent(const GraphData& g, uint32_t a, uint32_t b) {
  return !g.ForEachStep(a, Direction::kBoth, 0xFFFF,
                        [&](const Adj& x, bool) { return x.node != b; });
}

}  // namespace

StatusOr<std::vector<SimilarHit>> GraphIndex::FindSimilar(std::string_view id,
                                                          const SimilarOptions& options) const {
  if (!(options.threshold >= 0.0 && options.threshold <= 1.0)) {
    return Status::InvalidArgument("threshold must be between 0 and 1");
  }
  const GraphData& g = *impl_;
  const uint32_t target = g.FindLiveNode(id);
  if (target == kNone) return Status::NotFound("entity '" + std::string(id) + "' not found");
  const internal::EntityView te = *g.node(target).entity;
  g.EnsureTerms();

  internal::NodeMap<Candidate> cands(256);
  // (a) terms.
  const std::vector<std::string> terms = internal::SimilarityTerms(*te.record);
  std::vector<const std::vector<uint32_t>*> postings;
  std::vector<const std::vector<uint32_t>*> broad_terms;
  for (const std::string& t : terms) {
    const std::vector<uint32_t>* p = g.Postings(t);
    postings.push_back(p);
    if (p == nullptr) continue;
    if (p->size() > kBroadTerm) {
      broad_terms.push_back(p);
      continue;
    }
    for (uint32_t n : *p) {
      if (n != target) ++cands.Insert(n).first->shared_terms;
    }
  }
  // (c) shared neighbours.
  const std::vector<uint32_t> mine = Neighbours(g, target);
  std::vector<uint32_t> broad_neighbours;
  for (uint32_t x : mine) {
    const internal::Node& nx = g.node(x);
    if (nx.adj.size() > kBroadDegree) {
      broad_neighbours.push_back(x);
      continue;
    }
    g.ForEachStep(x, Direction::kBoth, 0xFFFF, [&](const Adj& a, bool) {
      if (a.node == target || a.node == x) return true;
      Candidate* c = cands.Insert(a.node).first;
      if (c->last_neighbour != x) {
        c->last_neighbour = x;
        ++c->shared_neighbours;
      }
      return true;
    });
  }

  struct Scored {
    uint32_t node;
    double score;
    uint32_t shared_terms;
    uint32_t shared_neighbours;
  };
  std::vector<Scored> scored;
  auto consider = [&](uint32_t n, Candidate c) {
    const internal::EntityView e = *g.node(n).entity;
    if (!options.entity_types.empty() &&
        std::find(options.entity_types.begin(), options.entity_types.end(), e.entity_type) ==
            options.entity_types.end()) {
      return;
    }
    for (const std::vector<uint32_t>* p : broad_terms) {
      if (std::binary_search(p->begin(), p->end(), n)) ++c.shared_terms;
    }
    for (uint32_t x : broad_neighbours) {
      if (Adjacent(g, n, x)) ++c.shared_neighbours;
    }
    double text = 0;
    const uint32_t their_terms = g.term_count(n);
    if (c.shared_terms > 0 && their_terms > 0 && !terms.empty()) {
      text = c.shared_terms / std::sqrt(static_cast<double>(terms.size()) * their_terms);
    }
    double neighbours = 0;
    if (c.shared_neighbours > 0) {
      const size_t theirs = Neighbours(g, n).size();
      neighbours = c.shared_neighbours /
                   std::sqrt(static_cast<double>(mine.size()) * static_cast<double>(theirs));
    }
    const double same_type = e.entity_type == te.entity_type ? 1.0 : 0.0;
    double score = kTextWeight * std::min(text, 1.0) + kNeighbourWeight * std::min(neighbours, 1.0) +
                   kTypeWeight * same_type;
    score = std::clamp(score, 0.0, 1.0);
    if (score >= options.threshold) {
      scored.push_back(Scored{n, score, c.shared_terms, c.shared_neighbours});
    }
  };
  cands.ForEach([&](uint32_t n, const Candidate& c) {
    if (g.live(n)) consider(n, c);
  });

  std::sort(scored.begin(), scored.end(), [&g](const Scored& a, const Scored& b) {
    if (a.score != b.score) return a.score > b.score;
    return g.NodeId(a.node) < g.NodeId(b.node);
  });
  if (scored.size() > options.limit) scored.resize(options.limit);

  std::vector<SimilarHit> hits;
  hits.reserve(scored.size());
  for (const Scored& s : scored) {
    SimilarHit hit;
    hit.entity = g.Materialize(s.node);
    hit.score = s.score;
    if (hit.entity->entity_type == te.entity_type) {
      hit.reasons.push_back("same type (" + std::string(ToString(te.entity_type)) + ")");
    }
    if (s.shared_terms > 0) {
      std::string shared;
      int listed = 0;
      for (size_t i = 0; i < terms.size() && listed < 5; ++i) {
        if (postings[i] != nullptr &&
            std::binary_search(postings[i]->begin(), postings[i]->end(), s.node)) {
          shared += (listed++ == 0 ? ": " : ", ") + terms[i];
        }
      }
      hit.reasons.push_back("shares " + std::to_string(s.shared_terms) +
                            (s.shared_terms == 1 ? " term" : " terms") + shared);
    }
    if (s.shared_neighbours > 0) {
      hit.reasons.push_back(std::to_string(s.shared_neighbours) +
                            (s.shared_neighbours == 1 ? " common neighbour" : " common neighbours"));
    }
    hits.push_back(std::move(hit));
  }
  return hits;
}

}  // namespace funkygibbon::graph
