// The hub's answer written straight to text (SerializeResponse and
// SyncHub::HandleSerialized) must carry exactly the JSON of ToJson.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

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
using testing::kV2;
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

// The "changes" array of an answer's text, as written.
std::string ChangesText(const std::string& text) {
  const size_t from = text.find("\"changes\":[");
  const size_t to = text.find("],\"conflicts\":[");
  EXPECT_NE(from, std::string::npos);
  EXPECT_NE(to, std::string::npos);
  return text.substr(from, to - from);
}

TEST(HandleSerializedTest, StreamedPullsEqualDecodedPullsForEveryFilterAndPage) {
  auto kg = MemoryGraph();
  SyncHub hub(*kg, SyncHubOptions{.page_size = 3});
  auto by = [](Json e, const std::string& user) {
    e["user_id"] = user;
    return e;
  };
  const Json content_cases[] = {
      Json{{"name_is", kTricky}, {"watts", 9.5}, {"big", 12345678901234LL}, {"neg", -0.25}},
      Json{{"meta", {{"deleted", true}}}},             // nested: not a tombstone
      Json{{"note", "\"deleted\":true"}},              // in a string: not a tombstone
      Json{{"deleted", false}, {"list", {1, "two", nullptr, Json::object()}}},
      Json::object(),
  };
  Json changes = Json::array();
  changes.push_back(Change("create", EntityJson("kitchen", kV1, "room", "Kitchen")));
  int n = 0;
  for (const Json& content : content_cases) {
    const std::string id = "dev-" + std::to_string(n);
    changes.push_back(Change("create", by(EntityJson(id, kV1, "device", kTricky, Json::array(), content),
                                          n % 2 == 0 ? "alice" : "bob")));
    ++n;
  }
  Json edge = {{"id", "r1"}, {"from_entity_id", "dev-0"}, {"to_entity_id", "kitchen"},
               {"relationship_type", "located_in"}, {"properties", {{"since", 2020}, {"why", kTricky}}}};
  Json edge2 = edge;
  edge2["id"] = "r2";
  edge2["from_entity_id"] = "dev-1";
  edge2["properties"] = Json::object();
  changes.push_back(Change("create", by(EntityJson("dev-9", kV1), "bob"), Json::array({edge, edge2})));
  ASSERT_TRUE(hub.Handle(Request(changes)).ok());
  // An update (with a parent), a tombstone and a deleted relationship.
  Json later = Json::array();
  later.push_back(Change("update", EntityJson("dev-3", kV2, "device", "Renamed", Json::array({kV1}),
                                              {{"watts", 3}})));
  later.push_back(Change("delete", EntityJson("dev-4", kV2, "device", "Gone", Json::array({kV1}))));
  Json gone = edge2;
  gone["deleted"] = true;
  later.push_back(Change("update", EntityJson("dev-9", kV2, "device", "Lamp", Json::array({kV1})),
                         Json::array({gone})));
  ASSERT_TRUE(hub.Handle(Request(later)).ok());

  const std::vector<Json> pulls = {
      Request(Json::array(), {{"sync_type", "full"}}),
      Request(Json::array()),
      Request(Json::array(), {{"sync_type", "entities"}}),
      Request(Json::array(), {{"sync_type", "relationships"}}),
      Request(Json::array(), {{"filters", {{"entity_types", {"room"}}}}}),
      Request(Json::array(), {{"filters", {{"modified_by", {"bob"}}}}}),
      Request(Json::array(), {{"filters", {{"since", "2099-01-01T00:00:00Z"}}}}),
  };
  size_t tombstones = 0;
  for (const Json& pull : pulls) {
    auto via_text = hub.HandleSerialized(pull, std::chrono::steady_clock::now(), nullptr);
    ASSERT_TRUE(via_text.ok()) << via_text.status().ToString();
    auto via_json = hub.Handle(pull);
    ASSERT_TRUE(via_json.ok());
    EXPECT_EQ(Stable(Json::parse(*via_text)), Stable(*via_json)) << pull.dump();
    // Byte for byte what encoding the decoded rows writes.
    auto decoded = hub.Sync(*ParseSyncRequest(pull));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(ChangesText(*via_text), ChangesText(SerializeResponse(*decoded))) << pull.dump();
    for (const auto& c : (*via_json)["changes"]) tombstones += c["change_type"] == "delete";
  }
  EXPECT_GT(tombstones, 0u) << "the pulls include the tombstone and the deleted relationship";
  const Json full = *hub.Handle(pulls[0]);
  EXPECT_EQ(full["changes"].size(), 9u);  // 7 current entities (2 edited, 1 deleted), 2 relationships

  // Paged: the same pages through both, each row once.
  Json cursor = nullptr;
  size_t rows = 0;
  for (int page = 0; page < 10; ++page) {
    const Json pull = Request(Json::array(), {{"cursor", cursor}, {"sync_type", "full"}});
    auto via_text = hub.HandleSerialized(pull, std::chrono::steady_clock::now(), nullptr);
    auto via_json = hub.Handle(pull);
    ASSERT_TRUE(via_text.ok() && via_json.ok());
    const Json text_json = Json::parse(*via_text);
    EXPECT_EQ(Stable(text_json), Stable(*via_json));
    rows += text_json["changes"].size();
    cursor = text_json["cursor"];
    if (cursor.is_null()) break;
    EXPECT_EQ(text_json["changes"].size(), 3u);
  }
  EXPECT_TRUE(cursor.is_null());
  EXPECT_EQ(rows, 9u);
}

TEST(HandleSerializedTest, ServesBackTheWinnerOfALostPushThroughBothPaths) {
  auto kg = MemoryGraph();
  SyncHub hub(*kg);
  ASSERT_TRUE(hub.Handle(Request(Json::array({Change("create", EntityJson("lamp-1", kV1))}))).ok());
  ASSERT_TRUE(hub.Handle(Request(Json::array({Change(
      "update", EntityJson("lamp-1", kV2, "device", "Newer", Json::array({kV1})))}))).ok());
  // A stale edit (no parents) with a since after everything: the rows serve
  // nothing, so the winner is served back.
  const Json stale = Request(Json::array({Change("update", EntityJson("lamp-1", kV1, "device", "Stale"))}),
                             {{"filters", {{"since", "2099-01-01T00:00:00Z"}}}});
  auto via_text = hub.HandleSerialized(stale, std::chrono::steady_clock::now(), nullptr);
  ASSERT_TRUE(via_text.ok()) << via_text.status().ToString();
  const Json answer = Json::parse(*via_text);
  ASSERT_EQ(answer["changes"].size(), 1u);
  EXPECT_EQ(answer["changes"][0]["entity"]["version"], kV2);
  EXPECT_EQ(answer["changes"][0]["change_type"], "update");
  auto via_json = hub.Handle(stale);
  ASSERT_TRUE(via_json.ok());
  EXPECT_EQ(Stable(answer)["changes"], Stable(*via_json)["changes"]);
}

store::EntityRow Row(std::string_view content, std::string_view parents = "[]") {
  store::EntityRow row;
  row.id = "e-1";
  row.version = kV1;
  row.entity_type = EntityType::kDevice;
  row.name = kTricky;
  row.content = content;
  row.user_id = "alice";
  row.parent_versions = parents;
  row.created_at = "2020-01-01T00:00:00.000000+00:00";
  row.updated_at = row.created_at;
  return row;
}

TEST(AppendChangeRowTest, ReadsTheTombstoneFlagOnlyAtTheTopLevel) {
  const std::pair<const char*, ChangeType> cases[] = {
      {R"({"deleted":true})", ChangeType::kDelete},
      {R"({"a":1,"deleted":true,"z":[1,{"b":2}]})", ChangeType::kDelete},
      {R"({"deleted":false})", ChangeType::kCreate},
      {R"({"deleted":"true"})", ChangeType::kCreate},
      {R"({"a":{"deleted":true}})", ChangeType::kCreate},
      {R"({"a":[{"deleted":true}]})", ChangeType::kCreate},
      {R"({"a":"\"deleted\":true"})", ChangeType::kCreate},
      {R"({"a\"":"deleted","deleted":1})", ChangeType::kCreate},
      {R"({"a":"\\","deleted":true})", ChangeType::kDelete},
      {"{}", ChangeType::kCreate},
  };
  for (const auto& [content, want] : cases) {
    const store::EntityRow row = Row(content);
    auto got = ChangeOf(row);
    ASSERT_TRUE(got.ok()) << content;
    EXPECT_EQ(*got, want) << content;
    // The same as the decoded entity says.
    auto e = store::DecodeEntityRow(row);
    ASSERT_TRUE(e.ok()) << content;
    EXPECT_EQ(ChangeOf(*e), want) << content;
    // And the text is what encoding the decoded entity writes.
    store::ChangedRowView view;
    view.entity = &row;
    std::string streamed;
    ASSERT_TRUE(AppendChangeRow(&streamed, view, true).ok());
    SyncChange c;
    c.change_type = want;
    c.entity = *e;
    std::string encoded;
    AppendChange(&encoded, c, true);
    EXPECT_EQ(streamed, encoded) << content;
  }
  EXPECT_EQ(*ChangeOf(Row("{}", R"(["p"])")), ChangeType::kUpdate);
}

TEST(AppendChangeRowTest, ADamagedRowIsAnInternalErrorNamingIt) {
  for (const char* content : {"", "[]", "{", R"({"a":1)", R"({"a":"x})", "{}}", "{} x", "null",
                              R"({"a":[1,2})"}) {
    const store::EntityRow row = Row(content);
    store::ChangedRowView view;
    view.entity = &row;
    std::string out;
    Status s = AppendChangeRow(&out, view, true);
    EXPECT_EQ(s.code(), StatusCode::kInternal) << "content " << content;
    EXPECT_NE(s.message().find("'e-1'"), std::string::npos) << s.message();
  }
  const store::EntityRow bad_parents = Row("{}", "nope");
  store::ChangedRowView view;
  view.entity = &bad_parents;
  std::string out;
  EXPECT_EQ(AppendChangeRow(&out, view, true).code(), StatusCode::kInternal);

  store::RelationshipRow r;
  r.id = "r-1";
  r.properties = R"({"a":)";
  store::ChangedRowView edge;
  edge.relationship = &r;
  Status s = AppendChangeRow(&out, edge, true);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("properties of 'r-1'"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace funkygibbon::sync
