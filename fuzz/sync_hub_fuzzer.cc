// Fuzzes the hub side of Inbetweenies v2: sync::SyncHub::Handle and
// HandleSerialized (the HTTP route's, every other line) against a
// real ":memory:" store seeded with a small home (the same state for every
// input, see World). The input is up to eight requests, one JSON document
// per line, sent in order to one hub (so later requests meet what earlier
// ones wrote: conflicts, fast-forwards, deletes). Each line is parsed as the
// HTTP route does (depth limit, must be an object).
//
// Invariants: a refused request is InvalidArgument (the route's 400; anything
// else would be a 500) and leaves the store byte-for-byte unchanged; an
// accepted one answers every field of the contract with consistent stats and
// the digest of the graph as it now stands; every acknowledged entity version
// is stored (rule 1: a client forgets a change once acked); every served
// timestamp is a wire timestamp (rule 10); no entity has an empty id; the
// in-memory index equals the store.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/version.h"
#include "fuzz_util.h"
#include "mcp/json_text.h"
#include "sync/hub.h"
#include "sync/protocol.h"

namespace funkygibbon::fuzz {
namespace {

constexpr size_t kMaxRequests = 8;
constexpr int kRouteMaxDepth = 64;  // HubLimits::max_json_depth

bool IsLowerHex(const std::string& s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

void CheckResponse(graph::KnowledgeGraph& kg, const Json& request, const Json& resp) {
  const std::string text = mcp::DumpJson(resp);
  for (const char* key : {"protocol_version", "sync_type", "changes", "conflicts", "sync_stats",
                          "vector_clock", "cursor", "server_time", "applied",
                          "applied_relationships", "state_digest"}) {
    FUZZ_CHECK(resp.contains(key), std::string("response lacks ") + key + ": " + text);
  }
  FUZZ_CHECK(resp["protocol_version"] == sync::kProtocolVersion, text);
  FUZZ_CHECK(resp["changes"].is_array() && resp["conflicts"].is_array() &&
                 resp["applied"].is_array() && resp["applied_relationships"].is_array(),
             text);
  FUZZ_CHECK(resp["cursor"].is_null() || resp["cursor"].is_string(), text);
  const Json& stats = resp["sync_stats"];
  FUZZ_CHECK(stats.value("entities_synced", -1) == static_cast<int>(resp["applied"].size()), text);
  FUZZ_CHECK(stats.value("relationships_synced", -1) ==
                 static_cast<int>(resp["applied_relationships"].size()),
             text);
  FUZZ_CHECK(stats.value("conflicts_resolved", -1) == static_cast<int>(resp["conflicts"].size()),
             text);
  // Rule 10: UTC with microseconds and +00:00, and it parses back.
  const std::string server_time = resp["server_time"].get<std::string>();
  FUZZ_CHECK(server_time.size() == 32 && server_time.substr(26) == "+00:00" &&
                 ParseTimestamp(server_time).has_value(),
             "server_time: " + server_time);
  const std::string digest = resp["state_digest"].get<std::string>();
  FUZZ_CHECK(digest.size() == 64 && IsLowerHex(digest), "state_digest: " + digest);
  FUZZ_CHECK(digest == sync::StateDigest(kg), "state_digest is not the graph's digest");

  // Rule 10 for every row served, too.
  auto wire_time = [&](const Json& row, const char* key) {
    const std::string t = row.value(key, "");
    FUZZ_CHECK(t.size() == 32 && t.substr(26) == "+00:00" && ParseTimestamp(t).has_value(),
               std::string(key) + " not a wire timestamp: '" + t + "' in " + text);
  };
  for (const Json& c : resp["changes"]) {
    if (c.contains("entity") && c["entity"].is_object()) {
      wire_time(c["entity"], "created_at");
      wire_time(c["entity"], "updated_at");
    }
    for (const Json& r : c.value("relationships", Json::array())) {
      wire_time(r, "created_at");
      wire_time(r, "updated_at");
    }
  }

  // Rule 1: what is acked is stored (except a delete of an id never held).
  auto parsed = sync::ParseSyncRequest(request);
  FUZZ_CHECK(parsed.ok(), "accepted a request that does not parse: " + parsed.status().ToString());
  std::vector<std::string> applied = resp["applied"].get<std::vector<std::string>>();
  for (const sync::SyncChange& c : parsed->changes) {
    if (!c.entity) continue;
    if (std::find(applied.begin(), applied.end(), c.entity->id) == applied.end()) continue;
    auto held = kg.store().GetVersion(c.entity->id, c.entity->version);
    FUZZ_CHECK(held.ok(), held.status().ToString());
    if (c.change_type == sync::ChangeType::kDelete) continue;
    FUZZ_CHECK(held->has_value(), "acked but not stored: " + c.entity->id + " " +
                                      c.entity->version + " in " + mcp::DumpJson(request));
  }
  std::set<std::string> stored_entities;
  std::set<std::string> stored_edges;
  Status scan = kg.store().ScanCurrent([&](Entity&& e) { stored_entities.insert(e.id); },
                                       [&](Relationship&& r) { stored_edges.insert(r.id); });
  FUZZ_CHECK(scan.ok(), scan.ToString());
  for (const Json& id : resp["applied_relationships"]) {
    FUZZ_CHECK(id.is_string() && stored_edges.count(id.get<std::string>()) > 0,
               "relationship acked but not stored: " + mcp::DumpJson(id));
  }

  // Rules 5 and 6: a full sync from a client that sends no cursor and no
  // filters gets every current row, tombstones included.
  const bool everything = parsed->sync_type == sync::SyncType::kFull && !parsed->cursor_present &&
                          parsed->filters.entity_types.empty() &&
                          parsed->filters.modified_by.empty();
  if (everything) {
    std::set<std::string> served_entities;
    std::set<std::string> served_edges;
    for (const Json& c : resp["changes"]) {
      if (c.contains("entity") && c["entity"].is_object()) {
        served_entities.insert(c["entity"].value("id", ""));
      }
      for (const Json& r : c.value("relationships", Json::array())) {
        served_edges.insert(r.value("id", ""));
      }
    }
    FUZZ_CHECK(served_entities == stored_entities, "a full pull missed entities: " + text);
    FUZZ_CHECK(served_edges == stored_edges, "a full pull missed relationships: " + text);
  }
}

void CheckNoEmptyIds(graph::KnowledgeGraph& kg) {
  Status s = kg.store().ScanCurrent(
      [](Entity&& e) { FUZZ_CHECK(!e.id.empty() && !e.version.empty(), "entity with empty id"); },
      [](Relationship&& r) { FUZZ_CHECK(!r.id.empty(), "relationship with empty id"); });
  FUZZ_CHECK(s.ok(), s.ToString());
}

}  // namespace
}  // namespace funkygibbon::fuzz

using namespace funkygibbon;       // NOLINT: fuzz entry points only
using namespace funkygibbon::fuzz;  // NOLINT

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  QuietLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<Json> requests;
  for (std::string_view line : SplitLines(input, kMaxRequests)) {
    auto j = mcp::ParseJson(line, kRouteMaxDepth);
    if (j.ok() && j->is_object()) requests.push_back(std::move(j).value());
  }
  if (requests.empty()) return 0;

  static World* world = new World();
  world->Begin();
  graph::KnowledgeGraph* kg = &world->graph();
  sync::SyncHub hub(*kg);
  // The store's fingerprint before the next request; a refused request
  // leaves the store as it was, so its fingerprint carries over.
  std::optional<std::string> before;
  for (size_t i = 0; i < requests.size(); ++i) {
    const Json& request = requests[i];
    if (!before) before = StoreFingerprint(*kg);
    // Odd lines go the HTTP route's way, the answer written as text straight
    // from the store's rows; it must parse. Even lines build it as Json.
    StatusOr<Json> out = Json();
    if (i % 2 == 1) {
      auto text = hub.HandleSerialized(request, std::chrono::steady_clock::now(), nullptr);
      if (text.ok()) {
        out = mcp::ParseJson(*text, 4 * mcp::kMaxJsonDepth);
        FUZZ_CHECK(out.ok(), "the answer's text is not JSON: " + *text);
      } else {
        out = text.status();
      }
    } else {
      out = hub.Handle(request);
    }
    if (!out.ok()) {
      FUZZ_CHECK(out.status().code() == StatusCode::kInvalidArgument,
                 "refused with a non-400 status: " + out.status().ToString() + " for " +
                     mcp::DumpJson(request));
      FUZZ_CHECK(StoreFingerprint(*kg) == *before,
                 "a refused request changed the store: " + mcp::DumpJson(request));
      continue;
    }
    before.reset();
    CheckResponse(*kg, request, *out);
    CheckNoEmptyIds(*kg);
  }
  const Json status = hub.Status();
  FUZZ_CHECK(status["state_digest"] == sync::StateDigest(*kg), "status digest");
  world->End();
  return 0;
}
