// JSON string literals written straight into an output buffer, escaped
// exactly as nlohmann's dump(-1, ' ', false, error_handler_t::replace)
// escapes them, for the hot paths that serialize without building a Json
// tree (tools/call results, sync answers). Also the UTF-8 sequence check
// both they and the MCP layer's validators use.
//
// Thread-safety: free functions over their arguments.
#ifndef FUNKYGIBBON_CORE_JSON_ESCAPE_H_
#define FUNKYGIBBON_CORE_JSON_ESCAPE_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace funkygibbon {

// Length of the well-formed UTF-8 sequence starting at s[i] (1 for ASCII),
// or 0 if the bytes there are ill-formed (Unicode Table 3-7: no overlongs,
// no surrogates, nothing past U+10FFFF, no truncation). On 0, *bad is set
// to the length of the maximal ill-formed subpart, what a decoder replaces
// with one U+FFFD.
size_t Utf8SequenceLength(std::string_view s, size_t i, size_t* bad);

// What AppendJsonString does with bytes that are not well-formed UTF-8.
enum class InvalidUtf8 {
  kCopy,     // the caller guarantees valid UTF-8 (e.g. DumpJson output):
             // bytes >= 0x80 are copied unchecked, the cheapest
  kReplace,  // each maximal ill-formed subpart becomes one U+FFFD, as
             // nlohmann's error_handler_t::replace and SanitizeUtf8 do
};

// Appends `text` as a JSON string literal (quotes included): '"', '\\' and
// control characters escaped as nlohmann escapes them (\b \f \n \r \t, else
// \u00xx), everything else copied byte for byte.
void AppendJsonString(std::string* out, std::string_view text,
                      InvalidUtf8 invalid = InvalidUtf8::kCopy);

// The same bytes as AppendJsonString(out, text, InvalidUtf8::kCopy), faster
// for text full of quotes, such as a serialized JSON answer going out again
// as a string (a tool result's text content): one pass, byte by byte without
// branches, into room for the worst case (every byte doubled). Text with a
// raw control character (which compact JSON never holds) goes to
// AppendJsonString instead.
void AppendQuoteDenseJsonString(std::string* out, std::string_view text);

}  // namespace funkygibbon

#endif  // FUNKYGIBBON_CORE_JSON_ESCAPE_H_
