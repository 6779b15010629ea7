// Helpers for the sync tests: in-memory graphs and wire fixtures.
#ifndef FUNKYGIBBON_TESTS_SYNC_SYNC_TEST_UTIL_H_
#define FUNKYGIBBON_TESTS_SYNC_SYNC_TEST_UTIL_H_

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "graph/knowledge_graph.h"
#include "testutil.h"

namespace funkygibbon::sync::testing {

using funkygibbon::testing::MemoryGraph;

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

// Versions of "lamp-1" for the rule tests: kV1 then kV2 by alice a minute
// apart, kV3 by bob a minute later.
inline constexpr char kV1[] = "2020-01-01T00:00:00.000000+00:00-000001-alice";
inline constexpr char kV2[] = "2020-01-01T00:01:00.000000+00:00-000001-alice";
inline constexpr char kV3[] = "2020-01-01T00:02:00.000000+00:00-000001-bob";

// The whole answer, after Stable(), to a delta request creating
// EntityJson("lamp-1", kV1) on an empty hub: the wire shape of every field.
inline Json GoldenCreateLamp1Answer() {
  return Json::parse(R"({
    "protocol_version": "inbetweenies-v2",
    "sync_type": "delta",
    "changes": [{"change_type": "create", "relationships": [],
      "entity": {"id": "lamp-1", "version": "2020-01-01T00:00:00.000000+00:00-000001-alice",
                 "entity_type": "device", "name": "Lamp", "content": {}, "source_type": "manual",
                 "user_id": "alice", "parent_versions": [], "created_at": "<t>", "updated_at": "<t>"}}],
    "conflicts": [],
    "sync_stats": {"entities_synced": 1, "relationships_synced": 0, "conflicts_resolved": 0, "duration_ms": 0},
    "vector_clock": {"clocks": {}},
    "cursor": null,
    "server_time": "<server_time>",
    "applied": ["lamp-1"],
    "applied_relationships": [],
    "state_digest": "<digest>",
    "warnings": []
  })");
}

// The conflicts list when a stale kV1 edit of "lamp-1" (no parents) meets
// the stored kV2: the newer edit wins.
inline Json GoldenStaleKV1Conflicts() {
  return Json::parse(R"([{"entity_id": "lamp-1",
      "local_version": "2020-01-01T00:01:00.000000+00:00-000001-alice",
      "remote_version": "2020-01-01T00:00:00.000000+00:00-000001-alice",
      "resolution_strategy": "last_write_wins",
      "resolved_version": "2020-01-01T00:01:00.000000+00:00-000001-alice"}])");
}

}  // namespace funkygibbon::sync::testing

#endif  // FUNKYGIBBON_TESTS_SYNC_SYNC_TEST_UTIL_H_
