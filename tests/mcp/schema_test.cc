#include "mcp/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace funkygibbon::mcp {
namespace {

Schema Compile(const char* text) {
  auto s = Schema::Compile(Json::parse(text));
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *std::move(s) : *Schema::Compile(true);
}

// All errors, formatted with root "arguments".
std::vector<std::string> Errors(const Schema& s, const char* instance) {
  std::vector<std::string> out;
  for (const auto& e : s.Validate(Json::parse(instance)))
    out.push_back(e.ToString("arguments"));
  return out;
}

using ::testing::ElementsAre;

const char* const kToolSchema = R"({
  "type": "object",
  "properties": {
    "entity_id": {"type": "string", "minLength": 1},
    "entity_type": {"type": "string", "enum": ["home", "room", "device"]},
    "max_depth": {"type": "integer", "minimum": 1, "maximum": 50},
    "ids": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]+$"}, "maxItems": 2}
  },
  "required": ["entity_id"],
  "additionalProperties": false
})";

TEST(SchemaTest, MessagesModelsCanActOn) {
  Schema s = Compile(kToolSchema);
  EXPECT_THAT(Errors(s, R"({"entity_id":"a","max_depth":80})"),
              ElementsAre("arguments.max_depth: must be <= 50 (got 80)"));
  EXPECT_THAT(Errors(s, R"({})"),
              ElementsAre("arguments: missing required property 'entity_id'"));
  EXPECT_THAT(Errors(s, R"({"entity_id":"a","entity_type":"robot"})"),
              ElementsAre("arguments.entity_type: must be one of \"home\", "
                          "\"room\", \"device\" "
                          "(got \"robot\")"));
  EXPECT_THAT(
      Errors(s, R"({"entity_id":"a","max_depth":"80"})"),
      ElementsAre(
          "arguments.max_depth: must be an integer (got string \"80\")"));
  EXPECT_THAT(
      Errors(s, R"({"entity_id":"a","max_depth":2.5})"),
      ElementsAre("arguments.max_depth: must be an integer (got number 2.5)"));
  EXPECT_THAT(
      Errors(s, R"({"entity_id":"","colour":1})"),
      ElementsAre(
          "arguments: unknown property \"colour\" (allowed: \"entity_id\", "
          "\"entity_type\", \"ids\", \"max_depth\")",
          "arguments.entity_id: must be at least 1 character long (got 0)"));
  EXPECT_THAT(Errors(s, R"({"entity_id":"a","ids":["ok","NO","x","y"]})"),
              ElementsAre("arguments.ids: must have at most 2 items (got 4)",
                          "arguments.ids[1]: must match the pattern "
                          "\"^[a-z]+$\" (got \"NO\")"));
  EXPECT_THAT(Errors(s, R"([1])"),
              ElementsAre("arguments: must be an object (got array [1])"));
}

TEST(SchemaTest, ErrorsCarryJsonPointers) {
  Schema s = Compile(kToolSchema);
  auto errors =
      s.Validate(Json::parse(R"({"entity_id":"a","ids":["ok","NO"]})"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].pointer, "/ids/1");
  EXPECT_EQ(errors[0].location, ".ids[1]");

  Schema odd = Compile(
      R"({"properties":{"a/b~c":{"type":"string"},"with space":{"type":"string"}}})");
  auto e2 = odd.Validate(Json::parse(R"({"a/b~c":1,"with space":2})"));
  ASSERT_EQ(e2.size(), 2u);
  EXPECT_EQ(e2[0].pointer, "/a~1b~0c");
  EXPECT_EQ(e2[1].ToString("arguments"),
            "arguments[\"with space\"]: must be a string (got integer 2)");
}

TEST(SchemaTest, IntegerAcceptsIntegralFloats) {
  Schema s = Compile(R"({"type":"integer"})");
  EXPECT_TRUE(s.IsValid(Json::parse("1.0")));
  EXPECT_TRUE(s.IsValid(Json::parse("-7")));
  EXPECT_TRUE(s.IsValid(Json::parse("18446744073709551615")));
  EXPECT_FALSE(s.IsValid(Json::parse("1.5")));
  EXPECT_FALSE(s.IsValid(Json::parse("true")));
}

TEST(SchemaTest, TypeArrays) {
  Schema s = Compile(R"({"type":["string","null"]})");
  EXPECT_TRUE(s.IsValid(nullptr));
  EXPECT_TRUE(s.IsValid("x"));
  EXPECT_THAT(
      Errors(s, "3"),
      ElementsAre("arguments: must be null or a string (got integer 3)"));
}

TEST(SchemaTest, NumericBoundsAreExactForLargeIntegers) {
  Schema s = Compile(R"({"maximum": 9007199254740993})");
  EXPECT_TRUE(s.IsValid(Json::parse("9007199254740993")));
  EXPECT_FALSE(s.IsValid(Json::parse("9007199254740994")));
  Schema ex = Compile(R"({"exclusiveMinimum": 0, "exclusiveMaximum": 1})");
  EXPECT_THAT(Errors(ex, "0"), ElementsAre("arguments: must be > 0 (got 0)"));
  EXPECT_THAT(Errors(ex, "1.0"),
              ElementsAre("arguments: must be < 1 (got 1.0)"));
  EXPECT_TRUE(ex.IsValid(Json::parse("0.5")));
}

TEST(SchemaTest, LengthCountsCodePoints) {
  Schema s = Compile(R"({"maxLength": 2, "minLength": 2})");
  EXPECT_TRUE(
      s.IsValid("\xF0\x9F\x98\x80\xF0\x9F\x98\x80"));  // two emoji, 8 bytes
  EXPECT_FALSE(s.IsValid("\xF0\x9F\x98\x80"));
}

TEST(SchemaTest, UniqueItemsTreatsNumbersNumerically) {
  Schema s = Compile(R"({"uniqueItems": true})");
  EXPECT_THAT(Errors(s, "[1, 2, 1.0]"),
              ElementsAre("arguments: must not contain duplicate items (items "
                          "0 and 2 are both 1)"));
  EXPECT_TRUE(s.IsValid(Json::parse(R"([1, true, "1", [1], {"a":1}])")));
  EXPECT_FALSE(s.IsValid(Json::parse(R"([{"a":1,"b":2}, {"b":2,"a":1}])")));
  // Large arrays stay fast (sorting, not pairwise).
  Json big = Json::array();
  for (int i = 0; i < 200000; ++i) big.push_back(i);
  EXPECT_TRUE(s.IsValid(big));
}

TEST(SchemaTest, Combinators) {
  Schema any = Compile(
      R"({"anyOf":[{"type":"string"},{"type":"integer","minimum":0}]})");
  EXPECT_TRUE(any.IsValid("x"));
  EXPECT_TRUE(any.IsValid(3));
  EXPECT_THAT(
      Errors(any, "-1"),
      ElementsAre(
          "arguments: must match at least one of the allowed forms: form 1: "
          "must "
          "be a string (got integer -1); form 2: must be >= 0 (got -1)"));
  Schema one = Compile(R"({"oneOf":[{"type":"integer"},{"minimum":2}]})");
  EXPECT_TRUE(one.IsValid(1));
  EXPECT_TRUE(one.IsValid(2.5));
  EXPECT_THAT(
      Errors(one, "3"),
      ElementsAre(
          "arguments: must match exactly one of the allowed forms, but matches "
          "forms 1 and 2"));
  Schema all = Compile(R"({"allOf":[{"minimum":1},{"maximum":3}]})");
  EXPECT_THAT(Errors(all, "5"), ElementsAre("arguments: must be <= 3 (got 5)"));
  Schema neg = Compile(R"({"not":{"type":"null"}})");
  EXPECT_TRUE(neg.IsValid(1));
  EXPECT_THAT(
      Errors(neg, "null"),
      ElementsAre(
          "arguments: must not match the schema given in 'not' (got null)"));
  Schema konst = Compile(R"({"const":{"a":[1]}})");
  EXPECT_TRUE(konst.IsValid(Json::parse(R"({"a":[1.0]})")));
  EXPECT_THAT(Errors(konst, "2"),
              ElementsAre("arguments: must be exactly {\"a\":[1]} (got 2)"));
}

TEST(SchemaTest, AdditionalPropertiesSchemaAndBooleanSchemas) {
  Schema s = Compile(
      R"({"properties":{"a":true,"b":false},"additionalProperties":{"type":"integer"}})");
  EXPECT_TRUE(s.IsValid(Json::parse(R"({"a":"anything","x":1})")));
  EXPECT_THAT(
      Errors(s, R"({"b":1,"x":"no"})"),
      ElementsAre("arguments.b: is not allowed here",
                  "arguments.x: must be an integer (got string \"no\")"));
  EXPECT_FALSE(Compile("false").IsValid(1));
}

TEST(SchemaTest, PatternIsUnanchoredEcmascriptAndBounded) {
  Schema s = Compile(R"({"pattern":"a\\d+"})");
  EXPECT_TRUE(s.IsValid("xxa12yy"));
  EXPECT_FALSE(s.IsValid("abc"));
  EXPECT_TRUE(s.IsValid(5));  // pattern applies to strings only
  Schema alt = Compile(R"({"pattern":"^(a|b)*$"})");
  const std::string huge(1000000, 'a');
  auto errors = alt.Validate(Json(huge));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("limited to 1024 bytes"), std::string::npos);
  EXPECT_TRUE(alt.IsValid(std::string(1024, 'a')));
}

TEST(SchemaTest, ErrorCountIsCapped) {
  Schema s = Compile(R"({"items":{"type":"string"}})");
  Json many = Json::array();
  for (int i = 0; i < 1000; ++i) many.push_back(i);
  EXPECT_EQ(s.Validate(many).size(), Schema::kMaxErrors);
}

TEST(SchemaTest, AnnotationsAreIgnored) {
  Schema s = Compile(
      R"({"$schema":"https://json-schema.org/draft/2020-12/schema","title":"t",
    "description":"d","default":{"type":"nonsense"},"examples":[1],"$comment":"c","format":"uuid"})");
  EXPECT_TRUE(s.IsValid("not-a-uuid"));
}

TEST(SchemaTest, CompileRejectsUnsupportedAndMalformedSchemas) {
  const char* const bad[] = {
      R"({"$ref":"#/$defs/x"})",
      R"({"properties":{"a":{"patternProperties":{}}}})",
      R"({"items":[{"type":"string"}]})",
      R"({"type":"strng"})",
      R"({"required":"a"})",
      R"({"minLength":-1})",
      R"({"pattern":"("})",
      R"({"anyOf":[]})",
      R"({"$schema":"http://json-schema.org/draft-04/schema#"})",
      R"(42)",
  };
  for (const char* text : bad) {
    auto s = Schema::Compile(Json::parse(text));
    EXPECT_FALSE(s.ok()) << text;
    if (!s.ok()) {
      EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
    }
  }
  auto nested =
      Schema::Compile(Json::parse(R"({"properties":{"a":{"if":true}}})"));
  ASSERT_FALSE(nested.ok());
  EXPECT_NE(nested.status().message().find("'if' at #/properties/a/if"),
            std::string::npos)
      << nested.status().message();
}

TEST(SchemaKeywordsTest, ListsKeywordsAtEveryDepthButNotInData) {
  Json s = Json::parse(R"({
    "type":"object",
    "properties":{"enum":{"type":"string","enum":["x"]},
                  "p":{"anyOf":[{"minimum":1},{"not":{"const":{"patternProperties":1}}}]}},
    "additionalProperties":{"items":{"maxLength":3}},
    "default":{"$ref":"ignored"}
  })");
  EXPECT_EQ(
      SchemaKeywords(s),
      (std::set<std::string>{"type", "properties", "enum", "anyOf", "minimum",
                             "not", "const", "additionalProperties", "items",
                             "maxLength", "default"}));
  EXPECT_TRUE(UnsupportedSchemaKeywords(s).empty());
  EXPECT_EQ(UnsupportedSchemaKeywords(Json::parse(
                R"({"items":[{"$ref":"#"}],"if":{"contains":{}}})")),
            (std::set<std::string>{"items[]", "$ref", "if", "contains"}));
}

}  // namespace
}  // namespace funkygibbon::mcp

namespace funkygibbon::mcp {
namespace {

// Found by fuzz/schema_fuzzer.cc (fuzz/regressions/schema/): std::regex
// compiles by recursion, and a pattern of a few thousand nested groups
// overflowed the stack. Such patterns are refused with a reason.
TEST(SchemaPatternTest, DeepOrHugePatternsAreRefusedNotCompiled) {
  const std::string deep = std::string(200, '(') + "a" + std::string(200, ')');
  auto s = Schema::Compile(Json{{"type", "string"}, {"pattern", deep}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("nests groups more than 16 deep"), std::string::npos)
      << s.status().ToString();
  auto huge = Schema::Compile(Json{{"pattern", std::string(5000, 'g')}});
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("longer than 1024 bytes"), std::string::npos);
  // Escaped parentheses open nothing; sixteen levels still compile.
  const std::string ok = std::string(16, '(') + "\\(x" + std::string(16, ')');
  auto fine = Schema::Compile(Json{{"pattern", ok}});
  ASSERT_TRUE(fine.ok()) << fine.status().ToString();
  EXPECT_TRUE(fine->IsValid("(x"));
}

}  // namespace
}  // namespace funkygibbon::mcp
