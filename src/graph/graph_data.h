// Private to src/graph: the storage behind GraphIndex and the helpers the
// read algorithms (find_path.cc, neighbourhood.cc, ...) share.
//
// Layout, chosen for memory and for traversal speed:
//  - Every id ever named (by an entity or by an edge endpoint) gets a dense
//    node number. Nodes are never removed (an edge may name an entity that
//    has not arrived yet; it is kept and walked once both ends are live).
//  - Entities are held as one compact block each (EntityRecord: text
//    fields and CBOR content) and materialized as an Entity only when a
//    caller asks for one.
//  - Edges are held compactly (EdgeRec, 104 bytes with their wire fields,
//    in fixed-size chunks so growth never copies them) and materialized as
//    a Relationship only when a caller asks for one; adjacency is a
//    per-node vector of 8-byte entries (neighbour node, edge number + type).
//  - Similarity terms (the inverted index FindSimilar uses) are built on
//    first use, not while loading.
//  - id -> node and id -> edge are open-addressing tables of 4-byte handles.
//  - Ordered indexes (all live, per type, tombstones, case-insensitive name)
//    are std::sets of node numbers whose comparators read the ids/names.
//
// Thread-safety: as GraphIndex: const members may run concurrently; mutation
// needs exclusive access.
#ifndef FUNKYGIBBON_GRAPH_GRAPH_DATA_H_
#define FUNKYGIBBON_GRAPH_GRAPH_DATA_H_

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <new>
#include <span>
#include <memory>
#include <mutex>
#include <atomic>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/types.h"
#include "graph/entity_record.h"
#include "graph/graph_index.h"
#include "graph/packed.h"

namespace funkygibbon::graph {
namespace internal {

inline constexpr uint32_t kNone = 0xFFFFFFFFu;
inline constexpr size_t kEntityTypeCount = 12;
inline constexpr size_t kRelationshipTypeCount = 14;

// ---- small string helpers (ASCII case folding) ----
inline char LowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
std::string ToLowerAscii(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// <0, 0, >0 comparing a and b with ASCII letters folded to lowercase.
int CompareIgnoreCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix);
bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle);

// Rank of a relationship type by its lowercase name (the tie-break order).
int TypeRank(RelationshipType t);
// Bit i set: relationship type i may be walked. Empty list = all types.
uint16_t TypeMask(const std::vector<RelationshipType>& types);
inline bool MaskHas(uint16_t mask, RelationshipType t) {
  return ((mask >> static_cast<unsigned>(t)) & 1u) != 0;
}
// "located_in, controls, ..." and "home, room, ..." for error messages.
std::string RelationshipTypeList();
std::string EntityTypeList();

// One adjacency entry: the node at the other end and the edge (number and
// type packed in 32 bits: edge << 4 | type).
struct Adj {
  uint32_t node;
  uint32_t edge_type;
  uint32_t edge() const { return edge_type >> 4; }
  RelationshipType type() const { return static_cast<RelationshipType>(edge_type & 15u); }
};
inline constexpr uint32_t kMaxEdges = (1u << 28) - 1;

// A node's adjacency entries in one block: the outgoing edges first, then
// the incoming ones. One allocation (and one cache line to fetch when a
// search steps through the node) instead of one per direction, in 24 bytes.
//
// Positions are absolute (index in the block), which is what EdgeRec keeps
// as from_pos/to_pos. The edits below move at most one entry per region and
// report where each moved entry now lies, so the owner can update its
// EdgeRec; kNoPos means nothing moved.
class AdjLists {
 public:
  AdjLists() = default;
  AdjLists(const AdjLists&) = delete;
  AdjLists& operator=(const AdjLists&) = delete;
  AdjLists(AdjLists&& o) noexcept
      : data_(o.data_), n_out_(o.n_out_), n_in_(o.n_in_), cap_(o.cap_) {
    o.data_ = nullptr;
    o.n_out_ = o.n_in_ = o.cap_ = 0;
  }
  AdjLists& operator=(AdjLists&& o) noexcept {
    if (this != &o) {
      std::free(data_);
      data_ = o.data_;
      n_out_ = o.n_out_;
      n_in_ = o.n_in_;
      cap_ = o.cap_;
      o.data_ = nullptr;
      o.n_out_ = o.n_in_ = o.cap_ = 0;
    }
    return *this;
  }
  ~AdjLists() { std::free(data_); }

  std::span<const Adj> out() const { return {data_, n_out_}; }
  std::span<const Adj> in() const { return {data_ + n_out_, n_in_}; }
  size_t size() const { return size_t{n_out_} + n_in_; }
  const Adj& at(uint32_t pos) const { return data_[pos]; }
  // The start of the block, for prefetching.
  const Adj* data() const { return data_; }

  // Adds an outgoing entry and returns its position. The first incoming
  // entry, if any, moves to the end to make room: *moved_in is its new
  // position.
  uint32_t PushOut(const Adj& a, uint32_t* moved_in) {
    Reserve();
    *moved_in = kNoPos;
    const uint32_t pos = n_out_;
    if (n_in_ > 0) {
      data_[n_out_ + n_in_] = data_[n_out_];
      *moved_in = n_out_ + n_in_;
    }
    data_[pos] = a;
    ++n_out_;
    return pos;
  }
  // Adds an incoming entry and returns its position.
  uint32_t PushIn(const Adj& a) {
    Reserve();
    const uint32_t pos = n_out_ + n_in_;
    data_[pos] = a;
    ++n_in_;
    return pos;
  }
  // Removes the outgoing entry at pos: the last outgoing entry fills the
  // hole (*moved_out: its new position), and the last incoming entry fills
  // the slot that frees (*moved_in).
  void RemoveOut(uint32_t pos, uint32_t* moved_out, uint32_t* moved_in) {
    *moved_out = *moved_in = kNoPos;
    const uint32_t last_out = n_out_ - 1;
    if (pos != last_out) {
      data_[pos] = data_[last_out];
      *moved_out = pos;
    }
    if (n_in_ > 0) {
      data_[last_out] = data_[last_out + n_in_];
      *moved_in = last_out;
    }
    --n_out_;
    ReleaseIfEmpty();
  }
  // Removes the incoming entry at pos: the last incoming entry fills the
  // hole (*moved_in: its new position).
  void RemoveIn(uint32_t pos, uint32_t* moved_in) {
    *moved_in = kNoPos;
    const uint32_t last = n_out_ + n_in_ - 1;
    if (pos != last) {
      data_[pos] = data_[last];
      *moved_in = pos;
    }
    --n_in_;
    ReleaseIfEmpty();
  }
  // Drops spare capacity (after a bulk load).
  void ShrinkToFit() {
    const uint32_t size = n_out_ + n_in_;
    if (cap_ == size || size == 0) return;
    void* p = std::realloc(data_, sizeof(Adj) * size);
    if (p == nullptr) return;  // keeping the larger block is harmless
    data_ = static_cast<Adj*>(p);
    cap_ = size;
  }

  static constexpr uint32_t kNoPos = ~uint32_t{0};

 private:
  void Reserve() {
    if (n_out_ + n_in_ < cap_) return;
    const uint32_t cap = cap_ == 0 ? 2 : (cap_ < 64 ? cap_ * 2 : cap_ + cap_ / 2);
    void* p = std::realloc(data_, sizeof(Adj) * cap);
    if (p == nullptr) throw std::bad_alloc();
    data_ = static_cast<Adj*>(p);
    cap_ = cap;
  }
  void ReleaseIfEmpty() {  // give memory back when a node loses all its edges
    if (n_out_ + n_in_ != 0) return;
    std::free(data_);
    data_ = nullptr;
    cap_ = 0;
  }

  Adj* data_ = nullptr;
  uint32_t n_out_ = 0;
  uint32_t n_in_ = 0;
  uint32_t cap_ = 0;
};

struct EdgeRec {
  WireFields wire;
  uint32_t from = kNone;
  uint32_t to = kNone;
  uint32_t from_pos = 0;  // position in nodes[from].adj (an outgoing entry)
  uint32_t to_pos = 0;    // position in nodes[to].adj (an incoming entry)
  PackedString id;        // empty: a free slot
  RelationshipType type = RelationshipType::kConnectsTo;
  bool used() const { return !id.empty(); }
};

struct Node {
  EntityHandle entity;  // current version; null until one arrives
  AdjLists adj;         // edges from this node, then edges to it
};

// A vector in chunks: growing never moves (or transiently doubles) what it
// holds. The first chunks double from 64 slots up to 4,096; every later one
// has 4,096, so a small graph allocates little and a large one has at most
// one chunk of spare room.
template <typename T>
class ChunkedVector {
 public:
  size_t size() const { return size_; }
  T& operator[](size_t i) {
    const Slot s = Locate(i);
    return chunks_[s.chunk][s.offset];
  }
  const T& operator[](size_t i) const {
    const Slot s = Locate(i);
    return chunks_[s.chunk][s.offset];
  }
  void emplace_back() {
    if (size_ == capacity_) {
      const size_t n = ChunkSize(chunks_.size());
      chunks_.push_back(std::make_unique<T[]>(n));
      capacity_ += n;
    }
    ++size_;
  }

 private:
  static constexpr size_t kFirstShift = 6;
  static constexpr size_t kFirst = size_t{1} << kFirstShift;  // slots of chunk 0
  static constexpr size_t kBigShift = 12;
  static constexpr size_t kBig = size_t{1} << kBigShift;  // slots of every chunk from kBigAt
  static constexpr size_t kBigAt = kBigShift - kFirstShift;  // chunks 0..kBigAt-1 double
  static constexpr size_t kGrowing = kBig - kFirst;  // slots in the doubling chunks

  struct Slot {
    size_t chunk;
    size_t offset;
  };
  static size_t ChunkSize(size_t chunk) { return chunk < kBigAt ? kFirst << chunk : kBig; }
  static Slot Locate(size_t i) {
    if (i < kGrowing) {
      // Chunk k holds [kFirst * (2^k - 1), kFirst * (2^(k+1) - 1)).
      const size_t b = i + kFirst;
      const size_t k = static_cast<size_t>(std::bit_width(b)) - 1 - kFirstShift;
      return {k, b - (kFirst << k)};
    }
    const size_t j = i - kGrowing;
    return {kBigAt + (j >> kBigShift), j & (kBig - 1)};
  }

  std::vector<std::unique_ptr<T[]>> chunks_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// Open-addressing hash set of 4-byte handles whose string keys live
// elsewhere (key_of(handle) returns the key). Linear probing, load <= 1/2,
// backward-shift deletion.
class HandleTable {
 public:
  template <typename KeyOf>
  uint32_t Find(std::string_view key, KeyOf key_of) const {
    if (slots_.empty()) return kNone;
    const size_t mask = slots_.size() - 1;
    for (size_t i = Hash(key) & mask;; i = (i + 1) & mask) {
      const uint32_t h = slots_[i];
      if (h == kNone) return kNone;
      if (key_of(h) == key) return h;
    }
  }

  // handle's key must not be present yet.
  template <typename KeyOf>
  void Insert(uint32_t handle, KeyOf key_of) {
    if ((size_ + 1) * 2 > slots_.size()) {
      std::vector<uint32_t> old = std::move(slots_);
      slots_.assign(old.empty() ? 64 : old.size() * 2, kNone);
      for (uint32_t h : old) {
        if (h != kNone) Place(h, key_of(h));
      }
    }
    Place(handle, key_of(handle));
    ++size_;
  }

  template <typename KeyOf>
  bool Erase(std::string_view key, KeyOf key_of) {
    if (slots_.empty()) return false;
    const size_t mask = slots_.size() - 1;
    size_t i = Hash(key) & mask;
    for (;; i = (i + 1) & mask) {
      if (slots_[i] == kNone) return false;
      if (key_of(slots_[i]) == key) break;
    }
    size_t j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (slots_[j] == kNone) break;
      const size_t k = Hash(key_of(slots_[j])) & mask;
      // Move slots_[j] into the hole at i unless its home k lies cyclically in (i, j].
      const bool stays = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
      if (!stays) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i] = kNone;
    --size_;
    return true;
  }

  size_t size() const { return size_; }

 private:
  static size_t Hash(std::string_view key) { return std::hash<std::string_view>{}(key); }
  void Place(uint32_t h, std::string_view key) {
    const size_t mask = slots_.size() - 1;
    size_t i = Hash(key) & mask;
    while (slots_[i] != kNone) i = (i + 1) & mask;
    slots_[i] = h;
  }

  std::vector<uint32_t> slots_;
  size_t size_ = 0;
};

// Open-addressing map from node number to a small value, for per-request
// visited sets: one flat allocation that doubles, nothing per visited node.
template <typename V>
class NodeMap {
 public:
  explicit NodeMap(size_t expected = 32) {
    size_t cap = 64;
    shift_ = 58;
    while (cap < expected * 2) {
      cap *= 2;
      --shift_;
    }
    slots_.resize(cap);
  }

  // The value for key, default-constructed if new; the pointer is valid
  // until the next Insert.
  std::pair<V*, bool> Insert(uint32_t key) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    Entry* s = Probe(key);
    if (s->key == kNone) {
      s->key = key;
      s->value = V();
      ++size_;
      return {&s->value, true};
    }
    return {&s->value, false};
  }
  V* Find(uint32_t key) {
    Entry* s = Probe(key);
    return s->key == kNone ? nullptr : &s->value;
  }
  const V* Find(uint32_t key) const {
    return const_cast<NodeMap*>(this)->Find(key);
  }
  size_t size() const { return size_; }

  // f(key, const V&) for every entry, in slot order.
  template <typename F>
  void ForEach(F&& f) const {
    for (const Entry& s : slots_) {
      if (s.key != kNone) f(s.key, s.value);
    }
  }

 private:
  struct Entry {
    uint32_t key = kNone;
    V value{};
  };
  // Fibonacci hashing: the top bits of key * 2^64/phi.
  size_t Slot(uint32_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  Entry* Probe(uint32_t key) {
    const size_t mask = slots_.size() - 1;
    for (size_t i = Slot(key);; i = (i + 1) & mask) {
      Entry& s = slots_[i];
      if (s.key == key || s.key == kNone) return &s;
    }
  }
  void Grow() {
    std::vector<Entry> old = std::move(slots_);
    slots_.assign(old.size() * 2, Entry());
    --shift_;
    for (Entry& s : old) {
      if (s.key != kNone) *Probe(s.key) = std::move(s);
    }
  }

  std::vector<Entry> slots_;
  size_t size_ = 0;
  int shift_ = 58;  // 64 - log2(slots_.size())
};

class GraphData;

// Orders node numbers by id (byte order). Transparent: also compares with
// a string_view id.
struct IdLess {
  const GraphData* g;
  bool operator()(uint32_t a, uint32_t b) const;
  bool operator()(uint32_t a, std::string_view b) const;
  bool operator()(std::string_view a, uint32_t b) const;
};

// A name to look up in a NameSet (compares by folded name only).
struct NameKey {
  std::string_view name;
};
// Orders live node numbers by (case-folded name, id).
struct NameLess {
  const GraphData* g;
  bool operator()(uint32_t a, uint32_t b) const;
  bool operator()(uint32_t a, NameKey b) const;
  bool operator()(NameKey a, uint32_t b) const;
};

// An ordered set of node numbers kept in sorted blocks of a few hundred: a
// two-level B-tree in effect, ~5 bytes per member where std::set takes 48.
// Less must order members strictly; lookups may use any key Less accepts.
template <typename Less>
class BlockSet {
 public:
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = uint32_t;
    using difference_type = std::ptrdiff_t;
    using pointer = const uint32_t*;
    using reference = const uint32_t&;

    const_iterator() = default;
    reference operator*() const { return (*blocks_)[b_][i_]; }
    const_iterator& operator++() {
      if (++i_ == (*blocks_)[b_].size()) {
        ++b_;
        i_ = 0;
      }
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const const_iterator& o) const { return b_ == o.b_ && i_ == o.i_; }
    bool operator!=(const const_iterator& o) const { return !(*this == o); }

   private:
    friend class BlockSet;
    const_iterator(const std::vector<std::vector<uint32_t>>* blocks, size_t b, size_t i)
        : blocks_(blocks), b_(b), i_(i) {}
    const std::vector<std::vector<uint32_t>>* blocks_ = nullptr;
    size_t b_ = 0;
    size_t i_ = 0;
  };

  explicit BlockSet(Less less = Less()) : less_(less) {}

  const_iterator begin() const { return const_iterator(&blocks_, 0, 0); }
  const_iterator end() const { return const_iterator(&blocks_, blocks_.size(), 0); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  template <typename K>
  const_iterator lower_bound(const K& key) const {
    const size_t b = FirstBlockNotBefore(key);
    if (b == blocks_.size()) return end();
    const std::vector<uint32_t>& blk = blocks_[b];
    auto it = std::partition_point(blk.begin(), blk.end(),
                                   [&](uint32_t x) { return less_(x, key); });
    return const_iterator(&blocks_, b, static_cast<size_t>(it - blk.begin()));
  }
  template <typename K>
  const_iterator upper_bound(const K& key) const {
    const size_t b = static_cast<size_t>(
        std::partition_point(blocks_.begin(), blocks_.end(),
                             [&](const std::vector<uint32_t>& blk) { return !less_(key, blk.back()); }) -
        blocks_.begin());
    if (b == blocks_.size()) return end();
    const std::vector<uint32_t>& blk = blocks_[b];
    auto it = std::partition_point(blk.begin(), blk.end(),
                                   [&](uint32_t x) { return !less_(key, x); });
    return const_iterator(&blocks_, b, static_cast<size_t>(it - blk.begin()));
  }
  template <typename K>
  std::pair<const_iterator, const_iterator> equal_range(const K& key) const {
    return {lower_bound(key), upper_bound(key)};
  }

  void insert(uint32_t v) {
    if (blocks_.empty()) {
      blocks_.emplace_back(1, v);
      size_ = 1;
      return;
    }
    size_t b = FirstBlockNotBefore(v);
    if (b == blocks_.size()) b = blocks_.size() - 1;
    std::vector<uint32_t>& blk = blocks_[b];
    auto it = std::partition_point(blk.begin(), blk.end(), [&](uint32_t x) { return less_(x, v); });
    if (it != blk.end() && !less_(v, *it)) return;  // already present
    blk.insert(it, v);
    ++size_;
    if (blk.size() > 2 * kBlock) {
      std::vector<uint32_t> tail(blk.begin() + kBlock, blk.end());
      blk.resize(kBlock);
      blk.shrink_to_fit();
      blocks_.insert(blocks_.begin() + static_cast<std::ptrdiff_t>(b) + 1, std::move(tail));
    }
  }

  bool erase(uint32_t v) {
    const size_t b = FirstBlockNotBefore(v);
    if (b == blocks_.size()) return false;
    std::vector<uint32_t>& blk = blocks_[b];
    auto it = std::partition_point(blk.begin(), blk.end(), [&](uint32_t x) { return less_(x, v); });
    if (it == blk.end() || *it != v) return false;
    blk.erase(it);
    --size_;
    if (blk.empty()) blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(b));
    return true;
  }

 private:
  static constexpr size_t kBlock = 256;

  // The first block whose last member is not before key.
  template <typename K>
  size_t FirstBlockNotBefore(const K& key) const {
    return static_cast<size_t>(
        std::partition_point(blocks_.begin(), blocks_.end(),
                             [&](const std::vector<uint32_t>& blk) { return less_(blk.back(), key); }) -
        blocks_.begin());
  }

  Less less_;
  std::vector<std::vector<uint32_t>> blocks_;
  size_t size_ = 0;
};

using IdSet = BlockSet<IdLess>;
using NameSet = BlockSet<NameLess>;

// Lowercased word terms of name + flattened content for similarity: runs of
// ASCII letters/digits (bytes >= 0x80 count as letters), at least two
// characters, not all digits, not a stop word. Sorted, unique.
std::vector<std::string> SimilarityTerms(const EntityRecord& e);

class GraphData {
 public:
  GraphData();
  GraphData(const GraphData&) = delete;
  GraphData& operator=(const GraphData&) = delete;

  // ---- mutation ----
  void PutEntity(RecordPtr e);
  void PutRelationship(const Relationship& r);
  // After a bulk load: gives back spare adjacency capacity.
  void Compact();

  // ---- lookups ----
  uint32_t FindNode(std::string_view id) const {
    return node_table_.Find(id, [this](uint32_t h) { return NodeId(h); });
  }
  // The id of node n (its entity's, or the one an edge named).
  std::string_view NodeId(uint32_t n) const {
    const EntityRecord* e = nodes_[n].entity.get();
    if (e != nullptr) return e->id();
    auto it = pending_ids_.find(n);
    return it == pending_ids_.end() ? std::string_view() : std::string_view(it->second);
  }
  // Id, name and type of node n's entity, which must have arrived.
  EntitySummary Summarize(uint32_t n) const {
    const auto e = *nodes_[n].entity;
    return EntitySummary{std::string(e.id), std::string(e.name), e.entity_type};
  }
  // The node of a live entity, or kNone.
  uint32_t FindLiveNode(std::string_view id) const {
    uint32_t n = FindNode(id);
    return (n != kNone && live_[n]) ? n : kNone;
  }
  uint32_t FindEdge(std::string_view id) const { return edge_table_.Find(id, EdgeKey{this}); }
  // Compares the ids of two edges: <0, 0, >0.
  int CompareEdgeIds(uint32_t a, uint32_t b) const {
    return PackedString::Compare(edges_[a].id, edges_[b].id);
  }
  bool live(uint32_t n) const { return live_[n] != 0; }
  // The type of node n's current entity (live or a tombstone), which must
  // have arrived: from a byte per node, so a scan that checks types does not
  // touch the entities it skips.
  EntityType type(uint32_t n) const { return static_cast<EntityType>(types_[n]); }
  // Nodes ever created (node numbers are below this).
  size_t node_count() const { return nodes_.size(); }
  const Node& node(uint32_t n) const { return nodes_[n]; }
  // Hints for a traversal that knows which nodes it expands next: at 100k
  // nodes each expansion misses the cache on the node and on its edge
  // block, and issuing those loads early overlaps the misses.
  void PrefetchNode(uint32_t n) const { __builtin_prefetch(&nodes_[n]); }
  void PrefetchSteps(uint32_t n) const {
    __builtin_prefetch(nodes_[n].adj.data());
  }
  // The entity of node n as a shared Entity (null if none has arrived).
  EntityPtr Materialize(uint32_t n) const { return nodes_[n].entity.Materialize(); }
  const EdgeRec& edge(uint32_t e) const { return edges_[e]; }
  size_t node_slots() const { return nodes_.size(); }
  size_t edge_slots() const { return edges_.size(); }

  // A fresh Relationship for edge e.
  RelationshipPtr MakeRelationship(uint32_t e) const;

  // Tie-break key comparison for two adjacency entries seen from the same
  // node: (relationship type name, neighbour id, edge id).
  bool AdjLess(const Adj& a, const Adj& b) const {
    int ra = TypeRank(a.type()), rb = TypeRank(b.type());
    if (ra != rb) return ra < rb;
    if (a.node != b.node) {
      std::string_view ia = NodeId(a.node), ib = NodeId(b.node);
      if (ia != ib) return ia < ib;
    }
    return CompareEdgeIds(a.edge(), b.edge()) < 0;
  }

  // Calls f(const Adj&, bool forward) for every edge of n that may be walked
  // in direction d (kOut: n is the from end) with a type in mask and whose
  // other end is live. Stops early when f returns false; returns false then.
  template <typename F>
  bool ForEachStep(uint32_t n, Direction d, uint16_t mask, F&& f) const {
    const Node& nd = nodes_[n];
    if (d != Direction::kIn) {
      for (const Adj& a : nd.adj.out()) {
        if (MaskHas(mask, a.type()) && live_[a.node] && !f(a, true)) return false;
      }
    }
    if (d != Direction::kOut) {
      for (const Adj& a : nd.adj.in()) {
        if (MaskHas(mask, a.type()) && live_[a.node] && !f(a, false)) return false;
      }
    }
    return true;
  }

  size_t live_entities() const { return live_entities_; }
  size_t deleted_entities() const { return deleted_entities_; }
  size_t stored_edges() const { return stored_edges_; }

  const IdSet& live_set() const { return live_set_; }
  const IdSet& type_set(EntityType t) const { return type_sets_[static_cast<size_t>(t)]; }
  const IdSet& deleted_set() const { return deleted_set_; }
  const NameSet& name_set() const { return name_set_; }
  // Builds the similarity term index if it is not built yet. Safe to call
  // from concurrent readers (they share a lock against mutation).
  void EnsureTerms() const;
  // Live nodes having `term`, sorted by node number; null if none.
  // EnsureTerms() first.
  const std::vector<uint32_t>* Postings(const std::string& term) const {
    auto it = postings_.find(term);
    return it == postings_.end() ? nullptr : &it->second;
  }
  // How many similarity terms node n has. EnsureTerms() first.
  uint32_t term_count(uint32_t n) const { return term_counts_[n]; }

  // The name trigram index, for `name contains` without a scan: each
  // distinct three-byte window of a live entity's ASCII-lowercased name
  // maps to the nodes having it. Built by the first EnsureNameGrams() (safe
  // from concurrent readers, like EnsureTerms) and kept up to date by
  // mutation from then on, so a graph that is never asked pays nothing.
  void EnsureNameGrams() const;
  // Live nodes whose name may contain `folded` (already ASCII-lowercased):
  // the posting list of its rarest trigram, sorted by node. Every live
  // match is in it; callers check each one. Empty when some trigram of
  // `folded` is in no live name (nothing matches); null when `folded` is
  // shorter than a trigram (the index cannot narrow it). EnsureNameGrams()
  // first.
  const std::vector<uint32_t>* NameGramCandidates(std::string_view folded) const;

 private:
  uint32_t EnsureNode(std::string_view id);
  void Index(uint32_t n);
  void Unindex(uint32_t n);
  void AddTerms(uint32_t n) const;
  void RemoveTerms(uint32_t n) const;
  void AddNameGrams(uint32_t n) const;
  void RemoveNameGrams(uint32_t n) const;
  void Attach(uint32_t e);
  void Detach(uint32_t e);
  void RemoveEdge(uint32_t e);
  // Key of an edge handle for edge_table_ (prints UUIDs into its buffer).
  struct EdgeKey {
    const GraphData* g;
    PackedString::Buffer buf{};
    std::string_view operator()(uint32_t h) { return g->edges_[h].id.View(&buf); }
  };

  std::vector<Node> nodes_;
  std::unordered_map<uint32_t, std::string> pending_ids_;  // nodes named by edges only
  std::vector<uint8_t> live_;  // per node: entity present and not a tombstone
  std::vector<uint8_t> types_;  // per node: its entity's EntityType, once one arrived
  HandleTable node_table_;
  ChunkedVector<EdgeRec> edges_;
  std::vector<uint32_t> free_edges_;
  HandleTable edge_table_;

  size_t live_entities_ = 0;
  size_t deleted_entities_ = 0;
  size_t stored_edges_ = 0;

  IdSet live_set_;
  std::array<IdSet, kEntityTypeCount> type_sets_;
  IdSet deleted_set_;
  NameSet name_set_;
  UserPool users_;

  // The similarity index, built by the first EnsureTerms() (under a shared
  // lock, so guarded by terms_mu_ among readers) and kept up to date by
  // mutation from then on.
  mutable std::mutex terms_mu_;
  mutable std::atomic<bool> terms_ready_{false};
  mutable std::unordered_map<std::string, std::vector<uint32_t>> postings_;
  mutable std::vector<uint32_t> term_counts_;  // per node

  // The name trigram index (see EnsureNameGrams): trigram bytes packed
  // little-endian into the low 24 bits -> live nodes, sorted.
  mutable std::mutex grams_mu_;
  mutable std::atomic<bool> grams_ready_{false};
  mutable std::unordered_map<uint32_t, std::vector<uint32_t>> name_grams_;
};

inline bool IdLess::operator()(uint32_t a, uint32_t b) const { return g->NodeId(a) < g->NodeId(b); }
inline bool IdLess::operator()(uint32_t a, std::string_view b) const { return g->NodeId(a) < b; }
inline bool IdLess::operator()(std::string_view a, uint32_t b) const { return a < g->NodeId(b); }

inline bool NameLess::operator()(uint32_t a, uint32_t b) const {
  const EntityRecord& ea = *g->node(a).entity.get();
  const EntityRecord& eb = *g->node(b).entity.get();
  const int c = CompareIgnoreCase(ea.name(), eb.name());
  if (c != 0) return c < 0;
  return ea.id() < eb.id();
}
inline bool NameLess::operator()(uint32_t a, NameKey b) const {
  return CompareIgnoreCase(g->node(a).entity.get()->name(), b.name) < 0;
}
inline bool NameLess::operator()(NameKey a, uint32_t b) const {
  return CompareIgnoreCase(a.name, g->node(b).entity.get()->name()) < 0;
}

}  // namespace internal

struct GraphIndex::Impl : internal::GraphData {};

}  // namespace funkygibbon::graph

#endif  // FUNKYGIBBON_GRAPH_GRAPH_DATA_H_
