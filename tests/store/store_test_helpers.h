// Small builders shared by the store tests.
#ifndef FUNKYGIBBON_TESTS_STORE_STORE_TEST_HELPERS_H_
#define FUNKYGIBBON_TESTS_STORE_STORE_TEST_HELPERS_H_

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/types.h"
#include "store/store.h"

namespace funkygibbon::store::testing {

// A ChangedRowView, decoded.
struct ChangedRow {
  int64_t seq = 0;
  Micros changed_at = 0;
  std::optional<Entity> entity;              // set for entity rows
  std::optional<Relationship> relationship;  // set for relationship rows
};

// Store::ScanChanges, every row decoded.
inline StatusOr<std::vector<ChangedRow>> Changes(Store& store, const ChangesRequest& request) {
  std::vector<ChangedRow> out;
  RETURN_IF_ERROR(store.ScanChanges(request, [&out](const ChangedRowView& row) -> Status {
    ChangedRow& c = out.emplace_back();
    c.seq = row.seq;
    c.changed_at = row.changed_at;
    if (row.entity != nullptr) {
      ASSIGN_OR_RETURN(c.entity, DecodeEntityRow(*row.entity));
    } else {
      RETURN_IF_ERROR(DecodeRelationshipRow(*row.relationship, &c.relationship.emplace()));
    }
    return Status::Ok();
  }));
  return out;
}

inline Entity MakeEntity(std::string id, std::string version, std::string name,
                         Json content = Json::object(), EntityType type = EntityType::kDevice) {
  Entity e;
  e.id = std::move(id);
  e.version = std::move(version);
  e.entity_type = type;
  e.name = std::move(name);
  e.content = std::move(content);
  e.source_type = SourceType::kManual;
  e.user_id = "alice";
  e.created_at = "2026-06-15T09:41:02.581234+00:00";
  e.updated_at = e.created_at;
  return e;
}

inline Relationship MakeEdge(std::string id, std::string from, std::string to,
                             RelationshipType type = RelationshipType::kLocatedIn) {
  Relationship r;
  r.id = std::move(id);
  r.from_entity_id = std::move(from);
  r.from_entity_version = "v1";
  r.to_entity_id = std::move(to);
  r.to_entity_version = "v1";
  r.relationship_type = type;
  r.user_id = "alice";
  r.created_at = "2026-06-15T09:41:02.581234+00:00";
  r.updated_at = r.created_at;
  return r;
}

inline WriteBatch Put(std::vector<Entity> entities, std::vector<Relationship> edges = {}) {
  WriteBatch b;
  for (auto& e : entities) b.entities.push_back({std::move(e), true});
  b.relationships = std::move(edges);
  return b;
}

inline std::unique_ptr<Store> OpenOrDie(const std::string& path, const StoreOptions& options = {}) {
  auto s = OpenSqliteStore(options, path);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

inline CommitInfo CommitOrDie(Store& store, const WriteBatch& batch) {
  auto info = store.Commit(batch);
  EXPECT_TRUE(info.ok()) << info.status().ToString();
  return info.ok() ? *info : CommitInfo{};
}

// Designated initializers trip -Wmissing-field-initializers on GCC 12.
inline SearchRequest Query(std::string text, size_t limit = 10, size_t offset = 0,
                           std::vector<EntityType> types = {}) {
  SearchRequest r;
  r.query = std::move(text);
  r.limit = limit;
  r.offset = offset;
  r.entity_types = std::move(types);
  return r;
}

inline ChangesRequest Since(int64_t after_seq, size_t limit = 0, Micros since_exclusive = -1) {
  ChangesRequest r;
  r.after_seq = after_seq;
  r.limit = limit;
  r.since_exclusive = since_exclusive;
  return r;
}

struct Scanned {
  std::vector<Entity> entities;
  std::vector<Relationship> relationships;
};

inline Scanned ScanAll(Store& store) {
  Scanned out;
  Status s =
      store.ScanCurrent([&](Entity&& e) { out.entities.push_back(std::move(e)); },
                        [&](Relationship&& r) { out.relationships.push_back(std::move(r)); });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

}  // namespace funkygibbon::store::testing

#endif  // FUNKYGIBBON_TESTS_STORE_STORE_TEST_HELPERS_H_
