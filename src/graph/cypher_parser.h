// Private to src/graph: lexer and parser for the read-only Cypher subset of
// query_graph (see GraphIndex::RunCypher).
//
//   statement = MATCH pattern ("," pattern)* (MATCH pattern ("," pattern)*)*
//               [WHERE cond (AND cond)*]
//               RETURN [DISTINCT] (var ("," var)* | "*")
//               [ORDER BY var["." field] [ASC|DESC] ("," ...)*]
//               [SKIP n] [LIMIT n] [";"]
//   pattern   = node (rel node)*
//   node      = "(" [var] [":" type] ["{" key ":" literal ("," key ":" literal)* "}"] ")"
//   rel       = "-[" [var] [":" type ("|" [":"] type)*] "]->" | "<-[...]-" | "-[...]-"
//               | "-->" | "<--" | "--"
//   cond      = var "." field ( ("=" | "<>" | "!=" | "<" | "<=" | ">" | ">="
//                               | CONTAINS | STARTS WITH) literal
//                             | IN "[" literal ("," literal)* "]"
//                             | IS [NOT] NULL )
//   literal   = "string" | 'string' | integer | float | true | false | null
//
// Keywords are case-insensitive; `//` starts a comment to the end of the line.
//
// Thread-safety: pure functions.
#ifndef FUNKYGIBBON_GRAPH_CYPHER_PARSER_H_
#define FUNKYGIBBON_GRAPH_CYPHER_PARSER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "graph/field.h"
#include "graph/graph_index.h"

namespace funkygibbon::graph::internal {

inline constexpr size_t kMaxCypherLength = 10000;
inline constexpr size_t kMaxCypherNodes = 8;
inline constexpr size_t kMaxCypherRelationships = 16;

struct CypherCond {
  FieldPath field;
  MatchOp op = MatchOp::kEq;
  Json value;
};

struct CypherNode {
  std::string var;  // empty: anonymous
  std::optional<EntityType> type;
  bool impossible = false;  // conflicting labels: matches nothing
  std::vector<CypherCond> conds;
};

struct CypherRel {
  std::string var;
  uint32_t a = 0;  // node indices
  uint32_t b = 0;
  Direction dir = Direction::kBoth;  // kOut: a -> b, kIn: b -> a
  uint16_t mask = 0xFFFF;
};

struct CypherOrder {
  uint32_t node = 0;
  FieldPath field;
  bool descending = false;
};

struct CypherQuery {
  std::vector<CypherNode> nodes;
  std::vector<CypherRel> rels;
  std::vector<uint32_t> returns;      // node indices, one per column
  std::vector<std::string> columns;   // their variable names
  std::vector<CypherOrder> order;
  std::optional<size_t> skip;
  std::optional<size_t> limit;
};

// InvalidArgument on syntax errors ("syntax error at column 12: expected ')'
// but found 'RETURN'"), unknown types (listing the valid ones), write
// clauses ("query_graph is read-only: ...") and size limits.
StatusOr<CypherQuery> ParseCypher(std::string_view statement);

}  // namespace funkygibbon::graph::internal

#endif  // FUNKYGIBBON_GRAPH_CYPHER_PARSER_H_
