#include "sync/hub.h"

#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <unordered_map>

#include "sync/conflict.h"
#include "sync/conflict_log.h"

namespace funkygibbon::sync {
namespace {

constexpr char kCursorPrefix[] = "fgc1.";

std::string Hex(const unsigned char* p, unsigned n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (unsigned i = 0; i < n; ++i) {
    out.push_back(kDigits[p[i] >> 4]);
    out.push_back(kDigits[p[i] & 15]);
  }
  return out;
}

std::string EncodeCursor(int64_t seq) { return kCursorPrefix + std::to_string(seq); }

StatusOr<int64_t> DecodeCursor(const std::string& c) {
  if (c.empty()) return int64_t{0};
  if (c.rfind(kCursorPrefix, 0) != 0) {
    return Status::InvalidArgument("cursor: not a cursor from this hub: '" + c + "'");
  }
  std::string digits = c.substr(sizeof(kCursorPrefix) - 1);
  if (digits.empty() || digits.size() > 18 ||
      !std::all_of(digits.begin(), digits.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    return Status::InvalidArgument("cursor: not a cursor from this hub: '" + c + "'");
  }
  return static_cast<int64_t>(std::stoll(digits));
}

// Fills what clients leave out.
void Normalize(Entity* e, const std::string& request_user, Micros now) {
  if (e->user_id.empty()) e->user_id = request_user;
  ClampUpdatedAt(e, now);
  if (e->created_at.empty() || !ParseTimestamp(e->created_at)) {
    e->created_at = e->updated_at;
  } else {
    e->created_at = FormatTimestamp(*ParseTimestamp(e->created_at));
  }
}

bool SameEdge(const Relationship& a, const Relationship& b) {
  return a.from_entity_id == b.from_entity_id && a.to_entity_id == b.to_entity_id &&
         a.relationship_type == b.relationship_type && a.properties == b.properties &&
         a.deleted == b.deleted;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

int64_t ElapsedMs(std::chrono::steady_clock::time_point started) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               started)
      .count();
}

// `"sync_stats":{...}` as SerializeResponse writes it.
std::string StatsText(const SyncStats& s) {
  return "\"sync_stats\":{\"conflicts_resolved\":" + std::to_string(s.conflicts_resolved) +
         ",\"duration_ms\":" + std::to_string(s.duration_ms) +
         ",\"entities_synced\":" + std::to_string(s.entities_synced) +
         ",\"relationships_synced\":" + std::to_string(s.relationships_synced) + "}";
}

}  // namespace

std::string StateDigest(const graph::KnowledgeGraph& kg) {
  std::vector<graph::EntityPtr> all = kg.Read([](const graph::GraphIndex& g) { return g.AllEntities(); });
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  static const char kUnit = 0x1F;
  static const char kRecord = 0x1E;
  for (const auto& e : all) {
    EVP_DigestUpdate(ctx, e->id.data(), e->id.size());
    EVP_DigestUpdate(ctx, &kUnit, 1);
    EVP_DigestUpdate(ctx, e->version.data(), e->version.size());
    EVP_DigestUpdate(ctx, &kRecord, 1);
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  return Hex(md, len);
}

SyncHub::SyncHub(graph::KnowledgeGraph& kg, SyncHubOptions options)
    : kg_(kg), options_(options), commits_(std::make_shared<std::atomic<uint64_t>>(0)) {
  if (options_.page_size == 0) options_.page_size = 500;
  conflict_count_ = ConflictCount(kg_.store());
  // Counts commits, so the state digest is recomputed only after one. The
  // listener may outlive the hub (the graph keeps it), hence the shared
  // counter.
  kg_.AddChangeListener([commits = commits_](const graph::ChangeEvent&) { ++*commits; });
}

std::string SyncHub::DigestLocked() {
  // Every commit runs its listeners under the writer lock, which the caller
  // holds: no commit can slip between reading the count and the digest.
  const uint64_t commits = commits_->load();
  if (!digest_ || digest_commits_ != commits) {
    digest_ = StateDigest(kg_);
    digest_commits_ = commits;
  }
  return *digest_;
}

funkygibbon::StatusOr<Json> SyncHub::Handle(const Json& request) {
  const auto started = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(SyncRequest req, ParseSyncRequest(request));
  ASSIGN_OR_RETURN(SyncResponse resp, Sync(req));
  Json out = ToJson(resp);
  out["sync_stats"]["duration_ms"] = ElapsedMs(started);  // building the answer included
  return out;
}

funkygibbon::StatusOr<std::string> SyncHub::HandleSerialized(
    const Json& request, std::chrono::steady_clock::time_point started, SyncStats* stats) {
  ASSIGN_OR_RETURN(SyncRequest req, ParseSyncRequest(request));
  ASSIGN_OR_RETURN(SyncResponse resp, Sync(req));
  // SerializeResponse writes sync_stats last: write the rest, then the
  // stats with the time spent so far.
  resp.sync_stats.duration_ms = 0;
  std::string text = SerializeResponse(resp);
  const std::string stats_text = StatsText(resp.sync_stats);
  resp.sync_stats.duration_ms = ElapsedMs(started);
  if (text.size() < stats_text.size() + 1 ||
      text.compare(text.size() - stats_text.size() - 1, stats_text.size(), stats_text) != 0) {
    return funkygibbon::Status::Internal("sync: the serialized answer does not end with its stats");
  }
  text.resize(text.size() - stats_text.size() - 1);
  text += StatsText(resp.sync_stats);
  text += '}';
  if (stats != nullptr) *stats = resp.sync_stats;
  return text;
}

funkygibbon::StatusOr<SyncResponse> SyncHub::Sync(const SyncRequest& req) {
  const auto started = std::chrono::steady_clock::now();
  if (req.protocol_version != kProtocolVersion) {
    return funkygibbon::Status::InvalidArgument(
        "protocol_version: unsupported '" + req.protocol_version + "'; this hub speaks " +
        kProtocolVersion);
  }
  int64_t after_seq = 0;
  if (req.cursor) {
    ASSIGN_OR_RETURN(after_seq, DecodeCursor(*req.cursor));
  }
  ++requests_;
  SyncResponse resp;
  resp.sync_type = req.sync_type;
  resp.vector_clock = req.vector_clock;

  auto lock = kg_.LockWriter();
  const Micros now = NowMicros();
  store::WriteBatch batch;
  std::unordered_map<std::string, Entity> working;             // current after this batch
  std::set<std::pair<std::string, std::string>> written;        // (id, version) in this batch
  std::unordered_map<std::string, Relationship> working_edges;  // by id
  std::set<std::string> acked;
  std::set<std::string> acked_rel;
  int64_t next_conflict = ConflictCount(kg_.store());
  const int64_t first_conflict = next_conflict;
  const std::string user = req.user_id.empty() ? req.device_id : req.user_id;

  auto current = [&](const std::string& id) -> std::optional<Entity> {
    if (auto it = working.find(id); it != working.end()) return it->second;
    graph::EntityPtr p = kg_.Read([&](const graph::GraphIndex& g) { return g.Get(id); });
    if (!p) return std::nullopt;
    return *p;
  };
  auto held = [&](const std::string& id, const std::string& version) -> StatusOr<bool> {
    if (written.count({id, version})) return true;
    if (auto it = working.find(id); it != working.end() && it->second.version == version) return true;
    ASSIGN_OR_RETURN(std::optional<Entity> v, kg_.store().GetVersion(id, version));
    return v.has_value();
  };
  auto ack = [&](const std::string& id) {
    if (acked.insert(id).second) resp.applied.push_back(id);
  };
  auto write = [&](const Entity& e, bool make_current) {
    batch.entities.push_back({e, make_current});
    written.insert({e.id, e.version});
    if (make_current) working[e.id] = e;
  };

  // ---- entities, in request order ----
  for (size_t i = 0; i < req.changes.size(); ++i) {
    const SyncChange& c = req.changes[i];
    if (!c.entity) continue;
    Entity e = *c.entity;
    Normalize(&e, user, now);
    std::optional<Entity> cur = current(e.id);
    if (c.change_type == ChangeType::kDelete) {
      if (!cur) {  // delete of an unknown id: terminal, nothing to do
        ack(e.id);
        continue;
      }
      if (cur->deleted() && e.version == cur->version) {
        ack(e.id);
        continue;
      }
      ASSIGN_OR_RETURN(bool have, held(e.id, e.version));
      if (have && !e.deleted()) {
        // The client named the version it deletes: tombstone it here.
        Entity t = *cur;
        t.parent_versions = {cur->version};
        t.version = kg_.NextVersion(e.user_id, cur->version);
        t.user_id = e.user_id;
        t.updated_at = FormatTimestamp(ParseVersion(t.version)->time);
        t.content["deleted"] = true;
        write(t, true);
        ack(e.id);
        continue;
      }
      if (!e.deleted()) {
        if (e.content.empty()) e.content = cur->content;
        e.content["deleted"] = true;
      }
    }
    ASSIGN_OR_RETURN(bool have, held(e.id, e.version));
    if (have) {  // idempotent re-send
      ack(e.id);
      continue;
    }
    if (!cur) {
      write(e, true);
    } else if (Contains(e.parent_versions, cur->version)) {
      write(e, true);  // fast-forward
    } else {
      ConflictDecision d = ResolveConflict(*cur, e, now);
      const bool remote_wins = d.winner == Winner::kRemote;
      write(e, remote_wins);
      ConflictInfo info;
      info.entity_id = e.id;
      info.local_version = cur->version;
      info.remote_version = e.version;
      info.resolved_version = remote_wins ? e.version : cur->version;
      Json record = ToJson(info);
      record["reason"] = d.reason;
      record["device_id"] = req.device_id;
      record["user_id"] = req.user_id;
      record["decided_at"] = FormatTimestamp(now);
      ++next_conflict;
      AppendConflict(batch, next_conflict, record);
      resp.conflicts.push_back(std::move(info));
    }
    ack(e.id);
  }

  // ---- relationships, after every entity of the request ----
  for (const SyncChange& c : req.changes) {
    for (Relationship r : c.relationships) {
      std::optional<Entity> from = current(r.from_entity_id);
      std::optional<Entity> to = current(r.to_entity_id);
      if (!from || !to) continue;  // not terminal: the client retries
      if (r.from_entity_version.empty()) r.from_entity_version = from->version;
      if (r.to_entity_version.empty()) r.to_entity_version = to->version;
      if (r.user_id.empty()) r.user_id = user;
      if (r.updated_at.empty() || !ParseTimestamp(r.updated_at)) {
        r.updated_at = FormatTimestamp(now);
      } else {
        r.updated_at = FormatTimestamp(*ParseTimestamp(r.updated_at));
      }
      if (r.created_at.empty() || !ParseTimestamp(r.created_at)) {
        r.created_at = r.updated_at;
      } else {
        r.created_at = FormatTimestamp(*ParseTimestamp(r.created_at));
      }
      std::optional<Relationship> existing;
      if (auto it = working_edges.find(r.id); it != working_edges.end()) {
        existing = it->second;
      } else if (auto p = kg_.Read([&](const graph::GraphIndex& g) { return g.GetRelationship(r.id); })) {
        existing = *p;
      }
      if (!(existing && SameEdge(*existing, r))) {
        if (!r.deleted && !IsAllowedPair(r.relationship_type, from->entity_type, to->entity_type)) {
          resp.warnings.push_back("relationship " + r.id + ": " +
                                  std::string(ToString(r.relationship_type)) + " is not allowed from " +
                                  std::string(ToString(from->entity_type)) + " to " +
                                  std::string(ToString(to->entity_type)) +
                                  " (applied; see describe_schema)");
        }
        batch.relationships.push_back(r);
        working_edges[r.id] = r;
      }
      if (acked_rel.insert(r.id).second) resp.applied_relationships.push_back(r.id);
    }
  }

  if (next_conflict != first_conflict) {
    SetConflictCount(batch, next_conflict);
  }
  if (!batch.empty()) {
    auto info = kg_.CommitBatchLocked(batch, graph::CommitOrigin::kRemote);
    if (!info.ok()) return info.status();
    conflict_count_ = next_conflict;
  }

  // ---- pull, after the push, under the same lock ----
  // The watermark is one microsecond before now: every later commit is
  // stamped at or after now, so "since" stays exclusive without a gap.
  const Micros server_time = NowMicros() - 1;
  std::optional<Micros> since = req.filters.since;
  if (req.sync_type == SyncType::kFull) since.reset();
  store::ChangesRequest creq;
  creq.since_exclusive = since ? *since : -1;
  creq.after_seq = after_seq;
  creq.limit = req.cursor_present ? options_.page_size + 1 : 0;
  ASSIGN_OR_RETURN(std::vector<store::ChangedRow> rows, kg_.store().Changes(creq));
  if (req.cursor_present && rows.size() > options_.page_size) {
    rows.resize(options_.page_size);
    resp.cursor = EncodeCursor(rows.back().seq);
  }
  const bool want_entities = req.sync_type != SyncType::kRelationships;
  const bool want_edges = req.sync_type != SyncType::kEntities;
  auto by_user = [&](const std::string& u) {
    return req.filters.modified_by.empty() || Contains(req.filters.modified_by, u);
  };
  resp.changes.reserve(rows.size());
  for (auto& row : rows) {
    if (row.entity && want_entities) {
      Entity& e = *row.entity;
      if (!req.filters.entity_types.empty() &&
          std::find(req.filters.entity_types.begin(), req.filters.entity_types.end(),
                    e.entity_type) == req.filters.entity_types.end()) {
        continue;
      }
      if (!by_user(e.user_id)) continue;
      SyncChange c;
      c.change_type = e.deleted() ? ChangeType::kDelete
                      : e.parent_versions.empty() ? ChangeType::kCreate
                                                  : ChangeType::kUpdate;
      c.entity = std::move(e);
      resp.changes.push_back(std::move(c));
    } else if (row.relationship && want_edges) {
      if (!by_user(row.relationship->user_id)) continue;
      SyncChange c;
      c.change_type = row.relationship->deleted ? ChangeType::kDelete : ChangeType::kCreate;
      c.relationships.push_back(std::move(*row.relationship));
      resp.changes.push_back(std::move(c));
    }
  }
  // A pushed version that is not current here (it lost a conflict, now or in
  // an earlier request whose answer was lost) may be older than the client's
  // since: serve the current row back so the client learns who won.
  if (want_entities && !resp.cursor) {
    std::set<std::string> served;
    for (const auto& c : resp.changes) {
      if (c.entity) served.insert(c.entity->id);
    }
    for (const SyncChange& c : req.changes) {
      if (!c.entity || served.count(c.entity->id)) continue;
      std::optional<Entity> cur = current(c.entity->id);
      if (!cur || cur->version == c.entity->version) continue;
      served.insert(cur->id);
      SyncChange back;
      back.change_type = cur->deleted() ? ChangeType::kDelete
                         : cur->parent_versions.empty() ? ChangeType::kCreate
                                                        : ChangeType::kUpdate;
      back.entity = std::move(*cur);
      resp.changes.push_back(std::move(back));
    }
  }
  resp.server_time = FormatTimestamp(server_time);
  resp.state_digest = DigestLocked();
  lock.unlock();

  resp.sync_stats.entities_synced = resp.applied.size();
  resp.sync_stats.relationships_synced = resp.applied_relationships.size();
  resp.sync_stats.conflicts_resolved = resp.conflicts.size();
  resp.sync_stats.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - started)
                                    .count();
  return resp;
}

funkygibbon::StatusOr<Json> SyncHub::Conflicts(size_t limit) {
  return ReadConflicts(kg_.store(), limit);
}

Json SyncHub::Status() {
  size_t entities = 0;
  size_t relationships = 0;
  kg_.Read([&](const graph::GraphIndex& g) {
    entities = g.entity_count();
    relationships = g.relationship_count();
    return 0;
  });
  return Json{{"protocol_version", kProtocolVersion},
              {"role", "hub"},
              {"entities", entities},
              {"relationships", relationships},
              {"state_digest", StateDigest(kg_)},
              {"server_time", FormatTimestamp(NowMicros())},
              {"conflicts_total", conflict_count_.load()},
              {"requests", requests_.load()}};
}

}  // namespace funkygibbon::sync
