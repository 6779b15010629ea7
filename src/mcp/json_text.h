// JSON text at the edges of the MCP layer: parsing untrusted bytes without
// exceptions or unbounded recursion, serializing without ever producing
// invalid UTF-8 or a raw newline, and the opaque cursors of paginated lists.
//
// Thread-safety: free functions over their arguments; safe to call
// concurrently.
#ifndef FUNKYGIBBON_MCP_JSON_TEXT_H_
#define FUNKYGIBBON_MCP_JSON_TEXT_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/types.h"

namespace funkygibbon::mcp {

// Messages nested deeper than this many arrays/objects are rejected before
// they reach nlohmann's parser or any recursive code of ours.
inline constexpr int kMaxJsonDepth = 64;

// Parses one JSON text. Never throws.
//   ResourceExhausted: nested deeper than max_depth (checked first, by a
//                      linear pre-scan that does not recurse).
//   InvalidArgument:   not valid JSON (the message says where and why).
StatusOr<Json> ParseJson(std::string_view text, int max_depth = kMaxJsonDepth);

// ParseJson's fast path, exposed for tests: one pass that builds exactly the
// tree nlohmann's parser builds (same value types: a non-negative integer is
// number_unsigned, a negative one number_integer; a repeated key keeps its
// last value), for plain JSON only. nullopt for anything else (floats,
// integers of 19 or more digits, nesting deeper than max_depth, and every
// error), which ParseJson then gives to nlohmann, so all its error messages
// are nlohmann's. About a third of the instructions of a tools/call
// message's parse.
std::optional<Json> ParseJsonFast(std::string_view text, int max_depth = kMaxJsonDepth);

// True if `text` opens more than max_depth arrays/objects at once (strings
// are skipped, so brackets inside them do not count).
bool ExceedsDepth(std::string_view text, int max_depth);

// Compact serialization, `j.dump(-1, ' ', false, error_handler_t::replace)`:
// invalid UTF-8 inside strings becomes U+FFFD and newlines are escaped, so
// the result is always one valid line. Never throws.
std::string DumpJson(const Json& j);

// UTF-8 helpers.
bool IsValidUtf8(std::string_view s);
// Replaces every ill-formed sequence with U+FFFD (one per maximal subpart,
// as WHATWG/Node decoders do).
std::string SanitizeUtf8(std::string_view s);
// Unicode code points in a valid UTF-8 string (JSON Schema string length).
size_t CountCodePoints(std::string_view utf8);

// Opaque cursors for paginated lists: base64url (no padding) of a payload.
std::string EncodeCursor(std::string_view payload);
// nullopt if `cursor` is not something EncodeCursor produced.
std::optional<std::string> DecodeCursor(std::string_view cursor);

}  // namespace funkygibbon::mcp

#endif  // FUNKYGIBBON_MCP_JSON_TEXT_H_
