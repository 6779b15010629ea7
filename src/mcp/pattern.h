// An ECMAScript regular expression for JSON Schema `pattern`, compiled once.
// Kept apart from schema.cc so that <regex> (and a GCC 12 false warning in
// its internals, see pattern.cc) stays in one small translation unit.
//
// Thread-safety: immutable after Compile; Search may run concurrently.
#ifndef FUNKYGIBBON_MCP_PATTERN_H_
#define FUNKYGIBBON_MCP_PATTERN_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/status.h"

namespace funkygibbon::mcp {

class Pattern {
 public:
  // InvalidArgument (with the regex library's reason) if `source` is not a
  // valid ECMAScript regular expression.
  static StatusOr<Pattern> Compile(const std::string& source);

  // Unanchored search, as JSON Schema requires. libstdc++'s matcher
  // recurses per character, so callers bound the subject's length.
  bool Search(std::string_view subject) const;

  const std::string& source() const { return source_; }

 private:
  struct Compiled;
  Pattern(std::string source, std::shared_ptr<const Compiled> compiled)
      : source_(std::move(source)), compiled_(std::move(compiled)) {}

  std::string source_;
  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace funkygibbon::mcp

#endif  // FUNKYGIBBON_MCP_PATTERN_H_
