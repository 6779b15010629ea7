// Helpers shared by the bad-input catalogues (bad_input_*_test.cc): the
// seeded home's ids by name, placeholder expansion in table rows, and a full
// export of the database to prove that refused input wrote nothing.
#ifndef FUNKYGIBBON_TESTS_E2E_BAD_INPUT_UTIL_H_
#define FUNKYGIBBON_TESTS_E2E_BAD_INPUT_UTIL_H_

#include <map>
#include <string>

#include "e2e/e2e_util.h"

namespace funkygibbon::testing {

// name -> id of every live entity of the database (one CLI call).
inline std::map<std::string, std::string> IdsByName(const std::string& db) {
  std::map<std::string, std::string> ids;
  Json r = CliCall(db, "query_graph", {{"limit", 1000}});
  for (const auto& e : r.value("results", Json::array())) {
    ids[e.value("name", "")] = e.value("id", "");
  }
  EXPECT_GE(ids.size(), 100u) << "the seeded home is missing";
  return ids;
}

// Replaces "{id:<entity name>}" by that entity's id and "{<key>}" by
// vars.at(key) for the given keys. Rows of the catalogues are written before
// the server exists, so they name entities and tokens this way. An unknown
// name fails the test (a typo must not turn into a "not found" that passes).
inline std::string Expand(std::string text,
                          const std::map<std::string, std::string>& ids,
                          const std::map<std::string, std::string>& vars = {}) {
  for (size_t at = text.find("{id:"); at != std::string::npos;
       at = text.find("{id:", at)) {
    const size_t end = text.find('}', at);
    if (end == std::string::npos) break;
    const std::string name = text.substr(at + 4, end - at - 4);
    auto it = ids.find(name);
    if (it == ids.end()) {
      ADD_FAILURE() << "no entity named '" << name << "' in the seeded home";
      at = end;
      continue;
    }
    text.replace(at, end - at + 1, it->second);
    at += it->second.size();
  }
  for (const auto& [key, value] : vars) {
    const std::string mark = "{" + key + "}";
    for (size_t at = text.find(mark); at != std::string::npos;
         at = text.find(mark, at)) {
      text.replace(at, mark.size(), value);
      at += value.size();
    }
  }
  return text;
}

// `funkygibbon export` of the database: every version of every entity and
// every relationship, so two exports are equal exactly when nothing was
// written in between.
inline std::string ExportOf(const std::string& db) {
  auto r = RunCommand(ShellQuote(BinaryPath()) + " --db " + ShellQuote(db) +
                      " export");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\"entities\""), std::string::npos)
      << r.output.substr(0, 200);
  return r.output;
}

}  // namespace funkygibbon::testing

#endif  // FUNKYGIBBON_TESTS_E2E_BAD_INPUT_UTIL_H_
