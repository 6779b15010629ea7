// base64url (RFC 4648 section 5) without padding: bearer tokens and the
// opaque cursors of paginated lists.
//
// Thread-safety: free functions over their arguments.
#ifndef FUNKYGIBBON_CORE_BASE64URL_H_
#define FUNKYGIBBON_CORE_BASE64URL_H_

#include <optional>
#include <string>
#include <string_view>

namespace funkygibbon {

std::string Base64UrlEncode(std::string_view bytes);

// Strict, so every byte string has exactly one accepted text: only the
// base64url alphabet, no padding, no length of 1 mod 4, and the bits left
// over after the last whole byte must be zero. nullopt otherwise.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace funkygibbon

#endif  // FUNKYGIBBON_CORE_BASE64URL_H_
