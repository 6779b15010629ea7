#include "core/json_escape.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

namespace funkygibbon {

size_t Utf8SequenceLength(std::string_view s, size_t i, size_t* bad) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const size_t left = s.size() - i;
  const unsigned char c = b(0);
  *bad = 1;
  if (c < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (size_t k = 1; k < len; ++k) {
    if (k >= left) return 0;
    const unsigned char lo_k = k == 1 ? lo : 0x80;
    const unsigned char hi_k = k == 1 ? hi : 0xBF;
    if (b(k) < lo_k || b(k) > hi_k) return 0;
    *bad = k + 1;
  }
  return len;
}

namespace {

// The bytes among the 8 at p that need a look, as the high bit of each: a
// control character, '"', '\\', and (unless `copy_high`) anything at or
// above 0x80. Each term is the classic "has a byte below n / equal to c"
// test on a whole word; a borrow can flag a byte above a flagged one, but
// never one below, so the lowest flag is always a byte that needs a look.
// The first byte in memory is the lowest of the word.
static_assert(std::endian::native == std::endian::little);

inline uint64_t Flagged(const char* p, bool copy_high) {
  constexpr uint64_t k01 = 0x0101010101010101ull;
  constexpr uint64_t k80 = 0x8080808080808080ull;
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  const uint64_t quote = w ^ (k01 * '"');
  const uint64_t backslash = w ^ (k01 * '\\');
  uint64_t flagged = ((w - k01 * 0x20) & ~w) | ((quote - k01) & ~quote) |
                     ((backslash - k01) & ~backslash);
  if (!copy_high) flagged |= w;
  return flagged & k80;
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view text, InvalidUtf8 invalid) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->reserve(out->size() + text.size() + text.size() / 8 + 2);
  out->push_back('"');
  const bool copy_high = invalid == InvalidUtf8::kCopy;
  size_t run = 0;  // start of the bytes not yet copied
  size_t i = 0;
  while (i < text.size()) {
    // Most text needs no escaping: pass over it a word (8 bytes) at a time,
    // straight to the first byte that needs a look.
    if (text.size() - i >= 8) {
      const uint64_t flagged = Flagged(text.data() + i, copy_high);
      if (flagged == 0) {
        i += 8;
        continue;
      }
      i += static_cast<size_t>(std::countr_zero(flagged)) / 8;
    }
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') {
      if (c < 0x80 || copy_high) {
        ++i;
        continue;
      }
      size_t bad = 0;
      if (const size_t len = Utf8SequenceLength(text, i, &bad); len > 0) {
        i += len;
        continue;
      }
      out->append(text.data() + run, i - run);
      out->append("\xEF\xBF\xBD");  // U+FFFD for the ill-formed subpart
      i += bad;
      run = i;
      continue;
    }
    out->append(text.data() + run, i - run);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default: {  // another control character
        const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out->append(u, sizeof u);
      }
    }
    run = ++i;
  }
  out->append(text.data() + run, text.size() - run);
  out->push_back('"');
}

void AppendQuoteDenseJsonString(std::string* out, std::string_view text) {
  // Per byte: 1 when it takes a backslash before it ('"', '\\'); 2 for a
  // control character, which sends the text to AppendJsonString.
  static constexpr auto kClass = [] {
    std::array<uint8_t, 256> t{};
    for (int c = 0; c < 0x20; ++c) t[static_cast<size_t>(c)] = 2;
    t['"'] = 1;
    t['\\'] = 1;
    return t;
  }();
  const size_t start = out->size();
  out->resize(start + 2 * text.size() + 2);
  char* d = out->data() + start;
  *d++ = '"';
  const char* p = text.data();
  const char* const end = p + text.size();
  uint8_t control = 0;
  while (p != end) {
    // A word (8 bytes) with nothing to escape is copied whole; a word with
    // something goes byte by byte, without branches.
    if (end - p >= 8 && Flagged(p, /*copy_high=*/true) == 0) {
      std::memcpy(d, p, 8);
      d += 8;
      p += 8;
      continue;
    }
    const char* const stop = p + std::min<ptrdiff_t>(8, end - p);
    for (; p != stop; ++p) {
      const uint8_t k = kClass[static_cast<unsigned char>(*p)];
      control |= k;
      *d = '\\';
      d += k & 1;
      *d++ = *p;
    }
  }
  *d++ = '"';
  if (control & 2) {
    out->resize(start);
    AppendJsonString(out, text);
    return;
  }
  out->resize(static_cast<size_t>(d - out->data()));
}

}  // namespace funkygibbon
