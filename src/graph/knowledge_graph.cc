#include "graph/knowledge_graph.h"

#include <malloc.h>

#include <algorithm>
#include <unordered_set>
#include <utility>

namespace funkygibbon::graph {
namespace {

std::string EntityRef(const Entity& e) {
  return std::string(ToString(e.entity_type)) + " '" + e.name + "' (" + e.id + ")";
}

std::string AllowedList(EntityType from, EntityType to) {
  auto allowed = AllowedRelationships(from, to);
  if (allowed.empty()) return "none";
  std::string out;
  for (auto r : allowed) {
    if (!out.empty()) out += ", ";
    out += ToString(r);
  }
  return out;
}

// True when `ancestor` is `id` or lies above it over child -> parent edges
// (located_in, part_of, contained_in). An edge from `ancestor` up to `id`
// would then make a thing its own parent.
bool IsAncestorOrSelf(const GraphIndex& g, const std::string& id, const std::string& ancestor) {
  std::vector<std::string> todo = {id};
  std::unordered_set<std::string> seen = {id};
  while (!todo.empty()) {
    const std::string cur = std::move(todo.back());
    todo.pop_back();
    if (cur == ancestor) return true;
    for (const auto& r : g.Outgoing(cur)) {
      if (PointsToParent(r->relationship_type) && seen.insert(r->to_entity_id).second) {
        todo.push_back(r->to_entity_id);
      }
    }
  }
  return false;
}

}  // namespace

KnowledgeGraph::KnowledgeGraph(std::unique_ptr<store::Store> store) : store_(std::move(store)) {}

KnowledgeGraph::~KnowledgeGraph() {
  if (loader_.joinable()) {
    stop_loading_ = true;
    loader_.join();
  }
}

StatusOr<std::unique_ptr<KnowledgeGraph>> KnowledgeGraph::Open(std::unique_ptr<store::Store> store,
                                                               OpenOptions options) {
  if (!store) return Status::InvalidArgument("KnowledgeGraph::Open: no store");
  std::unique_ptr<KnowledgeGraph> kg(new KnowledgeGraph(std::move(store)));
  if (!options.load_in_background) {
    RETURN_IF_ERROR(kg->LoadIndex());
    std::lock_guard<std::mutex> lock(kg->load_mu_);
    kg->loaded_ = true;
    return kg;
  }
  KnowledgeGraph* raw = kg.get();
  kg->loader_ = std::thread(
      [raw, on_error = std::move(options.on_load_error)] { raw->BackgroundLoad(on_error); });
  // Return only once the loader holds its locks, so that no read or write
  // can get in ahead of it.
  std::unique_lock<std::mutex> lock(kg->load_mu_);
  kg->load_cv_.wait(lock, [&] { return kg->load_locked_; });
  lock.unlock();
  return kg;
}

void KnowledgeGraph::BackgroundLoad(std::function<void(const Status&)> on_error) {
  std::unique_lock<std::mutex> writer(writer_mu_);
  std::unique_lock<RwLock> index(index_mu_);
  {
    std::lock_guard<std::mutex> lock(load_mu_);
    load_locked_ = true;
  }
  load_cv_.notify_all();
  Status s = LoadIndex();
  // Still holding the locks: a failure is reported before anyone waiting
  // (WaitUntilLoaded included) can look at the (empty) graph.
  if (!s.ok() && on_error && !stop_loading_) on_error(s);
  {
    std::lock_guard<std::mutex> lock(load_mu_);
    load_status_ = s;
    loaded_ = true;
  }
  load_cv_.notify_all();
}

Status KnowledgeGraph::LoadIndex() {
  // Rows go straight into the index's compact form: nothing is held per
  // row beyond the callback, so the peak is the loaded graph itself.
  Status s = store_->ScanCurrentRows(
      [this](const store::EntityRow& row) -> Status {
        if (stop_loading_) return Status(StatusCode::kCancelled, "the graph is closing");
        return index_.PutEntityRow(row);
      },
      [this](Relationship&& r) -> Status {
        if (stop_loading_) return Status(StatusCode::kCancelled, "the graph is closing");
        if (!r.deleted) index_.PutRelationship(static_cast<const Relationship&>(r));
        return Status::Ok();
      });
  if (!s.ok()) {
    index_.Clear();
  } else {
    index_.Compact();
  }
  // Return the load's transient memory (SQLite rows, rehashed tables) to
  // the system instead of keeping it as free heap for the process's life.
  malloc_trim(0);
  return s;
}

Status KnowledgeGraph::WaitUntilLoaded() const {
  std::unique_lock<std::mutex> lock(load_mu_);
  load_cv_.wait(lock, [this] { return loaded_; });
  return load_status_;
}

bool KnowledgeGraph::loaded() const {
  std::lock_guard<std::mutex> lock(load_mu_);
  return loaded_;
}

std::string KnowledgeGraph::NextVersion(const std::string& user_id, std::string_view floor) {
  return versions_.Next(user_id, floor);
}

StatusOr<store::CommitInfo> KnowledgeGraph::CommitBatch(const store::WriteBatch& batch) {
  auto lock = LockWriter();
  return CommitBatchLocked(batch);
}

void KnowledgeGraph::SetCommitHook(CommitHook hook) {
  auto lock = LockWriter();
  commit_hook_ = std::move(hook);
}

void KnowledgeGraph::SetCommitHookLocked(CommitHook hook) { commit_hook_ = std::move(hook); }

StatusOr<store::CommitInfo> KnowledgeGraph::CommitBatchLocked(const store::WriteBatch& batch,
                                                              CommitOrigin origin) {
  // Set before the loader let go of writer_mu_, which the caller now holds.
  if (!load_status_.ok()) {
    return Status(load_status_.code(), "the graph could not be loaded: " + load_status_.message());
  }
  if (origin == CommitOrigin::kLocal && commit_hook_) {
    store::WriteBatch decorated = batch;
    RETURN_IF_ERROR(commit_hook_(decorated));
    ASSIGN_OR_RETURN(store::CommitInfo info, store_->Commit(decorated));
    ApplyToIndex(decorated);
    Notify(decorated);
    return info;
  }
  ASSIGN_OR_RETURN(store::CommitInfo info, store_->Commit(batch));
  ApplyToIndex(batch);
  Notify(batch);
  return info;
}

void KnowledgeGraph::ApplyToIndex(const store::WriteBatch& batch) {
  // Encode the entities outside the exclusive lock; readers wait only for
  // the index updates.
  std::vector<PreparedEntity> entities;
  for (const auto& w : batch.entities) {
    if (w.make_current) entities.emplace_back(w.entity);
  }
  if (entities.empty() && batch.relationships.empty()) return;
  std::unique_lock lock(index_mu_);
  for (auto& e : entities) index_.PutEntity(std::move(e));
  for (const auto& r : batch.relationships) index_.PutRelationship(r);
}

void KnowledgeGraph::Notify(const store::WriteBatch& batch) {
  std::vector<ChangeListener> listeners;
  {
    std::lock_guard<std::mutex> lock(listeners_mu_);
    if (listeners_.empty()) return;
    listeners = listeners_;
  }
  ChangeEvent ev;
  for (const auto& w : batch.entities) ev.entities.push_back(w.entity);
  ev.relationships = batch.relationships;
  for (const auto& l : listeners) l(ev);
}

void KnowledgeGraph::AddChangeListener(ChangeListener listener) {
  std::lock_guard<std::mutex> lock(listeners_mu_);
  listeners_.push_back(std::move(listener));
}

StatusOr<Entity> KnowledgeGraph::CreateEntity(const NewEntity& req, const std::string& user_id) {
  if (!req.content.is_object()) return Status::InvalidArgument("content: must be a JSON object");
  if (req.name.empty()) return Status::InvalidArgument("name: must not be empty");
  auto lock = LockWriter();
  Entity e;
  e.id = req.id.empty() ? NewUuid() : req.id;
  if (Read([&](const GraphIndex& g) { return g.Get(e.id); })) {
    return Status::AlreadyExists("an entity with id '" + e.id +
                                 "' already exists; use update_entity to change it");
  }
  e.version = versions_.Next(user_id);
  e.entity_type = req.entity_type;
  e.name = req.name;
  e.content = req.content;
  e.source_type = req.source_type;
  e.user_id = user_id;
  e.created_at = e.version.substr(0, 32);
  e.updated_at = e.created_at;
  store::WriteBatch batch;
  batch.entities.push_back({e, true});
  RETURN_IF_ERROR(CommitBatchLocked(batch).status());
  return e;
}

StatusOr<Entity> KnowledgeGraph::UpdateEntity(const std::string& id, const EntityEdit& edit,
                                              const std::string& user_id) {
  if (edit.content && !edit.content->is_object()) {
    return Status::InvalidArgument("content: must be a JSON object");
  }
  if (edit.name && edit.name->empty()) return Status::InvalidArgument("name: must not be empty");
  if (!edit.name && !edit.content) {
    return Status::InvalidArgument("nothing to change: give a new name and/or content");
  }
  auto lock = LockWriter();
  EntityPtr cur = Read([&](const GraphIndex& g) { return g.Get(id); });
  if (!cur || cur->deleted()) {
    return Status::NotFound("entity '" + id +
                            "' not found; use search_entities to find the right id");
  }
  Entity e = *cur;
  e.parent_versions = {cur->version};
  e.version = versions_.Next(user_id, cur->version);
  e.user_id = user_id;
  e.updated_at = e.version.substr(0, 32);
  if (edit.name) e.name = *edit.name;
  if (edit.content) {
    if (edit.replace_content) {
      e.content = *edit.content;
    } else {
      for (auto it = edit.content->begin(); it != edit.content->end(); ++it) {
        if (it.value().is_null()) {
          e.content.erase(it.key());
        } else {
          e.content[it.key()] = it.value();
        }
      }
    }
    if (e.deleted()) {
      return Status::InvalidArgument(
          "content.deleted: use delete_entity to delete an entity, not update_entity");
    }
  }
  store::WriteBatch batch;
  batch.entities.push_back({e, true});
  RETURN_IF_ERROR(CommitBatchLocked(batch).status());
  return e;
}

StatusOr<DeleteResult> KnowledgeGraph::DeleteEntity(const std::string& id,
                                                    const std::string& user_id) {
  auto lock = LockWriter();
  DeleteResult result;
  EntityPtr cur;
  std::vector<RelationshipPtr> touching;
  Read([&](const GraphIndex& g) {
    cur = g.Get(id);
    if (cur && !cur->deleted()) {
      touching = g.Outgoing(id);
      auto in = g.Incoming(id);
      touching.insert(touching.end(), in.begin(), in.end());
    }
    return 0;
  });
  if (!cur || cur->deleted()) {
    return Status::NotFound("entity '" + id + "' not found (or already deleted)");
  }
  Entity t = *cur;
  t.parent_versions = {cur->version};
  t.version = versions_.Next(user_id, cur->version);
  t.user_id = user_id;
  t.updated_at = t.version.substr(0, 32);
  t.content["deleted"] = true;
  store::WriteBatch batch;
  batch.entities.push_back({t, true});
  std::sort(touching.begin(), touching.end(),
            [](const RelationshipPtr& a, const RelationshipPtr& b) { return a->id < b->id; });
  touching.erase(std::unique(touching.begin(), touching.end(),
                             [](const RelationshipPtr& a, const RelationshipPtr& b) {
                               return a->id == b->id;
                             }),
                 touching.end());
  for (const auto& r : touching) {
    Relationship dead = *r;
    dead.deleted = true;
    dead.user_id = user_id;
    dead.updated_at = t.updated_at;
    batch.relationships.push_back(dead);
    result.removed_relationships.push_back(std::move(dead));
  }
  RETURN_IF_ERROR(CommitBatchLocked(batch).status());
  result.tombstone = std::move(t);
  return result;
}

StatusOr<Relationship> KnowledgeGraph::CreateRelationship(const NewRelationship& req,
                                                          const std::string& user_id) {
  if (!req.properties.is_object()) return Status::InvalidArgument("properties: must be a JSON object");
  auto lock = LockWriter();
  EntityPtr from, to;
  bool duplicate = false;
  bool cycle = false;
  Read([&](const GraphIndex& g) {
    from = g.Get(req.from_entity_id);
    to = g.Get(req.to_entity_id);
    if (from && to) {
      for (const auto& r : g.Outgoing(req.from_entity_id)) {
        if (r->to_entity_id == req.to_entity_id && r->relationship_type == req.relationship_type) {
          duplicate = true;
        }
      }
      cycle = PointsToParent(req.relationship_type) &&
              IsAncestorOrSelf(g, req.to_entity_id, req.from_entity_id);
    }
    return 0;
  });
  if (!from || from->deleted()) {
    return Status::NotFound("from_entity_id: entity '" + req.from_entity_id +
                            "' not found; use search_entities to find the right id");
  }
  if (!to || to->deleted()) {
    return Status::NotFound("to_entity_id: entity '" + req.to_entity_id +
                            "' not found; use search_entities to find the right id");
  }
  if (req.from_entity_id == req.to_entity_id) {
    return Status::InvalidArgument("an entity cannot have a relationship with itself");
  }
  if (!IsAllowedPair(req.relationship_type, from->entity_type, to->entity_type)) {
    return Status::InvalidArgument(
        std::string("relationship_type: '") + std::string(ToString(req.relationship_type)) +
        "' is not allowed from a " + std::string(ToString(from->entity_type)) + " to a " +
        std::string(ToString(to->entity_type)) + "; allowed here: " +
        AllowedList(from->entity_type, to->entity_type) +
        " (swap from/to for child -> parent types, or call describe_schema)");
  }
  if (duplicate) {
    return Status::AlreadyExists("a " + std::string(ToString(req.relationship_type)) +
                                 " relationship from " + EntityRef(*from) + " to " +
                                 EntityRef(*to) + " already exists");
  }
  if (cycle) {
    return Status::InvalidArgument(
        std::string("relationship_type: '") + std::string(ToString(req.relationship_type)) +
        "' from " + EntityRef(*from) + " to " + EntityRef(*to) + " would make a cycle: " +
        EntityRef(*to) + " is already inside " + EntityRef(*from) +
        " through located_in, part_of or contained_in, and nothing can be its own parent");
  }
  Relationship r;
  r.id = NewUuid();
  r.from_entity_id = from->id;
  r.from_entity_version = from->version;
  r.to_entity_id = to->id;
  r.to_entity_version = to->version;
  r.relationship_type = req.relationship_type;
  r.properties = req.properties;
  r.user_id = user_id;
  r.created_at = FormatTimestamp(versions_.NextMicros());
  r.updated_at = r.created_at;
  store::WriteBatch batch;
  batch.relationships.push_back(r);
  RETURN_IF_ERROR(CommitBatchLocked(batch).status());
  return r;
}

StatusOr<Relationship> KnowledgeGraph::DeleteRelationship(const std::string& id,
                                                          const std::string& user_id) {
  auto lock = LockWriter();
  RelationshipPtr cur = Read([&](const GraphIndex& g) { return g.GetRelationship(id); });
  if (!cur || cur->deleted) {
    return Status::NotFound("relationship '" + id +
                            "' not found; get_entity_details lists an entity's relationship ids");
  }
  Relationship r = *cur;
  r.deleted = true;
  r.user_id = user_id;
  r.updated_at = FormatTimestamp(versions_.NextMicros());
  store::WriteBatch batch;
  batch.relationships.push_back(r);
  RETURN_IF_ERROR(CommitBatchLocked(batch).status());
  return r;
}

StatusOr<std::vector<Entity>> KnowledgeGraph::History(const std::string& id) const {
  return store_->History(id);
}

StatusOr<store::SearchResult> KnowledgeGraph::Search(const store::SearchRequest& request) const {
  return store_->Search(request);
}

}  // namespace funkygibbon::graph
