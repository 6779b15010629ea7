// Entity and Relationship value types and their wire (JSON) forms
// (DESIGN.md §3, INBETWEENIES.md).
//
// Thread-safety: plain values.
#ifndef FUNKYGIBBON_CORE_TYPES_H_
#define FUNKYGIBBON_CORE_TYPES_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "core/vocabulary.h"

namespace funkygibbon {

using Json = nlohmann::json;

// One immutable version of an entity. Rows are never edited: an edit is a
// new version whose parent_versions name the version it supersedes.
struct Entity {
  std::string id;
  std::string version;
  EntityType entity_type = EntityType::kNote;
  std::string name;
  Json content = Json::object();  // always a JSON object
  SourceType source_type = SourceType::kManual;
  std::string user_id;
  std::vector<std::string> parent_versions;
  std::string created_at;  // wire timestamp (core/version.h FormatTimestamp)
  std::string updated_at;

  // A tombstone is a version whose content has "deleted": true.
  bool deleted() const;

  friend bool operator==(const Entity&, const Entity&) = default;
};

// A typed edge. It belongs to its endpoints' ids: editing an endpoint keeps
// the edge. The endpoint versions are those named when the edge was made
// (kept for the wire).
struct Relationship {
  std::string id;
  std::string from_entity_id;
  std::string from_entity_version;
  std::string to_entity_id;
  std::string to_entity_version;
  RelationshipType relationship_type = RelationshipType::kConnectsTo;
  Json properties = Json::object();  // always a JSON object
  std::string user_id;
  std::string created_at;
  std::string updated_at;
  bool deleted = false;  // a deleted edge is kept as a tombstone for sync

  friend bool operator==(const Relationship&, const Relationship&) = default;
};

// Wire forms. ToJson emits every field, lowercase vocabulary.
Json ToJson(const Entity& e);
Json ToJson(const Relationship& r);

// Parses the wire forms, accepting any letter case for the vocabulary.
// Errors name the offending field, e.g. "entity_type: unknown type 'robot'".
StatusOr<Entity> EntityFromJson(const Json& j);
StatusOr<Relationship> RelationshipFromJson(const Json& j);

// A new random UUIDv4 in canonical lowercase form.
std::string NewUuid();

// Flattened text of an entity's content (not its name), for full-text
// indexing and similarity: keys and string values, numbers as text.
std::string FlattenForSearch(const Entity& e);

}  // namespace funkygibbon

#endif  // FUNKYGIBBON_CORE_TYPES_H_
