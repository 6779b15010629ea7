// Helpers for the sync tests: in-memory graphs and wire fixtures.
#ifndef FUNKYGIBBON_TESTS_SYNC_SYNC_TEST_UTIL_H_
#define FUNKYGIBBON_TESTS_SYNC_SYNC_TEST_UTIL_H_

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "graph/knowledge_graph.h"
#include "store/store.h"

namespace funkygibbon::sync::testing {

inline std::unique_ptr<graph::KnowledgeGraph> MemoryGraph() {
  auto store = store::OpenSqliteStore(store::StoreOptions{}, ":memory:");
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  auto kg = graph::KnowledgeGraph::Open(std::move(store).value());
  EXPECT_TRUE(kg.ok()) << kg.status().ToString();
  return std::move(kg).value();
}

// A request envelope around changes.
inline Json Request(Json changes, Json extra = Json::object()) {
  Json j{{"protocol_version", "inbetweenies-v2"},
         {"device_id", "dev-1"},
         {"user_id", "alice"},
         {"sync_type", "delta"},
         {"changes", std::move(changes)},
         {"vector_clock", {{"clocks", Json::object()}}}};
  for (auto it = extra.begin(); it != extra.end(); ++it) j[it.key()] = it.value();
  return j;
}

inline Json EntityJson(const std::string& id, const std::string& version,
                       const std::string& type = "device", const std::string& name = "Lamp",
                       Json parents = Json::array(), Json content = Json::object()) {
  return Json{{"id", id},           {"version", version},         {"entity_type", type},
              {"name", name},       {"content", std::move(content)}, {"source_type", "manual"},
              {"user_id", "alice"}, {"parent_versions", std::move(parents)}};
}

inline Json Change(const std::string& type, Json entity, Json rels = Json::array()) {
  return Json{{"change_type", type}, {"entity", std::move(entity)}, {"relationships", std::move(rels)}};
}

// Replaces the fields that vary between runs so responses can be compared to golden JSON.
inline Json Stable(Json resp) {
  if (resp.contains("server_time")) resp["server_time"] = "<server_time>";
  if (resp.contains("state_digest")) resp["state_digest"] = "<digest>";
  if (resp.contains("sync_stats")) resp["sync_stats"]["duration_ms"] = 0;
  if (resp.contains("changes")) {
    for (auto& c : resp["changes"]) {
      if (c["entity"].is_object()) {
        c["entity"]["created_at"] = "<t>";
        c["entity"]["updated_at"] = "<t>";
      }
      for (auto& r : c["relationships"]) {
        r["created_at"] = "<t>";
        r["updated_at"] = "<t>";
      }
    }
  }
  return resp;
}

}  // namespace funkygibbon::sync::testing

#endif  // FUNKYGIBBON_TESTS_SYNC_SYNC_TEST_UTIL_H_
