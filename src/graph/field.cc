#include "graph/field.h"

#include <string>

#include "graph/compact_json.h"
#include "graph/graph_data.h"

namespace funkygibbon::graph::internal {
namespace {

constexpr size_t kMaxFieldLength = 512;
constexpr size_t kMaxFieldDepth = 16;

struct Builtin {
  std::string_view name;
  FieldKind kind;
};
constexpr Builtin kBuiltins[] = {
    {"id", FieldKind::kId},
    {"name", FieldKind::kName},
    {"entity_type", FieldKind::kEntityType},
    {"source_type", FieldKind::kSourceType},
    {"user_id", FieldKind::kUserId},
    {"version", FieldKind::kVersion},
    {"created_at", FieldKind::kCreatedAt},
    {"updated_at", FieldKind::kUpdatedAt},
};

Status BadField(std::string_view text, std::string_view why) {
  return Status::InvalidArgument("field '" + std::string(text) + "' " + std::string(why) + "; " +
                                 kFieldHelp);
}

bool IsString(const FieldValue& v) {
  return v.kind == FieldValue::Kind::kString ||
         (v.kind == FieldValue::Kind::kJson && v.json.is_string());
}
std::string_view StringOf(const FieldValue& v) {
  return v.kind == FieldValue::Kind::kString ? v.str
                                             : std::string_view(v.json.get_ref<const std::string&>());
}
bool IsNumber(const FieldValue& v) {
  return v.kind == FieldValue::Kind::kJson && v.json.is_number();
}

bool JsonEqual(const Json& a, const Json& b, bool exact) {
  if (a.is_string() && b.is_string()) {
    const auto& sa = a.get_ref<const std::string&>();
    const auto& sb = b.get_ref<const std::string&>();
    return exact ? sa == sb : EqualsIgnoreCase(sa, sb);
  }
  if (a.is_number() && b.is_number()) return a == b;  // numeric across int/float
  if (a.type() != b.type()) return false;
  return a == b;
}

bool Equal(const FieldValue& v, const Json& value, bool exact) {
  if (IsMissing(v)) return value.is_null();
  if (v.kind == FieldValue::Kind::kString) {
    if (!value.is_string()) return false;
    const auto& s = value.get_ref<const std::string&>();
    return exact ? v.str == s : EqualsIgnoreCase(v.str, s);
  }
  return JsonEqual(v.json, value, exact);
}

// <0, 0, >0 when v and value are both numbers or both strings.
std::optional<int> Compare(const FieldValue& v, const Json& value) {
  if (IsNumber(v) && value.is_number()) {
    if (v.json < value) return -1;
    if (value < v.json) return 1;
    return 0;
  }
  if (IsString(v) && value.is_string()) {
    const int c = StringOf(v).compare(value.get_ref<const std::string&>());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return std::nullopt;
}

int KindRank(const FieldValue& v) {
  if (IsString(v)) return 1;
  switch (v.json.type()) {
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return 0;
    case Json::value_t::boolean:
      return 2;
    case Json::value_t::array:
      return 3;
    default:
      return 4;
  }
}

}  // namespace

const char kFieldHelp[] =
    "a field is one of name, id, entity_type, source_type, user_id, version, created_at, "
    "updated_at, or a content path such as content.brightness (plain brightness or a.b also "
    "mean content)";

StatusOr<FieldPath> FieldPathFromParts(const std::vector<std::string>& parts) {
  std::string text;
  for (const std::string& p : parts) {
    if (!text.empty()) text += '.';
    text += p;
  }
  if (parts.empty() || text.empty()) return BadField(text, "is empty");
  if (text.size() > kMaxFieldLength) return BadField(text.substr(0, 40) + "...", "is too long");
  for (const std::string& p : parts) {
    if (p.empty()) return BadField(text, "has an empty segment");
  }
  FieldPath f;
  f.text = text;
  if (parts.size() == 1) {
    for (const Builtin& b : kBuiltins) {
      if (parts[0] == b.name) {
        f.kind = b.kind;
        return f;
      }
    }
  }
  f.kind = FieldKind::kContent;
  f.path.assign(parts[0] == "content" ? parts.begin() + 1 : parts.begin(), parts.end());
  if (f.path.empty()) return BadField(text, "needs a key after content (e.g. content.brightness)");
  if (f.path.size() > kMaxFieldDepth) return BadField(text, "is nested too deeply");
  return f;
}

StatusOr<FieldPath> ParseFieldPath(std::string_view s) {
  if (s.empty()) return BadField(s, "is empty");
  if (s.size() > kMaxFieldLength) return BadField(s.substr(0, 40), "is too long");
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const size_t dot = s.find('.', start);
    parts.emplace_back(s.substr(start, dot == std::string_view::npos ? s.npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return FieldPathFromParts(parts);
}

FieldValue GetField(const EntityView& e, const FieldPath& f) {
  FieldValue v;
  auto str = [&v](std::string_view s) {
    v.kind = FieldValue::Kind::kString;
    v.str = s;
  };
  switch (f.kind) {
    case FieldKind::kId:
      str(e.id);
      return v;
    case FieldKind::kName:
      str(e.name);
      return v;
    case FieldKind::kEntityType:
      str(ToString(e.entity_type));
      return v;
    case FieldKind::kSourceType:
      str(ToString(e.source_type));
      return v;
    case FieldKind::kUserId:
      str(e.record->user_id());
      return v;
    case FieldKind::kVersion:
      str(e.record->version());
      return v;
    case FieldKind::kCreatedAt:
      str(e.record->created_at());
      return v;
    case FieldKind::kUpdatedAt:
      str(e.record->updated_at());
      return v;
    case FieldKind::kContent:
      break;
  }
  // Walk the CBOR content in place; only the value found is decoded.
  std::string_view cur = e.record->content_cbor();
  for (const std::string& key : f.path) {
    const CborKind kind = CborKindOf(cur);
    std::optional<std::string_view> next;
    if (kind == CborKind::kMap) {
      next = CborFind(cur, key);
    } else if (kind == CborKind::kArray && !key.empty() && key.size() < 10 &&
               key.find_first_not_of("0123456789") == std::string::npos) {
      next = CborAt(cur, std::stoul(key));
    }
    if (!next) return v;
    cur = *next;
  }
  if (CborKindOf(cur) == CborKind::kString) {
    // Strings compare the same as a view or as JSON (see IsString below).
    str(CborString(cur));
    return v;
  }
  v.kind = FieldValue::Kind::kJson;
  v.json = DecodeCbor(cur);
  return v;
}

bool IsMissing(const FieldValue& v) {
  return v.kind == FieldValue::Kind::kMissing ||
         (v.kind == FieldValue::Kind::kJson && v.json.is_null());
}

MatchOp ToMatchOp(FilterOp op) {
  switch (op) {
    case FilterOp::kEq:
      return MatchOp::kEq;
    case FilterOp::kNe:
      return MatchOp::kNe;
    case FilterOp::kContains:
      return MatchOp::kContains;
    case FilterOp::kExists:
      return MatchOp::kExists;
    case FilterOp::kNotExists:
      return MatchOp::kNotExists;
    case FilterOp::kGt:
      return MatchOp::kGt;
    case FilterOp::kGte:
      return MatchOp::kGte;
    case FilterOp::kLt:
      return MatchOp::kLt;
    case FilterOp::kLte:
      return MatchOp::kLte;
    case FilterOp::kIn:
      return MatchOp::kIn;
  }
  return MatchOp::kEq;
}

std::string_view MatchOpName(MatchOp op) {
  switch (op) {
    case MatchOp::kEq:
      return "eq";
    case MatchOp::kNe:
      return "ne";
    case MatchOp::kContains:
      return "contains";
    case MatchOp::kStartsWith:
      return "starts with";
    case MatchOp::kExists:
      return "exists";
    case MatchOp::kNotExists:
      return "not_exists";
    case MatchOp::kGt:
      return "gt";
    case MatchOp::kGte:
      return "gte";
    case MatchOp::kLt:
      return "lt";
    case MatchOp::kLte:
      return "lte";
    case MatchOp::kIn:
      return "in";
  }
  return "?";
}

Status CheckOperand(const FieldPath& f, MatchOp op, const Json& value) {
  auto bad = [&](std::string_view what) {
    return Status::InvalidArgument("filter on '" + f.text + "': " + std::string(MatchOpName(op)) +
                                   " " + std::string(what));
  };
  switch (op) {
    case MatchOp::kExists:
    case MatchOp::kNotExists:
    case MatchOp::kEq:
    case MatchOp::kNe:
      return Status::Ok();
    case MatchOp::kContains:
      if (value.is_null() || value.is_object() || value.is_array()) {
        return bad("needs a string, number or boolean value");
      }
      return Status::Ok();
    case MatchOp::kStartsWith:
      if (!value.is_string()) return bad("needs a string value");
      return Status::Ok();
    case MatchOp::kGt:
    case MatchOp::kGte:
    case MatchOp::kLt:
    case MatchOp::kLte:
      if (!value.is_number() && !value.is_string()) return bad("needs a number or string value");
      return Status::Ok();
    case MatchOp::kIn:
      if (!value.is_array()) return bad("needs an array of values");
      return Status::Ok();
  }
  return Status::Ok();
}

bool Matches(const FieldValue& v, const FieldPath& f, MatchOp op, const Json& value) {
  const bool exact = f.kind == FieldKind::kId;
  switch (op) {
    case MatchOp::kExists:
      return !IsMissing(v);
    case MatchOp::kNotExists:
      return IsMissing(v);
    case MatchOp::kEq:
      return Equal(v, value, exact);
    case MatchOp::kNe:
      return !Equal(v, value, exact);
    case MatchOp::kIn:
      if (!value.is_array()) return false;
      for (const Json& x : value) {
        if (Equal(v, x, exact)) return true;
      }
      return false;
    case MatchOp::kContains:
      if (IsMissing(v)) return false;
      if (IsString(v)) {
        return value.is_string() &&
               ContainsIgnoreCase(StringOf(v), value.get_ref<const std::string&>());
      }
      if (v.json.is_array()) {
        for (const Json& x : v.json) {
          if (JsonEqual(x, value, exact)) return true;
        }
      }
      return false;
    case MatchOp::kStartsWith:
      return !IsMissing(v) && IsString(v) && value.is_string() &&
             StartsWithIgnoreCase(StringOf(v), value.get_ref<const std::string&>());
    case MatchOp::kGt:
    case MatchOp::kGte:
    case MatchOp::kLt:
    case MatchOp::kLte: {
      if (IsMissing(v)) return false;
      const std::optional<int> c = Compare(v, value);
      if (!c) return false;
      if (op == MatchOp::kGt) return *c > 0;
      if (op == MatchOp::kGte) return *c >= 0;
      if (op == MatchOp::kLt) return *c < 0;
      return *c <= 0;
    }
  }
  return false;
}

int CompareForOrder(const FieldValue& a, const FieldValue& b) {
  const int ra = KindRank(a), rb = KindRank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (ra == 1) {
    const std::string_view sa = StringOf(a), sb = StringOf(b);
    const int c = CompareIgnoreCase(sa, sb);
    if (c != 0) return c;
    return sa < sb ? -1 : (sb < sa ? 1 : 0);
  }
  if (a.json < b.json) return -1;
  if (b.json < a.json) return 1;
  return 0;
}

}  // namespace funkygibbon::graph::internal
