// Every rule of INBETWEENIES.md as a request/response test against a running
// hub: `funkygibbon serve` on a loopback port, POST /api/v1/sync/ with a
// member token, golden JSON for the wire shape. What the hub stored is read
// back over the REST routes (entity, versions) and GET /api/v1/sync/*.
// tests/sync/hub_test.cc holds the same rules against the handler in process.
#include <openssl/evp.h>

#include <cstdio>
#include <set>

#include <httplib.h>

#include "e2e/e2e_util.h"
#include "e2e/hub_process.h"
#include "sync/sync_test_util.h"

namespace funkygibbon::testing {
namespace {

using sync::testing::Change;
using sync::testing::EntityJson;
using sync::testing::Request;
using sync::testing::Stable;

using sync::testing::GoldenCreateLamp1Answer;
using sync::testing::GoldenStaleKV1Conflicts;
using sync::testing::kV1;
using sync::testing::kV2;
using sync::testing::kV3;

class SyncRulesHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string db = TempDir() + "/rules.db";
    auto r = RunCommand(ShellQuote(BinaryPath()) + " --db " + ShellQuote(db) + " token create --role member");
    ASSERT_EQ(r.exit_code, 0);
    token_ = r.output.substr(0, r.output.find_first_of("\r\n"));
    ASSERT_TRUE(hub_.Start(db)) << hub_.Stderr();
  }
  httplib::Headers Auth() const { return {{"Authorization", "Bearer " + token_}}; }

  // POSTs a sync request; returns the HTTP status and the parsed body.
  std::pair<int, Json> Post(const Json& request) {
    auto res = hub_.Client().Post("/api/v1/sync/", Auth(), request.dump(), "application/json");
    if (!res) return {0, Json()};
    Json body = Json::parse(res->body, nullptr, false);
    return {res->status, body.is_discarded() ? Json(res->body) : body};
  }
  Json Send(const Json& request) {
    auto [status, body] = Post(request);
    EXPECT_EQ(status, 200) << body.dump();
    return body;
  }
  Json Get(const std::string& path) {
    auto res = hub_.Client().Get(path, Auth());
    if (!res || res->status != 200) return Json();
    return Json::parse(res->body, nullptr, false);
  }
  // The versions the hub keeps for id (oldest first) and its current version.
  std::vector<std::string> Versions(const std::string& id) {
    Json j = Get("/api/v1/graph/entities/" + id + "/versions");
    std::vector<std::string> out;
    for (const auto& v : j["versions"]) out.push_back(v["version"].get<std::string>());
    return out;
  }
  Json Current(const std::string& id) { return Get("/api/v1/graph/entities/" + id); }

  HubProcess hub_;
  std::string token_;
};

TEST_F(SyncRulesHttpTest, GoldenCreateResponse) {
  Json resp = Send(Request(Json::array({Change("create", EntityJson("lamp-1", kV1))})));
  const Json golden = GoldenCreateLamp1Answer();
  EXPECT_EQ(Stable(resp), golden) << Stable(resp).dump(2);
  // Rule 10: timestamps in +00:00 form with microseconds.
  const std::string t = resp["server_time"];
  ASSERT_EQ(t.size(), 32u);
  EXPECT_EQ(t.substr(26), "+00:00");
}

TEST_F(SyncRulesHttpTest, Rule1IdempotentResendIsAckedWithoutANewVersion) {
  Json req = Request(Json::array({Change("create", EntityJson("lamp-1", kV1))}));
  Send(req);
  Json again = Send(req);
  EXPECT_EQ(again["applied"], Json::array({"lamp-1"}));
  EXPECT_EQ(again["conflicts"], Json::array());
  EXPECT_EQ(Versions("lamp-1"), std::vector<std::string>{kV1});
}

TEST_F(SyncRulesHttpTest, Rule2FastForwardReplacesTheCurrentVersion) {
  Send(Request(Json::array({Change("create", EntityJson("lamp-1", kV1))})));
  Json resp = Send(Request(Json::array(
      {Change("update", EntityJson("lamp-1", kV2, "device", "Lamp 2", Json::array({kV1})))})));
  EXPECT_EQ(resp["conflicts"], Json::array());
  EXPECT_EQ(resp["applied"], Json::array({"lamp-1"}));
  Json cur = Current("lamp-1");
  EXPECT_EQ(cur["entity"]["version"], kV2) << cur.dump();
  EXPECT_EQ(cur["entity"]["name"], "Lamp 2");
}

TEST_F(SyncRulesHttpTest, Rule3ConflictNewerEditWinsAndTheLoserIsKept) {
  Send(Request(Json::array({Change("create", EntityJson("lamp-1", kV2))})));
  Json resp = Send(Request(Json::array({Change("update", EntityJson("lamp-1", kV1, "device", "Old"))})));
  const Json golden = GoldenStaleKV1Conflicts();
  EXPECT_EQ(resp["conflicts"], golden);
  EXPECT_EQ(resp["applied"], Json::array({"lamp-1"}));  // losers are acked too
  EXPECT_EQ(resp["sync_stats"]["conflicts_resolved"], 1);
  const auto versions = Versions("lamp-1");
  EXPECT_EQ(std::set<std::string>(versions.begin(), versions.end()), (std::set<std::string>{kV1, kV2}));
  EXPECT_EQ(Current("lamp-1")["entity"]["version"], kV2);
  resp = Send(Request(Json::array({Change("update", EntityJson("lamp-1", kV3, "device", "New"))})));
  EXPECT_EQ(resp["conflicts"][0]["resolved_version"], kV3);
  EXPECT_EQ(Current("lamp-1")["entity"]["version"], kV3);
  Json history = Get("/api/v1/sync/conflicts?limit=10");
  ASSERT_EQ(history["conflicts"].size(), 2u) << history.dump();
  EXPECT_EQ(history["total"], 2);
  EXPECT_EQ(history["conflicts"][0]["resolved_version"], kV3);
  EXPECT_EQ(history["conflicts"][0]["device_id"], "dev-1");
}

TEST_F(SyncRulesHttpTest, Rule3WithinOneSecondTheGreaterVersionWins) {
  const std::string a = "2020-01-01T00:00:00.100000+00:00-000001-zed";
  const std::string b = "2020-01-01T00:00:00.900000+00:00-000001-amy";
  Send(Request(Json::array({Change("create", EntityJson("x", b))})));
  Json resp = Send(Request(Json::array({Change("update", EntityJson("x", a))})));
  EXPECT_EQ(resp["conflicts"][0]["resolved_version"], b);
}

TEST_F(SyncRulesHttpTest, Rule3FutureEditTimesAreClampedAtArrival) {
  Send(Request(Json::array({Change("create", EntityJson("clock", kV1))})));
  // A device whose clock is years ahead: its edit time counts as "now + skew",
  // so a later honest edit (parented on it) still fast-forwards and wins.
  const std::string future = "2099-01-01T00:00:00.000000+00:00-000001-skewed";
  Json resp = Send(Request(Json::array({Change("update", EntityJson("clock", future, "device", "Skewed",
                                                                     Json::array({kV1})))})));
  EXPECT_EQ(resp["applied"], Json::array({"clock"}));
  Json stored = Current("clock")["entity"];
  EXPECT_LT(stored["updated_at"].get<std::string>(), std::string("2099"));
}

TEST_F(SyncRulesHttpTest, Rule4DeleteIsServedAsATombstoneAndUnknownDeletesAreAcked) {
  Send(Request(Json::array({Change("create", EntityJson("lamp-1", kV1))})));
  Json resp = Send(Request(Json::array({Change("delete", EntityJson("lamp-1", kV1))}), {{"sync_type", "full"}}));
  EXPECT_EQ(resp["applied"], Json::array({"lamp-1"}));
  ASSERT_EQ(resp["changes"].size(), 1u);
  EXPECT_EQ(resp["changes"][0]["change_type"], "delete");
  EXPECT_EQ(resp["changes"][0]["entity"]["content"]["deleted"], true);
  EXPECT_EQ(resp["changes"][0]["entity"]["parent_versions"], Json::array({kV1}));
  resp = Send(Request(Json::array({Change("delete", EntityJson("ghost", kV1))})));
  EXPECT_EQ(resp["applied"], Json::array({"ghost"}));
  EXPECT_TRUE(Current("ghost").is_null());
}

TEST_F(SyncRulesHttpTest, Rule5DeltaSinceIsExclusiveAndServerTimeIsTheWatermark) {
  Json r1 = Send(Request(Json::array({Change("create", EntityJson("a", kV1))})));
  const std::string since = r1["server_time"];
  EXPECT_EQ(Send(Request(Json::array(), {{"filters", {{"since", since}}}}))["changes"], Json::array());
  Send(Request(Json::array({Change("create", EntityJson("b", kV1))}), {{"device_id", "other"}}));
  Json r3 = Send(Request(Json::array(), {{"filters", {{"since", since}}}}));
  ASSERT_EQ(r3["changes"].size(), 1u);
  EXPECT_EQ(r3["changes"][0]["entity"]["id"], "b");
  EXPECT_EQ(Send(Request(Json::array()))["changes"].size(), 2u);  // no since: everything current
}

TEST_F(SyncRulesHttpTest, Rule5FiltersByTypeAndAuthor) {
  Send(Request(Json::array({Change("create", EntityJson("a", kV1, "ROOM", "Kitchen")),
                            Change("create", EntityJson("b", kV1, "device"))})));
  Json r = Send(Request(Json::array(), {{"filters", {{"entity_types", {"room"}}}}}));
  ASSERT_EQ(r["changes"].size(), 1u);
  EXPECT_EQ(r["changes"][0]["entity"]["entity_type"], "room");
  EXPECT_EQ(Send(Request(Json::array(), {{"filters", {{"modified_by", {"nobody"}}}}}))["changes"].size(), 0u);
}

TEST_F(SyncRulesHttpTest, Rule6CursorPagesOnlyForClientsThatSendOne) {
  Json changes = Json::array();
  for (int i = 0; i < 1100; ++i) changes.push_back(Change("create", EntityJson("e" + std::to_string(i), kV1)));
  ASSERT_EQ(Send(Request(changes))["applied"].size(), 1100u);
  Json all = Send(Request(Json::array()));
  EXPECT_EQ(all["changes"].size(), 1100u);
  EXPECT_TRUE(all["cursor"].is_null());
  std::set<std::string> seen;
  Json cursor = nullptr;
  int pages = 0;
  do {
    Json page = Send(Request(Json::array(), {{"cursor", cursor}}));
    for (const auto& c : page["changes"]) EXPECT_TRUE(seen.insert(c["entity"]["id"]).second);
    cursor = page["cursor"];
    ++pages;
  } while (!cursor.is_null() && pages < 50);
  EXPECT_EQ(seen.size(), 1100u);
  EXPECT_GT(pages, 1);
  auto [status, body] = Post(Request(Json::array(), {{"cursor", "nonsense"}}));
  EXPECT_EQ(status, 400);
  EXPECT_NE(body.dump().find("cursor"), std::string::npos) << body.dump();
}

TEST_F(SyncRulesHttpTest, Rule7RelationshipsAfterEntitiesAndInPulls) {
  Json rel = {{"id", "r1"}, {"from_entity_id", "lamp"}, {"to_entity_id", "kitchen"},
              {"relationship_type", "LOCATED_IN"}, {"properties", Json::object()}};
  Json resp = Send(Request(Json::array({Change("create", EntityJson("lamp", kV1), Json::array({rel})),
                                        Change("create", EntityJson("kitchen", kV1, "room", "Kitchen"))})));
  EXPECT_EQ(resp["applied_relationships"], Json::array({"r1"}));
  bool pulled = false;
  for (const auto& c : resp["changes"]) {
    for (const auto& r : c["relationships"]) {
      if (r["id"] == "r1") {
        EXPECT_EQ(r["relationship_type"], "located_in");
        EXPECT_EQ(r["to_entity_version"], kV1);
        pulled = true;
      }
    }
  }
  EXPECT_TRUE(pulled) << resp.dump();
  // The empty-id entity that only carries edges; an unknown endpoint is not acked.
  Json orphan = {{"id", "r2"}, {"from_entity_id", "lamp"}, {"to_entity_id", "nowhere"},
                 {"relationship_type", "located_in"}};
  resp = Send(Request(Json::array({{{"change_type", "create"}, {"entity", {{"id", ""}}},
                                    {"relationships", {orphan}}}})));
  EXPECT_EQ(resp["applied_relationships"], Json::array());
  EXPECT_EQ(resp["applied"], Json::array());
}

TEST_F(SyncRulesHttpTest, Rule8StateDigestIsTheHashOfIdsAndVersions) {
  Send(Request(Json::array({Change("create", EntityJson("b", kV2)), Change("create", EntityJson("a", kV1))})));
  Json r = Send(Request(Json::array()));
  const std::string bytes = std::string("a\x1f") + kV1 + "\x1e" + "b\x1f" + kV2 + "\x1e";
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  char hex[65];
  for (int i = 0; i < 32; ++i) std::snprintf(hex + 2 * i, 3, "%02x", md[i]);
  EXPECT_EQ(r["state_digest"], std::string(hex, 64));
  Json status = Get("/api/v1/sync/status");
  EXPECT_EQ(status["state_digest"], r["state_digest"]);
  EXPECT_EQ(status["protocol_version"], "inbetweenies-v2");
  EXPECT_EQ(status["entities"], 2);
}

TEST_F(SyncRulesHttpTest, OtherProtocolVersionsAre400) {
  Json req = Request(Json::array());
  req["protocol_version"] = "inbetweenies-v1";
  auto [status, body] = Post(req);
  EXPECT_EQ(status, 400);
  EXPECT_NE(body.dump().find("protocol_version"), std::string::npos) << body.dump();
}

TEST_F(SyncRulesHttpTest, ABadChangeIs400NamingItsIndexAndFieldAndNothingIsApplied) {
  struct Case {
    Json change;
    std::string field;
  } cases[] = {
      {Change("create", EntityJson("x", kV1, "robot")), "changes[1].entity.entity_type"},
      {Change("create", Json{{"version", kV1}, {"entity_type", "device"}}), "changes[1].entity.id"},
      {Change("create", Json{{"id", "x"}, {"entity_type", "device"}}), "changes[1].entity.version"},
      {Change("create", EntityJson("x", kV1, "device", "n", Json::array(), Json::array())),
       "changes[1].entity.content"},
      {Change("explode", EntityJson("x", kV1)), "changes[1].change_type"},
  };
  for (const auto& c : cases) {
    auto [status, body] = Post(Request(Json::array({Change("create", EntityJson("good", kV1)), c.change})));
    EXPECT_EQ(status, 400) << c.field;
    EXPECT_NE(body.dump().find(c.field), std::string::npos) << body.dump();
    EXPECT_TRUE(Current("good").is_null()) << "part of a refused request was applied";
  }
}

TEST_F(SyncRulesHttpTest, AcceptsWhatRealClientsSend) {
  Json e = {{"id", "ent-1718000000000-ab12cd"}, {"version", "v-1718000000000"},
            {"entity_type", "DEVICE"}, {"name", "Thermostat"}, {"content", {{"temp", 20}}},
            {"source_type", "MANUAL"}, {"user_id", "kk"}, {"parent_versions", Json::array()}};
  Json resp = Send(Request(Json::array({Change("update", e)}),
                           {{"filters", {{"since", "2020-01-01T00:00:00.123Z"}}}, {"vector_clock", Json::object()}}));
  EXPECT_EQ(resp["applied"], Json::array({"ent-1718000000000-ab12cd"}));
  EXPECT_EQ(resp["vector_clock"], Json::object());
  ASSERT_EQ(resp["changes"].size(), 1u);
  EXPECT_EQ(resp["changes"][0]["entity"]["entity_type"], "device");
  EXPECT_EQ(resp["changes"][0]["entity"]["source_type"], "manual");
  Json bare = {{"protocol_version", "inbetweenies-v2"}, {"device_id", "d"}, {"user_id", "u"},
               {"sync_type", "FULL"}, {"changes", Json::array()}};
  resp = Send(bare);
  EXPECT_EQ(resp["changes"].size(), 1u);
  EXPECT_TRUE(resp["vector_clock"].is_object());
}

}  // namespace
}  // namespace funkygibbon::testing
