#include "sync/edge.h"

#include <httplib.h>

#include <algorithm>
#include <map>
#include <set>

namespace funkygibbon::sync {
namespace {

constexpr char kPendingKey[] = "sync.pending";
constexpr char kWatermarkKey[] = "sync.watermark";
constexpr char kDeviceKey[] = "sync.device_id";

Json RelWire(const Relationship& r) {
  Json j = funkygibbon::ToJson(r);
  if (r.deleted) j["deleted"] = true;
  return j;
}

// {"entities": {id: [entity versions, oldest first]}, "relationships": {id: rel}}
StatusOr<Json> ReadPending(store::Store& store) {
  ASSIGN_OR_RETURN(std::optional<std::string> v, store.GetMeta(kPendingKey));
  Json j = Json{{"entities", Json::object()}, {"relationships", Json::object()}};
  if (v && !v->empty()) {
    Json parsed = Json::parse(*v, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      return funkygibbon::Status::Internal("sync.pending: stored pending changes are not JSON");
    }
    if (parsed.contains("entities") && parsed["entities"].is_object()) j["entities"] = parsed["entities"];
    if (parsed.contains("relationships") && parsed["relationships"].is_object()) {
      j["relationships"] = parsed["relationships"];
    }
  }
  return j;
}

ChangeType TypeOf(const Entity& e) {
  if (e.deleted()) return ChangeType::kDelete;
  return e.parent_versions.empty() ? ChangeType::kCreate : ChangeType::kUpdate;
}

struct ParsedUrl {
  std::string scheme_host_port;
  std::string prefix;
};

StatusOr<ParsedUrl> ParseHubUrl(const std::string& url) {
  auto p = url.find("://");
  if (p == std::string::npos || (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)) {
    return funkygibbon::Status::InvalidArgument("hub URL: expected http://host:port, got '" + url + "'");
  }
  auto slash = url.find('/', p + 3);
  ParsedUrl out;
  out.scheme_host_port = url.substr(0, slash);
  if (slash != std::string::npos) out.prefix = url.substr(slash);
  while (!out.prefix.empty() && out.prefix.back() == '/') out.prefix.pop_back();
  if (out.scheme_host_port.size() <= p + 3) {
    return funkygibbon::Status::InvalidArgument("hub URL: no host in '" + url + "'");
  }
  return out;
}

class HttpTransport : public SyncTransport {
 public:
  HttpTransport(std::string url, HttpTransportOptions options)
      : url_(std::move(url)), options_(std::move(options)) {}

  StatusOr<Json> Exchange(const Json& request) override {
    ASSIGN_OR_RETURN(ParsedUrl u, ParseHubUrl(url_));
    try {
      httplib::Client cli(u.scheme_host_port);
      cli.set_connection_timeout(std::chrono::milliseconds(options_.connect_timeout_ms));
      cli.set_read_timeout(std::chrono::milliseconds(options_.read_timeout_ms));
      cli.set_write_timeout(std::chrono::milliseconds(options_.read_timeout_ms));
      httplib::Headers headers;
      if (!options_.token.empty()) headers.emplace("Authorization", "Bearer " + options_.token);
      auto res = cli.Post(u.prefix + "/api/v1/sync/", headers, request.dump(), "application/json");
      if (!res) {
        return funkygibbon::Status::Unavailable("hub unreachable at " + url_ + ": " + httplib::to_string(res.error()));
      }
      Json body = Json::parse(res->body, nullptr, false);
      std::string detail = body.is_object() && body.contains("detail") && body["detail"].is_string()
                               ? body["detail"].get<std::string>()
                               : res->body.substr(0, 200);
      if (res->status == 200) {
        if (body.is_discarded()) return funkygibbon::Status::Internal("hub answered with invalid JSON");
        return body;
      }
      if (res->status == 400) return funkygibbon::Status::InvalidArgument("hub rejected the sync: " + detail);
      if (res->status == 401 || res->status == 403) {
        return funkygibbon::Status::PermissionDenied("hub refused the token (HTTP " + std::to_string(res->status) +
                                        "): " + detail + "; pass --hub-token-file or FUNKYGIBBON_HUB_TOKEN");
      }
      return funkygibbon::Status::Unavailable("hub answered HTTP " + std::to_string(res->status) + ": " + detail);
    } catch (const std::exception& e) {
      return funkygibbon::Status::Unavailable("hub unreachable at " + url_ + ": " + e.what());
    }
  }
  std::string Describe() const override { return url_; }

 private:
  std::string url_;
  HttpTransportOptions options_;
};

}  // namespace

std::unique_ptr<SyncTransport> NewHttpTransport(const std::string& hub_url,
                                                HttpTransportOptions options) {
  return std::make_unique<HttpTransport>(hub_url, std::move(options));
}

StatusOr<Json> InProcessTransport::Exchange(const Json& request) {
  if (!online_) return funkygibbon::Status::Unavailable("hub unreachable (offline)");
  // Round-trip through text, as on the wire.
  Json copy = Json::parse(request.dump());
  ASSIGN_OR_RETURN(Json out, hub_.Handle(copy));
  return Json::parse(out.dump());
}

Json ToJson(const SyncResult& r) {
  Json conflicts = Json::array();
  for (const auto& c : r.conflicts) conflicts.push_back(ToJson(c));
  return Json{{"pushed_entities", r.pushed_entities},
              {"pushed_relationships", r.pushed_relationships},
              {"pulled_entities", r.pulled_entities},
              {"pulled_relationships", r.pulled_relationships},
              {"skipped_pending", r.skipped_pending},
              {"pages", r.pages},
              {"conflicts", std::move(conflicts)},
              {"duration_ms", r.duration_ms},
              {"server_time", r.server_time},
              {"state_digest", r.state_digest}};
}

SyncClient::SyncClient(graph::KnowledgeGraph& kg, std::unique_ptr<SyncTransport> transport,
                       SyncClientOptions options)
    : kg_(kg), transport_(std::move(transport)), options_(std::move(options)) {
  if (options_.device_id.empty()) {
    auto stored = kg_.store().GetMeta(kDeviceKey);
    if (stored.ok() && stored->has_value() && !(*stored)->empty()) {
      options_.device_id = **stored;
    } else {
      options_.device_id = NewUuid();
      store::WriteBatch b;
      b.meta.emplace_back(kDeviceKey, options_.device_id);
      (void)kg_.CommitBatch(b);
    }
  }
  graph::KnowledgeGraph* kg_ptr = &kg_;
  kg_.SetCommitHook([kg_ptr](store::WriteBatch& batch) -> funkygibbon::Status {
    if (batch.entities.empty() && batch.relationships.empty()) return funkygibbon::Status::Ok();
    ASSIGN_OR_RETURN(Json pending, ReadPending(kg_ptr->store()));
    for (const auto& w : batch.entities) {
      Json& list = pending["entities"][w.entity.id];
      if (!list.is_array()) list = Json::array();
      list.push_back(funkygibbon::ToJson(w.entity));
    }
    for (const auto& r : batch.relationships) pending["relationships"][r.id] = RelWire(r);
    batch.meta.emplace_back(kPendingKey, pending.dump());
    return funkygibbon::Status::Ok();
  });
}

SyncClient::~SyncClient() { kg_.SetCommitHook(nullptr); }

size_t SyncClient::PendingCount() {
  auto p = ReadPending(kg_.store());
  if (!p.ok()) return 0;
  size_t n = (*p)["relationships"].size();
  for (auto& [id, list] : (*p)["entities"].items()) n += list.size();
  return n;
}

bool SyncClient::DueForRetry() const {
  std::lock_guard<std::mutex> lock(state_mu_);
  return failures_ == 0 || std::chrono::steady_clock::now() >= next_retry_;
}

StatusOr<SyncResult> SyncClient::SyncNow() {
  std::lock_guard<std::mutex> serial(sync_mu_);
  const auto started = std::chrono::steady_clock::now();
  auto fail = [&](const funkygibbon::Status& s) -> funkygibbon::Status {
    std::lock_guard<std::mutex> lock(state_mu_);
    ++failures_;
    last_error_ = s.message();
    last_attempt_ = FormatTimestamp(NowMicros());
    auto delay = std::chrono::milliseconds(1000) * (1 << std::min(failures_ - 1, 16));
    next_retry_ = std::chrono::steady_clock::now() +
                  std::min<std::chrono::milliseconds>(delay, options_.max_backoff);
    return s;
  };

  // 1. Snapshot pending and the watermark.
  auto snapshot_or = ReadPending(kg_.store());
  if (!snapshot_or.ok()) return fail(snapshot_or.status());
  Json snapshot = std::move(snapshot_or).value();
  auto wm = kg_.store().GetMeta(kWatermarkKey);
  if (!wm.ok()) return fail(wm.status());

  SyncRequest req;
  req.protocol_version = kProtocolVersion;
  req.device_id = options_.device_id;
  req.user_id = options_.user_id;
  req.sync_type = wm->has_value() ? SyncType::kDelta : SyncType::kFull;
  if (wm->has_value()) req.filters.since = ParseTimestamp(**wm);
  req.vector_clock = Json{{"clocks", Json::object()}};
  req.cursor_present = true;
  for (auto& [id, list] : snapshot["entities"].items()) {
    for (const auto& ej : list) {
      auto e = EntityFromJson(ej);
      if (!e.ok()) return fail(funkygibbon::Status::Internal("pending entity " + id + ": " + e.status().message()));
      SyncChange c;
      c.change_type = TypeOf(*e);
      c.entity = std::move(e).value();
      req.changes.push_back(std::move(c));
    }
  }
  if (!snapshot["relationships"].empty()) {
    SyncChange c;
    c.change_type = ChangeType::kCreate;
    for (auto& [id, rj] : snapshot["relationships"].items()) {
      auto r = RelationshipFromJson(rj);
      if (!r.ok()) return fail(funkygibbon::Status::Internal("pending relationship " + id + ": " + r.status().message()));
      r->deleted = rj.value("deleted", false);
      c.relationships.push_back(std::move(r).value());
    }
    req.changes.push_back(std::move(c));
  }

  // 2. Push + pull, following the cursor to the end.
  SyncResult result;
  std::set<std::string> acked;
  std::set<std::string> acked_rel;
  std::map<std::string, Entity> pulled;        // last row per id wins
  std::map<std::string, Relationship> pulled_rel;
  std::string server_time;
  Json request = ToJson(req);
  for (int page = 0;; ++page) {
    if (page > 100000) return fail(funkygibbon::Status::Internal("hub cursor did not end"));
    auto answer = transport_->Exchange(request);
    if (!answer.ok()) return fail(answer.status());
    auto resp = ParseSyncResponse(*answer);
    if (!resp.ok()) return fail(funkygibbon::Status::Internal("hub answer: " + resp.status().message()));
    ++result.pages;
    if (page == 0) {
      acked.insert(resp->applied.begin(), resp->applied.end());
      acked_rel.insert(resp->applied_relationships.begin(), resp->applied_relationships.end());
      result.conflicts = resp->conflicts;
      result.pushed_entities = resp->applied.size();
      result.pushed_relationships = resp->applied_relationships.size();
    }
    for (auto& c : resp->changes) {
      if (c.entity) pulled[c.entity->id] = std::move(*c.entity);
      for (auto& r : c.relationships) pulled_rel[r.id] = std::move(r);
    }
    server_time = resp->server_time;
    result.state_digest = resp->state_digest;
    if (!resp->cursor) break;
    request["changes"] = Json::array();
    request["cursor"] = *resp->cursor;
  }
  if (!ParseTimestamp(server_time)) return fail(funkygibbon::Status::Internal("hub answer: bad server_time"));

  // 3. Apply in one transaction: clear acked pending, apply pulled rows not
  // blocked by a pending change, advance the watermark.
  {
    auto lock = kg_.LockWriter();
    auto now_pending_or = ReadPending(kg_.store());
    if (!now_pending_or.ok()) return fail(now_pending_or.status());
    Json pending = std::move(now_pending_or).value();
    for (const auto& id : acked) {
      if (!snapshot["entities"].contains(id) || !pending["entities"].contains(id)) continue;
      std::set<std::string> sent;
      for (const auto& ej : snapshot["entities"][id]) sent.insert(ej.value("version", ""));
      Json keep = Json::array();
      for (const auto& ej : pending["entities"][id]) {
        if (!sent.count(ej.value("version", ""))) keep.push_back(ej);
      }
      if (keep.empty()) {
        pending["entities"].erase(id);
      } else {
        pending["entities"][id] = std::move(keep);
      }
    }
    for (const auto& id : acked_rel) {
      if (snapshot["relationships"].contains(id) && pending["relationships"].contains(id) &&
          pending["relationships"][id] == snapshot["relationships"][id]) {
        pending["relationships"].erase(id);
      }
    }
    store::WriteBatch batch;
    std::set<std::string> in_batch;
    for (auto& [id, e] : pulled) {
      if (pending["entities"].contains(id)) {
        ++result.skipped_pending;
        continue;
      }
      auto have = kg_.store().GetVersion(id, e.version);
      if (!have.ok()) return fail(have.status());
      if (have->has_value()) continue;
      batch.entities.push_back({e, true});
      in_batch.insert(id);
      ++result.pulled_entities;
    }
    for (auto& [id, r] : pulled_rel) {
      if (pending["relationships"].contains(id)) {
        ++result.skipped_pending;
        continue;
      }
      auto exists = [&](const std::string& eid) {
        return in_batch.count(eid) > 0 ||
               kg_.Read([&](const graph::GraphIndex& g) { return g.Get(eid) != nullptr; });
      };
      if (!exists(r.from_entity_id) || !exists(r.to_entity_id)) continue;
      auto cur = kg_.Read([&](const graph::GraphIndex& g) { return g.GetRelationship(id); });
      if (cur && *cur == r) continue;
      batch.relationships.push_back(r);
      ++result.pulled_relationships;
    }
    batch.meta.emplace_back(kPendingKey, pending.dump());
    batch.meta.emplace_back(kWatermarkKey, server_time);
    auto committed = kg_.CommitBatchLocked(batch, graph::CommitOrigin::kRemote);
    if (!committed.ok()) return fail(committed.status());
  }
  result.server_time = server_time;
  result.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count();
  std::lock_guard<std::mutex> lock(state_mu_);
  failures_ = 0;
  last_error_.clear();
  last_attempt_ = FormatTimestamp(NowMicros());
  last_result_ = result;
  return result;
}

Json SyncClient::Status() {
  Json j;
  j["hub"] = transport_->Describe();
  j["device_id"] = options_.device_id;
  auto wm = kg_.store().GetMeta(kWatermarkKey);
  j["watermark"] = wm.ok() && wm->has_value() ? Json(**wm) : Json(nullptr);
  j["pending_changes"] = PendingCount();
  std::lock_guard<std::mutex> lock(state_mu_);
  j["last_result"] = last_result_ ? ToJson(*last_result_) : Json(nullptr);
  j["last_error"] = last_error_.empty() ? Json(nullptr) : Json(last_error_);
  j["last_attempt"] = last_attempt_.empty() ? Json(nullptr) : Json(last_attempt_);
  j["consecutive_failures"] = failures_;
  int64_t retry_ms = 0;
  if (failures_ > 0) {
    retry_ms = std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(
                                        next_retry_ - std::chrono::steady_clock::now())
                                        .count());
  }
  j["next_retry_in_ms"] = retry_ms;
  return j;
}

}  // namespace funkygibbon::sync
