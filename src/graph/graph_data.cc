#include "graph/graph_data.h"

#include <algorithm>
#include <string>
#include <utility>

#include "core/vocabulary.h"
#include "graph/compact_json.h"

namespace funkygibbon::graph::internal {
namespace {

std::array<int, kRelationshipTypeCount> BuildRanks() {
  std::array<int, kRelationshipTypeCount> ranks{};
  std::vector<RelationshipType> types(AllRelationshipTypes().begin(),
                                      AllRelationshipTypes().end());
  std::sort(types.begin(), types.end(), [](RelationshipType a, RelationshipType b) {
    return ToString(a) < ToString(b);
  });
  for (size_t i = 0; i < types.size(); ++i) {
    ranks[static_cast<size_t>(types[i])] = static_cast<int>(i);
  }
  return ranks;
}

// Words too common in home descriptions to say anything about likeness.
constexpr std::string_view kStopWords[] = {
    "a",    "an",   "and",  "are",  "as",    "at",   "be",   "by",   "for",  "from",
    "has",  "have", "in",   "into", "is",    "it",   "its",  "of",   "on",   "or",
    "that", "the",  "this", "to",   "was",   "were", "will", "with", "no",   "not",
    "yes",  "true", "false", "null", "none", "if",   "then", "than", "there", "these",
    "those", "can", "all",  "any",  "our",   "your", "my",   "we",   "you",  "he",
    "she",  "they", "them", "but",  "so",    "do",   "does", "via",  "per",  "also"};

bool IsStopWord(std::string_view w) {
  for (std::string_view s : kStopWords) {
    if (s == w) return true;
  }
  return false;
}

}  // namespace

std::string ToLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

int CompareIgnoreCase(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    unsigned char ca = static_cast<unsigned char>(LowerAscii(a[i]));
    unsigned char cb = static_cast<unsigned char>(LowerAscii(b[i]));
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (EqualsIgnoreCase(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

int TypeRank(RelationshipType t) {
  static const std::array<int, kRelationshipTypeCount> kRanks = BuildRanks();
  return kRanks[static_cast<size_t>(t)];
}

uint16_t TypeMask(const std::vector<RelationshipType>& types) {
  if (types.empty()) return 0xFFFF;
  uint16_t mask = 0;
  for (RelationshipType t : types) {
    mask = static_cast<uint16_t>(mask | (1u << static_cast<unsigned>(t)));
  }
  return mask;
}

std::string RelationshipTypeList() {
  std::string out;
  for (RelationshipType t : AllRelationshipTypes()) {
    if (!out.empty()) out += ", ";
    out += ToString(t);
  }
  return out;
}

std::string EntityTypeList() {
  std::string out;
  for (EntityType t : AllEntityTypes()) {
    if (!out.empty()) out += ", ";
    out += ToString(t);
  }
  return out;
}

std::vector<std::string> SimilarityTerms(const EntityRecord& e) {
  std::string text(e.name());
  text.push_back(' ');
  FlattenCbor(e.content_cbor(), &text);
  std::vector<std::string> terms;
  std::string word;
  auto flush = [&] {
    if (word.size() >= 2 && word.size() <= 64 &&
        !std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
        !IsStopWord(word)) {
      terms.push_back(word);
    }
    word.clear();
  };
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || u >= 0x80) {
      word.push_back(c);
    } else if (c >= 'A' && c <= 'Z') {
      word.push_back(LowerAscii(c));
    } else {
      flush();
    }
  }
  flush();
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  return terms;
}

// ---- GraphData ------------------------------------------------------------

GraphData::GraphData()
    : live_set_(IdLess{this}), deleted_set_(IdLess{this}), name_set_(NameLess{this}) {
  for (IdSet& s : type_sets_) s = IdSet(IdLess{this});
}

uint32_t GraphData::EnsureNode(std::string_view id) {
  uint32_t n = FindNode(id);
  if (n != kNone) return n;
  n = static_cast<uint32_t>(nodes_.size());
  nodes_.emplace_back();
  pending_ids_.emplace(n, std::string(id));
  live_.push_back(0);
  types_.push_back(0);
  if (terms_ready_.load(std::memory_order_relaxed)) term_counts_.push_back(0);
  node_table_.Insert(n, [this](uint32_t h) { return NodeId(h); });
  return n;
}

void GraphData::Index(uint32_t n) {
  const EntityRecord& e = *nodes_[n].entity.get();
  live_set_.insert(n);
  type_sets_[static_cast<size_t>(e.entity_type())].insert(n);
  name_set_.insert(n);
  // Mutation runs alone (exclusive access), so no reader is building terms.
  if (terms_ready_.load(std::memory_order_relaxed)) AddTerms(n);
  if (grams_ready_.load(std::memory_order_relaxed)) AddNameGrams(n);
}

void GraphData::Unindex(uint32_t n) {
  const EntityRecord& e = *nodes_[n].entity.get();
  live_set_.erase(n);
  type_sets_[static_cast<size_t>(e.entity_type())].erase(n);
  name_set_.erase(n);
  if (terms_ready_.load(std::memory_order_relaxed)) RemoveTerms(n);
  if (grams_ready_.load(std::memory_order_relaxed)) RemoveNameGrams(n);
}

namespace {

// Three bytes as a trigram key: little-endian in the low 24 bits.
uint32_t PackGram(char a, char b, char c) {
  return static_cast<uint32_t>(static_cast<uint8_t>(a)) |
         static_cast<uint32_t>(static_cast<uint8_t>(b)) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(c)) << 16;
}

// The distinct trigrams of a name, ASCII-lowercased as ContainsFolded
// compares it.
std::vector<uint32_t> NameGrams(std::string_view name) {
  std::vector<uint32_t> grams;
  if (name.size() < 3) return grams;
  grams.reserve(name.size() - 2);
  for (size_t i = 0; i + 3 <= name.size(); ++i) {
    grams.push_back(PackGram(LowerAscii(name[i]), LowerAscii(name[i + 1]), LowerAscii(name[i + 2])));
  }
  std::sort(grams.begin(), grams.end());
  grams.erase(std::unique(grams.begin(), grams.end()), grams.end());
  return grams;
}

// Adds n to a posting list kept sorted by node (an append, usually).
void AddPosting(std::vector<uint32_t>& p, uint32_t n) {
  if (p.empty() || p.back() < n) {
    p.push_back(n);
    return;
  }
  auto it = std::lower_bound(p.begin(), p.end(), n);
  if (it == p.end() || *it != n) p.insert(it, n);
}

// Removes n from the posting list of `key`, dropping the list once empty.
template <typename Index, typename Key>
void RemovePosting(Index& index, const Key& key, uint32_t n) {
  auto pit = index.find(key);
  if (pit == index.end()) return;
  std::vector<uint32_t>& p = pit->second;
  auto it = std::lower_bound(p.begin(), p.end(), n);
  if (it != p.end() && *it == n) p.erase(it);
  if (p.empty()) index.erase(pit);
}

}  // namespace

void GraphData::AddNameGrams(uint32_t n) const {
  for (uint32_t gram : NameGrams(nodes_[n].entity.get()->name())) AddPosting(name_grams_[gram], n);
}

void GraphData::RemoveNameGrams(uint32_t n) const {
  for (uint32_t gram : NameGrams(nodes_[n].entity.get()->name())) {
    RemovePosting(name_grams_, gram, n);
  }
}

void GraphData::EnsureNameGrams() const {
  if (grams_ready_.load(std::memory_order_acquire)) return;
  std::lock_guard<std::mutex> lock(grams_mu_);
  if (grams_ready_.load(std::memory_order_relaxed)) return;
  // Node order: each posting list is appended to in increasing node order.
  for (size_t n = 0; n < nodes_.size(); ++n) {
    if (live_[n]) AddNameGrams(static_cast<uint32_t>(n));
  }
  grams_ready_.store(true, std::memory_order_release);
}

const std::vector<uint32_t>* GraphData::NameGramCandidates(std::string_view folded) const {
  static const std::vector<uint32_t> kNoNodes;
  const std::vector<uint32_t>* best = nullptr;
  for (size_t i = 0; i + 3 <= folded.size(); ++i) {
    auto it = name_grams_.find(PackGram(folded[i], folded[i + 1], folded[i + 2]));
    if (it == name_grams_.end()) return &kNoNodes;
    if (best == nullptr || it->second.size() < best->size()) best = &it->second;
  }
  return best;
}

void GraphData::AddTerms(uint32_t n) const {
  std::vector<std::string> terms = SimilarityTerms(*nodes_[n].entity.get());
  term_counts_[n] = static_cast<uint32_t>(terms.size());
  for (std::string& t : terms) AddPosting(postings_[std::move(t)], n);
}

void GraphData::RemoveTerms(uint32_t n) const {
  for (const std::string& t : SimilarityTerms(*nodes_[n].entity.get())) {
    RemovePosting(postings_, t, n);
  }
  term_counts_[n] = 0;
}

void GraphData::EnsureTerms() const {
  if (terms_ready_.load(std::memory_order_acquire)) return;
  std::lock_guard<std::mutex> lock(terms_mu_);
  if (terms_ready_.load(std::memory_order_relaxed)) return;
  term_counts_.assign(nodes_.size(), 0);
  // Node order: each posting list is appended to in increasing node order.
  for (size_t n = 0; n < nodes_.size(); ++n) {
    if (live_[n]) AddTerms(static_cast<uint32_t>(n));
  }
  terms_ready_.store(true, std::memory_order_release);
}

void GraphData::PutEntity(RecordPtr e) {
  if (!e || e->id().empty()) return;
  const uint32_t n = EnsureNode(e->id());
  Node& nd = nodes_[n];
  if (nd.entity) {
    // The sets' comparators read the current entity: leave them first.
    if (live_[n]) {
      Unindex(n);
      --live_entities_;
    } else {
      deleted_set_.erase(n);
      --deleted_entities_;
    }
  }
  const bool was_pending = !nd.entity;
  const bool is_live = !e->deleted();
  nd.entity = EntityHandle(std::move(e));
  if (was_pending) pending_ids_.erase(n);
  live_[n] = is_live ? 1 : 0;
  types_[n] = static_cast<uint8_t>(nd.entity.get()->entity_type());
  if (is_live) {
    Index(n);
    ++live_entities_;
  } else {
    deleted_set_.insert(n);
    ++deleted_entities_;
  }
}

void GraphData::Compact() {
  for (Node& nd : nodes_) {
    nd.adj.ShrinkToFit();
  }
}

void GraphData::Attach(uint32_t e) {
  EdgeRec& rec = edges_[e];
  const uint32_t packed = (e << 4) | static_cast<uint32_t>(rec.type);
  AdjLists& from = nodes_[rec.from].adj;
  uint32_t moved_in;
  rec.from_pos = from.PushOut(Adj{rec.to, packed}, &moved_in);
  if (moved_in != AdjLists::kNoPos) edges_[from.at(moved_in).edge()].to_pos = moved_in;
  rec.to_pos = nodes_[rec.to].adj.PushIn(Adj{rec.from, packed});
}

void GraphData::Detach(uint32_t e) {
  EdgeRec& rec = edges_[e];
  AdjLists& from = nodes_[rec.from].adj;
  uint32_t moved_out, moved_in;
  from.RemoveOut(rec.from_pos, &moved_out, &moved_in);
  if (moved_out != AdjLists::kNoPos) edges_[from.at(moved_out).edge()].from_pos = moved_out;
  // (For a self-loop this may move e's own incoming entry: rec.to_pos is
  // read after.)
  if (moved_in != AdjLists::kNoPos) edges_[from.at(moved_in).edge()].to_pos = moved_in;
  AdjLists& to = nodes_[rec.to].adj;
  to.RemoveIn(rec.to_pos, &moved_in);
  if (moved_in != AdjLists::kNoPos) edges_[to.at(moved_in).edge()].to_pos = moved_in;
}

void GraphData::RemoveEdge(uint32_t e) {
  Detach(e);
  PackedString::Buffer buf;
  edge_table_.Erase(edges_[e].id.View(&buf), EdgeKey{this});
  EdgeRec& rec = edges_[e];
  rec.id.Clear();
  rec.wire.Clear();
  rec.from = rec.to = kNone;
  free_edges_.push_back(e);
  --stored_edges_;
}

void GraphData::PutRelationship(const Relationship& r) {
  if (r.id.empty() || r.from_entity_id.empty() || r.to_entity_id.empty()) return;
  uint32_t e = FindEdge(r.id);
  if (r.deleted) {
    if (e != kNone) RemoveEdge(e);
    return;
  }
  const uint32_t from = EnsureNode(r.from_entity_id);
  const uint32_t to = EnsureNode(r.to_entity_id);
  if (e != kNone) {
    EdgeRec& rec = edges_[e];
    if (rec.from != from || rec.to != to || rec.type != r.relationship_type) {
      Detach(e);
      rec.from = from;
      rec.to = to;
      rec.type = r.relationship_type;
      Attach(e);
    }
    edges_[e].wire.Set(r, &users_);
    return;
  }
  if (!free_edges_.empty()) {
    e = free_edges_.back();
    free_edges_.pop_back();
  } else {
    if (edges_.size() >= kMaxEdges) return;  // 268M edges: far beyond memory anyway
    e = static_cast<uint32_t>(edges_.size());
    edges_.emplace_back();
  }
  EdgeRec& rec = edges_[e];
  rec.id.Set(r.id);
  rec.from = from;
  rec.to = to;
  rec.type = r.relationship_type;
  rec.wire.Set(r, &users_);
  Attach(e);
  edge_table_.Insert(e, EdgeKey{this});
  ++stored_edges_;
}

RelationshipPtr GraphData::MakeRelationship(uint32_t e) const {
  const EdgeRec& rec = edges_[e];
  auto r = std::make_shared<Relationship>();
  r->id = rec.id.ToString();
  r->from_entity_id = std::string(NodeId(rec.from));
  r->to_entity_id = std::string(NodeId(rec.to));
  r->relationship_type = rec.type;
  rec.wire.CopyTo(users_, r.get());
  return r;
}

}  // namespace funkygibbon::graph::internal
