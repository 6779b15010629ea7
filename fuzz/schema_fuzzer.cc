// Fuzzes the JSON Schema validator (mcp/schema.h). The input is a schema and
// an instance, each one JSON text, separated by the first newline; without a
// newline the schema is validated against a few fixed instances and itself.
//
// Invariants: Compile accepts exactly the schemas whose keywords are all
// supported; Validate never reports more than kMaxErrors, agrees with
// IsValid, and every error's pointer resolves inside the instance; the
// combinators behave as logic says ({"not": S} accepts what S rejects,
// {"allOf": [S, S]} and {"anyOf": [S, false]} accept what S accepts, and
// {"oneOf": [S, {"not": S}]} accepts everything).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.h"
#include "mcp/json_text.h"
#include "mcp/schema.h"

namespace funkygibbon::fuzz {
namespace {

// libstdc++'s regex engine backtracks: "(a*)*b" takes 2^n steps on n
// characters, and "a{999}{999}" compiles to a million states. Schemas come
// from tools.json, never from clients, so pattern cost is outside the threat
// model: fuzzed patterns are kept to a couple of quantifiers and small
// counts, and only short strings are matched against them.
constexpr size_t kMaxSubjectWithPattern = 12;

bool CostlyPattern(const std::string& p) {
  int quantifiers = 0;
  int digits = 0;
  for (char c : p) {
    if (c == '*' || c == '+' || c == '?' || c == '{') ++quantifiers;
    digits = (c >= '0' && c <= '9') ? digits + 1 : 0;
    if (quantifiers > 2 || digits > 2) return true;
  }
  return false;
}

bool HasCostlyPattern(const Json& j) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == "pattern" && it.value().is_string() &&
          CostlyPattern(it.value().get<std::string>())) {
        return true;
      }
      if (HasCostlyPattern(it.value())) return true;
    }
  } else if (j.is_array()) {
    for (const Json& v : j) {
      if (HasCostlyPattern(v)) return true;
    }
  }
  return false;
}

bool HasLongString(const Json& j) {
  if (j.is_string()) return j.get_ref<const std::string&>().size() > kMaxSubjectWithPattern;
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key().size() > kMaxSubjectWithPattern || HasLongString(it.value())) return true;
    }
  }
  if (j.is_array()) {
    for (const Json& v : j) {
      if (HasLongString(v)) return true;
    }
  }
  return false;
}

mcp::Schema MustCompile(const Json& schema) {
  auto s = mcp::Schema::Compile(schema);
  FUZZ_CHECK(s.ok(), "a schema built from a valid one does not compile: " +
                         mcp::DumpJson(schema) + ": " + s.status().ToString());
  return std::move(s).value();
}

void CheckInstance(const Json& schema_json, const mcp::Schema& schema, const Json& instance) {
  const std::string what = mcp::DumpJson(schema_json) + " vs " + mcp::DumpJson(instance);
  const std::vector<mcp::SchemaError> errors = schema.Validate(instance);
  const bool valid = schema.IsValid(instance);
  FUZZ_CHECK(errors.size() <= mcp::Schema::kMaxErrors, what);
  FUZZ_CHECK(valid == errors.empty(), "IsValid disagrees with Validate: " + what);
  for (const mcp::SchemaError& e : errors) {
    FUZZ_CHECK(!e.message.empty(), what);
    FUZZ_CHECK(e.pointer.empty() || e.pointer[0] == '/', "bad pointer " + e.pointer);
    bool resolves = false;
    try {
      resolves = instance.contains(Json::json_pointer(e.pointer));
    } catch (const std::exception& ex) {
      FUZZ_CHECK(false, "pointer '" + e.pointer + "' does not parse: " + ex.what());
    }
    FUZZ_CHECK(resolves, "pointer '" + e.pointer + "' is not in the instance: " + what);
    (void)e.ToString();
  }
  (void)mcp::FormatSchemaErrors(errors, "arguments");

  const Json negated{{"not", schema_json}};
  FUZZ_CHECK(MustCompile(negated).IsValid(instance) == !valid, "not: " + what);
  const Json both{{"allOf", Json::array({schema_json, schema_json})}};
  FUZZ_CHECK(MustCompile(both).IsValid(instance) == valid, "allOf: " + what);
  const Json either{{"anyOf", Json::array({schema_json, false})}};
  FUZZ_CHECK(MustCompile(either).IsValid(instance) == valid, "anyOf: " + what);
  const Json one{{"oneOf", Json::array({schema_json, negated})}};
  FUZZ_CHECK(MustCompile(one).IsValid(instance), "oneOf: " + what);
}

}  // namespace
}  // namespace funkygibbon::fuzz

using namespace funkygibbon;       // NOLINT: fuzz entry points only
using namespace funkygibbon::fuzz;  // NOLINT

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  auto schema_json = mcp::ParseJson(input.substr(0, nl));
  if (!schema_json.ok() || HasCostlyPattern(*schema_json)) return 0;

  const bool unsupported = !mcp::UnsupportedSchemaKeywords(*schema_json).empty();
  auto schema = mcp::Schema::Compile(*schema_json);
  if (unsupported) {
    FUZZ_CHECK(!schema.ok(), "compiled a schema with unsupported keywords: " +
                                 mcp::DumpJson(*schema_json));
  }
  if (!schema.ok()) {
    FUZZ_CHECK(schema.status().code() == StatusCode::kInvalidArgument, schema.status().ToString());
    return 0;
  }

  std::vector<Json> instances;
  if (nl != std::string_view::npos) {
    auto instance = mcp::ParseJson(input.substr(nl + 1));
    if (!instance.ok()) return 0;
    instances.push_back(std::move(instance).value());
  } else {
    instances = {Json(nullptr), Json(0), Json(-1.5), Json(""), Json::array(), Json::object(),
                 *schema_json};
  }
  const bool has_pattern = mcp::SchemaKeywords(*schema_json).count("pattern") > 0;
  for (const Json& instance : instances) {
    if (has_pattern && HasLongString(instance)) continue;
    CheckInstance(*schema_json, *schema, instance);
  }
  return 0;
}
