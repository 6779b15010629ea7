#include "graph/compact_json.h"

#include <charconv>
#include <cstring>
#include <utility>
#include <vector>

#include "core/json_escape.h"

namespace funkygibbon::graph::internal {
namespace {

// CBOR major types.
constexpr int kUnsigned = 0;
constexpr int kNegative = 1;
constexpr int kBytes = 2;
constexpr int kText = 3;
constexpr int kArray = 4;
constexpr int kMap = 5;
constexpr int kTag = 6;
constexpr int kSimple = 7;

// Simple values / float heads (major 7).
constexpr uint8_t kFalse = 0xF4;
constexpr uint8_t kTrue = 0xF5;
constexpr uint8_t kNull = 0xF6;
constexpr uint8_t kFloat64 = 0xFB;

void PutHead(int major, uint64_t v, std::string* out) {
  const auto m = static_cast<uint8_t>(major << 5);
  auto put_be = [out](uint64_t x, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((x >> (8 * i)) & 0xFF));
  };
  if (v < 24) {
    out->push_back(static_cast<char>(m | v));
  } else if (v <= 0xFF) {
    out->push_back(static_cast<char>(m | 24));
    put_be(v, 1);
  } else if (v <= 0xFFFF) {
    out->push_back(static_cast<char>(m | 25));
    put_be(v, 2);
  } else if (v <= 0xFFFFFFFFull) {
    out->push_back(static_cast<char>(m | 26));
    put_be(v, 4);
  } else {
    out->push_back(static_cast<char>(m | 27));
    put_be(v, 8);
  }
}

void PutInteger(int64_t v, std::string* out) {
  if (v >= 0) {
    PutHead(kUnsigned, static_cast<uint64_t>(v), out);
  } else {
    // -1 - v cannot overflow for any negative int64.
    PutHead(kNegative, static_cast<uint64_t>(-1 - v), out);
  }
}

void PutDouble(double d, std::string* out) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  out->push_back(static_cast<char>(kFloat64));
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
}

void PutText(std::string_view s, std::string* out) {
  PutHead(kText, s.size(), out);
  out->append(s);
}

uint64_t ReadBe(std::string_view b, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(b[pos + static_cast<size_t>(i)]);
  return v;
}

// Builds the CBOR form while nlohmann's parser reads JSON text. Lengths are
// written definite: a container's head is inserted in front of its items
// once they are counted. Gives up (returns false from key) when a map's keys
// are not strictly increasing, as only dump()-written text is expected here.
class SaxEncoder {
 public:
  explicit SaxEncoder(std::string* out) : out_(out) {}

  bool unsorted() const { return unsorted_; }

  bool null() {
    Count();
    out_->push_back(static_cast<char>(kNull));
    return true;
  }
  bool boolean(bool b) {
    Count();
    out_->push_back(static_cast<char>(b ? kTrue : kFalse));
    return true;
  }
  bool number_integer(Json::number_integer_t v) {
    Count();
    PutInteger(v, out_);
    return true;
  }
  bool number_unsigned(Json::number_unsigned_t v) {
    Count();
    PutHead(kUnsigned, v, out_);
    return true;
  }
  bool number_float(Json::number_float_t v, const std::string& /*text*/) {
    Count();
    PutDouble(v, out_);
    return true;
  }
  bool string(std::string& s) {
    Count();
    PutText(s, out_);
    return true;
  }
  bool binary(Json::binary_t& /*b*/) { return false; }  // JSON text has none
  bool start_object(std::size_t /*n*/) {
    Count();
    frames_.push_back(Frame{out_->size(), 0, true, {}});
    return true;
  }
  bool key(std::string& k) {
    Frame& f = frames_.back();
    if (f.count > 0 && !(f.last_key < k)) {
      unsorted_ = true;
      return false;
    }
    f.last_key = k;
    ++f.count;
    PutText(k, out_);
    return true;
  }
  bool end_object() { return Close(); }
  bool start_array(std::size_t /*n*/) {
    Count();
    frames_.push_back(Frame{out_->size(), 0, false, {}});
    return true;
  }
  bool end_array() { return Close(); }
  bool parse_error(std::size_t /*pos*/, const std::string& /*token*/,
                   const nlohmann::detail::exception& /*e*/) {
    return false;
  }

 private:
  struct Frame {
    size_t head_pos;     // where the container's head goes
    uint64_t count;      // items (arrays) or keys (maps) so far
    bool is_map;
    std::string last_key;
  };

  // A value inside an array adds an item; inside a map, key() counted it.
  void Count() {
    if (!frames_.empty() && !frames_.back().is_map) ++frames_.back().count;
  }
  bool Close() {
    const Frame f = std::move(frames_.back());
    frames_.pop_back();
    std::string head;
    PutHead(f.is_map ? kMap : kArray, f.count, &head);
    out_->insert(f.head_pos, head);
    return true;
  }

  std::string* out_;
  std::vector<Frame> frames_;
  bool unsorted_ = false;
};

Json DecodeAt(std::string_view b, size_t* pos, bool* ok);

Json DecodeContainer(std::string_view b, size_t* pos, int major, uint64_t n, bool* ok) {
  if (major == kArray) {
    Json arr = Json::array();
    auto& v = arr.get_ref<Json::array_t&>();
    if (n <= b.size() - *pos) v.reserve(static_cast<size_t>(n));
    for (uint64_t i = 0; i < n && *ok; ++i) v.push_back(DecodeAt(b, pos, ok));
    return arr;
  }
  Json obj = Json::object();
  auto& m = obj.get_ref<Json::object_t&>();
  for (uint64_t i = 0; i < n && *ok; ++i) {
    size_t p = *pos;
    int km = 0;
    uint64_t klen = 0;
    if (!ReadHead(b, &p, &km, &klen) || km != kText || klen > b.size() - p) {
      *ok = false;
      break;
    }
    std::string key(b.substr(p, static_cast<size_t>(klen)));
    *pos = p + static_cast<size_t>(klen);
    Json value = DecodeAt(b, pos, ok);
    // Keys were written sorted: the hint makes each insertion O(1).
    m.insert_or_assign(m.end(), std::move(key), std::move(value));
  }
  return obj;
}

Json DecodeAt(std::string_view b, size_t* pos, bool* ok) {
  if (*pos >= b.size()) {
    *ok = false;
    return nullptr;
  }
  const auto ib = static_cast<uint8_t>(b[*pos]);
  if (ib == kFloat64) {
    if (b.size() - *pos < 9) {
      *ok = false;
      return nullptr;
    }
    const uint64_t bits = ReadBe(b, *pos + 1, 8);
    *pos += 9;
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }
  if (ib == kFalse || ib == kTrue || ib == kNull) {
    ++*pos;
    if (ib == kNull) return nullptr;
    return ib == kTrue;
  }
  int major = 0;
  uint64_t arg = 0;
  if (!ReadHead(b, pos, &major, &arg)) {
    *ok = false;
    return nullptr;
  }
  switch (major) {
    case kUnsigned:
      return static_cast<Json::number_unsigned_t>(arg);
    case kNegative:
      if (arg > static_cast<uint64_t>(INT64_MAX)) break;
      return static_cast<Json::number_integer_t>(-1 - static_cast<int64_t>(arg));
    case kText:
    case kBytes: {
      if (arg > b.size() - *pos) break;
      const std::string_view s = b.substr(*pos, static_cast<size_t>(arg));
      *pos += static_cast<size_t>(arg);
      if (major == kText) return std::string(s);
      return Json::binary(Json::binary_t::container_type(s.begin(), s.end()));
    }
    case kArray:
    case kMap:
      return DecodeContainer(b, pos, major, arg, ok);
    default:
      break;
  }
  *ok = false;
  return nullptr;
}

}  // namespace

bool ReadHead(std::string_view bytes, size_t* pos, int* major, uint64_t* arg) {
  if (*pos >= bytes.size()) return false;
  const auto ib = static_cast<uint8_t>(bytes[*pos]);
  *major = ib >> 5;
  const int info = ib & 31;
  ++*pos;
  if (info < 24) {
    *arg = static_cast<uint64_t>(info);
    return true;
  }
  if (info > 27) return false;  // indefinite lengths and reserved values are never written
  const int n = 1 << (info - 24);
  if (bytes.size() - *pos < static_cast<size_t>(n)) return false;
  *arg = ReadBe(bytes, *pos, n);
  *pos += static_cast<size_t>(n);
  return true;
}

void EncodeCbor(const Json& j, std::string* out) {
  switch (j.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded:
      out->push_back(static_cast<char>(kNull));
      return;
    case Json::value_t::boolean:
      out->push_back(static_cast<char>(j.get<bool>() ? kTrue : kFalse));
      return;
    case Json::value_t::number_integer:
      PutInteger(j.get<Json::number_integer_t>(), out);
      return;
    case Json::value_t::number_unsigned:
      PutHead(kUnsigned, j.get<Json::number_unsigned_t>(), out);
      return;
    case Json::value_t::number_float:
      PutDouble(j.get<Json::number_float_t>(), out);
      return;
    case Json::value_t::string:
      PutText(j.get_ref<const std::string&>(), out);
      return;
    case Json::value_t::binary: {
      const auto& bin = j.get_binary();
      PutHead(kBytes, bin.size(), out);
      out->append(reinterpret_cast<const char*>(bin.data()), bin.size());
      return;
    }
    case Json::value_t::array:
      PutHead(kArray, j.size(), out);
      for (const Json& v : j) EncodeCbor(v, out);
      return;
    case Json::value_t::object:
      PutHead(kMap, j.size(), out);
      for (auto it = j.begin(); it != j.end(); ++it) {
        PutText(it.key(), out);
        EncodeCbor(it.value(), out);
      }
      return;
  }
}

bool EncodeCborFromText(std::string_view text, std::string* out) {
  const size_t start = out->size();
  SaxEncoder sax(out);
  if (Json::sax_parse(text.begin(), text.end(), &sax)) return true;
  out->resize(start);
  if (!sax.unsorted()) return false;
  // Text not written by dump() (keys out of order or repeated): the tree
  // sorts them and keeps the last of a repeated key, as parsing would.
  Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return false;
  EncodeCbor(j, out);
  return true;
}

Json DecodeCbor(std::string_view item) {
  size_t pos = 0;
  bool ok = true;
  Json j = DecodeAt(item, &pos, &ok);
  return ok ? j : Json(nullptr);
}

CborKind CborKindOf(std::string_view bytes) {
  if (bytes.empty()) return CborKind::kInvalid;
  const auto ib = static_cast<uint8_t>(bytes[0]);
  switch (ib >> 5) {
    case kUnsigned:
    case kNegative:
      return CborKind::kNumber;
    case kBytes:
      return CborKind::kBytes;
    case kText:
      return CborKind::kString;
    case kArray:
      return CborKind::kArray;
    case kMap:
      return CborKind::kMap;
    case kSimple:
      if (ib == kFalse || ib == kTrue) return CborKind::kBool;
      if (ib == kNull) return CborKind::kNull;
      if (ib == kFloat64) return CborKind::kNumber;
      return CborKind::kInvalid;
    default:
      return CborKind::kInvalid;
  }
}

size_t CborItemSize(std::string_view bytes) {
  size_t pos = 0;
  uint64_t pending = 1;  // items still to skip
  while (pending > 0) {
    --pending;
    if (pos >= bytes.size()) return 0;
    const auto ib = static_cast<uint8_t>(bytes[pos]);
    if (ib == kFloat64) {
      if (bytes.size() - pos < 9) return 0;
      pos += 9;
      continue;
    }
    int major = 0;
    uint64_t arg = 0;
    if (!ReadHead(bytes, &pos, &major, &arg)) return 0;
    switch (major) {
      case kUnsigned:
      case kNegative:
        break;
      case kBytes:
      case kText:
        if (arg > bytes.size() - pos) return 0;
        pos += static_cast<size_t>(arg);
        break;
      case kArray:
      case kMap: {
        // Every item takes at least one byte: a larger count is malformed.
        const uint64_t items = major == kMap ? 2 * arg : arg;
        if (arg > bytes.size() || items > bytes.size() - pos) return 0;
        pending += items;
        break;
      }
      case kTag:
        return 0;  // never written
      case kSimple:
        if (ib != kFalse && ib != kTrue && ib != kNull) return 0;
        break;
      default:
        return 0;
    }
  }
  return pos;
}

std::string_view CborString(std::string_view item) {
  size_t pos = 0;
  int major = 0;
  uint64_t len = 0;
  if (!ReadHead(item, &pos, &major, &len) || major != kText || len > item.size() - pos) return {};
  return item.substr(pos, static_cast<size_t>(len));
}

bool CborBool(std::string_view item) {
  return !item.empty() && static_cast<uint8_t>(item[0]) == kTrue;
}

std::optional<std::string_view> CborFind(std::string_view map, std::string_view key) {
  size_t pos = 0;
  int major = 0;
  uint64_t n = 0;
  if (!ReadHead(map, &pos, &major, &n) || major != kMap) return std::nullopt;
  for (uint64_t i = 0; i < n; ++i) {
    int km = 0;
    uint64_t klen = 0;
    if (!ReadHead(map, &pos, &km, &klen) || km != kText || klen > map.size() - pos) {
      return std::nullopt;
    }
    const std::string_view k = map.substr(pos, static_cast<size_t>(klen));
    pos += static_cast<size_t>(klen);
    const size_t vlen = CborItemSize(map.substr(pos));
    if (vlen == 0) return std::nullopt;
    if (k == key) return map.substr(pos, vlen);
    pos += vlen;
  }
  return std::nullopt;
}

std::optional<std::string_view> CborAt(std::string_view array, uint64_t i) {
  size_t pos = 0;
  int major = 0;
  uint64_t n = 0;
  if (!ReadHead(array, &pos, &major, &n) || major != kArray || i >= n) return std::nullopt;
  for (uint64_t k = 0;; ++k) {
    const size_t len = CborItemSize(array.substr(pos));
    if (len == 0) return std::nullopt;
    if (k == i) return array.substr(pos, len);
    pos += len;
  }
}

namespace {

// Mirrors FlattenInto in core/types.cc, depth limit included.
void FlattenAt(std::string_view item, std::string* out, int depth) {
  if (depth > 32) return;
  switch (CborKindOf(item)) {
    case CborKind::kString:
      out->append(CborString(item));
      out->push_back(' ');
      return;
    case CborKind::kNumber:
      out->append(DecodeCbor(item).dump());
      out->push_back(' ');
      return;
    case CborKind::kArray:
      ForEachCborElement(item, [&](std::string_view v) { FlattenAt(v, out, depth + 1); });
      return;
    case CborKind::kMap: {
      size_t pos = 0;
      int major = 0;
      uint64_t n = 0;
      if (!ReadHead(item, &pos, &major, &n)) return;
      for (uint64_t i = 0; i < n; ++i) {
        const size_t klen = CborItemSize(item.substr(pos));
        if (klen == 0) return;
        out->append(CborString(item.substr(pos, klen)));
        out->push_back(' ');
        pos += klen;
        const size_t vlen = CborItemSize(item.substr(pos));
        if (vlen == 0) return;
        FlattenAt(item.substr(pos, vlen), out, depth + 1);
        pos += vlen;
      }
      return;
    }
    default:
      return;
  }
}

}  // namespace

void FlattenCbor(std::string_view item, std::string* out) { FlattenAt(item, out, 0); }

namespace {

constexpr int kMaxDirectDepth = 128;

// Writes the item at b[*pos] and moves *pos past it. False (with *out
// partly written) for anything AppendCborAsJson leaves to DecodeCbor.
bool JsonTextAt(std::string_view b, size_t* pos, std::string* out, int depth) {
  if (depth > kMaxDirectDepth || *pos >= b.size()) return false;
  const auto ib = static_cast<uint8_t>(b[*pos]);
  if (ib == kFloat64) {
    if (b.size() - *pos < 9) return false;
    const uint64_t bits = ReadBe(b, *pos + 1, 8);
    *pos += 9;
    double d;
    std::memcpy(&d, &bits, sizeof d);
    // nlohmann's own number formatting (shortest round trip, "1.0", null
    // for NaN and infinities): floats are rare in content.
    out->append(Json(d).dump());
    return true;
  }
  if (ib == kFalse || ib == kTrue || ib == kNull) {
    ++*pos;
    out->append(ib == kNull ? "null" : ib == kTrue ? "true" : "false");
    return true;
  }
  int major = 0;
  uint64_t arg = 0;
  if (!ReadHead(b, pos, &major, &arg)) return false;
  char digits[24];
  switch (major) {
    case kUnsigned: {
      const auto r = std::to_chars(digits, digits + sizeof digits, arg);
      out->append(digits, r.ptr);
      return true;
    }
    case kNegative: {
      if (arg > static_cast<uint64_t>(INT64_MAX)) return false;
      const auto r =
          std::to_chars(digits, digits + sizeof digits, -1 - static_cast<int64_t>(arg));
      out->append(digits, r.ptr);
      return true;
    }
    case kText: {
      if (arg > b.size() - *pos) return false;
      AppendJsonString(out, b.substr(*pos, static_cast<size_t>(arg)), InvalidUtf8::kReplace);
      *pos += static_cast<size_t>(arg);
      return true;
    }
    case kArray: {
      out->push_back('[');
      for (uint64_t i = 0; i < arg; ++i) {
        if (i > 0) out->push_back(',');
        if (!JsonTextAt(b, pos, out, depth + 1)) return false;
      }
      out->push_back(']');
      return true;
    }
    case kMap: {
      out->push_back('{');
      std::string_view previous;
      for (uint64_t i = 0; i < arg; ++i) {
        int km = 0;
        uint64_t klen = 0;
        if (!ReadHead(b, pos, &km, &klen) || km != kText || klen > b.size() - *pos) return false;
        const std::string_view key = b.substr(*pos, static_cast<size_t>(klen));
        // A decoded object lists its keys sorted, each once.
        if (i > 0 && !(previous < key)) return false;
        previous = key;
        *pos += static_cast<size_t>(klen);
        if (i > 0) out->push_back(',');
        AppendJsonString(out, key, InvalidUtf8::kReplace);
        out->push_back(':');
        if (!JsonTextAt(b, pos, out, depth + 1)) return false;
      }
      out->push_back('}');
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

void AppendCborAsJson(std::string_view item, std::string* out) {
  const size_t start = out->size();
  size_t pos = 0;
  if (JsonTextAt(item, &pos, out, 0)) return;
  out->resize(start);
  out->append(DecodeCbor(item).dump(-1, ' ', false, Json::error_handler_t::replace));
}

}  // namespace funkygibbon::graph::internal
