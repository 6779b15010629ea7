// GCC 12 with -fsanitize=address,undefined and -O2 reports a false
// -Wmaybe-uninitialized inside libstdc++'s std::regex compiler
// (std::function members of _State); it is silenced for this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "mcp/pattern.h"

#include <exception>
#include <regex>
#include <string>
#include <utility>

namespace funkygibbon::mcp {

struct Pattern::Compiled {
  std::regex re;
};

// std::regex compiles and matches by recursion, one level per nested
// group: a pattern nested deeply enough overflows the stack (found by
// fuzz/schema_fuzzer.cc), which no try/catch can stop. Patterns in tool
// schemas are short and shallow; these bounds are far above any real one.
constexpr size_t kMaxPatternBytes = 1024;
constexpr int kMaxPatternNesting = 16;

StatusOr<Pattern> Pattern::Compile(const std::string& source) {
  if (source.size() > kMaxPatternBytes) {
    return Status::InvalidArgument("pattern longer than " + std::to_string(kMaxPatternBytes) +
                                   " bytes");
  }
  int depth = 0;
  for (size_t i = 0; i < source.size(); ++i) {
    const char c = source[i];
    if (c == '\\') {
      ++i;  // an escaped character opens nothing
    } else if (c == '(' && ++depth > kMaxPatternNesting) {
      return Status::InvalidArgument("pattern nests groups more than " +
                                     std::to_string(kMaxPatternNesting) + " deep");
    } else if (c == ')' && depth > 0) {
      --depth;
    }
  }
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
