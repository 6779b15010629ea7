// Helpers for the end-to-end tests that drive the funkygibbon binary.
#ifndef FUNKYGIBBON_TESTS_E2E_E2E_UTIL_H_
#define FUNKYGIBBON_TESTS_E2E_E2E_UTIL_H_

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "testutil.h"

namespace funkygibbon::testing {

using Json = nlohmann::json;

// A seeded database in a fresh temp dir.
inline std::string SeededDb() {
  std::string db = TempDir() + "/home.db";
  auto r = RunCommand(ShellQuote(BinaryPath()) + " --db " + ShellQuote(db) + " seed", true);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return db;
}

// Runs `funkygibbon --db db call tool args` and returns the parsed result (or null).
inline Json CliCall(const std::string& db, const std::string& tool, const Json& args,
                    int* exit_code = nullptr) {
  auto r = RunCommand(ShellQuote(BinaryPath()) + " --db " + ShellQuote(db) + " call " + tool + " " +
                      ShellQuote(args.dump()));
  if (exit_code) *exit_code = r.exit_code;
  Json j = Json::parse(r.output, nullptr, false);
  return j.is_discarded() ? Json() : j;
}

// The id of the live entity with this name in the seeded home.
inline std::string IdOf(const std::string& db, const std::string& name) {
  Json r = CliCall(db, "query_graph",
                   {{"filters", {{{"field", "name"}, {"op", "eq"}, {"value", name}}}}});
  if (!r.contains("results") || r["results"].empty()) {
    ADD_FAILURE() << "no entity named " << name;
    return "";
  }
  return r["results"][0]["id"].get<std::string>();
}

// One tool call of the plan: the arguments may depend on earlier results.
struct PlannedCall {
  std::string tool;
  std::function<Json(const std::vector<Json>& earlier)> args;
};

// A call of every tool in tools.json, in an order where writes build on each
// other: create, relate, update, read history, unrelate, delete.
inline std::vector<PlannedCall> EveryToolPlan(const std::string& db) {
  const std::string kitchen = IdOf(db, "Kitchen");
  const std::string utility = IdOf(db, "Utility Room");
  const std::string lamp = IdOf(db, "Living Room Floor Lamp");
  const std::string home = IdOf(db, "Maple House");
  const std::string boiler = IdOf(db, "Combi Boiler");
  const std::string thermostat = IdOf(db, "Hallway Thermostat");
  const std::string living = IdOf(db, "Living Room");
  auto fixed = [](Json j) { return [j](const std::vector<Json>&) { return j; }; };
  return {
      {"describe_schema", fixed(Json::object())},
      {"get_graph_statistics", fixed(Json::object())},
      {"create_entity", fixed({{"entity_type", "device"}, {"name", "Test Kettle"},
                               {"content", {{"manufacturer", "Smeg"}, {"watts", 3000}}}})},
      {"create_relationship", [kitchen](const std::vector<Json>& e) {
         return Json{{"from_entity_id", e[2]["id"]}, {"to_entity_id", kitchen},
                     {"relationship_type", "located_in"}};
       }},
      {"update_entity", [](const std::vector<Json>& e) {
         return Json{{"entity_id", e[2]["id"]}, {"content", {{"watts", 2200}}}};
       }},
      {"get_entity_history", [](const std::vector<Json>& e) { return Json{{"entity_id", e[2]["id"]}}; }},
      {"get_entity_details", [](const std::vector<Json>& e) {
         return Json{{"entity_id", e[2]["id"]}, {"include_connected", true}};
       }},
      {"search_entities", fixed({{"query", "kettle"}})},
      {"find_similar_entities", fixed({{"entity_id", boiler}, {"threshold", 0.1}})},
      {"find_path", fixed({{"from_entity_id", lamp}, {"to_entity_id", home}, {"direction", "out"}})},
      {"get_connected_entities", fixed({{"entity_id", kitchen}, {"depth", 2}})},
      {"query_graph", fixed({{"cypher", "MATCH (d:device)-[:located_in]->(r:room {name:\"Kitchen\"}) RETURN d"}})},
      {"get_devices_in_room", fixed({{"room_id", kitchen}})},
      {"find_device_controls", fixed({{"device_id", thermostat}})},
      {"get_room_connections", fixed({{"room_id", utility}})},
      {"get_procedures_for_device", fixed({{"device_id", boiler}})},
      {"get_automations_in_room", fixed({{"room_id", living}})},
      {"delete_relationship", [](const std::vector<Json>& e) { return Json{{"relationship_id", e[3]["id"]}}; }},
      {"delete_entity", [](const std::vector<Json>& e) { return Json{{"entity_id", e[2]["id"]}}; }},
      {"sync_status", fixed(Json::object())},
      {"get_sync_conflicts", fixed({{"limit", 5}})},
  };
}

}  // namespace funkygibbon::testing

#endif  // FUNKYGIBBON_TESTS_E2E_E2E_UTIL_H_
