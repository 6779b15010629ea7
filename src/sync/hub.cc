#include "sync/hub.h"

#include <openssl/evp.h>
#include <sys/mman.h>

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

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

int64_t ElapsedMs(std::chrono::steady_clock::time_point started) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               started)
      .count();
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

class PullSink {
 public:
  virtual ~PullSink() = default;
  // Once, before the first change; the response's push results are final.
  // At most `expected_rows` rows are likely to follow (0: not known).
  virtual void Begin(const SyncResponse& resp, size_t expected_rows) = 0;
  // A stored row that passed the request's filters.
  virtual funkygibbon::Status Row(const store::ChangedRowView& row) = 0;
  // A current version served back after the rows (see Run).
  virtual void Served(SyncChange&& change) = 0;
};

namespace {

// Asks the kernel to back the whole 2 MiB pages inside [p, p + n) with
// huge pages where it does so on request (transparent_hugepage=madvise).
// Writing a fresh buffer of tens of megabytes otherwise takes a page fault
// every 4 KiB, which in a virtual machine cost a full pull a third of its
// time. Only a hint: nothing changes where it is not supported.
void PreferHugePages(char* p, size_t n) {
#ifdef MADV_HUGEPAGE
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + n) & ~(kHuge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)p;
  (void)n;
#endif
}

// Builds SyncChange values in the response.
class ObjectSink final : public PullSink {
 public:
  explicit ObjectSink(SyncResponse* resp) : resp_(resp) {}
  void Begin(const SyncResponse&, size_t expected_rows) override {
    resp_->changes.reserve(expected_rows);
  }
  funkygibbon::Status Row(const store::ChangedRowView& row) override {
    SyncChange c;
    if (row.entity != nullptr) {
      ASSIGN_OR_RETURN(Entity e, store::DecodeEntityRow(*row.entity));
      c.change_type = ChangeOf(e);
      c.entity = std::move(e);
    } else {
      Relationship& r = c.relationships.emplace_back();
      RETURN_IF_ERROR(store::DecodeRelationshipRow(*row.relationship, &r));
      c.change_type = r.deleted ? ChangeType::kDelete : ChangeType::kCreate;
    }
    resp_->changes.push_back(std::move(c));
    return funkygibbon::Status::Ok();
  }
  void Served(SyncChange&& change) override { resp_->changes.push_back(std::move(change)); }

 private:
  SyncResponse* resp_;
};

// Writes the answer's text up to and including the changes, row by row
// from the store, with no Entity, SyncChange or Json built per row: a full
// pull of a large home is tens of megabytes, and each copy of it costs
// more in fresh memory than the rest of the pull.
class TextSink final : public PullSink {
 public:
  explicit TextSink(std::string* out) : out_(out) {}
  void Begin(const SyncResponse& resp, size_t expected_rows) override {
    // A row is about 500 bytes in a typical home (a full pull of 10,000
    // entities and 20,000 relationships is 15 MB). Reserve half as much
    // again: room that is never written costs address space only, since
    // untouched pages are never mapped in, and a larger answer regrows.
    out_->reserve(1024 + expected_rows * 768 + resp.applied.size() * 64 +
                  resp.conflicts.size() * 256);
    PreferHugePages(out_->data(), out_->capacity());
    AppendResponseHead(out_, resp);
  }
  funkygibbon::Status Row(const store::ChangedRowView& row) override {
    RETURN_IF_ERROR(AppendChangeRow(out_, row, first_));
    first_ = false;
    return funkygibbon::Status::Ok();
  }
  void Served(SyncChange&& change) override {
    AppendChange(out_, change, first_);
    first_ = false;
  }

 private:
  std::string* out_;
  bool first_ = true;
};

}  // namespace

funkygibbon::StatusOr<std::string> SyncHub::HandleSerialized(
    const Json& request, std::chrono::steady_clock::time_point started, SyncStats* stats) {
  ASSIGN_OR_RETURN(SyncRequest req, ParseSyncRequest(request));
  std::string text;
  TextSink sink(&text);
  ASSIGN_OR_RETURN(SyncResponse resp, Run(req, sink));
  // sync_stats is written last: its duration covers everything before it.
  resp.sync_stats.duration_ms = ElapsedMs(started);
  AppendResponseTail(&text, resp);
  if (stats != nullptr) *stats = resp.sync_stats;
  return text;
}

funkygibbon::StatusOr<SyncResponse> SyncHub::Sync(const SyncRequest& req) {
  SyncResponse resp;
  ObjectSink sink(&resp);
  ASSIGN_OR_RETURN(SyncResponse out, Run(req, sink));
  out.changes = std::move(resp.changes);
  return out;
}

funkygibbon::StatusOr<SyncResponse> SyncHub::Run(const SyncRequest& req, PullSink& sink) {
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
  const bool want_entities = req.sync_type != SyncType::kRelationships;
  const bool want_edges = req.sync_type != SyncType::kEntities;
  auto by_user = [&](std::string_view u) {
    return req.filters.modified_by.empty() || Contains(req.filters.modified_by, u);
  };
  // The pushed entities, whose current versions may have to be served back
  // (below), and which of them the rows served.
  std::set<std::string, std::less<>> pushed;
  for (const SyncChange& c : req.changes) {
    if (c.entity) pushed.insert(c.entity->id);
  }
  std::set<std::string, std::less<>> served;
  // A whole pull has about a row per entity and relationship (the count
  // leaves out tombstones), a page at most a page; a delta usually has a
  // few rows, so nothing is reserved for it.
  size_t expected_rows = 0;
  if (creq.limit != 0 || (creq.since_exclusive < 0 && creq.after_seq == 0)) {
    expected_rows = kg_.Read([](const graph::GraphIndex& g) {
      return g.entity_count() + g.relationship_count();
    });
    if (creq.limit != 0) expected_rows = std::min(expected_rows, options_.page_size);
  }
  sink.Begin(resp, expected_rows);
  size_t seen = 0;
  int64_t last_seq = 0;
  RETURN_IF_ERROR(kg_.store().ScanChanges(creq, [&](const store::ChangedRowView& row)
                                                    -> funkygibbon::Status {
    if (req.cursor_present && ++seen > options_.page_size) {
      resp.cursor = EncodeCursor(last_seq);  // a row beyond the page: there is more
      return funkygibbon::Status::Ok();
    }
    last_seq = row.seq;
    if (const store::EntityRow* e = row.entity) {
      if (!want_entities) return funkygibbon::Status::Ok();
      if (!req.filters.entity_types.empty() &&
          std::find(req.filters.entity_types.begin(), req.filters.entity_types.end(),
                    e->entity_type) == req.filters.entity_types.end()) {
        return funkygibbon::Status::Ok();
      }
      if (!by_user(e->user_id)) return funkygibbon::Status::Ok();
      if (pushed.count(e->id) != 0) served.emplace(e->id);
    } else {
      if (!want_edges || !by_user(row.relationship->user_id)) return funkygibbon::Status::Ok();
    }
    return sink.Row(row);
  }));
  // A pushed version that is not current here (it lost a conflict, now or in
  // an earlier request whose answer was lost) may be older than the client's
  // since: serve the current row back so the client learns who won.
  if (want_entities && !resp.cursor) {
    for (const SyncChange& c : req.changes) {
      if (!c.entity || served.count(c.entity->id)) continue;
      std::optional<Entity> cur = current(c.entity->id);
      if (!cur || cur->version == c.entity->version) continue;
      served.insert(cur->id);
      SyncChange back;
      back.change_type = ChangeOf(*cur);
      back.entity = std::move(*cur);
      sink.Served(std::move(back));
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
