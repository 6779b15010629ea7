// A small JSON Schema validator (2020-12 semantics) for the keywords our
// tools use. Schemas come from tools.json, so anything outside the
// supported set is refused at Compile time rather than silently ignored.
//
// Supported:   type (a name or an array of names; "integer" accepts 1.0),
//              properties, required, additionalProperties (bool or schema),
//              items (a schema), enum, const, minimum, maximum,
//              exclusiveMinimum, exclusiveMaximum, minLength, maxLength
//              (Unicode code points), minItems, maxItems, uniqueItems,
//              pattern (ECMAScript, unanchored, compiled once at Compile),
//              anyOf, oneOf, allOf, not, and the boolean schemas true/false.
// Annotations: default, description, title, examples, $schema, $comment,
//              format, deprecated, readOnly, writeOnly (accepted, ignored).
//
// Thread-safety: a compiled Schema is immutable; Validate may be called
// concurrently. Copies share the compiled tree.
#ifndef FUNKYGIBBON_MCP_SCHEMA_H_
#define FUNKYGIBBON_MCP_SCHEMA_H_

#include <cstddef>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/types.h"

namespace funkygibbon::mcp {

// Strings longer than this are not run through `pattern` (libstdc++'s regex
// executor recurses per character and would overflow the stack); such a
// string fails validation with a message naming the limit.
inline constexpr size_t kMaxPatternSubjectBytes = 1024;

// One validation failure.
struct SchemaError {
  std::string pointer;   // RFC 6901 pointer into the instance, "" = the root
  std::string location;  // the same path for people: ".max_depth", "[2].id", ""
  std::string
      message;  // a sentence a model can act on: "must be <= 50 (got 80)"

  // `root` + location + ": " + message, e.g.
  // "arguments.max_depth: must be <= 50 (got 80)".
  std::string ToString(std::string_view root = "arguments") const;
};

class Schema {
 public:
  // InvalidArgument if `schema` is not a schema (wrong keyword value types,
  // a bad regex) or uses a keyword outside the supported set; the message
  // names the keyword and its location in the schema.
  static StatusOr<Schema> Compile(const Json& schema);

  // All problems found (capped at kMaxErrors), in document order; empty
  // when the instance is valid.
  std::vector<SchemaError> Validate(const Json& instance) const;
  bool IsValid(const Json& instance) const;

  static constexpr size_t kMaxErrors = 20;

  struct Node;  // the compiled form, defined in schema.cc

 private:
  explicit Schema(std::shared_ptr<const Node> root) : root_(std::move(root)) {}
  std::shared_ptr<const Node> root_;
};

// Joins errors as "root.a: msg; root.b: msg" (or one per line with
// separator "\n").
std::string FormatSchemaErrors(const std::vector<SchemaError>& errors,
                               std::string_view root,
                               std::string_view separator = "; ");

// The keywords Compile accepts (validation keywords plus ignored annotations).
const std::set<std::string>& SupportedSchemaKeywords();

// Every keyword used anywhere in `schema` (walking properties,
// additionalProperties, items, the combinators, and also the subschemas of
// keywords we do not support, so nested use is reported too). Values of
// enum/const/default/examples are data, not schemas, and are not walked.
std::set<std::string> SchemaKeywords(const Json& schema);

// SchemaKeywords minus SupportedSchemaKeywords. `items` given as an array
// (the pre-2020 tuple form) is reported as "items[]".
std::set<std::string> UnsupportedSchemaKeywords(const Json& schema);

}  // namespace funkygibbon::mcp

#endif  // FUNKYGIBBON_MCP_SCHEMA_H_
