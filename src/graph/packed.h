// Private to src/graph: compact forms of the strings a relationship carries,
// so that 500k edges fit in tens of megabytes instead of hundreds.
//
//  - PackedString: 17 bytes. A canonical lowercase UUID as 16 raw bytes, a
//    string of up to 15 bytes inline, or a pointer to a heap copy.
//  - Timestamps and versions in the canonical wire form (core/version.h) are
//    kept as numbers and printed back byte-for-byte; anything else is kept
//    verbatim (WireFields::Overflow).
//
// Thread-safety: plain values.
#ifndef FUNKYGIBBON_GRAPH_PACKED_H_
#define FUNKYGIBBON_GRAPH_PACKED_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/types.h"
#include "core/version.h"

namespace funkygibbon::graph::internal {

class PackedString {
 public:
  // Room to print a UUID into.
  using Buffer = std::array<char, 36>;

  PackedString() { bytes_.fill(0); }
  explicit PackedString(std::string_view s) : PackedString() { Set(s); }
  PackedString(const PackedString&) = delete;
  PackedString& operator=(const PackedString&) = delete;
  PackedString(PackedString&& o) noexcept : bytes_(o.bytes_), kind_(o.kind_) { o.kind_ = kEmpty; }
  PackedString& operator=(PackedString&& o) noexcept {
    if (this != &o) {
      Free();
      bytes_ = o.bytes_;
      kind_ = o.kind_;
      o.kind_ = kEmpty;
    }
    return *this;
  }
  ~PackedString() { Free(); }

  void Set(std::string_view s);
  void Clear() {
    Free();
    kind_ = kEmpty;
  }
  bool empty() const { return kind_ == kEmpty; }

  // The text. A UUID is printed into *buf, so the view lives as long as buf.
  std::string_view View(Buffer* buf) const;
  std::string ToString() const {
    Buffer buf;
    return std::string(View(&buf));
  }

  // <0, 0, >0 by the bytes of the text.
  static int Compare(const PackedString& a, const PackedString& b);

 private:
  enum : uint8_t { kEmpty, kInline, kUuid, kHeap };
  void Free();

  std::array<uint8_t, 16> bytes_;
  uint8_t kind_ = kEmpty;
};

// Small interning pool for user ids (a home has a handful of users).
// Index 0 is the empty string.
class UserPool {
 public:
  UserPool() : names_{std::string()} {}
  uint32_t Intern(std::string_view user);
  const std::string& Name(uint32_t i) const { return names_[i]; }

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, uint32_t> index_;
};

// The relationship fields that traversal never reads, held inline in the
// edge record (64 bytes; the rare verbatim or properties-carrying edge
// adds an overflow block).
class WireFields {
 public:
  WireFields() = default;
  WireFields(WireFields&&) noexcept = default;
  WireFields& operator=(WireFields&&) noexcept = default;

  // Encodes r's wire fields.
  void Set(const Relationship& r, UserPool* users);
  void Clear() { *this = WireFields(); }
  // Writes them back into r.
  void CopyTo(const UserPool& users, Relationship* r) const;
  // The properties, or nullptr when there are none (an empty object).
  const Json* properties() const { return overflow_ ? &overflow_->properties : nullptr; }

 private:
  struct Version {
    Micros time = 0;
    int32_t counter = 0;
    uint32_t user = 0;
  };
  struct Overflow {
    std::string from_version, to_version, created_at, updated_at;
    Json properties = Json::object();
  };
  // How each text field is held.
  enum Form : uint8_t { kAbsent = 0, kPacked = 1, kVerbatim = 2 };

  Micros created_ = 0;
  Micros updated_ = 0;
  Version from_version_;
  Version to_version_;
  std::unique_ptr<Overflow> overflow_;
  uint32_t user_ = 0;
  uint8_t forms_ = 0;  // 2 bits each: created, updated, from_version, to_version
};

}  // namespace funkygibbon::graph::internal

#endif  // FUNKYGIBBON_GRAPH_PACKED_H_
