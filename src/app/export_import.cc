#include "app/export_import.h"

#include <algorithm>
#include <map>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace funkygibbon::app {
namespace {
constexpr const char* kFormat = "funkygibbon-export";
constexpr int kFormatVersion = 1;

// Writes one element of a top-level array as doc.dump(1) writes it there:
// every line indented by two more spaces (a JSON string never holds a raw
// newline, so every newline in `text` is between lines).
void WriteElement(std::ostream& out, const Json& element, bool first) {
  out << (first ? "\n  " : ",\n  ");
  const std::string text = element.dump(1, ' ', false, Json::error_handler_t::replace);
  size_t from = 0;
  for (size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', from)) {
    out.write(text.data() + from, static_cast<std::streamsize>(nl + 1 - from));
    out << "  ";
    from = nl + 1;
  }
  out.write(text.data() + from, static_cast<std::streamsize>(text.size() - from));
}

}  // namespace

Status ExportGraphTo(graph::KnowledgeGraph& kg, std::ostream& out) {
  std::map<std::string, std::string> current;  // id -> current version
  std::vector<Relationship> rels;
  RETURN_IF_ERROR(kg.store().ScanCurrent(
      [&](Entity&& e) { current.emplace(e.id, e.version); },
      [&](Relationship&& r) { rels.push_back(std::move(r)); }));
  // Members in the order dump() writes them (sorted by key).
  out << "{\n \"entities\": [";
  bool first = true;
  for (const auto& [id, version] : current) {
    ASSIGN_OR_RETURN(std::vector<Entity> history, kg.store().History(id));
    for (const auto& e : history) {
      Json j = ToJson(e);
      j["current"] = e.version == version;
      WriteElement(out, j, std::exchange(first, false));
    }
  }
  out << (first ? "]" : "\n ]");
  out << ",\n \"format\": " << Json(kFormat).dump() << ",\n \"format_version\": "
      << kFormatVersion << ",\n \"relationships\": [";
  std::sort(rels.begin(), rels.end(),
            [](const Relationship& a, const Relationship& b) { return a.id < b.id; });
  first = true;
  for (const auto& r : rels) {
    Json j = ToJson(r);
    j["deleted"] = r.deleted;
    WriteElement(out, j, std::exchange(first, false));
  }
  out << (first ? "]" : "\n ]") << "\n}\n";
  if (!out) return Status::Internal("export: writing the output failed");
  return Status::Ok();
}

StatusOr<Json> ExportGraph(graph::KnowledgeGraph& kg) {
  std::ostringstream text;
  RETURN_IF_ERROR(ExportGraphTo(kg, text));
  return Json::parse(text.str());
}

namespace {

// An export's records, converted, in document order.
struct ImportRecords {
  std::vector<std::pair<Entity, bool>> entities;  // with its "current" flag
  std::vector<Relationship> relationships;
};

Status CheckHeader(const Json& doc) {
  if (!doc.is_object() || doc.value("format", "") != kFormat) {
    return Status::InvalidArgument(std::string("format: not a ") + kFormat + " document");
  }
  if (!doc.contains("format_version") || !doc["format_version"].is_number_integer() ||
      doc["format_version"].get<int>() != kFormatVersion) {
    return Status::InvalidArgument("format_version: only version 1 is supported");
  }
  if (!doc.contains("entities") || !doc["entities"].is_array()) {
    return Status::InvalidArgument("entities: must be an array");
  }
  if (!doc.contains("relationships") || !doc["relationships"].is_array()) {
    return Status::InvalidArgument("relationships: must be an array");
  }
  return Status::Ok();
}

// A record's optional true/false member (absent: false).
StatusOr<bool> FlagOf(const Json& record, const char* array, size_t i, const char* name) {
  auto it = record.find(name);
  if (it == record.end()) return false;
  if (!it->is_boolean()) {
    return Status::InvalidArgument(std::string(array) + "[" + std::to_string(i) + "]." + name +
                                   ": must be true or false");
  }
  return it->get<bool>();
}

Status AddEntity(const Json& j, size_t i, ImportRecords& out) {
  auto parsed = EntityFromJson(j);
  if (!parsed.ok()) {
    return Status::InvalidArgument("entities[" + std::to_string(i) + "]." +
                                   parsed.status().message());
  }
  ASSIGN_OR_RETURN(bool current, FlagOf(j, "entities", i, "current"));
  out.entities.emplace_back(std::move(parsed).value(), current);
  return Status::Ok();
}

Status AddRelationship(const Json& j, size_t i, ImportRecords& out) {
  auto parsed = RelationshipFromJson(j);
  if (!parsed.ok()) {
    return Status::InvalidArgument("relationships[" + std::to_string(i) + "]." +
                                   parsed.status().message());
  }
  Relationship r = std::move(parsed).value();
  ASSIGN_OR_RETURN(r.deleted, FlagOf(j, "relationships", i, "deleted"));
  out.relationships.push_back(std::move(r));
  return Status::Ok();
}

// Writes the records in one transaction (see ImportGraph).
StatusOr<ImportResult> Apply(graph::KnowledgeGraph& kg, ImportRecords records) {
  ImportResult result;
  store::WriteBatch batch;
  std::vector<store::EntityWrite> currents;
  std::set<std::pair<std::string, std::string>> seen;
  auto lock = kg.LockWriter();
  for (size_t i = 0; i < records.entities.size(); ++i) {
    Entity& e = records.entities[i].first;
    const bool is_current = records.entities[i].second;
    if (!seen.emplace(e.id, e.version).second) {
      return Status::InvalidArgument("entities[" + std::to_string(i) + "]: duplicate version '" +
                                     e.version + "' of '" + e.id + "'");
    }
    ASSIGN_OR_RETURN(std::optional<Entity> existing, kg.store().GetVersion(e.id, e.version));
    graph::EntityPtr local = kg.Read([&](const graph::GraphIndex& g) { return g.Get(e.id); });
    const bool move = is_current && (!local || CompareVersions(e.version, local->version) > 0);
    if (existing) {  // held already (current or not): keep ours
      ++result.versions_skipped;
      continue;
    }
    ++result.versions_added;
    if (move) {
      ++result.current_moved;
      currents.push_back({std::move(e), true});
    } else {
      batch.entities.push_back({std::move(e), false});
    }
  }
  for (auto& c : currents) batch.entities.push_back(std::move(c));
  batch.relationships = std::move(records.relationships);
  result.relationships = batch.relationships.size();
  if (!batch.empty()) RETURN_IF_ERROR(kg.CommitBatchLocked(batch).status());
  return result;
}

}  // namespace

StatusOr<ImportResult> ImportGraph(graph::KnowledgeGraph& kg, const Json& doc) {
  RETURN_IF_ERROR(CheckHeader(doc));
  ImportRecords records;
  const Json& ents = doc["entities"];
  const Json& rels = doc["relationships"];
  records.entities.reserve(ents.size());
  records.relationships.reserve(rels.size());
  for (size_t i = 0; i < ents.size(); ++i) RETURN_IF_ERROR(AddEntity(ents[i], i, records));
  for (size_t i = 0; i < rels.size(); ++i) RETURN_IF_ERROR(AddRelationship(rels[i], i, records));
  return Apply(kg, std::move(records));
}

StatusOr<ImportResult> ImportGraphText(graph::KnowledgeGraph& kg, std::string_view text) {
  ImportRecords records;
  // The first bad record. Parsing goes on (dropping the rest unconverted) so
  // that, as in ImportGraph, a bad header is reported first: members come
  // in key order, "entities" before "format".
  Status record_error;
  std::string key;        // the top-level member being read
  bool in_array = false;  // ... and whether its value is an array
  bool seen_entities = false, seen_relationships = false;
  size_t index = 0;
  // Depth 0 is the document, 1 its members, 2 the elements of a member's
  // array. An element of "entities" or "relationships" is converted when it
  // is complete and then dropped from the tree (the callback returns false),
  // so those arrays stay empty in `doc`.
  auto callback = [&](int depth, Json::parse_event_t event, Json& parsed) -> bool {
    using E = Json::parse_event_t;
    if (depth == 1 && event == E::key) {
      key = parsed.get<std::string>();
      in_array = false;
      index = 0;
      if (key == "entities" || key == "relationships") {
        bool& seen = key == "entities" ? seen_entities : seen_relationships;
        if (std::exchange(seen, true) && record_error.ok()) {
          record_error = Status::InvalidArgument(key + ": appears twice in the document");
        }
      }
      return true;
    }
    if (depth == 1 && event == E::array_start) in_array = true;
    if (depth != 2 || !in_array || (key != "entities" && key != "relationships")) return true;
    if (event != E::object_end && event != E::array_end && event != E::value) return true;
    if (record_error.ok()) {
      record_error = key == "entities" ? AddEntity(parsed, index, records)
                                       : AddRelationship(parsed, index, records);
    }
    ++index;
    return false;
  };
  Json doc;
  try {
    doc = Json::parse(text.begin(), text.end(), callback);
  } catch (const Json::exception& e) {
    return Status::InvalidArgument(std::string("import: the file is not valid JSON: ") + e.what());
  }
  RETURN_IF_ERROR(CheckHeader(doc));
  RETURN_IF_ERROR(record_error);
  return Apply(kg, std::move(records));
}

}  // namespace funkygibbon::app
