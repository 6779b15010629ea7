#include "mcp/schema.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <optional>
#include <unordered_map>

#include "mcp/json_text.h"
#include "mcp/pattern.h"

namespace funkygibbon::mcp {

namespace {

enum TypeBit : unsigned {
  kNull = 1u << 0,
  kBoolean = 1u << 1,
  kObject = 1u << 2,
  kArray = 1u << 3,
  kNumber = 1u << 4,
  kString = 1u << 5,
  kInteger = 1u << 6,
};

struct TypeName {
  std::string_view name;
  TypeBit bit;
  std::string_view phrase;  // for "must be ..."
};
constexpr TypeName kTypeNames[] = {
    {"null", kNull, "null"},
    {"boolean", kBoolean, "a boolean"},
    {"object", kObject, "an object"},
    {"array", kArray, "an array"},
    {"number", kNumber, "a number"},
    {"string", kString, "a string"},
    {"integer", kInteger, "an integer"},
};

constexpr std::string_view kValidationKeywords[] = {
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "pattern",
    "anyOf",
    "oneOf",
    "allOf",
    "not",
};
constexpr std::string_view kAnnotationKeywords[] = {
    "default",  "description", "title",      "examples", "$schema",
    "$comment", "format",      "deprecated", "readOnly", "writeOnly",
};
constexpr std::string_view kDialects[] = {
    "https://json-schema.org/draft/2020-12/schema",
    "https://json-schema.org/draft/2020-12/schema#",
    // Our keyword subset means the same in draft-07.
    "http://json-schema.org/draft-07/schema",
    "http://json-schema.org/draft-07/schema#",
};

bool IsIntegral(const Json& v) {
  if (v.is_number_integer()) return true;
  if (!v.is_number_float()) return false;
  const double d = v.get<double>();
  return std::isfinite(d) && std::floor(d) == d;
}

unsigned InstanceTypes(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return kNull;
    case Json::value_t::boolean:
      return kBoolean;
    case Json::value_t::object:
      return kObject;
    case Json::value_t::array:
      return kArray;
    case Json::value_t::string:
      return kString;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return IsIntegral(v) ? (kNumber | kInteger) : kNumber;
    default:
      return 0;
  }
}

std::string_view InstanceTypeName(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::object:
      return "object";
    case Json::value_t::array:
      return "array";
    case Json::value_t::string:
      return "string";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "integer";
    case Json::value_t::number_float:
      return IsIntegral(v) ? "integer" : "number";
    default:
      return "value";
  }
}

// Compact JSON of v, cut to about 80 bytes on a UTF-8 boundary.
std::string Short(const Json& v) {
  std::string s = DumpJson(v);
  constexpr size_t kMax = 80;
  if (s.size() <= kMax) return s;
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  s += "...";
  return s;
}

// -1, 0, 1; exact for integers of either signedness.
int CompareNumbers(const Json& a, const Json& b) {
  if (a.is_number_integer() && b.is_number_integer()) {
    const auto wide = [](const Json& x) -> __int128 {
      if (x.is_number_unsigned())
        return static_cast<__int128>(x.get<uint64_t>());
      return static_cast<__int128>(x.get<int64_t>());
    };
    const __int128 x = wide(a), y = wide(b);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  const long double x = a.get<long double>(), y = b.get<long double>();
  return x < y ? -1 : (x > y ? 1 : 0);
}

std::string Plural(size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// RFC 6901 escaping of one reference token.
std::string PointerToken(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool IsIdentifier(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

struct Schema::Node {
  std::optional<bool> boolean;  // set for the schemas `true` and `false`
  unsigned types = 0;           // TypeBit mask; 0 = any type
  std::vector<std::string> property_names;
  std::vector<Node> property_schemas;
  std::unordered_map<std::string, size_t> property_index;
  std::vector<std::string> required;
  std::optional<bool> additional_allowed;   // additionalProperties: bool
  std::unique_ptr<Node> additional_schema;  // additionalProperties: schema
  std::unique_ptr<Node> items;
  std::optional<Json> enum_values;  // an array
  std::optional<Json> const_value;
  std::optional<Json> minimum, maximum, exclusive_minimum, exclusive_maximum;
  std::optional<size_t> min_length, max_length, min_items, max_items;
  bool unique_items = false;
  std::optional<Pattern> pattern;
  std::vector<Node> any_of, one_of, all_of;
  std::unique_ptr<Node> not_schema;
};

namespace {

using Node = Schema::Node;

// ---- compiling
// -----------------------------------------------------------------

class Compiler {
 public:
  Status Compile(const Json& j, const std::string& where, Node* out) {
    if (j.is_boolean()) {
      out->boolean = j.get<bool>();
      return Status::Ok();
    }
    if (!j.is_object())
      return Bad(where, "a schema must be an object or a boolean");
    for (auto it = j.begin(); it != j.end(); ++it) {
      RETURN_IF_ERROR(Keyword(it.key(), it.value(), where, out));
    }
    return Status::Ok();
  }

 private:
  static Status Bad(const std::string& where, const std::string& what) {
    return Status::InvalidArgument("invalid schema at " + where + ": " + what);
  }

  static std::optional<size_t> NonNegative(const Json& v) {
    if (!v.is_number() || !IsIntegral(v)) return std::nullopt;
    if (v.is_number_unsigned()) return static_cast<size_t>(v.get<uint64_t>());
    const double d = v.get<double>();
    if (d < 0) return std::nullopt;
    // Any bound past 2^53 is effectively unlimited; avoid an overflowing cast.
    constexpr double kHuge = 9007199254740992.0;
    return d >= kHuge ? static_cast<size_t>(kHuge) : static_cast<size_t>(d);
  }

  Status SchemaArray(const Json& v, const std::string& at,
                     std::vector<Node>* out) {
    if (!v.is_array() || v.empty())
      return Bad(at, "must be a non-empty array of schemas");
    out->resize(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      RETURN_IF_ERROR(Compile(v[i], at + "/" + std::to_string(i), &(*out)[i]));
    }
    return Status::Ok();
  }

  Status Keyword(const std::string& k, const Json& v, const std::string& where,
                 Node* n) {
    const std::string at = where + "/" + PointerToken(k);
    if (k == "type") {
      const auto add = [&](const Json& t) -> Status {
        if (t.is_string()) {
          for (const auto& tn : kTypeNames) {
            if (tn.name == t.get_ref<const std::string&>()) {
              n->types |= tn.bit;
              return Status::Ok();
            }
          }
        }
        return Bad(at, "unknown type " + Short(t));
      };
      if (v.is_array()) {
        if (v.empty()) return Bad(at, "must not be empty");
        for (const auto& t : v) RETURN_IF_ERROR(add(t));
      } else {
        RETURN_IF_ERROR(add(v));
      }
    } else if (k == "properties") {
      if (!v.is_object()) return Bad(at, "must be an object");
      for (auto it = v.begin(); it != v.end(); ++it) {
        n->property_index[it.key()] = n->property_names.size();
        n->property_names.push_back(it.key());
        n->property_schemas.emplace_back();
        RETURN_IF_ERROR(Compile(it.value(), at + "/" + PointerToken(it.key()),
                                &n->property_schemas.back()));
      }
    } else if (k == "required") {
      if (!v.is_array()) return Bad(at, "must be an array of strings");
      for (const auto& r : v) {
        if (!r.is_string()) return Bad(at, "must be an array of strings");
        n->required.push_back(r.get<std::string>());
      }
    } else if (k == "additionalProperties") {
      if (v.is_boolean()) {
        n->additional_allowed = v.get<bool>();
      } else {
        n->additional_schema = std::make_unique<Node>();
        RETURN_IF_ERROR(Compile(v, at, n->additional_schema.get()));
      }
    } else if (k == "items") {
      if (v.is_array()) {
        return Status::InvalidArgument(
            "unsupported JSON Schema keyword 'items' given as an array at " +
            at + " (2020-12 uses prefixItems, which is not supported)");
      }
      n->items = std::make_unique<Node>();
      RETURN_IF_ERROR(Compile(v, at, n->items.get()));
    } else if (k == "enum") {
      if (!v.is_array()) return Bad(at, "must be an array");
      n->enum_values = v;
    } else if (k == "const") {
      n->const_value = v;
    } else if (k == "minimum" || k == "maximum" || k == "exclusiveMinimum" ||
               k == "exclusiveMaximum") {
      if (!v.is_number()) return Bad(at, "must be a number");
      (k == "minimum"            ? n->minimum
       : k == "maximum"          ? n->maximum
       : k == "exclusiveMinimum" ? n->exclusive_minimum
                                 : n->exclusive_maximum) = v;
    } else if (k == "minLength" || k == "maxLength" || k == "minItems" ||
               k == "maxItems") {
      const auto count = NonNegative(v);
      if (!count) return Bad(at, "must be a non-negative integer");
      (k == "minLength"   ? n->min_length
       : k == "maxLength" ? n->max_length
       : k == "minItems"  ? n->min_items
                          : n->max_items) = *count;
    } else if (k == "uniqueItems") {
      if (!v.is_boolean()) return Bad(at, "must be a boolean");
      n->unique_items = v.get<bool>();
    } else if (k == "pattern") {
      if (!v.is_string()) return Bad(at, "must be a string");
      auto pattern = Pattern::Compile(v.get<std::string>());
      if (!pattern.ok()) {
        return Bad(at, "not a valid ECMAScript regular expression " + Short(v) +
                           ": " + pattern.status().message());
      }
      n->pattern = *std::move(pattern);
    } else if (k == "anyOf") {
      RETURN_IF_ERROR(SchemaArray(v, at, &n->any_of));
    } else if (k == "oneOf") {
      RETURN_IF_ERROR(SchemaArray(v, at, &n->one_of));
    } else if (k == "allOf") {
      RETURN_IF_ERROR(SchemaArray(v, at, &n->all_of));
    } else if (k == "not") {
      n->not_schema = std::make_unique<Node>();
      RETURN_IF_ERROR(Compile(v, at, n->not_schema.get()));
    } else if (k == "$schema") {
      if (!v.is_string() ||
          std::find(std::begin(kDialects), std::end(kDialects),
                    v.get_ref<const std::string&>()) == std::end(kDialects)) {
        return Bad(at,
                   "unsupported dialect " + Short(v) +
                       " (only https://json-schema.org/draft/2020-12/schema)");
      }
    } else if (std::find(std::begin(kAnnotationKeywords),
                         std::end(kAnnotationKeywords),
                         k) == std::end(kAnnotationKeywords)) {
      return Status::InvalidArgument("unsupported JSON Schema keyword '" + k +
                                     "' at " + at);
    }
    return Status::Ok();
  }
};

// ---- validating
// ------------------------------------------------------------------

struct Errors {
  std::vector<SchemaError> list;
  size_t cap = Schema::kMaxErrors;
  bool full() const { return list.size() >= cap; }
};

class Validator {
 public:
  explicit Validator(Errors* errors) : errors_(errors) {}

  void Check(const Node& n, const Json& v) {
    if (errors_->full()) return;
    if (n.boolean) {
      if (!*n.boolean) Add("is not allowed here");
      return;
    }
    if (n.types != 0 && (InstanceTypes(v) & n.types) == 0) {
      Add("must be " + TypePhrase(n.types) + " (got " +
          std::string(InstanceTypeName(v)) + " " + Short(v) + ")");
      return;  // the other keywords would only repeat the point
    }
    if (n.enum_values) CheckEnum(*n.enum_values, v);
    if (n.const_value && !(*n.const_value == v)) {
      Add("must be exactly " + Short(*n.const_value) + " (got " + Short(v) +
          ")");
    }
    if (v.is_number()) CheckNumber(n, v);
    if (v.is_string()) CheckString(n, v.get_ref<const std::string&>());
    if (v.is_array()) CheckArray(n, v);
    if (v.is_object()) CheckObject(n, v);
    for (const Node& sub : n.all_of) Check(sub, v);
    if (!n.any_of.empty()) CheckAnyOf(n.any_of, v);
    if (!n.one_of.empty()) CheckOneOf(n.one_of, v);
    if (n.not_schema && Matches(*n.not_schema, v)) {
      Add("must not match the schema given in 'not' (got " + Short(v) + ")");
    }
  }

 private:
  static std::string TypePhrase(unsigned types) {
    std::vector<std::string_view> parts;
    for (const auto& tn : kTypeNames) {
      // "number" already admits integers.
      if (tn.bit == kInteger && (types & kNumber)) continue;
      if (types & tn.bit) parts.push_back(tn.phrase);
    }
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) out += i + 1 == parts.size() ? " or " : ", ";
      out += parts[i];
    }
    return out;
  }

  void Add(std::string message) {
    if (errors_->full()) return;
    errors_->list.push_back({Pointer(), Location(), std::move(message)});
  }

  // The path to the value being checked, one step per level: a property
  // name or an array index. The pointer and location strings are only built
  // for an error (a valid instance, the usual case, costs no strings).
  struct Step {
    const std::string* key = nullptr;  // null: an array index
    size_t index = 0;
  };
  std::string Pointer() const {
    std::string out;
    for (const Step& s : path_) {
      out += '/';
      out += s.key ? PointerToken(*s.key) : std::to_string(s.index);
    }
    return out;
  }
  std::string Location() const {
    std::string out;
    for (const Step& s : path_) {
      if (s.key == nullptr) {
        out += "[" + std::to_string(s.index) + "]";
      } else if (IsIdentifier(*s.key)) {
        out += "." + *s.key;
      } else {
        out += "[" + DumpJson(Json(*s.key)) + "]";
      }
    }
    return out;
  }

  // Runs `n` against `v` at the current path with its own error list.
  Errors Sub(const Node& n, const Json& v, size_t cap) {
    Errors sub;
    sub.cap = cap;
    Validator inner(&sub);
    inner.path_ = path_;
    inner.Check(n, v);
    return sub;
  }
  bool Matches(const Node& n, const Json& v) {
    return Sub(n, v, 1).list.empty();
  }

  // The sub-error relative to the current location, for combinator messages.
  std::string Relative(const SchemaError& e) const {
    std::string rel =
        e.location.substr(std::min(Location().size(), e.location.size()));
    return rel.empty() ? e.message : rel + ": " + e.message;
  }

  void CheckEnum(const Json& values, const Json& v) {
    for (const auto& allowed : values) {
      if (allowed == v) return;
    }
    std::string list;
    constexpr size_t kMaxListed = 30;
    for (size_t i = 0; i < values.size() && i < kMaxListed; ++i) {
      if (i > 0) list += ", ";
      list += Short(values[i]);
    }
    if (values.size() > kMaxListed) list += ", ...";
    Add("must be one of " + list + " (got " + Short(v) + ")");
  }

  void CheckNumber(const Node& n, const Json& v) {
    if (n.minimum && CompareNumbers(v, *n.minimum) < 0) {
      Add("must be >= " + Short(*n.minimum) + " (got " + Short(v) + ")");
    }
    if (n.maximum && CompareNumbers(v, *n.maximum) > 0) {
      Add("must be <= " + Short(*n.maximum) + " (got " + Short(v) + ")");
    }
    if (n.exclusive_minimum && CompareNumbers(v, *n.exclusive_minimum) <= 0) {
      Add("must be > " + Short(*n.exclusive_minimum) + " (got " + Short(v) +
          ")");
    }
    if (n.exclusive_maximum && CompareNumbers(v, *n.exclusive_maximum) >= 0) {
      Add("must be < " + Short(*n.exclusive_maximum) + " (got " + Short(v) +
          ")");
    }
  }

  void CheckString(const Node& n, const std::string& s) {
    if (n.min_length || n.max_length) {
      const size_t len = CountCodePoints(s);
      if (n.min_length && len < *n.min_length) {
        Add("must be at least " +
            Plural(*n.min_length, "character", "characters") + " long (got " +
            std::to_string(len) + ")");
      }
      if (n.max_length && len > *n.max_length) {
        Add("must be at most " +
            Plural(*n.max_length, "character", "characters") + " long (got " +
            std::to_string(len) + ")");
      }
    }
    if (n.pattern) {
      if (s.size() > kMaxPatternSubjectBytes) {
        Add("is too long to check against the pattern " +
            Short(Json(n.pattern->source())) +
            " (strings with a pattern are limited to " +
            std::to_string(kMaxPatternSubjectBytes) + " bytes)");
        return;
      }
      if (!n.pattern->Search(s)) {
        Add("must match the pattern " + Short(Json(n.pattern->source())) +
            " (got " + Short(Json(s)) + ")");
      }
    }
  }

  void CheckArray(const Node& n, const Json& v) {
    if (n.min_items && v.size() < *n.min_items) {
      Add("must have at least " + Plural(*n.min_items, "item", "items") +
          " (got " + std::to_string(v.size()) + ")");
    }
    if (n.max_items && v.size() > *n.max_items) {
      Add("must have at most " + Plural(*n.max_items, "item", "items") +
          " (got " + std::to_string(v.size()) + ")");
    }
    if (n.unique_items && v.size() > 1) CheckUnique(v);
    if (n.items) {
      for (size_t i = 0; i < v.size() && !errors_->full(); ++i) {
        path_.push_back({nullptr, i});
        Check(*n.items, v[i]);
        path_.pop_back();
      }
    }
  }

  // O(n log n): sort indexes by value (nlohmann orders numbers numerically,
  // so 1 and 1.0 sort together and compare equal), then compare neighbours.
  void CheckUnique(const Json& v) {
    std::vector<size_t> order(v.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return v[a] < v[b]; });
    for (size_t i = 1; i < order.size(); ++i) {
      if (v[order[i - 1]] == v[order[i]]) {
        const size_t a = std::min(order[i - 1], order[i]),
                     b = std::max(order[i - 1], order[i]);
        Add("must not contain duplicate items (items " + std::to_string(a) +
            " and " + std::to_string(b) + " are both " + Short(v[a]) + ")");
        return;
      }
    }
  }

  void CheckObject(const Node& n, const Json& v) {
    for (const auto& name : n.required) {
      if (!v.contains(name)) Add("missing required property '" + name + "'");
    }
    for (auto it = v.begin(); it != v.end() && !errors_->full(); ++it) {
      const std::string& key = it.key();
      const Node* sub = nullptr;
      if (auto p = n.property_index.find(key); p != n.property_index.end()) {
        sub = &n.property_schemas[p->second];
      } else if (n.additional_schema) {
        sub = n.additional_schema.get();
      } else if (n.additional_allowed && !*n.additional_allowed) {
        Add(UnknownProperty(n, key));
        continue;
      }
      if (sub == nullptr) continue;
      path_.push_back({&key, 0});
      Check(*sub, it.value());
      path_.pop_back();
    }
  }

  static std::string UnknownProperty(const Node& n, const std::string& key) {
    std::string msg = "unknown property " + Short(Json(key));
    if (n.property_names.empty())
      return msg + " (no properties are allowed here)";
    msg += " (allowed: ";
    for (size_t i = 0; i < n.property_names.size(); ++i) {
      if (i > 0) msg += ", ";
      msg += Short(Json(n.property_names[i]));
    }
    return msg + ")";
  }

  void CheckAnyOf(const std::vector<Node>& forms, const Json& v) {
    std::vector<Errors> failures;
    for (const Node& f : forms) {
      Errors e = Sub(f, v, 1);
      if (e.list.empty()) return;
      failures.push_back(std::move(e));
    }
    Add("must match at least one of the allowed forms: " + Reasons(failures));
  }

  void CheckOneOf(const std::vector<Node>& forms, const Json& v) {
    std::vector<Errors> failures;
    std::vector<size_t> matched;
    for (size_t i = 0; i < forms.size(); ++i) {
      Errors e = Sub(forms[i], v, 1);
      if (e.list.empty()) {
        matched.push_back(i + 1);
      } else {
        failures.push_back(std::move(e));
      }
    }
    if (matched.size() == 1) return;
    if (matched.empty()) {
      Add("must match exactly one of the allowed forms: " + Reasons(failures));
      return;
    }
    std::string which;
    for (size_t i = 0; i < matched.size(); ++i) {
      which += (i == 0                    ? ""
                : i + 1 == matched.size() ? " and "
                                          : ", ") +
               std::to_string(matched[i]);
    }
    Add("must match exactly one of the allowed forms, but matches forms " +
        which);
  }

  std::string Reasons(const std::vector<Errors>& failures) const {
    std::string out;
    for (size_t i = 0; i < failures.size(); ++i) {
      if (i > 0) out += "; ";
      out += "form " + std::to_string(i + 1) + ": ";
      out += failures[i].list.empty() ? "no match"
                                      : Relative(failures[i].list.front());
    }
    return out;
  }

  Errors* errors_;
  std::vector<Step> path_;
};

void CollectKeywords(const Json& s, std::set<std::string>* out);

void CollectInArray(const Json& a, std::set<std::string>* out) {
  if (!a.is_array()) return;
  for (const auto& s : a) CollectKeywords(s, out);
}
void CollectInMap(const Json& m, std::set<std::string>* out) {
  if (!m.is_object()) return;
  for (auto it = m.begin(); it != m.end(); ++it)
    CollectKeywords(it.value(), out);
}

void CollectKeywords(const Json& s, std::set<std::string>* out) {
  if (!s.is_object()) return;
  for (auto it = s.begin(); it != s.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    out->insert(k);
    if (k == "properties" || k == "patternProperties" || k == "$defs" ||
        k == "definitions" || k == "dependentSchemas") {
      CollectInMap(v, out);
    } else if (k == "dependencies") {
      for (auto d = v.begin(); v.is_object() && d != v.end(); ++d)
        CollectKeywords(d.value(), out);
    } else if (k == "items") {
      if (v.is_array()) {
        out->insert("items[]");
        CollectInArray(v, out);
      } else {
        CollectKeywords(v, out);
      }
    } else if (k == "anyOf" || k == "oneOf" || k == "allOf" ||
               k == "prefixItems") {
      CollectInArray(v, out);
    } else if (k == "additionalProperties" || k == "not" ||
               k == "additionalItems" || k == "contains" ||
               k == "propertyNames" || k == "if" || k == "then" ||
               k == "else" || k == "unevaluatedItems" ||
               k == "unevaluatedProperties") {
      CollectKeywords(v, out);
    }
    // enum, const, default, examples hold data, not schemas.
  }
}

}  // namespace

std::string SchemaError::ToString(std::string_view root) const {
  std::string out(root);
  // "arguments" + "[0]" / ".x"; with no root, drop the leading dot.
  out += out.empty() && !location.empty() && location[0] == '.'
             ? location.substr(1)
             : location;
  if (out.empty()) out = "(root)";
  out += ": ";
  out += message;
  return out;
}

StatusOr<Schema> Schema::Compile(const Json& schema) {
  auto root = std::make_shared<Node>();
  Compiler compiler;
  RETURN_IF_ERROR(compiler.Compile(schema, "#", root.get()));
  return Schema(std::move(root));
}

std::vector<SchemaError> Schema::Validate(const Json& instance) const {
  Errors errors;
  Validator v(&errors);
  v.Check(*root_, instance);
  return std::move(errors.list);
}

bool Schema::IsValid(const Json& instance) const {
  Errors errors;
  errors.cap = 1;
  Validator v(&errors);
  v.Check(*root_, instance);
  return errors.list.empty();
}

std::string FormatSchemaErrors(const std::vector<SchemaError>& errors,
                               std::string_view root,
                               std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i > 0) out += separator;
    out += errors[i].ToString(root);
  }
  return out;
}

const std::set<std::string>& SupportedSchemaKeywords() {
  static const auto* const kSet = [] {
    auto* s = new std::set<std::string>();
    for (auto k : kValidationKeywords) s->emplace(k);
    for (auto k : kAnnotationKeywords) s->emplace(k);
    return s;
  }();
  return *kSet;
}

std::set<std::string> SchemaKeywords(const Json& schema) {
  std::set<std::string> out;
  CollectKeywords(schema, &out);
  return out;
}

std::set<std::string> UnsupportedSchemaKeywords(const Json& schema) {
  std::set<std::string> out;
  for (const auto& k : SchemaKeywords(schema)) {
    if (!SupportedSchemaKeywords().count(k)) out.insert(k);
  }
  return out;
}

}  // namespace funkygibbon::mcp
