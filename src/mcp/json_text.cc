#include "mcp/json_text.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <utility>

#include "core/base64url.h"
#include "core/json_escape.h"

namespace funkygibbon::mcp {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The fast path of ParseJson (see json_text.h): a single pass over plain
// JSON that builds the same tree nlohmann's parser would, and gives up
// (nullopt) on anything it does not handle itself (floats, integers of 19
// digits or more, any error), leaving those to nlohmann. So every error
// message, and every value it does not produce, comes from nlohmann.
class FastParser {
 public:
  FastParser(std::string_view text, int max_depth)
      : p_(text.data()), end_(text.data() + text.size()), max_depth_(max_depth) {}

  std::optional<Json> Parse() {
    Json out;
    if (!Value(out, 0)) return std::nullopt;
    SkipSpace();
    if (p_ != end_) return std::nullopt;
    return out;
  }

 private:
  void SkipSpace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool Value(Json& out, int depth) {
    SkipSpace();
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        return Object(out, depth + 1);
      case '[':
        return Array(out, depth + 1);
      case '"': {
        std::string s;
        if (!String(s)) return false;
        out = std::move(s);
        return true;
      }
      case 't':
        if (!Literal("true")) return false;
        out = true;
        return true;
      case 'f':
        if (!Literal("false")) return false;
        out = false;
        return true;
      case 'n':
        if (!Literal("null")) return false;
        out = nullptr;
        return true;
      default:
        return Number(out);
    }
  }

  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  bool Object(Json& out, int depth) {
    if (depth > max_depth_) return false;
    ++p_;  // '{'
    out = Json::object();
    auto& object = out.get_ref<Json::object_t&>();
    SkipSpace();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    bool more = false;
    while (true) {
      SkipSpace();
      if (p_ == end_ || *p_ != '"') return false;
      std::string key;
      if (!String(key)) return false;
      SkipSpace();
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      // A repeated key keeps its last value, as in nlohmann's parser.
      Json& slot = object[std::move(key)];
      slot = Json();
      if (!Value(slot, depth)) return false;
      if (!Next('}', &more)) return false;
      if (!more) return true;
    }
  }

  bool Array(Json& out, int depth) {
    if (depth > max_depth_) return false;
    ++p_;  // '['
    out = Json::array();
    auto& array = out.get_ref<Json::array_t&>();
    SkipSpace();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    bool more = false;
    while (true) {
      array.emplace_back();
      if (!Value(array.back(), depth)) return false;
      if (!Next(']', &more)) return false;
      if (!more) return true;
    }
  }

  // After a member or element: past a ',' (*more) or past `close`
  // (!*more); false for anything else.
  bool Next(char close, bool* more) {
    SkipSpace();
    if (p_ == end_ || (*p_ != ',' && *p_ != close)) return false;
    *more = *p_++ == ',';
    return true;
  }

  // Integers only: nlohmann makes a non-negative one number_unsigned and a
  // negative one number_integer; 18 digits always fit either.
  bool Number(Json& out) {
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
    if (*p_ == '0' && p_ + 1 != end_ && p_[1] >= '0' && p_[1] <= '9') return false;
    uint64_t value = 0;
    const char* digits = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
      value = value * 10 + static_cast<uint64_t>(*p_ - '0');
      ++p_;
    }
    if (p_ - digits > 18) return false;
    if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
    if (negative) {
      out = -static_cast<int64_t>(value);
    } else {
      out = value;
    }
    return true;
  }

  static int Hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // Four hex digits after "\u"; -1 if they are not.
  int CodeUnit() {
    if (end_ - p_ < 4) return -1;
    int v = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = Hex(p_[i]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    p_ += 4;
    return v;
  }

  static void AppendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool String(std::string& out) {
    ++p_;  // '"'
    while (true) {
      const char* run = p_;
      while (p_ != end_) {
        const auto c = static_cast<unsigned char>(*p_);
        if (c == '"' || c == '\\' || c < 0x20) break;
        if (c < 0x80) {
          ++p_;
          continue;
        }
        // Well-formed UTF-8 only (no overlong forms, surrogates or code
        // points past U+10FFFF), as nlohmann checks.
        size_t bad = 0;
        const size_t n = Utf8SequenceLength(std::string_view(p_, end_ - p_), 0, &bad);
        if (n == 0) return false;
        p_ += n;
      }
      out.append(run, static_cast<size_t>(p_ - run));
      if (p_ == end_) return false;
      if (*p_ == '"') {
        ++p_;
        return true;
      }
      if (*p_ != '\\') return false;  // a raw control character
      ++p_;
      if (p_ == end_) return false;
      const char e = *p_++;
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const int unit = CodeUnit();
          if (unit < 0) return false;
          uint32_t cp = static_cast<uint32_t>(unit);
          if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a lone low surrogate
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
            p_ += 2;
            const int low = CodeUnit();
            if (low < 0xDC00 || low > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<uint32_t>(low) - 0xDC00);
          }
          AppendUtf8(out, cp);
          break;
        }
        default:
          return false;
      }
    }
  }

  const char* p_;
  const char* const end_;
  const int max_depth_;
};

}  // namespace

std::optional<Json> ParseJsonFast(std::string_view text, int max_depth) {
  return FastParser(text, max_depth).Parse();
}

bool ExceedsDepth(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // skip the escaped character
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > max_depth) return true;
        break;
      case ']':
      case '}':
        --depth;
        break;
      default:
        break;
    }
  }
  return false;
}

StatusOr<Json> ParseJson(std::string_view text, int max_depth) {
  if (std::optional<Json> fast = ParseJsonFast(text, max_depth)) return std::move(*fast);
  if (ExceedsDepth(text, max_depth)) {
    return Status::ResourceExhausted("JSON nested deeper than " +
                                     std::to_string(max_depth) + " levels");
  }
  // nlohmann's lexer takes a NUL byte for the end of the input, so
  // "{...}\0anything" would parse as "{...}" and the rest be ignored. A raw
  // NUL is never valid JSON (inside a string it is written \u0000).
  if (const size_t nul = text.find('\0'); nul != std::string_view::npos) {
    const std::string_view before = text.substr(0, nul);
    const size_t line_start = before.rfind('\n');
    const size_t line =
        static_cast<size_t>(std::count(before.begin(), before.end(), '\n')) + 1;
    const size_t column =
        nul - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
    return Status::InvalidArgument(
        "parse error at line " + std::to_string(line) + ", column " +
        std::to_string(column) +
        ": a NUL byte is not allowed in JSON text (inside a string, write "
        "\\u0000)");
  }
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::exception& e) {
    // nlohmann's messages read "[json.exception.parse_error.101] parse error
    // at line 1, column 5: syntax error ..."; drop the bracketed prefix.
    std::string what = e.what();
    if (auto pos = what.find("] ");
        what.rfind("[json.exception", 0) == 0 && pos != std::string::npos) {
      what.erase(0, pos + 2);
    }
    return Status::InvalidArgument(SanitizeUtf8(what));
  } catch (const std::exception& e) {
    return Status::InvalidArgument(SanitizeUtf8(e.what()));
  }
}

std::string DumpJson(const Json& j) {
  try {
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
  } catch (const std::exception&) {
    // Only reachable on allocation failure; a valid line is still required.
    return "null";
  }
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t bad = 0;
    const size_t n = Utf8SequenceLength(s, i, &bad);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t bad = 0;
    const size_t n = Utf8SequenceLength(s, i, &bad);
    if (n == 0) {
      out.append(kReplacement);
      i += bad;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

size_t CountCodePoints(std::string_view utf8) {
  size_t n = 0;
  for (char c : utf8) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string EncodeCursor(std::string_view payload) { return Base64UrlEncode(payload); }

std::optional<std::string> DecodeCursor(std::string_view cursor) {
  return Base64UrlDecode(cursor);
}

}  // namespace funkygibbon::mcp
