#include "graph/cypher_parser.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <string>
#include <utility>

#include "graph/graph_data.h"

namespace funkygibbon::graph::internal {
namespace {

enum class TokKind { kIdent, kString, kInt, kFloat, kPunct, kEnd };

struct Token {
  TokKind kind = TokKind::kEnd;
  std::string text;  // ident as written; string decoded; number as written; punct symbol
  size_t pos = 0;    // byte offset in the statement
  bool quoted_ident = false;
};

constexpr std::string_view kWriteKeywords[] = {"CREATE", "MERGE", "SET",  "DELETE",
                                               "DETACH", "REMOVE", "CALL", "LOAD",
                                               "DROP",   "FOREACH"};

// "column 7" on a one-line statement, "line 2, column 3" otherwise.
std::string Where(std::string_view text, size_t pos) {
  pos = std::min(pos, text.size());
  size_t line = 1, col = 1;
  bool multiline = text.find('\n') != std::string_view::npos;
  for (size_t i = 0; i < pos; ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  if (!multiline) return "column " + std::to_string(col);
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

std::string Describe(const Token& t) {
  switch (t.kind) {
    case TokKind::kEnd:
      return "end of statement";
    case TokKind::kString: {
      std::string s = t.text.size() > 30 ? t.text.substr(0, 30) + "..." : t.text;
      return "string \"" + s + "\"";
    }
    default: {
      std::string s = t.text.size() > 30 ? t.text.substr(0, 30) + "..." : t.text;
      return "'" + s + "'";
    }
  }
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Status Run(std::vector<Token>* out) {
    while (true) {
      while (pos_ < text_.size()) {
        const char c = text_[pos_];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
          ++pos_;
        } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/') {
          while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
        } else {
          break;
        }
      }
      Token t;
      t.pos = pos_;
      if (pos_ >= text_.size()) {
        out->push_back(std::move(t));
        return Status::Ok();
      }
      const char c = text_[pos_];
      if (IsIdentStart(c)) {
        size_t end = pos_;
        while (end < text_.size() && IsIdentChar(text_[end])) ++end;
        t.kind = TokKind::kIdent;
        t.text = std::string(text_.substr(pos_, end - pos_));
        pos_ = end;
      } else if (c == '`') {
        const size_t close = text_.find('`', pos_ + 1);
        if (close == std::string_view::npos) return Error(pos_, "unterminated `quoted name`");
        t.kind = TokKind::kIdent;
        t.quoted_ident = true;
        t.text = std::string(text_.substr(pos_ + 1, close - pos_ - 1));
        if (t.text.empty()) return Error(pos_, "empty `quoted name`");
        pos_ = close + 1;
      } else if (IsDigit(c)) {
        size_t end = pos_;
        while (end < text_.size() && IsDigit(text_[end])) ++end;
        t.kind = TokKind::kInt;
        if (end + 1 < text_.size() && text_[end] == '.' && IsDigit(text_[end + 1])) {
          t.kind = TokKind::kFloat;
          ++end;
          while (end < text_.size() && IsDigit(text_[end])) ++end;
        }
        if (end < text_.size() && (text_[end] == 'e' || text_[end] == 'E')) {
          size_t e = end + 1;
          if (e < text_.size() && (text_[e] == '+' || text_[e] == '-')) ++e;
          if (e < text_.size() && IsDigit(text_[e])) {
            while (e < text_.size() && IsDigit(text_[e])) ++e;
            t.kind = TokKind::kFloat;
            end = e;
          }
        }
        if (end < text_.size() && IsIdentStart(text_[end])) {
          return Error(end, "unexpected '" + std::string(1, text_[end]) + "' after a number");
        }
        t.text = std::string(text_.substr(pos_, end - pos_));
        pos_ = end;
      } else if (c == '"' || c == '\'') {
        RETURN_IF_ERROR(String(c, &t));
      } else {
        static constexpr std::string_view kTwo[] = {"<>", "<=", ">=", "!="};
        t.kind = TokKind::kPunct;
        for (std::string_view two : kTwo) {
          if (text_.substr(pos_, 2) == two) t.text = std::string(two);
        }
        if (t.text.empty()) {
          if (std::string_view("()[]{}:,.|=<>-*;+").find(c) == std::string_view::npos) {
            const unsigned char u = static_cast<unsigned char>(c);
            std::string shown = (u < 0x20 || u >= 0x7F) ? "byte 0x" + Hex(u) : std::string(1, c);
            return Error(pos_, "unexpected character " +
                                   (shown.size() == 1 ? "'" + shown + "'" : shown));
          }
          t.text = std::string(1, c);
        }
        pos_ += t.text.size();
      }
      out->push_back(std::move(t));
    }
  }

 private:
  static std::string Hex(unsigned char u) {
    static constexpr char kDigits[] = "0123456789abcdef";
    return {kDigits[u >> 4], kDigits[u & 15]};
  }

  Status Error(size_t pos, const std::string& what) const {
    return Status::InvalidArgument("syntax error at " + Where(text_, pos) + ": " + what);
  }

  Status String(char quote, Token* t) {
    const size_t start = pos_;
    t->kind = TokKind::kString;
    ++pos_;
    while (true) {
      if (pos_ >= text_.size()) return Error(start, "unterminated string (expected a closing " +
                                                        std::string(1, quote) + ")");
      const char c = text_[pos_++];
      if (c == quote) return Status::Ok();
      if (c != '\\') {
        t->text.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) return Error(start, "unterminated string");
      const char e = text_[pos_++];
      switch (e) {
        case '\\':
        case '\'':
        case '"':
        case '/':
          t->text.push_back(e);
          break;
        case 'n':
          t->text.push_back('\n');
          break;
        case 't':
          t->text.push_back('\t');
          break;
        case 'r':
          t->text.push_back('\r');
          break;
        case 'b':
          t->text.push_back('\b');
          break;
        case 'f':
          t->text.push_back('\f');
          break;
        case 'u': {
          if (pos_ + 4 > text_.size()) return Error(pos_ - 2, "\\u needs four hex digits");
          uint32_t cp = 0;
          for (int i = 0; i < 4; ++i) {
            const char h = text_[pos_++];
            cp <<= 4;
            if (h >= '0' && h <= '9') {
              cp |= static_cast<uint32_t>(h - '0');
            } else if (h >= 'a' && h <= 'f') {
              cp |= static_cast<uint32_t>(h - 'a' + 10);
            } else if (h >= 'A' && h <= 'F') {
              cp |= static_cast<uint32_t>(h - 'A' + 10);
            } else {
              return Error(pos_ - 1, "\\u needs four hex digits");
            }
          }
          AppendUtf8(cp, &t->text);
          break;
        }
        default:
          return Error(pos_ - 2, "unknown escape \\" + std::string(1, e) +
                                     " (use \\\\, \\\", \\', \\n, \\t, \\r or \\uXXXX)");
      }
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens)
      : text_(text), toks_(std::move(tokens)) {}

  StatusOr<CypherQuery> Run() {
    RETURN_IF_ERROR(CheckReadOnly());
    if (!IsKeyword(Peek(), "MATCH")) {
      if (IsKeyword(Peek(), "OPTIONAL")) return Unsupported(Peek(), "OPTIONAL MATCH is not supported");
      return Expected("MATCH");
    }
    while (IsKeyword(Peek(), "MATCH")) {
      Next();
      RETURN_IF_ERROR(Pattern());
      while (IsPunct(Peek(), ",")) {
        Next();
        RETURN_IF_ERROR(Pattern());
      }
    }
    if (IsKeyword(Peek(), "WHERE")) {
      Next();
      RETURN_IF_ERROR(Condition());
      while (IsKeyword(Peek(), "AND")) {
        Next();
        RETURN_IF_ERROR(Condition());
      }
      if (IsKeyword(Peek(), "OR") || IsKeyword(Peek(), "XOR")) {
        return Unsupported(Peek(), "only AND may join WHERE conditions");
      }
    }
    if (!IsKeyword(Peek(), "RETURN")) {
      if (IsKeyword(Peek(), "WITH") || IsKeyword(Peek(), "UNWIND")) {
        return Unsupported(Peek(), ToUpper(Peek().text) + " is not supported");
      }
      return Expected(q_.nodes.empty() ? "MATCH" : "WHERE, MATCH, ',' or RETURN");
    }
    Next();
    RETURN_IF_ERROR(Returns());
    if (IsKeyword(Peek(), "ORDER")) {
      Next();
      if (!IsKeyword(Peek(), "BY")) return Expected("BY");
      Next();
      RETURN_IF_ERROR(OrderItem());
      while (IsPunct(Peek(), ",")) {
        Next();
        RETURN_IF_ERROR(OrderItem());
      }
    }
    while (IsKeyword(Peek(), "SKIP") || IsKeyword(Peek(), "LIMIT")) {
      const bool skip = IsKeyword(Peek(), "SKIP");
      const Token kw = Next();
      std::optional<size_t>& slot = skip ? q_.skip : q_.limit;
      if (slot) return Error(kw, (skip ? "SKIP" : "LIMIT") + std::string(" given twice"));
      ASSIGN_OR_RETURN(slot, Count(skip ? "SKIP" : "LIMIT"));
    }
    if (IsPunct(Peek(), ";")) Next();
    if (Peek().kind != TokKind::kEnd) {
      return Expected(q_.order.empty() && !q_.skip && !q_.limit
                          ? "',', ORDER BY, SKIP, LIMIT or the end of the statement"
                          : "SKIP, LIMIT or the end of the statement");
    }
    return std::move(q_);
  }

 private:
  // ---- tokens ----
  const Token& Peek(size_t ahead = 0) const {
    return toks_[std::min(i_ + ahead, toks_.size() - 1)];
  }
  Token Next() {
    Token t = toks_[i_];
    if (i_ + 1 < toks_.size()) ++i_;
    return t;
  }
  static bool IsKeyword(const Token& t, std::string_view kw) {
    return t.kind == TokKind::kIdent && !t.quoted_ident && EqualsIgnoreCase(t.text, kw);
  }
  static bool IsPunct(const Token& t, std::string_view p) {
    return t.kind == TokKind::kPunct && t.text == p;
  }
  static std::string ToUpper(std::string s) {
    for (char& c : s) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return s;
  }

  // ---- errors ----
  Status Error(const Token& at, const std::string& what) const {
    return Status::InvalidArgument("syntax error at " + Where(text_, at.pos) + ": " + what);
  }
  Status Expected(const std::string& what) const {
    return Error(Peek(), "expected " + what + " but found " + Describe(Peek()));
  }
  Status Unsupported(const Token& at, const std::string& what) const {
    return Status::InvalidArgument(what + " (at " + Where(text_, at.pos) +
                                   "); query_graph supports MATCH ... [WHERE ...] RETURN ... "
                                   "[ORDER BY ...] [SKIP n] [LIMIT n]");
  }
  Status Invalid(const Token& at, const std::string& what) const {
    return Status::InvalidArgument(what + " (at " + Where(text_, at.pos) + ")");
  }

  Status CheckReadOnly() const {
    for (size_t i = 0; i < toks_.size(); ++i) {
      const Token& t = toks_[i];
      if (t.kind != TokKind::kIdent || t.quoted_ident) continue;
      bool write = false;
      for (std::string_view kw : kWriteKeywords) write = write || EqualsIgnoreCase(t.text, kw);
      if (!write) continue;
      // A property (n.set), a label (:set) or a map key ({set: 1}) is fine.
      if (i > 0 && (IsPunct(toks_[i - 1], ".") || IsPunct(toks_[i - 1], ":"))) continue;
      if (i + 1 < toks_.size() && (IsPunct(toks_[i + 1], ":") || IsPunct(toks_[i + 1], "."))) {
        continue;
      }
      return Status::InvalidArgument(
          "query_graph is read-only: " + ToUpper(t.text) + " (at " + Where(text_, t.pos) +
          ") would change the graph; use create_entity, update_entity, delete_entity, "
          "create_relationship or delete_relationship to make changes");
    }
    return Status::Ok();
  }

  // ---- pieces ----
  StatusOr<std::string> Identifier(const char* what) {
    if (Peek().kind != TokKind::kIdent) return Expected(what);
    return Next().text;
  }

  StatusOr<Json> Literal() {
    const Token& t = Peek();
    bool negative = false;
    if (IsPunct(t, "-") || IsPunct(t, "+")) {
      negative = IsPunct(t, "-");
      const Token& n = Peek(1);
      if (n.kind != TokKind::kInt && n.kind != TokKind::kFloat) return Expected("a number after the sign");
      Next();
    }
    const Token& v = Peek();
    switch (v.kind) {
      case TokKind::kString:
        if (negative) return Expected("a number");
        return Json(Next().text);
      case TokKind::kInt: {
        int64_t x = 0;
        const char* b = v.text.data();
        const char* e = b + v.text.size();
        auto [p, ec] = std::from_chars(b, e, x);
        if (ec != std::errc() || p != e) return Invalid(v, "integer " + v.text + " is out of range");
        Next();
        return Json(negative ? -x : x);
      }
      case TokKind::kFloat: {
        const double x = std::strtod(v.text.c_str(), nullptr);
        Next();
        return Json(negative ? -x : x);
      }
      case TokKind::kIdent:
        if (!negative) {
          if (IsKeyword(v, "true")) {
            Next();
            return Json(true);
          }
          if (IsKeyword(v, "false")) {
            Next();
            return Json(false);
          }
          if (IsKeyword(v, "null")) {
            Next();
            return Json(nullptr);
          }
        }
        break;
      default:
        break;
    }
    return Expected("a value (a \"string\", a number, true, false or null)");
  }

  StatusOr<size_t> Count(const char* what) {
    const Token& t = Peek();
    if (t.kind != TokKind::kInt) return Expected(std::string("a non-negative integer after ") + what);
    uint64_t x = 0;
    auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), x);
    if (ec != std::errc() || p != t.text.data() + t.text.size()) {
      return Invalid(t, std::string(what) + " " + t.text + " is out of range");
    }
    Next();
    return static_cast<size_t>(x);
  }

  // Field after "var.": ident ("." (ident | int))*.
  StatusOr<FieldPath> Field() {
    std::vector<std::string> parts;
    const Token start = Peek();
    ASSIGN_OR_RETURN(std::string first, Identifier("a property name"));
    parts.push_back(std::move(first));
    while (IsPunct(Peek(), ".")) {
      Next();
      if (Peek().kind != TokKind::kIdent && Peek().kind != TokKind::kInt) {
        return Expected("a property name after '.'");
      }
      parts.push_back(Next().text);
    }
    auto f = FieldPathFromParts(parts);
    if (!f.ok()) return Invalid(start, f.status().message());
    return f;
  }

  StatusOr<uint32_t> NodeVar(const Token& at, const std::string& var) const {
    for (uint32_t i = 0; i < q_.nodes.size(); ++i) {
      if (q_.nodes[i].var == var) return i;
    }
    for (const CypherRel& r : q_.rels) {
      if (r.var == var) {
        return Invalid(at, "'" + var +
                               "' is a relationship variable; WHERE, RETURN and ORDER BY take "
                               "node variables");
      }
    }
    std::string known;
    for (const CypherNode& n : q_.nodes) {
      if (n.var.empty()) continue;
      known += known.empty() ? "" : ", ";
      known += n.var;
    }
    return Invalid(at, "unknown variable '" + var + "'" +
                           (known.empty() ? "; name nodes in MATCH, e.g. (d:device)"
                                          : "; the node variables are: " + known));
  }

  Status Pattern() {
    ASSIGN_OR_RETURN(uint32_t left, NodePattern());
    while (IsPunct(Peek(), "-") || IsPunct(Peek(), "<")) {
      CypherRel rel;
      const Token at = Peek();
      RETURN_IF_ERROR(RelPattern(&rel));
      ASSIGN_OR_RETURN(uint32_t right, NodePattern());
      rel.a = left;
      rel.b = right;
      if (q_.rels.size() >= kMaxCypherRelationships) {
        return Invalid(at, "a query may use at most " + std::to_string(kMaxCypherRelationships) +
                               " relationships");
      }
      q_.rels.push_back(std::move(rel));
      left = right;
    }
    return Status::Ok();
  }

  StatusOr<uint32_t> NodePattern() {
    if (!IsPunct(Peek(), "(")) return Expected("'(' to start a node");
    const Token open = Next();
    CypherNode node;
    if (Peek().kind == TokKind::kIdent) node.var = Next().text;
    if (IsPunct(Peek(), ":")) {
      Next();
      const Token at = Peek();
      ASSIGN_OR_RETURN(std::string label, Identifier("an entity type after ':'"));
      const std::optional<EntityType> type = ParseEntityType(label);
      if (!type) {
        return Invalid(at, "unknown entity type '" + label + "'; valid types: " + EntityTypeList());
      }
      node.type = type;
      if (IsPunct(Peek(), ":")) {
        return Unsupported(Peek(), "a node takes at most one type");
      }
    }
    if (IsPunct(Peek(), "{")) {
      Next();
      while (true) {
        ASSIGN_OR_RETURN(FieldPath field, Field());
        if (!IsPunct(Peek(), ":")) return Expected("':' after the property name");
        Next();
        ASSIGN_OR_RETURN(Json value, Literal());
        node.conds.push_back(CypherCond{std::move(field), MatchOp::kEq, std::move(value)});
        if (IsPunct(Peek(), ",")) {
          Next();
          continue;
        }
        if (!IsPunct(Peek(), "}")) return Expected("',' or '}'");
        Next();
        break;
      }
    }
    if (!IsPunct(Peek(), ")")) {
      return Expected(node.type || !node.conds.empty() ? "')'" : "a variable, ':type', '{' or ')'");
    }
    Next();
    // A named node seen before is the same node: merge the constraints.
    if (!node.var.empty()) {
      for (const CypherRel& r : q_.rels) {
        if (r.var == node.var) return Invalid(open, "'" + node.var + "' is already a relationship variable");
      }
      for (uint32_t i = 0; i < q_.nodes.size(); ++i) {
        CypherNode& seen = q_.nodes[i];
        if (seen.var != node.var) continue;
        if (node.type) {
          if (seen.type && *seen.type != *node.type) seen.impossible = true;
          seen.type = node.type;
        }
        for (CypherCond& c : node.conds) seen.conds.push_back(std::move(c));
        return i;
      }
    }
    if (q_.nodes.size() >= kMaxCypherNodes) {
      return Invalid(open, "a query may use at most " + std::to_string(kMaxCypherNodes) + " nodes");
    }
    q_.nodes.push_back(std::move(node));
    return static_cast<uint32_t>(q_.nodes.size() - 1);
  }

  Status RelPattern(CypherRel* rel) {
    bool left = false, right = false;
    if (IsPunct(Peek(), "<")) {
      Next();
      left = true;
    }
    if (!IsPunct(Peek(), "-")) return Expected("'-'");
    Next();
    if (IsPunct(Peek(), "[")) {
      Next();
      if (Peek().kind == TokKind::kIdent) {
        const Token at = Peek();
        rel->var = Next().text;
        for (const CypherRel& r : q_.rels) {
          if (r.var == rel->var) return Invalid(at, "relationship variable '" + rel->var + "' is used twice");
        }
        for (const CypherNode& n : q_.nodes) {
          if (n.var == rel->var) return Invalid(at, "'" + rel->var + "' is already a node variable");
        }
      }
      if (IsPunct(Peek(), ":")) {
        Next();
        std::vector<RelationshipType> types;
        while (true) {
          if (IsPunct(Peek(), ":")) Next();  // [:a|:b]
          const Token at = Peek();
          ASSIGN_OR_RETURN(std::string name, Identifier("a relationship type"));
          const std::optional<RelationshipType> t = ParseRelationshipType(name);
          if (!t) {
            return Invalid(at, "unknown relationship type '" + name +
                                   "'; valid types: " + RelationshipTypeList());
          }
          types.push_back(*t);
          if (!IsPunct(Peek(), "|")) break;
          Next();
        }
        rel->mask = TypeMask(types);
      }
      if (IsPunct(Peek(), "*")) {
        return Unsupported(Peek(), "variable-length relationships (*) are not supported; use "
                                   "find_path for paths or get_connected_entities for k hops");
      }
      if (IsPunct(Peek(), "{")) {
        return Unsupported(Peek(), "relationship property maps are not supported");
      }
      if (!IsPunct(Peek(), "]")) return Expected("']'");
      Next();
    }
    if (!IsPunct(Peek(), "-")) return Expected("'-'");
    Next();
    if (IsPunct(Peek(), ">")) {
      Next();
      right = true;
    }
    if (left && right) {
      return Invalid(Peek(), "a relationship cannot point both ways; write -[...]- for either direction");
    }
    rel->dir = right ? Direction::kOut : (left ? Direction::kIn : Direction::kBoth);
    return Status::Ok();
  }

  Status Condition() {
    if (IsKeyword(Peek(), "NOT")) return Unsupported(Peek(), "NOT conditions are not supported; use <> or IS NULL");
    const Token at = Peek();
    ASSIGN_OR_RETURN(std::string var, Identifier("a condition like n.name = \"Kitchen\""));
    ASSIGN_OR_RETURN(uint32_t node, NodeVar(at, var));
    if (!IsPunct(Peek(), ".")) return Expected("'.' and a property after '" + var + "'");
    Next();
    ASSIGN_OR_RETURN(FieldPath field, Field());
    CypherCond cond;
    cond.field = std::move(field);
    const Token op = Peek();
    if (IsKeyword(op, "IS")) {
      Next();
      bool negated = false;
      if (IsKeyword(Peek(), "NOT")) {
        Next();
        negated = true;
      }
      if (!IsKeyword(Peek(), "NULL")) return Expected("NULL");
      Next();
      cond.op = negated ? MatchOp::kExists : MatchOp::kNotExists;
      q_.nodes[node].conds.push_back(std::move(cond));
      return Status::Ok();
    }
    if (IsKeyword(op, "STARTS")) {
      Next();
      if (!IsKeyword(Peek(), "WITH")) return Expected("WITH after STARTS");
      Next();
      cond.op = MatchOp::kStartsWith;
    } else if (IsKeyword(op, "CONTAINS")) {
      Next();
      cond.op = MatchOp::kContains;
    } else if (IsKeyword(op, "IN")) {
      Next();
      if (!IsPunct(Peek(), "[")) return Expected("'[' to start a list");
      Next();
      cond.op = MatchOp::kIn;
      cond.value = Json::array();
      if (!IsPunct(Peek(), "]")) {
        while (true) {
          ASSIGN_OR_RETURN(Json v, Literal());
          cond.value.push_back(std::move(v));
          if (IsPunct(Peek(), ",")) {
            Next();
            continue;
          }
          break;
        }
      }
      if (!IsPunct(Peek(), "]")) return Expected("',' or ']'");
      Next();
      q_.nodes[node].conds.push_back(std::move(cond));
      return Status::Ok();
    } else if (op.kind == TokKind::kPunct &&
               (op.text == "=" || op.text == "<>" || op.text == "!=" || op.text == "<" ||
                op.text == "<=" || op.text == ">" || op.text == ">=")) {
      Next();
      if (op.text == "=") cond.op = MatchOp::kEq;
      if (op.text == "<>" || op.text == "!=") cond.op = MatchOp::kNe;
      if (op.text == "<") cond.op = MatchOp::kLt;
      if (op.text == "<=") cond.op = MatchOp::kLte;
      if (op.text == ">") cond.op = MatchOp::kGt;
      if (op.text == ">=") cond.op = MatchOp::kGte;
    } else {
      return Expected("=, <>, <, <=, >, >=, CONTAINS, STARTS WITH, IN or IS [NOT] NULL");
    }
    const Token value_at = Peek();
    ASSIGN_OR_RETURN(cond.value, Literal());
    Status st = CheckOperand(cond.field, cond.op, cond.value);
    if (!st.ok()) return Invalid(value_at, st.message());
    q_.nodes[node].conds.push_back(std::move(cond));
    return Status::Ok();
  }

  Status Returns() {
    if (IsKeyword(Peek(), "DISTINCT")) Next();  // rows are always distinct
    if (IsPunct(Peek(), "*")) {
      Next();
      for (uint32_t i = 0; i < q_.nodes.size(); ++i) {
        if (q_.nodes[i].var.empty()) continue;
        q_.returns.push_back(i);
        q_.columns.push_back(q_.nodes[i].var);
      }
      if (q_.returns.empty()) return Invalid(Peek(), "RETURN * needs at least one named node");
      return Status::Ok();
    }
    while (true) {
      const Token at = Peek();
      ASSIGN_OR_RETURN(std::string var, Identifier("a node variable to return"));
      if (IsPunct(Peek(), "(")) {
        return Unsupported(at, "functions such as " + var + "() are not supported; RETURN node variables");
      }
      ASSIGN_OR_RETURN(uint32_t node, NodeVar(at, var));
      if (IsPunct(Peek(), ".")) {
        return Unsupported(Peek(), "RETURN takes node variables (e.g. RETURN " + var +
                                       "); each entity comes back whole");
      }
      if (IsKeyword(Peek(), "AS")) return Unsupported(Peek(), "AS aliases are not supported");
      // Rows are objects keyed by column name: a second column of the same
      // name would have no place of its own.
      if (std::find(q_.columns.begin(), q_.columns.end(), var) != q_.columns.end()) {
        return Invalid(at, "RETURN lists '" + var + "' twice");
      }
      q_.returns.push_back(node);
      q_.columns.push_back(var);
      if (!IsPunct(Peek(), ",")) break;
      Next();
    }
    return Status::Ok();
  }

  Status OrderItem() {
    const Token at = Peek();
    ASSIGN_OR_RETURN(std::string var, Identifier("var.property to order by"));
    ASSIGN_OR_RETURN(uint32_t node, NodeVar(at, var));
    bool returned = false;
    for (uint32_t r : q_.returns) returned = returned || r == node;
    if (!returned) {
      return Invalid(at, "ORDER BY " + var + ": order by a returned variable");
    }
    CypherOrder order;
    order.node = node;
    if (IsPunct(Peek(), ".")) {
      Next();
      ASSIGN_OR_RETURN(order.field, Field());
    } else {
      order.field.kind = FieldKind::kId;
      order.field.text = "id";
    }
    if (IsKeyword(Peek(), "DESC") || IsKeyword(Peek(), "DESCENDING")) {
      Next();
      order.descending = true;
    } else if (IsKeyword(Peek(), "ASC") || IsKeyword(Peek(), "ASCENDING")) {
      Next();
    }
    q_.order.push_back(std::move(order));
    return Status::Ok();
  }

  std::string_view text_;
  std::vector<Token> toks_;
  size_t i_ = 0;
  CypherQuery q_;
};

}  // namespace

StatusOr<CypherQuery> ParseCypher(std::string_view statement) {
  if (statement.size() > kMaxCypherLength) {
    return Status::InvalidArgument("the statement is " + std::to_string(statement.size()) +
                                   " characters long; the limit is " +
                                   std::to_string(kMaxCypherLength));
  }
  std::vector<Token> tokens;
  RETURN_IF_ERROR(Lexer(statement).Run(&tokens));
  return Parser(statement, std::move(tokens)).Run();
}

}  // namespace funkygibbon::graph::internal
