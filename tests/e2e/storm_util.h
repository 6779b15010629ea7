// Helpers for the storm tests (crash consistency, load) that drive a real
// `funkygibbon serve` from many threads: an MCP client over Streamable HTTP,
// MCP and Inbetweenies writers that record what the hub acknowledged, and
// the check that every acknowledged write is in a later export.
#ifndef FUNKYGIBBON_TESTS_E2E_STORM_UTIL_H_
#define FUNKYGIBBON_TESTS_E2E_STORM_UTIL_H_

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/version.h"
#include "e2e/e2e_util.h"

namespace funkygibbon::testing {

// `funkygibbon --db db token create --role role`: "Bearer <token>".
inline std::string BearerFor(const std::string& db, const std::string& role) {
  auto r = RunCommand(ShellQuote(BinaryPath()) + " --db " + ShellQuote(db) +
                      " token create --ttl 7d --role " + role);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return "Bearer " + r.output.substr(0, r.output.find('\n'));
}

// What one HTTP exchange gave: no response at all (transport error), or a
// status and a parsed body (null when it was not JSON).
struct Reply {
  bool transport_ok = false;
  int status = 0;
  Json body;
  std::string transport_error;  // httplib's name for what went wrong
};

inline Reply ToReply(const httplib::Result& r) {
  Reply out;
  if (!r) {
    out.transport_error = httplib::to_string(r.error());
    return out;
  }
  out.transport_ok = true;
  out.status = r->status;
  Json j = Json::parse(r->body, nullptr, false);
  if (!j.is_discarded()) out.body = std::move(j);
  return out;
}

// One MCP session (protocol 2025-11-25) on one keep-alive connection.
// Not thread-safe: one per client thread.
class McpHttpClient {
 public:
  McpHttpClient(int port, std::string bearer) : http_("127.0.0.1", port), bearer_(std::move(bearer)) {
    http_.set_keep_alive(true);
    // Headers and body go out in two writes: without this the body waits
    // for the server's delayed ACK (~40 ms) on every call.
    http_.set_tcp_nodelay(true);
    http_.set_connection_timeout(std::chrono::seconds(10));
    http_.set_read_timeout(std::chrono::seconds(60));
    http_.set_write_timeout(std::chrono::seconds(60));
  }

  // initialize, then notifications/initialized.
  Reply Open() {
    Reply init = Post(Json{{"jsonrpc", "2.0"}, {"id", next_id_++}, {"method", "initialize"},
                           {"params", {{"protocolVersion", "2025-11-25"},
                                       {"capabilities", Json::object()},
                                       {"clientInfo", {{"name", "storm"}, {"version", "1"}}}}}},
                      &session_);
    if (!init.transport_ok || init.status != 200) return init;
    return Post(Json{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}, nullptr);
  }

  Reply Call(const std::string& tool, const Json& args) {
    return Post(Json{{"jsonrpc", "2.0"}, {"id", next_id_++}, {"method", "tools/call"},
                     {"params", {{"name", tool}, {"arguments", args}}}},
                nullptr);
  }

  // The structuredContent of a successful tools/call reply, else null.
  static Json Success(const Reply& r) {
    if (!r.transport_ok || r.status != 200 || !r.body.is_object() || !r.body.contains("result")) {
      return Json();
    }
    const Json& result = r.body["result"];
    if (!result.is_object() || result.value("isError", false)) return Json();
    return result.value("structuredContent", Json());
  }

  httplib::Client& http() { return http_; }

 private:
  Reply Post(const Json& message, std::string* session_out) {
    httplib::Headers h = {{"Accept", "application/json, text/event-stream"},
                          {"Authorization", bearer_}};
    if (!session_.empty()) {
      h.emplace("Mcp-Session-Id", session_);
      h.emplace("MCP-Protocol-Version", "2025-11-25");
    }
    auto r = http_.Post("/mcp", h, message.dump(), "application/json");
    if (r && session_out) *session_out = r->get_header_value("Mcp-Session-Id");
    return ToReply(r);
  }

  httplib::Client http_;
  std::string bearer_;
  std::string session_;
  int next_id_ = 1;
};

// Every write the hub acknowledged (a 200 with a successful tool result, or
// the id in a sync answer's applied lists). Thread-safe.
class AckLog {
 public:
  void Entity(const std::string& id, const std::string& version, bool deleted) {
    std::lock_guard<std::mutex> lock(mu_);
    entities_[id] = {version, deleted};
    ++entity_acks_;
  }
  void Relationship(const std::string& id, const std::string& from, const std::string& to) {
    std::lock_guard<std::mutex> lock(mu_);
    relationships_[id] = {from, to};
    ++relationship_acks_;
  }
  // Before a delete is sent: its edges may be gone even if no answer came.
  void DeleteAttempted(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    delete_attempted_.insert(id);
  }
  size_t entity_acks() const {
    std::lock_guard<std::mutex> lock(mu_);
    return entity_acks_;
  }
  size_t relationship_acks() const {
    std::lock_guard<std::mutex> lock(mu_);
    return relationship_acks_;
  }

  // Problems found in an export (`funkygibbon export`), at most 20: an
  // acknowledged entity version that is missing or was overtaken by an
  // older one, a delete that did not stick, a relationship that is missing
  // or gone although neither end was deleted. Each id has one writer, so
  // a later version in its history order is a write made after the ack.
  std::vector<std::string> Verify(const Json& export_doc) const {
    struct Stored {
      std::vector<std::string> versions;  // history order
      size_t current = 0;
      bool deleted = false;
    };
    std::map<std::string, Stored> stored;
    for (const Json& e : export_doc.value("entities", Json::array())) {
      Stored& s = stored[e.value("id", "")];
      s.versions.push_back(e.value("version", ""));
      if (e.value("current", false)) {
        s.current = s.versions.size() - 1;
        s.deleted = e.contains("content") && e["content"].is_object() &&
                    e["content"].value("deleted", false);
      }
    }
    std::map<std::string, bool> edges;  // id -> deleted
    for (const Json& r : export_doc.value("relationships", Json::array())) {
      edges[r.value("id", "")] = r.value("deleted", false);
    }
    std::vector<std::string> problems;
    auto problem = [&](std::string p) {
      if (problems.size() < 20) problems.push_back(std::move(p));
    };
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, ack] : entities_) {
      const auto& [version, deleted] = ack;
      auto it = stored.find(id);
      if (it == stored.end()) {
        problem("entity " + id + " (acknowledged at " + version + ") is missing");
        continue;
      }
      const Stored& s = it->second;
      size_t at = 0;
      while (at < s.versions.size() && s.versions[at] != version) ++at;
      if (at == s.versions.size()) {
        problem("entity " + id + ": acknowledged version " + version + " is missing");
      } else if (s.current < at) {
        problem("entity " + id + ": current version " + s.versions[s.current] +
                " is older than the acknowledged " + version);
      }
      if (deleted && !s.deleted) problem("entity " + id + ": acknowledged delete is not in effect");
    }
    for (const auto& [id, ends] : relationships_) {
      auto it = edges.find(id);
      if (it == edges.end()) {
        problem("relationship " + id + " (acknowledged) is missing");
      } else if (it->second && !delete_attempted_.count(ends.first) &&
                 !delete_attempted_.count(ends.second)) {
        problem("relationship " + id + " is deleted although neither end was");
      }
    }
    return problems;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::pair<std::string, bool>> entities_;  // id -> (version, deleted)
  std::map<std::string, std::pair<std::string, std::string>> relationships_;  // id -> (from, to)
  std::set<std::string> delete_attempted_;
  size_t entity_acks_ = 0;
  size_t relationship_acks_ = 0;
};

// What a writer saw that a healthy hub never answers.
struct Oddities {
  size_t transport_errors = 0;  // no response at all
  size_t server_errors = 0;     // 5xx
  std::vector<std::string> unexpected;  // other refusals of valid requests (first few)
  std::vector<std::string> transport_detail;  // what the first transport errors were

  void Add(const std::string& what, const Reply& r) {
    if (!r.transport_ok) {
      ++transport_errors;
      if (transport_detail.size() < 5) transport_detail.push_back(what + ": " + r.transport_error);
    } else if (r.status >= 500) {
      ++server_errors;
    }
    if (r.transport_ok && unexpected.size() < 5) {
      unexpected.push_back(what + " -> " + std::to_string(r.status) + " " + r.body.dump().substr(0, 300));
    }
  }
};

// MCP writes on entities of its own (so each id has one writer): create a
// device, update it, relate two of them, delete one. Keeps its entities
// across sessions, so later sessions edit what earlier ones wrote.
class McpWriter {
 public:
  McpWriter(std::string name, AckLog* log, uint32_t seed) : name_(std::move(name)), log_(log), rng_(seed) {}

  // One write; false when there was no successful answer (see odd).
  bool Step(McpHttpClient& client, Oddities* odd) {
    std::uniform_int_distribution<int> pick(0, 99);
    const int roll = live_.size() < 2 ? 0 : pick(rng_);
    if (roll < 35) return Create(client, odd);
    if (roll < 70) return Update(client, odd);
    if (roll < 85) return Relate(client, odd);
    return Delete(client, odd);
  }

 private:
  const std::string& AnyLive() {
    std::uniform_int_distribution<size_t> at(0, live_.size() - 1);
    return live_[at(rng_)];
  }

  bool Create(McpHttpClient& client, Oddities* odd) {
    const int n = counter_++;
    Json args{{"entity_type", "device"},
              {"name", name_ + " device " + std::to_string(n)},
              {"content", {{"serial", name_ + "-" + std::to_string(n)}, {"edits", 0}}}};
    Reply r = client.Call("create_entity", args);
    Json ok = McpHttpClient::Success(r);
    if (!ok.contains("entity")) return Fail("create_entity", r, odd);
    const std::string id = ok["entity"]["id"].get<std::string>();
    log_->Entity(id, ok["entity"]["version"].get<std::string>(), false);
    live_.push_back(id);
    return true;
  }

  bool Update(McpHttpClient& client, Oddities* odd) {
    const std::string id = AnyLive();
    Reply r = client.Call("update_entity", {{"entity_id", id}, {"content", {{"edits", counter_++}}}});
    Json ok = McpHttpClient::Success(r);
    if (!ok.contains("entity")) return Fail("update_entity", r, odd);
    log_->Entity(id, ok["entity"]["version"].get<std::string>(), false);
    return true;
  }

  bool Relate(McpHttpClient& client, Oddities* odd) {
    const std::string from = AnyLive();
    const std::string to = AnyLive();
    if (from == to || !related_.insert({from, to}).second) return Update(client, odd);
    Reply r = client.Call("create_relationship", {{"from_entity_id", from},
                                                  {"to_entity_id", to},
                                                  {"relationship_type", "connects_to"}});
    Json ok = McpHttpClient::Success(r);
    if (!ok.contains("id")) return Fail("create_relationship", r, odd);
    log_->Relationship(ok["id"].get<std::string>(), from, to);
    return true;
  }

  bool Delete(McpHttpClient& client, Oddities* odd) {
    std::uniform_int_distribution<size_t> at(0, live_.size() - 1);
    const size_t i = at(rng_);
    const std::string id = live_[i];
    live_.erase(live_.begin() + static_cast<std::ptrdiff_t>(i));  // never touched again
    log_->DeleteAttempted(id);
    Reply r = client.Call("delete_entity", {{"entity_id", id}});
    Json ok = McpHttpClient::Success(r);
    if (!ok.contains("version")) return Fail("delete_entity", r, odd);
    log_->Entity(id, ok["version"].get<std::string>(), true);
    return true;
  }

  static bool Fail(const std::string& what, const Reply& r, Oddities* odd) {
    odd->Add(what, r);
    return false;
  }

  std::string name_;
  AckLog* log_;
  std::mt19937 rng_;
  std::vector<std::string> live_;
  std::set<std::pair<std::string, std::string>> related_;
  int counter_ = 0;
};

// An Inbetweenies device pushing changes to entities and edges of its own
// ids. Like a real client it keeps a change until the hub acks its id and
// sends it again with the next push; it edits an id again only once the
// last edit was acked (parented on it, so no conflicts arise).
class SyncWriter {
 public:
  SyncWriter(std::string device, AckLog* log, uint32_t seed)
      : device_(std::move(device)), log_(log), rng_(seed) {}

  // Pending changes plus a few new ones in one POST /api/v1/sync/, with a
  // delta pull since the last answer. False when there was no 200 (see odd).
  bool Push(httplib::Client& http, const std::string& bearer, Oddities* odd) {
    AddChanges();
    Json changes = Json::array();
    for (const auto& [id, p] : pending_) changes.push_back(p.change);
    for (const auto& [id, change] : pending_edges_) changes.push_back(change);
    Json req{{"protocol_version", "inbetweenies-v2"}, {"device_id", device_}, {"user_id", device_},
             {"sync_type", "delta"}, {"changes", changes}, {"vector_clock", {{"clocks", Json::object()}}},
             {"cursor", nullptr}};
    if (!since_.empty()) req["filters"] = {{"since", since_}};
    Reply r = ToReply(http.Post("/api/v1/sync/", {{"Authorization", bearer}}, req.dump(), "application/json"));
    if (!r.transport_ok || r.status != 200 || !r.body.is_object()) {
      odd->Add("sync push", r);
      return false;
    }
    since_ = r.body.value("server_time", "");
    for (const Json& id : r.body.value("applied", Json::array())) {
      auto it = pending_.find(id.get<std::string>());
      if (it == pending_.end()) continue;
      log_->Entity(it->first, it->second.version, it->second.deleted);
      acked_[it->first] = it->second.version;
      if (it->second.deleted) deleted_.insert(it->first);
      pending_.erase(it);
    }
    for (const Json& id : r.body.value("applied_relationships", Json::array())) {
      auto it = pending_edges_.find(id.get<std::string>());
      if (it == pending_edges_.end()) continue;
      const Json& edge = it->second["relationships"][0];
      log_->Relationship(it->first, edge["from_entity_id"], edge["to_entity_id"]);
      pending_edges_.erase(it);
    }
    return true;
  }

  // A pull only (no changes): what a guest or an idle device does.
  Reply Pull(httplib::Client& http, const std::string& bearer) {
    Json req{{"protocol_version", "inbetweenies-v2"}, {"device_id", device_}, {"user_id", device_},
             {"sync_type", "delta"}, {"changes", Json::array()}, {"vector_clock", Json::object()}};
    if (!since_.empty()) req["filters"] = {{"since", since_}};
    Reply r = ToReply(http.Post("/api/v1/sync/", {{"Authorization", bearer}}, req.dump(), "application/json"));
    if (r.status == 200 && r.body.is_object()) since_ = r.body.value("server_time", "");
    return r;
  }

 private:
  struct Pending {
    Json change;
    std::string version;
    bool deleted = false;
  };

  // 1-3 new changes: creates, edits and deletes of acked ids without a
  // pending change, and edges between acked live ids.
  void AddChanges() {
    std::uniform_int_distribution<int> count(1, 3);
    std::uniform_int_distribution<int> roll(0, 99);
    for (int k = count(rng_); k > 0; --k) {
      std::vector<std::string> editable;
      for (const auto& [id, v] : acked_) {
        if (!pending_.count(id) && !deleted_.count(id)) editable.push_back(id);
      }
      const int r = editable.size() < 2 ? 0 : roll(rng_);
      if (r < 40) {
        const std::string id = device_ + "-" + std::to_string(next_++);
        AddEntity(id, "create", {{"serial", id}}, {});
      } else if (r < 90) {
        std::uniform_int_distribution<size_t> at(0, editable.size() - 1);
        const std::string& id = editable[at(rng_)];
        if (r < 80) {
          AddEntity(id, "update", {{"serial", id}, {"edits", next_++}}, acked_[id]);
        } else {
          AddEntity(id, "delete", {{"serial", id}, {"deleted", true}}, acked_[id]);
        }
      } else {
        std::uniform_int_distribution<size_t> at(0, editable.size() - 1);
        const std::string& from = editable[at(rng_)];
        const std::string& to = editable[at(rng_)];
        if (from == to) continue;
        const std::string id = device_ + "-edge-" + std::to_string(next_++);
        pending_edges_[id] = Json{{"change_type", "create"}, {"entity", nullptr},
                                  {"relationships", {{{"id", id}, {"from_entity_id", from}, {"to_entity_id", to},
                                                      {"relationship_type", "CONNECTS_TO"},
                                                      {"properties", Json::object()}}}}};
      }
    }
  }

  void AddEntity(const std::string& id, const std::string& type, Json content, const std::string& parent) {
    Pending p;
    p.version = versions_.Next(device_, parent);
    p.deleted = type == "delete";
    if (p.deleted) log_->DeleteAttempted(id);
    Json parents = parent.empty() ? Json::array() : Json::array({parent});
    p.change = Json{{"change_type", type},
                    {"entity", {{"id", id}, {"version", p.version}, {"entity_type", "DEVICE"},
                                {"name", "Synced " + id}, {"content", std::move(content)},
                                {"source_type", "MANUAL"}, {"user_id", device_},
                                {"parent_versions", std::move(parents)}}},
                    {"relationships", Json::array()}};
    pending_[id] = std::move(p);
  }

  std::string device_;
  AckLog* log_;
  std::mt19937 rng_;
  VersionGenerator versions_;
  std::map<std::string, Pending> pending_;       // entity id -> unacked change
  std::map<std::string, Json> pending_edges_;    // edge id -> unacked change
  std::map<std::string, std::string> acked_;     // entity id -> last acked version
  std::set<std::string> deleted_;
  std::string since_;
  int next_ = 0;
};

}  // namespace funkygibbon::testing

#endif  // FUNKYGIBBON_TESTS_E2E_STORM_UTIL_H_
