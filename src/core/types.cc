#include "core/types.h"

#include <openssl/rand.h>

#include <cstdio>
#include <random>

namespace funkygibbon {
namespace {

StatusOr<std::string> OptString(const Json& j, const char* key, bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) return Status::InvalidArgument(std::string(key) + ": required");
    return std::string();
  }
  if (!it->is_string()) return Status::InvalidArgument(std::string(key) + ": must be a string");
  return it->get<std::string>();
}

StatusOr<Json> OptObject(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return Json::object();
  if (!it->is_object()) return Status::InvalidArgument(std::string(key) + ": must be an object");
  return *it;
}

void FlattenInto(const Json& j, std::string* out, int depth) {
  if (depth > 32) return;
  switch (j.type()) {
    case Json::value_t::string:
      out->append(j.get_ref<const std::string&>());
      out->push_back(' ');
      break;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      out->append(j.dump());
      out->push_back(' ');
      break;
    case Json::value_t::object:
      for (auto it = j.begin(); it != j.end(); ++it) {
        out->append(it.key());
        out->push_back(' ');
        FlattenInto(it.value(), out, depth + 1);
      }
      break;
    case Json::value_t::array:
      for (const auto& v : j) FlattenInto(v, out, depth + 1);
      break;
    default:
      break;
  }
}

}  // namespace

bool Entity::deleted() const {
  auto it = content.find("deleted");
  return it != content.end() && it->is_boolean() && it->get<bool>();
}

Json ToJson(const Entity& e) {
  return Json{{"id", e.id},
              {"version", e.version},
              {"entity_type", ToString(e.entity_type)},
              {"name", e.name},
              {"content", e.content},
              {"source_type", ToString(e.source_type)},
              {"user_id", e.user_id},
              {"parent_versions", e.parent_versions},
              {"created_at", e.created_at},
              {"updated_at", e.updated_at}};
}

Json ToJson(const Relationship& r) {
  return Json{{"id", r.id},
              {"from_entity_id", r.from_entity_id},
              {"from_entity_version", r.from_entity_version},
              {"to_entity_id", r.to_entity_id},
              {"to_entity_version", r.to_entity_version},
              {"relationship_type", ToString(r.relationship_type)},
              {"properties", r.properties},
              {"user_id", r.user_id},
              {"created_at", r.created_at},
              {"updated_at", r.updated_at}};
}

StatusOr<Entity> EntityFromJson(const Json& j) {
  if (!j.is_object()) return Status::InvalidArgument("entity: must be an object");
  Entity e;
  ASSIGN_OR_RETURN(e.id, OptString(j, "id", true));
  if (e.id.empty()) return Status::InvalidArgument("id: must not be empty");
  ASSIGN_OR_RETURN(e.version, OptString(j, "version", true));
  if (e.version.empty()) return Status::InvalidArgument("version: must not be empty");
  ASSIGN_OR_RETURN(std::string type, OptString(j, "entity_type", true));
  auto et = ParseEntityType(type);
  if (!et) return Status::InvalidArgument("entity_type: unknown type '" + type + "'");
  e.entity_type = *et;
  ASSIGN_OR_RETURN(e.name, OptString(j, "name", false));
  ASSIGN_OR_RETURN(e.content, OptObject(j, "content"));
  ASSIGN_OR_RETURN(std::string source, OptString(j, "source_type", false));
  if (!source.empty()) {
    auto st = ParseSourceType(source);
    if (!st) return Status::InvalidArgument("source_type: unknown source type '" + source + "'");
    e.source_type = *st;
  }
  ASSIGN_OR_RETURN(e.user_id, OptString(j, "user_id", false));
  if (auto it = j.find("parent_versions"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Status::InvalidArgument("parent_versions: must be an array of strings");
    for (const auto& p : *it) {
      if (!p.is_string()) return Status::InvalidArgument("parent_versions: must be an array of strings");
      e.parent_versions.push_back(p.get<std::string>());
    }
  }
  ASSIGN_OR_RETURN(e.created_at, OptString(j, "created_at", false));
  ASSIGN_OR_RETURN(e.updated_at, OptString(j, "updated_at", false));
  return e;
}

StatusOr<Relationship> RelationshipFromJson(const Json& j) {
  if (!j.is_object()) return Status::InvalidArgument("relationship: must be an object");
  Relationship r;
  ASSIGN_OR_RETURN(r.id, OptString(j, "id", true));
  if (r.id.empty()) return Status::InvalidArgument("id: must not be empty");
  ASSIGN_OR_RETURN(r.from_entity_id, OptString(j, "from_entity_id", true));
  if (r.from_entity_id.empty()) return Status::InvalidArgument("from_entity_id: must not be empty");
  ASSIGN_OR_RETURN(r.to_entity_id, OptString(j, "to_entity_id", true));
  if (r.to_entity_id.empty()) return Status::InvalidArgument("to_entity_id: must not be empty");
  ASSIGN_OR_RETURN(r.from_entity_version, OptString(j, "from_entity_version", false));
  ASSIGN_OR_RETURN(r.to_entity_version, OptString(j, "to_entity_version", false));
  ASSIGN_OR_RETURN(std::string type, OptString(j, "relationship_type", true));
  auto rt = ParseRelationshipType(type);
  if (!rt) return Status::InvalidArgument("relationship_type: unknown type '" + type + "'");
  r.relationship_type = *rt;
  ASSIGN_OR_RETURN(r.properties, OptObject(j, "properties"));
  ASSIGN_OR_RETURN(r.user_id, OptString(j, "user_id", false));
  ASSIGN_OR_RETURN(r.created_at, OptString(j, "created_at", false));
  ASSIGN_OR_RETURN(r.updated_at, OptString(j, "updated_at", false));
  return r;
}

std::string NewUuid() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    for (auto& c : b) c = static_cast<unsigned char>(rng());
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
                b[12], b[13], b[14], b[15]);
  return out;
}

std::string FlattenForSearch(const Entity& e) {
  std::string out;
  FlattenInto(e.content, &out, 0);
  return out;
}

}  // namespace funkygibbon
