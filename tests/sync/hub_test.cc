// Golden-JSON wire tests of SyncHub, one per rule of INBETWEENIES.md.
#include "sync/hub.h"

#include <openssl/evp.h>

#include <cstdio>
#include <set>

#include <gtest/gtest.h>

#include "sync/protocol.h"
#include "sync/sync_test_util.h"

namespace funkygibbon::sync {
namespace {

using testing::Change;
using testing::EntityJson;
using testing::MemoryGraph;
using testing::Request;
using testing::Stable;

using testing::GoldenCreateLamp1Answer;
using testing::GoldenStaleKV1Conflicts;
using testing::kV1;
using testing::kV2;
using testing::kV3;

class HubTest : public ::testing::Test {
 protected:
  Json Send(const Json& req) {
    auto r = hub_.Handle(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Json();
  }
  std::unique_ptr<graph::KnowledgeGraph> kg_ = MemoryGraph();
  SyncHub hub_{*kg_};
};

TEST_F(HubTest, GoldenCreateResponse) {
  Json resp = Send(Request(Json::array({Change("create", EntityJson("lamp-1", kV1))})));
  const Json golden = GoldenCreateLamp1Answer();
  EXPECT_EQ(Stable(resp), golden) << Stable(resp).dump(2);
  // Rule 10: +00:00 with microseconds.
  std::string t = resp["server_time"];
  EXPECT_EQ(t.size(), 32u);
  EXPECT_EQ(t.substr(26), "+00:00");
  EXPECT_EQ(resp["changes"][0]["entity"]["updated_at"], "2020-01-01T00:00:00.000000+00:00");
}

TEST_F(HubTest, Rule1IdempotentResendAckedWithoutNewRow) {
  Json req = Request(Json::array({Change("create", EntityJson("lamp-1", kV1))}));
  Send(req);
  Json resp = Send(req);
  EXPECT_EQ(resp["applied"], Json::array({"lamp-1"}));
  auto h = kg_->History("lamp-1");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->size(), 1u);
}

TEST_F(HubTest, Rule2FastForward) {
  Send(Request(Json::array({Change("create", EntityJson("lamp-1", kV1))})));
  Json resp = Send(Request(Json::array(
      {Change("update", EntityJson("lamp-1", kV2, "device", "Lamp 2", Json::array({kV1})))})));
  EXPECT_EQ(resp["conflicts"], Json::array());
  EXPECT_EQ(resp["applied"], Json::array({"lamp-1"}));
  auto cur = kg_->Read([](const graph::GraphIndex& g) { return g.Get("lamp-1"); });
  ASSERT_TRUE(cur);
  EXPECT_EQ(cur->version, kV2);
  EXPECT_EQ(cur->name, "Lamp 2");
}

TEST_F(HubTest, Rule3ConflictNewerWinsLoserKeptAndAcked) {
  Send(Request(Json::array({Change("create", EntityJson("lamp-1", kV2))})));
  // Stale edit (empty parents) with an older edit time: loses, still acked.
  Json resp = Send(Request(Json::array({Change("update", EntityJson("lamp-1", kV1, "device", "Old"))})));
  const Json golden_conflict = GoldenStaleKV1Conflicts();
  EXPECT_EQ(resp["conflicts"], golden_conflict);
  EXPECT_EQ(resp["applied"], Json::array({"lamp-1"}));
  EXPECT_EQ(resp["sync_stats"]["conflicts_resolved"], 1);
  auto h = kg_->History("lamp-1");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->size(), 2u);  // the loser is stored, not current
  auto cur = kg_->Read([](const graph::GraphIndex& g) { return g.Get("lamp-1"); });
  EXPECT_EQ(cur->version, kV2);
  // A newer stale edit wins.
  resp = Send(Request(Json::array({Change("update", EntityJson("lamp-1", kV3, "device", "New"))})));
  EXPECT_EQ(resp["conflicts"][0]["resolved_version"], kV3);
  cur = kg_->Read([](const graph::GraphIndex& g) { return g.Get("lamp-1"); });
  EXPECT_EQ(cur->version, kV3);
  // Persisted history of decisions, newest first.
  auto c = hub_.Conflicts(10);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ((*c)["conflicts"].size(), 2u);
  EXPECT_EQ((*c)["conflicts"][0]["resolved_version"], kV3);
  EXPECT_EQ((*c)["total"], 2);
  SyncHub reopened(*kg_);
  auto c2 = reopened.Conflicts(1);
  ASSERT_TRUE(c2.ok());
  EXPECT_EQ((*c2)["conflicts"].size(), 1u);
  EXPECT_EQ((*c2)["total"], 2);
}

TEST_F(HubTest, Rule3WithinOneSecondLexicallyGreaterWins) {
  const std::string a = "2020-01-01T00:00:00.100000+00:00-000001-zed";
  const std::string b = "2020-01-01T00:00:00.900000+00:00-000001-amy";
  Send(Request(Json::array({Change("create", EntityJson("x", b))})));
  Json resp = Send(Request(Json::array({Change("update", EntityJson("x", a))})));
  // b is later by 800 ms but within the window: lexical order decides; b > a lexically.
  EXPECT_EQ(resp["conflicts"][0]["resolved_version"], b);
}

TEST_F(HubTest, Rule4DeleteServedAsTombstone) {
  Send(Request(Json::array({Change("create", EntityJson("lamp-1", kV1))})));
  Json resp = Send(Request(Json::array({Change("delete", EntityJson("lamp-1", kV1))}),
                           {{"sync_type", "full"}}));
  EXPECT_EQ(resp["applied"], Json::array({"lamp-1"}));
  ASSERT_EQ(resp["changes"].size(), 1u);
  EXPECT_EQ(resp["changes"][0]["change_type"], "delete");
  EXPECT_EQ(resp["changes"][0]["entity"]["content"]["deleted"], true);
  EXPECT_EQ(resp["changes"][0]["entity"]["parent_versions"], Json::array({kV1}));
  // Delete of an unknown id is acked.
  resp = Send(Request(Json::array({Change("delete", EntityJson("ghost", kV1))})));
  EXPECT_EQ(resp["applied"], Json::array({"ghost"}));
  EXPECT_FALSE(kg_->Read([](const graph::GraphIndex& g) { return g.Get("ghost"); }));
}

TEST_F(HubTest, Rule5DeltaIsExclusiveAndServerTimeIsWatermark) {
  Json r1 = Send(Request(Json::array({Change("create", EntityJson("a", kV1))})));
  std::string since = r1["server_time"];
  Json r2 = Send(Request(Json::array(), {{"filters", {{"since", since}}}}));
  EXPECT_EQ(r2["changes"], Json::array());
  Send(Request(Json::array({Change("create", EntityJson("b", kV1))}), {{"device_id", "other"}}));
  Json r3 = Send(Request(Json::array(), {{"filters", {{"since", since}}}}));
  ASSERT_EQ(r3["changes"].size(), 1u);
  EXPECT_EQ(r3["changes"][0]["entity"]["id"], "b");
  // No since: the full current state (how a client learns who won).
  Json r4 = Send(Request(Json::array()));
  EXPECT_EQ(r4["changes"].size(), 2u);
}

TEST_F(HubTest, Rule5Filters) {
  Send(Request(Json::array({Change("create", EntityJson("a", kV1, "ROOM", "Kitchen")),
                            Change("create", EntityJson("b", kV1, "device"))})));
  Json r = Send(Request(Json::array(), {{"filters", {{"entity_types", {"room"}}}}}));
  ASSERT_EQ(r["changes"].size(), 1u);
  EXPECT_EQ(r["changes"][0]["entity"]["entity_type"], "room");
  r = Send(Request(Json::array(), {{"filters", {{"modified_by", {"nobody"}}}}}));
  EXPECT_EQ(r["changes"].size(), 0u);
}

TEST_F(HubTest, Rule6CursorPagesEveryRowExactlyOnceOnlyWhenAsked) {
  SyncHub small(*kg_, SyncHubOptions{.page_size = 3});
  Json changes = Json::array();
  for (int i = 0; i < 10; ++i) changes.push_back(Change("create", EntityJson("e" + std::to_string(i), kV1)));
  ASSERT_TRUE(small.Handle(Request(changes)).ok());
  // No cursor key: everything at once.
  auto all = small.Handle(Request(Json::array()));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)["changes"].size(), 10u);
  EXPECT_TRUE((*all)["cursor"].is_null());
  // With a cursor: pages of 3, each row once.
  std::set<std::string> seen;
  Json cursor = nullptr;
  int pages = 0;
  do {
    auto r = small.Handle(Request(Json::array(), {{"cursor", cursor}}));
    ASSERT_TRUE(r.ok());
    for (auto& c : (*r)["changes"]) EXPECT_TRUE(seen.insert(c["entity"]["id"]).second);
    cursor = (*r)["cursor"];
    ++pages;
  } while (!cursor.is_null() && pages < 20);
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_EQ(pages, 4);
  auto bad = small.Handle(Request(Json::array(), {{"cursor", "nonsense"}}));
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(HubTest, Rule7RelationshipsAppliedAfterEntitiesAndPulled) {
  Json rel = {{"id", "r1"}, {"from_entity_id", "lamp"}, {"to_entity_id", "kitchen"},
              {"relationship_type", "LOCATED_IN"}, {"properties", Json::object()}};
  // The edge names an entity created later in the same batch; no endpoint versions.
  Json resp = Send(Request(Json::array({Change("create", EntityJson("lamp", kV1), Json::array({rel})),
                                        Change("create", EntityJson("kitchen", kV1, "room", "Kitchen"))})));
  EXPECT_EQ(resp["applied_relationships"], Json::array({"r1"}));
  EXPECT_EQ(resp["sync_stats"]["relationships_synced"], 1);
  bool found = false;
  for (auto& c : resp["changes"]) {
    if (c["entity"].is_null() && !c["relationships"].empty()) {
      EXPECT_EQ(c["relationships"][0]["relationship_type"], "located_in");
      EXPECT_EQ(c["relationships"][0]["to_entity_version"], kV1);
      found = true;
    }
  }
  EXPECT_TRUE(found);
  // An edge to an unknown endpoint is not acked.
  Json orphan = {{"id", "r2"}, {"from_entity_id", "lamp"}, {"to_entity_id", "nowhere"},
                 {"relationship_type", "located_in"}};
  resp = Send(Request(Json::array({{{"change_type", "create"}, {"entity", {{"id", ""}}},
                                    {"relationships", {orphan}}}})));
  EXPECT_EQ(resp["applied_relationships"], Json::array());
  EXPECT_EQ(resp["applied"], Json::array());
  // A pair the vocabulary does not allow is applied and reported.
  Json odd = {{"id", "r3"}, {"from_entity_id", "kitchen"}, {"to_entity_id", "lamp"},
              {"relationship_type", "has_blob"}};
  resp = Send(Request(Json::array({{{"change_type", "create"}, {"entity", nullptr},
                                    {"relationships", {odd}}}})));
  EXPECT_EQ(resp["applied_relationships"], Json::array({"r3"}));
  ASSERT_EQ(resp["warnings"].size(), 1u);
  EXPECT_NE(resp["warnings"][0].get<std::string>().find("r3"), std::string::npos);
}

TEST_F(HubTest, Rule8StateDigestDefinition) {
  Send(Request(Json::array({Change("create", EntityJson("b", kV2)), Change("create", EntityJson("a", kV1))})));
  Json r = Send(Request(Json::array()));
  // sha256("a\x1f" kV1 "\x1e" "b\x1f" kV2 "\x1e") computed independently below.
  std::string bytes = std::string("a\x1f") + kV1 + "\x1e" + "b\x1f" + kV2 + "\x1e";
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  char hex[65];
  for (int i = 0; i < 32; ++i) std::snprintf(hex + 2 * i, 3, "%02x", md[i]);
  EXPECT_EQ(r["state_digest"], std::string(hex, 64));
}

TEST_F(HubTest, OtherProtocolVersionIs400) {
  Json req = Request(Json::array());
  req["protocol_version"] = "inbetweenies-v1";
  auto r = hub_.Handle(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("protocol_version"), std::string::npos);
}

TEST_F(HubTest, BadChangeIs400NamingIndexAndFieldNothingApplied) {
  struct Case {
    Json change;
    std::string field;
  } cases[] = {
      {Change("create", EntityJson("x", kV1, "robot")), "changes[1].entity.entity_type"},
      {Change("create", Json{{"version", kV1}, {"entity_type", "device"}}), "changes[1].entity.id"},
      {Change("create", Json{{"id", "x"}, {"entity_type", "device"}}), "changes[1].entity.version"},
      {Change("create", EntityJson("x", kV1, "device", "n", Json::array(), Json::array())), "changes[1].entity.content"},
      {Change("explode", EntityJson("x", kV1)), "changes[1].change_type"},
  };
  for (const auto& c : cases) {
    auto r = hub_.Handle(Request(Json::array({Change("create", EntityJson("good", kV1)), c.change})));
    ASSERT_FALSE(r.ok()) << c.field;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.field), std::string::npos) << r.status().message();
    EXPECT_FALSE(kg_->Read([](const graph::GraphIndex& g) { return g.Get("good"); }));
  }
}

TEST_F(HubTest, AcceptsWhatRealClientsSend) {
  // Uppercase vocabulary, non-UUID id, non-canonical version, Z+millis since, {} clock.
  Json e = {{"id", "ent-1718000000000-ab12cd"}, {"version", "v-1718000000000"},
            {"entity_type", "DEVICE"}, {"name", "Thermostat"}, {"content", {{"temp", 20}}},
            {"source_type", "MANUAL"}, {"user_id", "kk"}, {"parent_versions", Json::array()}};
  Json req = Request(Json::array({Change("update", e)}),
                     {{"filters", {{"since", "2020-01-01T00:00:00.123Z"}}}, {"vector_clock", Json::object()}});
  Json resp = Send(req);
  EXPECT_EQ(resp["applied"], Json::array({"ent-1718000000000-ab12cd"}));
  EXPECT_EQ(resp["vector_clock"], Json::object());
  ASSERT_EQ(resp["changes"].size(), 1u);
  EXPECT_EQ(resp["changes"][0]["entity"]["entity_type"], "device");
  EXPECT_EQ(resp["changes"][0]["entity"]["source_type"], "manual");
  // A stale re-edit with a non-canonical version goes through the conflict rule and is acked.
  e["version"] = "v-1718000000999";
  e["name"] = "Thermostat 2";
  resp = Send(Request(Json::array({Change("UPDATE", e)})));
  EXPECT_EQ(resp["applied"], Json::array({"ent-1718000000000-ab12cd"}));
  EXPECT_EQ(resp["conflicts"].size(), 1u);
  // A request with no filters, no cursor, sync_type in capitals.
  Json bare = {{"protocol_version", "inbetweenies-v2"}, {"device_id", "d"}, {"user_id", "u"},
               {"sync_type", "FULL"}, {"changes", Json::array()}};
  resp = Send(bare);
  EXPECT_EQ(resp["changes"].size(), 1u);
  EXPECT_TRUE(resp["vector_clock"].is_object());
}

TEST_F(HubTest, StatusReport) {
  Send(Request(Json::array({Change("create", EntityJson("a", kV1))})));
  Json s = hub_.Status();
  EXPECT_EQ(s["entities"], 1);
  EXPECT_EQ(s["protocol_version"], "inbetweenies-v2");
  EXPECT_EQ(s["state_digest"], StateDigest(*kg_));
}

}  // namespace
}  // namespace funkygibbon::sync
