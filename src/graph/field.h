// Private to src/graph: entity fields as query_graph names them, and the
// comparison operators shared by Query (FieldFilter) and RunCypher (WHERE).
//
// Semantics (documented once, here):
//  - String equality (eq, ne, in, node maps in Cypher, =, <>) ignores ASCII
//    case, except for `id`, which is exact.
//  - Numbers compare numerically (1 == 1.0); strings order by bytes for
//    gt/gte/lt/lte; values of different kinds never match (so ne matches).
//  - A missing field and a JSON null are the same: exists is false, eq null
//    is true, ne anything-but-null is true.
//  - contains: case-insensitive substring for strings, membership (by the
//    equality above) for arrays; false otherwise.
//
// Thread-safety: pure functions.
#ifndef FUNKYGIBBON_GRAPH_FIELD_H_
#define FUNKYGIBBON_GRAPH_FIELD_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "graph/entity_record.h"
#include "graph/graph_index.h"

namespace funkygibbon::graph::internal {

enum class FieldKind {
  kId, kName, kEntityType, kSourceType, kUserId, kVersion, kCreatedAt, kUpdatedAt, kContent,
};

struct FieldPath {
  FieldKind kind = FieldKind::kName;
  std::vector<std::string> path;  // content keys (kContent only); digits index arrays
  std::string text;               // as written, for messages
};

// What a field may be, for error messages.
extern const char kFieldHelp[];

// "name", "id", "entity_type", "source_type", "user_id", "version",
// "created_at", "updated_at", or a content path: "content.a.b" or "a.b".
StatusOr<FieldPath> ParseFieldPath(std::string_view s);
// The same from already-split parts (Cypher's n.a.b gives {"a", "b"}).
StatusOr<FieldPath> FieldPathFromParts(const std::vector<std::string>& parts);

// A string field or content string is a view (kString); any other content
// value is decoded into the FieldValue itself (kJson).
struct FieldValue {
  enum class Kind { kMissing, kString, kJson };
  Kind kind = Kind::kMissing;
  std::string_view str;  // kString
  Json json;             // kJson
};

// The value of f in e; kString views into e's record, valid while it lives.
FieldValue GetField(const EntityView& e, const FieldPath& f);
bool IsMissing(const FieldValue& v);  // missing or JSON null

enum class MatchOp {
  kEq, kNe, kContains, kStartsWith, kExists, kNotExists, kGt, kGte, kLt, kLte, kIn,
};
MatchOp ToMatchOp(FilterOp op);
std::string_view MatchOpName(MatchOp op);

// InvalidArgument if `value` cannot be used with op (e.g. in needs an array).
Status CheckOperand(const FieldPath& f, MatchOp op, const Json& value);

bool Matches(const FieldValue& v, const FieldPath& f, MatchOp op, const Json& value);

// Order of two present values for sorting: numbers < strings < booleans <
// arrays < objects; strings case-insensitively, then by bytes. <0, 0, >0.
int CompareForOrder(const FieldValue& a, const FieldValue& b);

}  // namespace funkygibbon::graph::internal

#endif  // FUNKYGIBBON_GRAPH_FIELD_H_
