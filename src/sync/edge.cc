#include "sync/edge.h"

#include "sync/conflict_log.h"

#include <httplib.h>

#include <algorithm>
#include <map>
#include <set>

namespace funkygibbon::sync {
namespace {

// Pending local changes, one meta entry each, written by the commit hook in
// the same transaction as the local write:
//   sync.pending.e/<16-digit seq>  -> an entity version (commit order, so a
//                                     chain of edits is pushed oldest first)
//   sync.pending.r/<relationship id> -> the relationship as last written
constexpr char kPendingEntityPrefix[] = "sync.pending.e/";
constexpr char kPendingRelPrefix[] = "sync.pending.r/";
constexpr char kLegacyPendingKey[] = "sync.pending";  // one JSON blob (early builds)
constexpr char kWatermarkKey[] = "sync.watermark";
constexpr char kDeviceKey[] = "sync.device_id";
constexpr char kEnrolledKey[] = "sync.enrolled";

Json RelWire(const Relationship& r) {
  Json j = funkygibbon::ToJson(r);
  if (r.deleted) j["deleted"] = true;
  return j;
}

std::string EntityKey(int64_t seq) {
  std::string s = std::to_string(seq);
  return kPendingEntityPrefix + std::string(16 - std::min<size_t>(16, s.size()), '0') + s;
}

int64_t SeqOfKey(const std::string& key) {
  int64_t n = 0;
  for (size_t i = sizeof(kPendingEntityPrefix) - 1; i < key.size(); ++i) {
    if (key[i] < '0' || key[i] > '9') return 0;
    n = n * 10 + (key[i] - '0');
  }
  return n;
}

// What is pending now: entity versions in commit order and relationships.
struct Pending {
  struct EntityRow {
    std::string key;
    std::string id;
    Json json;
  };
  std::vector<EntityRow> entities;
  std::map<std::string, std::string> relationships;  // id -> wire JSON text
  std::set<std::string> entity_ids() const {
    std::set<std::string> ids;
    for (const auto& e : entities) ids.insert(e.id);
    return ids;
  }
};

StatusOr<Pending> ReadPending(store::Store& store) {
  Pending p;
  ASSIGN_OR_RETURN(auto rows, store.ListMeta(kPendingEntityPrefix));
  for (auto& [key, value] : rows) {
    Json j = Json::parse(value, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("id") || !j["id"].is_string()) {
      return funkygibbon::Status::Internal("pending change " + key + " is not an entity");
    }
    std::string id = j["id"].get<std::string>();
    p.entities.push_back({key, std::move(id), std::move(j)});
  }
  ASSIGN_OR_RETURN(auto rels, store.ListMeta(kPendingRelPrefix));
  for (auto& [key, value] : rels) {
    p.relationships.emplace(key.substr(sizeof(kPendingRelPrefix) - 1), std::move(value));
  }
  return p;
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

funkygibbon::Status ValidateHubUrl(const std::string& hub_url) {
  ASSIGN_OR_RETURN(ParsedUrl u, ParseHubUrl(hub_url));
  if (hub_url.rfind("https://", 0) == 0) {
    return funkygibbon::Status::InvalidArgument(
        "hub URL: https is not supported by this build; reach the hub over http (e.g. through an SSH or "
        "VPN tunnel), got '" + hub_url + "'");
  }
  (void)u;
  return funkygibbon::Status::Ok();
}

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
  // Enrolment and the hook under one writer lock: no local write falls between.
  auto lock = kg_.LockWriter();
  funkygibbon::Status enrolled = EnrolLocked();
  if (!enrolled.ok()) {
    std::lock_guard<std::mutex> state(state_mu_);
    last_error_ = "could not prepare pending changes: " + enrolled.message();
  }
  kg_.SetCommitHookLocked([this](store::WriteBatch& batch) -> funkygibbon::Status {
    // Runs under the writer lock, so next_pending_seq_ needs no other guard.
    for (const auto& w : batch.entities) {
      batch.meta.emplace_back(EntityKey(next_pending_seq_++), funkygibbon::ToJson(w.entity).dump());
    }
    for (const auto& r : batch.relationships) {
      batch.meta.emplace_back(kPendingRelPrefix + r.id, RelWire(r).dump());
    }
    return funkygibbon::Status::Ok();
  });
}

SyncClient::~SyncClient() { kg_.SetCommitHook(nullptr); }

funkygibbon::Status SyncClient::EnrolLocked() {
  store::Store& store = kg_.store();
  ASSIGN_OR_RETURN(auto rows, store.ListMeta(kPendingEntityPrefix));
  next_pending_seq_ = rows.empty() ? 1 : SeqOfKey(rows.back().first) + 1;
  store::WriteBatch batch;
  auto add_entity = [&](const Json& j) { batch.meta.emplace_back(EntityKey(next_pending_seq_++), j.dump()); };

  // Pending changes kept as one blob by early builds become entries.
  ASSIGN_OR_RETURN(std::optional<std::string> legacy, store.GetMeta(kLegacyPendingKey));
  if (legacy) {
    Json old = Json::parse(*legacy, nullptr, false);
    if (old.is_object()) {
      if (old.contains("entities") && old["entities"].is_object()) {
        for (auto& [id, list] : old["entities"].items()) {
          if (!list.is_array()) continue;
          for (const auto& ej : list) add_entity(ej);
        }
      }
      if (old.contains("relationships") && old["relationships"].is_object()) {
        for (auto& [id, rj] : old["relationships"].items()) {
          batch.meta.emplace_back(kPendingRelPrefix + id, rj.dump());
        }
      }
    }
    batch.meta_erase.push_back(kLegacyPendingKey);
  }

  // The first time this database is an edge, and it has never synced, what it
  // already holds is queued so the hub gets it (nothing written before the hub
  // was configured is left behind).
  ASSIGN_OR_RETURN(std::optional<std::string> enrolled, store.GetMeta(kEnrolledKey));
  ASSIGN_OR_RETURN(std::optional<std::string> watermark, store.GetMeta(kWatermarkKey));
  if (!enrolled) {
    if (!watermark) {
      RETURN_IF_ERROR(store.ScanCurrent(
          [&](Entity&& e) {
            if (!e.deleted()) add_entity(funkygibbon::ToJson(e));
          },
          [&](Relationship&& r) {
            if (!r.deleted) batch.meta.emplace_back(kPendingRelPrefix + r.id, RelWire(r).dump());
          }));
    }
    batch.meta.emplace_back(kEnrolledKey, FormatTimestamp(NowMicros()));
  }
  if (batch.empty()) return funkygibbon::Status::Ok();
  return kg_.CommitBatchLocked(batch, graph::CommitOrigin::kRemote).status();
}

size_t SyncClient::PendingCount() {
  auto p = ReadPending(kg_.store());
  if (!p.ok()) return 0;
  return p->entities.size() + p->relationships.size();
}

bool SyncClient::DueForRetry() const {
  std::lock_guard<std::mutex> lock(state_mu_);
  return failures_ == 0 || std::chrono::steady_clock::now() >= next_retry_;
}

StatusOr<SyncResult> SyncClient::SyncNow(const SyncProgress& progress) {
  std::lock_guard<std::mutex> serial(sync_mu_);
  const auto started = std::chrono::steady_clock::now();
  auto report = [&](double done, const std::string& message) {
    if (progress) progress(done, std::nullopt, message);
  };
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
  const Pending snapshot = std::move(snapshot_or).value();
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
  for (const auto& row : snapshot.entities) {
    auto e = EntityFromJson(row.json);
    if (!e.ok()) return fail(funkygibbon::Status::Internal("pending entity " + row.id + ": " + e.status().message()));
    SyncChange c;
    c.change_type = TypeOf(*e);
    c.entity = std::move(e).value();
    req.changes.push_back(std::move(c));
  }
  if (!snapshot.relationships.empty()) {
    SyncChange c;
    c.change_type = ChangeType::kCreate;
    for (const auto& [id, text] : snapshot.relationships) {
      Json rj = Json::parse(text, nullptr, false);
      auto r = rj.is_object() ? RelationshipFromJson(rj)
                              : StatusOr<Relationship>(funkygibbon::Status::Internal("not JSON"));
      if (!r.ok()) return fail(funkygibbon::Status::Internal("pending relationship " + id + ": " + r.status().message()));
      r->deleted = rj.value("deleted", false);
      c.relationships.push_back(std::move(r).value());
    }
    req.changes.push_back(std::move(c));
  }

  // 2. Push + pull, following the cursor to the end.
  report(0, "pushing " + std::to_string(snapshot.entities.size()) + " entity versions and " +
                std::to_string(snapshot.relationships.size()) + " relationships to " + transport_->Describe());
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
    report(static_cast<double>(page + 1),
           "page " + std::to_string(page + 1) + ": " + std::to_string(pulled.size()) + " entities and " +
               std::to_string(pulled_rel.size()) + " relationships pulled so far");
    if (!resp->cursor) break;
    request["changes"] = Json::array();
    request["cursor"] = *resp->cursor;
  }
  if (!ParseTimestamp(server_time)) return fail(funkygibbon::Status::Internal("hub answer: bad server_time"));

  // 3. Apply in one transaction: clear acked pending, apply pulled rows not
  // blocked by a pending change, record conflicts, advance the watermark.
  {
    auto lock = kg_.LockWriter();
    auto now_pending_or = ReadPending(kg_.store());
    if (!now_pending_or.ok()) return fail(now_pending_or.status());
    const Pending now_pending = std::move(now_pending_or).value();
    store::WriteBatch batch;
    std::set<std::string> cleared;
    for (const auto& row : snapshot.entities) {
      if (acked.count(row.id)) {
        batch.meta_erase.push_back(row.key);
        cleared.insert(row.key);
      }
    }
    std::set<std::string> blocked;  // ids with a local change the hub has not acked
    for (const auto& row : now_pending.entities) {
      if (!cleared.count(row.key)) blocked.insert(row.id);
    }
    std::set<std::string> blocked_rel;
    for (const auto& [id, text] : now_pending.relationships) {
      auto sent = snapshot.relationships.find(id);
      if (acked_rel.count(id) && sent != snapshot.relationships.end() && sent->second == text) {
        batch.meta_erase.push_back(kPendingRelPrefix + id);
      } else {
        blocked_rel.insert(id);
      }
    }
    std::set<std::string> in_batch;
    for (auto& [id, e] : pulled) {
      if (blocked.count(id)) {
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
      if (blocked_rel.count(id)) {
        ++result.skipped_pending;
        continue;
      }
      auto exists = [&](const std::string& eid) {
        return in_batch.count(eid) > 0 ||
               kg_.Read([&](const graph::GraphIndex& g) { return g.Get(eid) != nullptr; });
      };
      if (!exists(r.from_entity_id) || !exists(r.to_entity_id)) continue;
      // A named reference, not the structured binding itself: clang < 16
      // cannot capture structured bindings in a lambda.
      const std::string& rel_id = id;
      auto cur = kg_.Read([&](const graph::GraphIndex& g) { return g.GetRelationship(rel_id); });
      if (cur && *cur == r) continue;
      batch.relationships.push_back(r);
      ++result.pulled_relationships;
    }
    if (!result.conflicts.empty()) {
      const std::string decided_at = FormatTimestamp(NowMicros());
      int64_t n = ConflictCount(kg_.store());
      for (const auto& c : result.conflicts) {
        Json record = ToJson(c);
        record["reason"] = "decided by the hub";
        record["hub"] = transport_->Describe();
        record["device_id"] = options_.device_id;
        record["user_id"] = options_.user_id;
        record["decided_at"] = decided_at;
        AppendConflict(batch, ++n, record);
      }
      SetConflictCount(batch, n);
    }
    batch.meta.emplace_back(kWatermarkKey, server_time);
    report(static_cast<double>(result.pages) + 1,
           "applying " + std::to_string(batch.entities.size()) + " entities and " +
               std::to_string(batch.relationships.size()) + " relationships");
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
