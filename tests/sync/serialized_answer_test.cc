// The hub's answer written straight to text (SerializeResponse and
// SyncHub::HandleSerialized) must carry exactly the JSON of ToJson.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "sync/hub.h"
#include "sync/protocol.h"
#include "sync/sync_test_util.h"

namespace funkygibbon::sync {
namespace {

using testing::Change;
using testing::EntityJson;
using testing::MemoryGraph;
using testing::Request;
using testing::kV1;
using testing::Stable;

constexpr char kTricky[] = "quote \" backslash \\ newline \n tab \t ctl \x01 \xC3\xA9 \xF0\x9F\x98\x80";

SyncResponse SampleResponse() {
  SyncResponse r;
  r.sync_type = SyncType::kDelta;
  SyncChange c;
  c.change_type = ChangeType::kUpdate;
  Entity e;
  e.id = "lamp-1";
  e.version = kV1;
  e.entity_type = EntityType::kDevice;
  e.name = kTricky;
  e.content = Json{{"watts", 9.5}, {"tags", {"a", kTricky}}, {"nested", {{"deep", nullptr}}}};
  e.source_type = SourceType::kHomekit;
  e.user_id = "alice";
  e.parent_versions = {"p1", "p2"};
  e.created_at = "2020-01-01T00:00:00.000000+00:00";
  e.updated_at = e.created_at;
  c.entity = e;
  Relationship rel;
  rel.id = "r1";
  rel.from_entity_id = "lamp-1";
  rel.to_entity_id = "kitchen";
  rel.relationship_type = RelationshipType::kLocatedIn;
  rel.properties = Json{{"since", 2020}};
  rel.deleted = true;
  c.relationships.push_back(rel);
  r.changes.push_back(c);
  SyncChange edge_only;
  edge_only.change_type = ChangeType::kCreate;
  rel.deleted = false;
  rel.id = "r2";
  edge_only.relationships.push_back(rel);
  r.changes.push_back(edge_only);
  ConflictInfo conflict;
  conflict.entity_id = "lamp-1";
  conflict.local_version = "l";
  conflict.remote_version = "r";
  conflict.resolved_version = "l";
  r.conflicts.push_back(conflict);
  r.sync_stats = SyncStats{3, 4, 1, 12};
  r.vector_clock = Json{{"clocks", {{"dev", 7}}}};
  r.cursor = "fgc1.42";
  r.server_time = "2020-01-01T00:00:01.000000+00:00";
  r.applied = {"lamp-1", kTricky};
  r.applied_relationships = {"r1"};
  r.state_digest = "abc";
  r.warnings = {"a warning"};
  return r;
}

TEST(SerializeResponseTest, SameJsonAsToJson) {
  SyncResponse r = SampleResponse();
  const std::string text = SerializeResponse(r);
  const Json parsed = Json::parse(text);
  EXPECT_EQ(parsed, ToJson(r));
  EXPECT_EQ(text.find('\n'), std::string::npos) << "one line";
  // Nested objects are written as DumpJson writes them.
  EXPECT_NE(text.find(ToJson(r.changes[0]).dump()), std::string::npos);
  // sync_stats last, so its duration can be filled in at the very end.
  EXPECT_EQ(text.rfind("\"sync_stats\":{", text.size()), text.find("\"sync_stats\":{"));
  EXPECT_EQ(text.substr(text.size() - 2), "}}");

  r.cursor.reset();
  r.changes.clear();
  EXPECT_EQ(Json::parse(SerializeResponse(r)), ToJson(r));
}

TEST(SerializeResponseTest, IllFormedUtf8BecomesReplacementCharacters) {
  SyncResponse r;
  r.warnings = {std::string("bad \xC3 byte \xFF end")};
  const Json parsed = Json::parse(SerializeResponse(r));  // must stay valid JSON
  EXPECT_EQ(parsed["warnings"][0], "bad \xEF\xBF\xBD byte \xEF\xBF\xBD end");
}

TEST(HandleSerializedTest, MatchesHandleAndReportsStats) {
  auto kg = MemoryGraph();
  SyncHub hub(*kg);
  Json rel = {{"id", "r1"}, {"from_entity_id", "lamp"}, {"to_entity_id", "kitchen"},
              {"relationship_type", "located_in"}, {"properties", Json::object()}};
  const Json push = Request(Json::array({Change("create", EntityJson("kitchen", kV1, "room", "Kitchen")),
                                         Change("create", EntityJson("lamp", kV1), Json::array({rel}))}));
  SyncStats stats;
  const auto started = std::chrono::steady_clock::now();
  auto text = hub.HandleSerialized(push, started, &stats);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  const Json answer = Json::parse(*text);
  EXPECT_EQ(stats.entities_synced, 2u);
  EXPECT_EQ(stats.relationships_synced, 1u);
  EXPECT_EQ(stats.conflicts_resolved, 0u);
  EXPECT_EQ(answer["sync_stats"]["entities_synced"], 2);
  EXPECT_GE(answer["sync_stats"]["duration_ms"].get<int64_t>(), 0);
  EXPECT_EQ(answer["sync_stats"]["duration_ms"], stats.duration_ms);

  // A pull answers the same through both entry points (run-dependent
  // fields aside).
  const Json pull = Request(Json::array(), {{"sync_type", "full"}});
  auto via_text = hub.HandleSerialized(pull, std::chrono::steady_clock::now(), nullptr);
  ASSERT_TRUE(via_text.ok());
  auto via_json = hub.Handle(pull);
  ASSERT_TRUE(via_json.ok());
  EXPECT_EQ(Stable(Json::parse(*via_text)), Stable(*via_json));
  EXPECT_EQ(Json::parse(*via_text)["changes"].size(), 3u);

  // Errors are the same too.
  auto bad = hub.HandleSerialized(Request(Json::array(), {{"protocol_version", "v1"}}),
                                  std::chrono::steady_clock::now(), nullptr);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace funkygibbon::sync
