// GCC 12 with -fsanitize=address,undefined and -O2 reports a false
// -Wmaybe-uninitialized inside libstdc++'s std::regex compiler
// (std::function members of _State); it is silenced for this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "mcp/pattern.h"

#include <exception>
#include <regex>
#include <utility>

namespace funkygibbon::mcp {

struct Pattern::Compiled {
  std::regex re;
};

StatusOr<Pattern> Pattern::Compile(const std::string& source) {
  try {
    auto compiled = std::make_shared<Compiled>();
    compiled->re.assign(source, std::regex::ECMAScript);
    return Pattern(source, std::move(compiled));
  } catch (const std::exception& e) {
    return Status::InvalidArgument(e.what());
  }
}

bool Pattern::Search(std::string_view subject) const {
  try {
    return std::regex_search(subject.begin(), subject.end(), compiled_->re);
  } catch (const std::exception&) {
    return false;  // regex_error (complexity or stack): treat as no match
  }
}

}  // namespace funkygibbon::mcp
