#include "sync/protocol.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>

#include "core/json_escape.h"

namespace funkygibbon::sync {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

Status Prefixed(const std::string& prefix, const Status& s) {
  return Status(s.code(), prefix + s.message());
}

StatusOr<std::optional<ChangeType>> ParseChangeType(const std::string& s) {
  std::string l = Lower(s);
  if (l == "create") return std::optional<ChangeType>(ChangeType::kCreate);
  if (l == "update") return std::optional<ChangeType>(ChangeType::kUpdate);
  if (l == "delete") return std::optional<ChangeType>(ChangeType::kDelete);
  return std::optional<ChangeType>();
}

// ---- direct JSON text (SerializeResponse) ----

// As nlohmann's dump escapes, ill-formed UTF-8 included.
void AppendString(std::string* out, std::string_view s) {
  AppendJsonString(out, s, InvalidUtf8::kReplace);
}

void AppendJson(std::string* out, const Json& j) {
  out->append(j.dump(-1, ' ', false, Json::error_handler_t::replace));
}

void AppendStrings(std::string* out, const std::vector<std::string>& v) {
  out->push_back('[');
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendString(out, v[i]);
  }
  out->push_back(']');
}

// Writes `"key":` (keys are plain ASCII here), with the comma before every
// member but the first.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string* out) : out_(out) { out_->push_back('{'); }
  std::string* Key(std::string_view key) {
    if (!first_) out_->push_back(',');
    first_ = false;
    out_->push_back('"');
    out_->append(key);
    out_->append("\":");
    return out_;
  }
  void String(std::string_view key, std::string_view value) { AppendString(Key(key), value); }
  void End() { out_->push_back('}'); }

 private:
  std::string* out_;
  bool first_ = true;
};

// Walks the text of a JSON object as the store writes it (compact, one
// object) and says whether its top-level member `key` is `true`; nullopt if
// the text is not one well-nested object. Strings, nesting and the ending
// are checked, not the whole grammar: the store wrote the text with a JSON
// library, and this guards against a damaged row, not hostile input.
std::optional<bool> TopLevelTrue(std::string_view t, std::string_view key) {
  auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  size_t i = 0;
  const size_t n = t.size();
  auto skip_space = [&](size_t j) {
    while (j < n && is_space(t[j])) ++j;
    return j;
  };
  i = skip_space(i);
  if (i == n || t[i] != '{') return std::nullopt;
  bool found = false;
  int depth = 0;
  for (; i < n; ++i) {
    const char c = t[i];
    if (c == '"') {
      const size_t start = ++i;
      while (i < n && t[i] != '"') i += t[i] == '\\' ? 2 : 1;
      if (i >= n) return std::nullopt;
      if (depth == 1) {
        size_t j = skip_space(i + 1);
        if (j < n && t[j] == ':' && t.substr(start, i - start) == key) {
          j = skip_space(j + 1);
          found = t.compare(j, 4, "true") == 0;
        }
      }
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return skip_space(i + 1) == n ? std::optional<bool>(found) : std::nullopt;
    }
  }
  return std::nullopt;
}

Status NotAnObject(const char* what, std::string_view id) {
  return Status::Internal("stored " + std::string(what) + " of '" + std::string(id) +
                          "' is not a JSON object");
}

// An entity object from a row's fields, its JSON members copied as given.
void AppendEntityRow(std::string* out, const store::EntityRow& e) {
  ObjectWriter w(out);
  w.Key("content")->append(e.content);
  w.String("created_at", e.created_at);
  w.String("entity_type", funkygibbon::ToString(e.entity_type));
  w.String("id", e.id);
  w.String("name", e.name);
  w.Key("parent_versions")->append(e.parent_versions);
  w.String("source_type", funkygibbon::ToString(e.source_type));
  w.String("updated_at", e.updated_at);
  w.String("user_id", e.user_id);
  w.String("version", e.version);
  w.End();
}

// A relationship object from a row's fields, its properties copied as given.
void AppendRelationshipRow(std::string* out, const store::RelationshipRow& r) {
  ObjectWriter w(out);
  w.String("created_at", r.created_at);
  if (r.deleted) w.Key("deleted")->append("true");
  w.String("from_entity_id", r.from_entity_id);
  w.String("from_entity_version", r.from_entity_version);
  w.String("id", r.id);
  w.Key("properties")->append(r.properties);
  w.String("relationship_type", funkygibbon::ToString(r.relationship_type));
  w.String("to_entity_id", r.to_entity_id);
  w.String("to_entity_version", r.to_entity_version);
  w.String("updated_at", r.updated_at);
  w.String("user_id", r.user_id);
  w.End();
}

void AppendEntity(std::string* out, const Entity& e) {
  std::string content;
  std::string parents;
  AppendJson(&content, e.content);
  AppendStrings(&parents, e.parent_versions);
  AppendEntityRow(out, store::RowOf(e, content, parents));
}

void AppendRelationship(std::string* out, const Relationship& r) {
  std::string properties;
  AppendJson(&properties, r.properties);
  AppendRelationshipRow(out, store::RowOf(r, properties));
}

void AppendChangeObject(std::string* out, const SyncChange& c) {
  ObjectWriter w(out);
  w.String("change_type", ToString(c.change_type));
  if (c.entity) {
    AppendEntity(w.Key("entity"), *c.entity);
  } else {
    w.Key("entity")->append("null");
  }
  std::string* rels = w.Key("relationships");
  rels->push_back('[');
  for (size_t i = 0; i < c.relationships.size(); ++i) {
    if (i > 0) rels->push_back(',');
    AppendRelationship(rels, c.relationships[i]);
  }
  rels->push_back(']');
  w.End();
}

Json RelationshipWire(const Relationship& r) {
  Json j = funkygibbon::ToJson(r);
  if (r.deleted) j["deleted"] = true;
  return j;
}

StatusOr<Relationship> ParseRelationshipWire(const Json& j) {
  ASSIGN_OR_RETURN(Relationship r, RelationshipFromJson(j));
  if (auto it = j.find("deleted"); it != j.end() && it->is_boolean()) r.deleted = it->get<bool>();
  return r;
}

// An entity object that stands for "no entity": null, or an empty id
// (clients send {"id": ""} beside relationships).
bool IsNoEntity(const Json& j) {
  if (j.is_null()) return true;
  if (!j.is_object()) return false;
  auto it = j.find("id");
  return it != j.end() && it->is_string() && it->get<std::string>().empty();
}

StatusOr<std::vector<std::string>> StringList(const Json& j, const std::string& field) {
  std::vector<std::string> out;
  if (j.is_null()) return out;
  if (j.is_string()) {
    out.push_back(j.get<std::string>());
    return out;
  }
  if (!j.is_array()) return Status::InvalidArgument(field + ": must be an array of strings");
  for (const auto& v : j) {
    if (!v.is_string()) return Status::InvalidArgument(field + ": must be an array of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

std::string_view ToString(ChangeType t) {
  switch (t) {
    case ChangeType::kCreate: return "create";
    case ChangeType::kUpdate: return "update";
    case ChangeType::kDelete: return "delete";
  }
  return "update";
}

std::string_view ToString(SyncType t) {
  switch (t) {
    case SyncType::kFull: return "full";
    case SyncType::kDelta: return "delta";
    case SyncType::kEntities: return "entities";
    case SyncType::kRelationships: return "relationships";
  }
  return "full";
}

Json ToJson(const SyncChange& c) {
  Json rels = Json::array();
  for (const auto& r : c.relationships) rels.push_back(RelationshipWire(r));
  Json j{{"change_type", ToString(c.change_type)},
         {"entity", c.entity ? funkygibbon::ToJson(*c.entity) : Json(nullptr)},
         {"relationships", std::move(rels)}};
  return j;
}

Json ToJson(const ConflictInfo& c) {
  return Json{{"entity_id", c.entity_id},
              {"local_version", c.local_version},
              {"remote_version", c.remote_version},
              {"resolution_strategy", c.resolution_strategy},
              {"resolved_version", c.resolved_version}};
}

Json ToJson(const SyncRequest& r) {
  Json changes = Json::array();
  for (const auto& c : r.changes) changes.push_back(ToJson(c));
  Json j{{"protocol_version", r.protocol_version},
         {"device_id", r.device_id},
         {"user_id", r.user_id},
         {"sync_type", ToString(r.sync_type)},
         {"changes", std::move(changes)},
         {"vector_clock", r.vector_clock}};
  Json filters = Json::object();
  if (!r.filters.entity_types.empty()) {
    Json types = Json::array();
    for (auto t : r.filters.entity_types) types.push_back(std::string(funkygibbon::ToString(t)));
    filters["entity_types"] = std::move(types);
  }
  if (r.filters.since) filters["since"] = FormatTimestamp(*r.filters.since);
  if (!r.filters.modified_by.empty()) filters["modified_by"] = r.filters.modified_by;
  if (!filters.empty()) j["filters"] = std::move(filters);
  if (r.cursor_present) j["cursor"] = r.cursor ? Json(*r.cursor) : Json(nullptr);
  return j;
}

Json ToJson(const SyncResponse& r) {
  Json changes = Json::array();
  for (const auto& c : r.changes) changes.push_back(ToJson(c));
  Json conflicts = Json::array();
  for (const auto& c : r.conflicts) conflicts.push_back(ToJson(c));
  return Json{{"protocol_version", r.protocol_version},
              {"sync_type", ToString(r.sync_type)},
              {"changes", std::move(changes)},
              {"conflicts", std::move(conflicts)},
              {"sync_stats",
               {{"entities_synced", r.sync_stats.entities_synced},
                {"relationships_synced", r.sync_stats.relationships_synced},
                {"conflicts_resolved", r.sync_stats.conflicts_resolved},
                {"duration_ms", r.sync_stats.duration_ms}}},
              {"vector_clock", r.vector_clock},
              {"cursor", r.cursor ? Json(*r.cursor) : Json(nullptr)},
              {"server_time", r.server_time},
              {"applied", r.applied},
              {"applied_relationships", r.applied_relationships},
              {"state_digest", r.state_digest},
              {"warnings", r.warnings}};
}

namespace {

// Appends `,"key":` (a member after the first of an object written by
// hand) and returns `out` for the value.
std::string* Member(std::string* out, std::string_view key) {
  out->append(",\"");
  out->append(key);
  out->append("\":");
  return out;
}

}  // namespace

void AppendResponseHead(std::string* out, const SyncResponse& r) {
  out->append("{\"applied\":");
  AppendStrings(out, r.applied);
  AppendStrings(Member(out, "applied_relationships"), r.applied_relationships);
  Member(out, "changes")->push_back('[');
}

void AppendChange(std::string* out, const SyncChange& c, bool first) {
  if (!first) out->push_back(',');
  AppendChangeObject(out, c);
}

void AppendResponseTail(std::string* out, const SyncResponse& r) {
  out->push_back(']');
  // The members after "changes", in key order (sync_stats aside, see
  // SerializeResponse); the head wrote the first three.
  Member(out, "conflicts")->push_back('[');
  for (size_t i = 0; i < r.conflicts.size(); ++i) {
    if (i > 0) out->push_back(',');
    const ConflictInfo& c = r.conflicts[i];
    ObjectWriter cw(out);
    cw.String("entity_id", c.entity_id);
    cw.String("local_version", c.local_version);
    cw.String("remote_version", c.remote_version);
    cw.String("resolution_strategy", c.resolution_strategy);
    cw.String("resolved_version", c.resolved_version);
    cw.End();
  }
  out->push_back(']');
  if (r.cursor) {
    AppendString(Member(out, "cursor"), *r.cursor);
  } else {
    Member(out, "cursor")->append("null");
  }
  AppendString(Member(out, "protocol_version"), r.protocol_version);
  AppendString(Member(out, "server_time"), r.server_time);
  AppendString(Member(out, "state_digest"), r.state_digest);
  AppendString(Member(out, "sync_type"), ToString(r.sync_type));
  AppendJson(Member(out, "vector_clock"), r.vector_clock);
  AppendStrings(Member(out, "warnings"), r.warnings);
  ObjectWriter sw(Member(out, "sync_stats"));
  sw.Key("conflicts_resolved")->append(std::to_string(r.sync_stats.conflicts_resolved));
  sw.Key("duration_ms")->append(std::to_string(r.sync_stats.duration_ms));
  sw.Key("entities_synced")->append(std::to_string(r.sync_stats.entities_synced));
  sw.Key("relationships_synced")->append(std::to_string(r.sync_stats.relationships_synced));
  sw.End();
  out->push_back('}');
}

std::string SerializeResponse(const SyncResponse& r) {
  std::string out;
  // Rows are a few hundred bytes; guessing high saves regrowing a large text.
  out.reserve(512 + r.changes.size() * 640 + r.applied.size() * 40);
  AppendResponseHead(&out, r);
  for (size_t i = 0; i < r.changes.size(); ++i) AppendChange(&out, r.changes[i], i == 0);
  AppendResponseTail(&out, r);
  return out;
}

ChangeType ChangeOf(const Entity& e) {
  return e.deleted()                  ? ChangeType::kDelete
         : e.parent_versions.empty() ? ChangeType::kCreate
                                      : ChangeType::kUpdate;
}

StatusOr<ChangeType> ChangeOf(const store::EntityRow& row) {
  std::optional<bool> deleted = TopLevelTrue(row.content, "deleted");
  if (!deleted) return NotAnObject("content", row.id);
  return *deleted                       ? ChangeType::kDelete
         : row.parent_versions == "[]" ? ChangeType::kCreate
                                        : ChangeType::kUpdate;
}

Status AppendChangeRow(std::string* out, const store::ChangedRowView& row, bool first) {
  if (!first) out->push_back(',');
  ObjectWriter w(out);
  if (const store::EntityRow* e = row.entity) {
    ASSIGN_OR_RETURN(ChangeType type, ChangeOf(*e));
    if (e->parent_versions.size() < 2 || e->parent_versions.front() != '[' ||
        e->parent_versions.back() != ']') {
      return Status::Internal("stored parent_versions of '" + std::string(e->id) +
                              "' is not a JSON array");
    }
    w.String("change_type", ToString(type));
    AppendEntityRow(w.Key("entity"), *e);
    w.Key("relationships")->append("[]");
  } else {
    const store::RelationshipRow& r = *row.relationship;
    if (!TopLevelTrue(r.properties, "deleted")) return NotAnObject("properties", r.id);
    w.String("change_type", ToString(r.deleted ? ChangeType::kDelete : ChangeType::kCreate));
    w.Key("entity")->append("null");
    std::string* rels = w.Key("relationships");
    rels->push_back('[');
    AppendRelationshipRow(rels, r);
    rels->push_back(']');
  }
  w.End();
  return Status::Ok();
}

StatusOr<SyncChange> ParseSyncChange(const Json& j, size_t index) {
  const std::string p = "changes[" + std::to_string(index) + "]";
  if (!j.is_object()) return Status::InvalidArgument(p + ": must be an object");
  SyncChange c;
  auto ct = j.find("change_type");
  if (ct == j.end() || ct->is_null()) {
    c.change_type = ChangeType::kUpdate;
  } else {
    if (!ct->is_string()) return Status::InvalidArgument(p + ".change_type: must be a string");
    ASSIGN_OR_RETURN(auto t, ParseChangeType(ct->get<std::string>()));
    if (!t) {
      return Status::InvalidArgument(p + ".change_type: unknown change type '" +
                                     ct->get<std::string>() + "' (create, update or delete)");
    }
    c.change_type = *t;
  }
  if (auto it = j.find("entity"); it != j.end() && !IsNoEntity(*it)) {
    if (!it->is_object()) return Status::InvalidArgument(p + ".entity: must be an object or null");
    auto e = EntityFromJson(*it);
    if (!e.ok()) return Prefixed(p + ".entity.", e.status());
    c.entity = std::move(e).value();
  }
  if (auto it = j.find("relationships"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Status::InvalidArgument(p + ".relationships: must be an array");
    for (size_t k = 0; k < it->size(); ++k) {
      auto r = ParseRelationshipWire((*it)[k]);
      if (!r.ok()) {
        return Prefixed(p + ".relationships[" + std::to_string(k) + "].", r.status());
      }
      c.relationships.push_back(std::move(r).value());
    }
  }
  return c;
}

StatusOr<SyncRequest> ParseSyncRequest(const Json& j) {
  if (!j.is_object()) return Status::InvalidArgument("request: must be a JSON object");
  SyncRequest r;
  auto str = [&](const char* key, std::string* out) -> Status {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return Status::Ok();
    if (!it->is_string()) return Status::InvalidArgument(std::string(key) + ": must be a string");
    *out = it->get<std::string>();
    return Status::Ok();
  };
  RETURN_IF_ERROR(str("protocol_version", &r.protocol_version));
  RETURN_IF_ERROR(str("device_id", &r.device_id));
  RETURN_IF_ERROR(str("user_id", &r.user_id));
  std::string st;
  RETURN_IF_ERROR(str("sync_type", &st));
  st = Lower(st);
  if (st.empty() || st == "full") {
    r.sync_type = SyncType::kFull;
  } else if (st == "delta") {
    r.sync_type = SyncType::kDelta;
  } else if (st == "entities") {
    r.sync_type = SyncType::kEntities;
  } else if (st == "relationships") {
    r.sync_type = SyncType::kRelationships;
  } else {
    return Status::InvalidArgument("sync_type: unknown sync type '" + st +
                                   "' (full, delta, entities or relationships)");
  }
  if (auto it = j.find("changes"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Status::InvalidArgument("changes: must be an array");
    r.changes.reserve(it->size());
    for (size_t i = 0; i < it->size(); ++i) {
      ASSIGN_OR_RETURN(SyncChange c, ParseSyncChange((*it)[i], i));
      r.changes.push_back(std::move(c));
    }
  }
  if (auto it = j.find("filters"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return Status::InvalidArgument("filters: must be an object");
    const Json& f = *it;
    if (auto t = f.find("entity_types"); t != f.end()) {
      ASSIGN_OR_RETURN(auto names, StringList(*t, "filters.entity_types"));
      for (const auto& n : names) {
        auto et = ParseEntityType(n);
        if (!et) return Status::InvalidArgument("filters.entity_types: unknown type '" + n + "'");
        r.filters.entity_types.push_back(*et);
      }
    }
    if (auto s = f.find("since"); s != f.end() && !s->is_null()) {
      if (!s->is_string()) return Status::InvalidArgument("filters.since: must be a timestamp string");
      auto t = ParseTimestamp(s->get<std::string>());
      if (!t) {
        return Status::InvalidArgument("filters.since: not an ISO-8601 timestamp: '" +
                                       s->get<std::string>() + "'");
      }
      r.filters.since = *t;
    }
    if (auto m = f.find("modified_by"); m != f.end()) {
      ASSIGN_OR_RETURN(r.filters.modified_by, StringList(*m, "filters.modified_by"));
    }
  }
  if (auto it = j.find("vector_clock"); it != j.end() && !it->is_null()) {
    r.vector_clock = *it;
  }
  if (auto it = j.find("cursor"); it != j.end()) {
    r.cursor_present = true;
    if (it->is_string()) {
      r.cursor = it->get<std::string>();
    } else if (!it->is_null()) {
      return Status::InvalidArgument("cursor: must be a string or null");
    }
  }
  return r;
}

StatusOr<SyncResponse> ParseSyncResponse(const Json& j) {
  if (!j.is_object()) return Status::InvalidArgument("response: must be a JSON object");
  SyncResponse r;
  try {
    r.protocol_version = j.value("protocol_version", std::string());
    if (auto it = j.find("changes"); it != j.end() && it->is_array()) {
      for (size_t i = 0; i < it->size(); ++i) {
        ASSIGN_OR_RETURN(SyncChange c, ParseSyncChange((*it)[i], i));
        r.changes.push_back(std::move(c));
      }
    }
    if (auto it = j.find("conflicts"); it != j.end() && it->is_array()) {
      for (const auto& c : *it) {
        ConflictInfo ci;
        ci.entity_id = c.value("entity_id", std::string());
        ci.local_version = c.value("local_version", std::string());
        ci.remote_version = c.value("remote_version", std::string());
        ci.resolution_strategy = c.value("resolution_strategy", std::string());
        ci.resolved_version = c.value("resolved_version", std::string());
        r.conflicts.push_back(std::move(ci));
      }
    }
    if (auto it = j.find("vector_clock"); it != j.end()) r.vector_clock = *it;
    if (auto it = j.find("cursor"); it != j.end() && it->is_string()) r.cursor = it->get<std::string>();
    r.server_time = j.value("server_time", std::string());
    if (auto it = j.find("applied"); it != j.end() && it->is_array()) {
      for (const auto& a : *it) {
        if (a.is_string()) r.applied.push_back(a.get<std::string>());
      }
    }
    if (auto it = j.find("applied_relationships"); it != j.end() && it->is_array()) {
      for (const auto& a : *it) {
        if (a.is_string()) r.applied_relationships.push_back(a.get<std::string>());
      }
    }
    r.state_digest = j.value("state_digest", std::string());
    if (auto it = j.find("sync_stats"); it != j.end() && it->is_object()) {
      r.sync_stats.entities_synced = it->value("entities_synced", size_t{0});
      r.sync_stats.relationships_synced = it->value("relationships_synced", size_t{0});
      r.sync_stats.conflicts_resolved = it->value("conflicts_resolved", size_t{0});
      r.sync_stats.duration_ms = it->value("duration_ms", int64_t{0});
    }
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("response: ") + e.what());
  }
  return r;
}

}  // namespace funkygibbon::sync
