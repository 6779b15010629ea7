#include "graph/knowledge_graph.h"

#include <algorithm>
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

}  // namespace

KnowledgeGraph::KnowledgeGraph(std::unique_ptr<store::Store> store) : store_(std::move(store)) {}
KnowledgeGraph::~KnowledgeGraph() = default;

StatusOr<std::unique_ptr<KnowledgeGraph>> KnowledgeGraph::Open(
    std::unique_ptr<store::Store> store) {
  if (!store) return Status::InvalidArgument("KnowledgeGraph::Open: no store");
  std::unique_ptr<KnowledgeGraph> kg(new KnowledgeGraph(std::move(store)));
  std::vector<RelationshipPtr> rels;
  Status s = kg->store_->ScanCurrent(
      [&](Entity&& e) { kg->index_.PutEntity(std::make_shared<const Entity>(std::move(e))); },
      [&](Relationship&& r) {
        if (!r.deleted) rels.push_back(std::make_shared<const Relationship>(std::move(r)));
      });
  RETURN_IF_ERROR(s);
  for (auto& r : rels) kg->index_.PutRelationship(std::move(r));
  return kg;
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
  // Build the shared values outside the exclusive lock; readers wait only for
  // the pointer swaps.
  std::vector<EntityPtr> entities;
  std::vector<RelationshipPtr> rels;
  for (const auto& w : batch.entities) {
    if (w.make_current) entities.push_back(std::make_shared<const Entity>(w.entity));
  }
  for (const auto& r : batch.relationships) rels.push_back(std::make_shared<const Relationship>(r));
  if (entities.empty() && rels.empty()) return;
  std::unique_lock lock(index_mu_);
  for (auto& e : entities) index_.PutEntity(std::move(e));
  for (auto& r : rels) index_.PutRelationship(std::move(r));
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
  Read([&](const GraphIndex& g) {
    from = g.Get(req.from_entity_id);
    to = g.Get(req.to_entity_id);
    if (from && to) {
      for (const auto& r : g.Outgoing(req.from_entity_id)) {
        if (r->to_entity_id == req.to_entity_id && r->relationship_type == req.relationship_type) {
          duplicate = true;
        }
      }
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
