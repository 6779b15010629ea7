// A hash for unordered containers keyed by std::string that hashes
// std::string and std::string_view alike. With std::equal_to<> as the key
// equality, find() then takes a view and allocates nothing.
//
// Thread-safety: stateless.
#ifndef FUNKYGIBBON_CORE_STRING_HASH_H_
#define FUNKYGIBBON_CORE_STRING_HASH_H_

#include <cstddef>
#include <functional>
#include <string_view>

namespace funkygibbon {

struct TransparentStringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

}  // namespace funkygibbon

#endif  // FUNKYGIBBON_CORE_STRING_HASH_H_
