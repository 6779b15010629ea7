#include "graph/packed.h"

#include <cstring>
#include <utility>

namespace funkygibbon::graph::internal {
namespace {

constexpr char kHex[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool IsDash(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

// Canonical lowercase 8-4-4-4-12 hex UUID -> 16 bytes.
bool ParseUuid(std::string_view s, std::array<uint8_t, 16>* out) {
  if (s.size() != 36) return false;
  size_t b = 0;
  for (size_t i = 0; i < 36;) {
    if (IsDash(i)) {
      if (s[i] != '-') return false;
      ++i;
      continue;
    }
    const int hi = HexValue(s[i]), lo = HexValue(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*out)[b++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return true;
}

}  // namespace

void PackedString::Free() {
  if (kind_ == kHeap) {
    char* p;
    std::memcpy(&p, bytes_.data(), sizeof p);
    delete[] p;
  }
}

void PackedString::Set(std::string_view s) {
  Free();
  kind_ = kEmpty;
  if (s.empty()) return;
  if (ParseUuid(s, &bytes_)) {
    kind_ = kUuid;
  } else if (s.size() < bytes_.size()) {
    std::memcpy(bytes_.data(), s.data(), s.size());
    bytes_[15] = static_cast<uint8_t>(s.size());
    kind_ = kInline;
  } else {
    char* p = new char[s.size()];
    std::memcpy(p, s.data(), s.size());
    const uint32_t len = static_cast<uint32_t>(s.size());
    std::memcpy(bytes_.data(), &p, sizeof p);
    std::memcpy(bytes_.data() + sizeof p, &len, sizeof len);
    kind_ = kHeap;
  }
}

std::string_view PackedString::View(Buffer* buf) const {
  switch (kind_) {
    case kEmpty:
      return {};
    case kInline:
      return {reinterpret_cast<const char*>(bytes_.data()), bytes_[15]};
    case kUuid: {
      size_t b = 0;
      for (size_t i = 0; i < 36;) {
        if (IsDash(i)) {
          (*buf)[i++] = '-';
          continue;
        }
        (*buf)[i++] = kHex[bytes_[b] >> 4];
        (*buf)[i++] = kHex[bytes_[b] & 15];
        ++b;
      }
      return {buf->data(), buf->size()};
    }
    default: {
      const char* p;
      uint32_t len;
      std::memcpy(&p, bytes_.data(), sizeof p);
      std::memcpy(&len, bytes_.data() + sizeof p, sizeof len);
      return {p, len};
    }
  }
}

int PackedString::Compare(const PackedString& a, const PackedString& b) {
  if (a.kind_ == kUuid && b.kind_ == kUuid) {
    // Hex digits and dashes sit at the same places, so byte order is text order.
    const int c = std::memcmp(a.bytes_.data(), b.bytes_.data(), 16);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  Buffer ba, bb;
  const int c = a.View(&ba).compare(b.View(&bb));
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

uint32_t UserPool::Intern(std::string_view user) {
  if (user.empty()) return 0;
  auto it = index_.find(std::string(user));
  if (it != index_.end()) return it->second;
  const uint32_t i = static_cast<uint32_t>(names_.size());
  names_.emplace_back(user);
  index_.emplace(std::string(user), i);
  return i;
}

void WireFields::Set(const Relationship& r, UserPool* users) {
  Clear();
  const bool props = !(r.properties.is_object() && r.properties.empty());
  WireFields* w = this;
  w->user_ = users->Intern(r.user_id);
  auto overflow = [&w]() -> Overflow& {
    if (!w->overflow_) w->overflow_ = std::make_unique<Overflow>();
    return *w->overflow_;
  };
  auto stamp = [&](const std::string& s, int slot, Micros* out, std::string Overflow::*field) {
    if (s.empty()) return;
    const std::optional<Micros> t = ParseTimestamp(s);
    if (t && FormatTimestamp(*t) == s) {
      *out = *t;
      w->forms_ = static_cast<uint8_t>(w->forms_ | kPacked << (2 * slot));
    } else {
      overflow().*field = s;
      w->forms_ = static_cast<uint8_t>(w->forms_ | kVerbatim << (2 * slot));
    }
  };
  auto version = [&](const std::string& s, int slot, Version* out, std::string Overflow::*field) {
    if (s.empty()) return;
    const std::optional<ParsedVersion> v = ParseVersion(s);
    if (v && !v->legacy_z && v->counter >= 0 && FormatVersion(*v) == s) {
      out->time = v->time;
      out->counter = v->counter;
      out->user = users->Intern(v->user_id);
      w->forms_ = static_cast<uint8_t>(w->forms_ | kPacked << (2 * slot));
    } else {
      overflow().*field = s;
      w->forms_ = static_cast<uint8_t>(w->forms_ | kVerbatim << (2 * slot));
    }
  };
  stamp(r.created_at, 0, &w->created_, &Overflow::created_at);
  stamp(r.updated_at, 1, &w->updated_, &Overflow::updated_at);
  version(r.from_entity_version, 2, &w->from_version_, &Overflow::from_version);
  version(r.to_entity_version, 3, &w->to_version_, &Overflow::to_version);
  if (props) overflow().properties = r.properties;
}

void WireFields::CopyTo(const UserPool& users, Relationship* r) const {
  r->user_id = users.Name(user_);
  auto form = [this](int slot) { return (forms_ >> (2 * slot)) & 3; };
  auto stamp = [&](int slot, Micros t, const std::string Overflow::*field, std::string* out) {
    if (form(slot) == kPacked) *out = FormatTimestamp(t);
    if (form(slot) == kVerbatim) *out = overflow_.get()->*field;
  };
  auto version = [&](int slot, const Version& v, const std::string Overflow::*field,
                     std::string* out) {
    if (form(slot) == kPacked) {
      ParsedVersion p;
      p.time = v.time;
      p.counter = v.counter;
      p.user_id = users.Name(v.user);
      *out = FormatVersion(p);
    }
    if (form(slot) == kVerbatim) *out = overflow_.get()->*field;
  };
  stamp(0, created_, &Overflow::created_at, &r->created_at);
  stamp(1, updated_, &Overflow::updated_at, &r->updated_at);
  version(2, from_version_, &Overflow::from_version, &r->from_entity_version);
  version(3, to_version_, &Overflow::to_version, &r->to_entity_version);
  if (overflow_) r->properties = overflow_->properties;
}

}  // namespace funkygibbon::graph::internal
