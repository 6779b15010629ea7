#include "store/store.h"

#include <string>
#include <utility>

namespace funkygibbon::store {
namespace {

StatusOr<Json> ParseObject(std::string_view text, const char* what, std::string_view id) {
  if (text == "{}") return Json::object();
  Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::Internal("stored " + std::string(what) + " of '" + std::string(id) +
                            "' is not a JSON object");
  }
  return j;
}

Status ParseStringArray(std::string_view text, std::string_view id, std::vector<std::string>* out) {
  out->clear();
  if (text == "[]") return Status::Ok();
  Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_array()) {
    return Status::Internal("stored parent_versions of '" + std::string(id) +
                            "' is not a JSON array");
  }
  out->reserve(j.size());
  for (auto& v : j) {
    if (!v.is_string()) {
      return Status::Internal("stored parent_versions of '" + std::string(id) +
                              "' holds a non-string");
    }
    out->push_back(std::move(v.get_ref<std::string&>()));
  }
  return Status::Ok();
}

}  // namespace

EntityRow RowOf(const Entity& e, std::string_view content, std::string_view parent_versions) {
  EntityRow row;
  row.id = e.id;
  row.version = e.version;
  row.entity_type = e.entity_type;
  row.name = e.name;
  row.content = content;
  row.source_type = e.source_type;
  row.user_id = e.user_id;
  row.parent_versions = parent_versions;
  row.created_at = e.created_at;
  row.updated_at = e.updated_at;
  return row;
}

RelationshipRow RowOf(const Relationship& r, std::string_view properties) {
  RelationshipRow row;
  row.id = r.id;
  row.from_entity_id = r.from_entity_id;
  row.from_entity_version = r.from_entity_version;
  row.to_entity_id = r.to_entity_id;
  row.to_entity_version = r.to_entity_version;
  row.relationship_type = r.relationship_type;
  row.properties = properties;
  row.user_id = r.user_id;
  row.created_at = r.created_at;
  row.updated_at = r.updated_at;
  row.deleted = r.deleted;
  return row;
}

StatusOr<Entity> DecodeEntityRow(const EntityRow& row) {
  Entity e;
  e.id = row.id;
  e.version = row.version;
  e.entity_type = row.entity_type;
  e.name = row.name;
  ASSIGN_OR_RETURN(e.content, ParseObject(row.content, "content", row.id));
  e.source_type = row.source_type;
  e.user_id = row.user_id;
  RETURN_IF_ERROR(ParseStringArray(row.parent_versions, row.id, &e.parent_versions));
  e.created_at = row.created_at;
  e.updated_at = row.updated_at;
  return e;
}

Status DecodeRelationshipRow(const RelationshipRow& row, Relationship* out) {
  // Assignment reuses the strings' capacity when *out is reused.
  out->id = row.id;
  out->from_entity_id = row.from_entity_id;
  out->from_entity_version = row.from_entity_version;
  out->to_entity_id = row.to_entity_id;
  out->to_entity_version = row.to_entity_version;
  out->relationship_type = row.relationship_type;
  ASSIGN_OR_RETURN(out->properties, ParseObject(row.properties, "properties", row.id));
  out->user_id = row.user_id;
  out->created_at = row.created_at;
  out->updated_at = row.updated_at;
  out->deleted = row.deleted;
  return Status::Ok();
}

}  // namespace funkygibbon::store
