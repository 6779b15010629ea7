#include "mcp/json_text.h"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <string>

#include "core/base64url.h"
#include "core/json_escape.h"

namespace funkygibbon::mcp {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

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
