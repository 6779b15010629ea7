// Runs the official JSON-Schema-Test-Suite (Debian package
// json-schema-test-suite) against mcp::Schema, for every test file of a
// keyword we support. Groups whose schema uses a keyword we do not support
// are skipped; they are listed explicitly below so the list stays honest
// (a listed group must really use an unsupported keyword, and every group
// that does must be listed).
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "mcp/schema.h"

namespace funkygibbon::mcp {
namespace {

namespace fs = std::filesystem;

// Newest first. The package in Debian 12 ships draft3..draft7; our subset
// of keywords means the same in draft7 and 2020-12 (items as an array is
// the only difference, and we refuse it).
fs::path SuiteDir() {
  if (const char* env = std::getenv("FG_JSON_SCHEMA_TEST_SUITE")) return env;
  const fs::path root = "/usr/share/json-schema-test-suite/tests";
  for (const char* d : {"draft2020-12", "draft2019-09", "draft7"}) {
    if (fs::is_directory(root / d)) return root / d;
  }
  return {};
}

// The test files for the keywords we implement.
const char* const kFiles[] = {
    "additionalProperties",
    "allOf",
    "anyOf",
    "boolean_schema",
    "const",
    "default",
    "enum",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "items",
    "maxItems",
    "maxLength",
    "maximum",
    "minItems",
    "minLength",
    "minimum",
    "not",
    "oneOf",
    "pattern",
    "properties",
    "required",
    "type",
    "uniqueItems",
    "optional/zeroTerminatedFloats",
};

// (file, group description) skipped because the schema uses a keyword we do
// not support; the reason names it.
const std::pair<std::string_view, std::string_view>
    kSkipped[] =
        {
            {"additionalProperties",
             "additionalProperties being false does not allow other "
             "properties"},  // patternProperties
            {"additionalProperties",
             "non-ASCII pattern with additionalProperties"},  // patternProperties
            {"items", "an array of schemas for items"},  // items as an array
                                                         // (tuple form)
            {"items",
             "items with boolean schemas"},  // items as an array (tuple form)
            {
                "properties",
                "properties, patternProperties, additionalProperties "
                "interaction"},  // patternProperties
};

bool IsListedAsSkipped(std::string_view file, std::string_view group) {
  for (const auto& [f, g] : kSkipped) {
    if (f == file && g == group) return true;
  }
  return false;
}

Json Load(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return Json::parse(ss.str());
}

struct Counts {
  int ran = 0;
  int skipped = 0;
};

class SchemaSuiteTest : public ::testing::TestWithParam<const char*> {};

TEST_P(SchemaSuiteTest, PassesEveryCaseOfSupportedKeywords) {
  const fs::path dir = SuiteDir();
  if (dir.empty())
    GTEST_SKIP() << "json-schema-test-suite is not installed (apt install "
                    "json-schema-test-suite)";
  const fs::path file = dir / (std::string(GetParam()) + ".json");
  if (!fs::exists(file))
    GTEST_SKIP() << file << " is not in this version of the suite";

  Counts counts;
  for (const Json& group : Load(file)) {
    const std::string desc = group["description"].get<std::string>();
    const std::set<std::string> unsupported =
        UnsupportedSchemaKeywords(group["schema"]);
    if (IsListedAsSkipped(GetParam(), desc)) {
      EXPECT_FALSE(unsupported.empty())
          << "skipped group uses only supported keywords: " << desc;
      counts.skipped += static_cast<int>(group["tests"].size());
      continue;
    }
    if (!unsupported.empty()) {
      ADD_FAILURE() << GetParam() << ": group \"" << desc
                    << "\" uses unsupported keyword " << *unsupported.begin()
                    << "; add it to kSkipped or support it";
      continue;
    }
    auto schema = Schema::Compile(group["schema"]);
    ASSERT_TRUE(schema.ok()) << desc << ": " << schema.status().ToString();
    for (const Json& t : group["tests"]) {
      ++counts.ran;
      const auto errors = schema->Validate(t["data"]);
      EXPECT_EQ(errors.empty(), t["valid"].get<bool>())
          << GetParam() << " / " << desc << " / "
          << t["description"].get<std::string>()
          << "\n  data: " << t["data"].dump()
          << "\n  errors: " << FormatSchemaErrors(errors, "");
      EXPECT_EQ(schema->IsValid(t["data"]), errors.empty());
    }
  }
  RecordProperty("cases_run", counts.ran);
  RecordProperty("cases_skipped", counts.skipped);
  std::cout << "[ suite    ] " << GetParam() << ": " << counts.ran
            << " cases run, " << counts.skipped << " skipped\n";
}

INSTANTIATE_TEST_SUITE_P(Official, SchemaSuiteTest, ::testing::ValuesIn(kFiles),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c)))
                               c = '_';
                           }
                           return name;
                         });

TEST(SchemaSuiteSummaryTest, TotalsAndSkipListIsSmall) {
  const fs::path dir = SuiteDir();
  if (dir.empty())
    GTEST_SKIP() << "json-schema-test-suite is not installed (apt install "
                    "json-schema-test-suite)";
  Counts counts;
  for (const char* f : kFiles) {
    const fs::path file = dir / (std::string(f) + ".json");
    if (!fs::exists(file)) continue;
    for (const Json& group : Load(file)) {
      const int n = static_cast<int>(group["tests"].size());
      (IsListedAsSkipped(f, group["description"].get<std::string>())
           ? counts.skipped
           : counts.ran) += n;
    }
  }
  std::cout << "[ suite    ] " << dir << ": " << counts.ran << " cases run, "
            << counts.skipped << " skipped\n";
  RecordProperty("cases_run", counts.ran);
  RecordProperty("cases_skipped", counts.skipped);
  EXPECT_GT(counts.ran, 200);
  EXPECT_LT(counts.skipped, counts.ran / 5);
  EXPECT_LE(std::size(kSkipped), 8u);
}

}  // namespace
}  // namespace funkygibbon::mcp
