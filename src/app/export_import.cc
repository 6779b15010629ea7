#include "app/export_import.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace funkygibbon::app {
namespace {
constexpr const char* kFormat = "funkygibbon-export";
constexpr int kFormatVersion = 1;
}  // namespace

StatusOr<Json> ExportGraph(graph::KnowledgeGraph& kg) {
  std::map<std::string, std::string> current;  // id -> current version
  std::vector<Relationship> rels;
  RETURN_IF_ERROR(kg.store().ScanCurrent(
      [&](Entity&& e) { current.emplace(e.id, e.version); },
      [&](Relationship&& r) { rels.push_back(std::move(r)); }));
  Json entities = Json::array();
  for (const auto& [id, version] : current) {
    ASSIGN_OR_RETURN(std::vector<Entity> history, kg.store().History(id));
    for (const auto& e : history) {
      Json j = ToJson(e);
      j["current"] = e.version == version;
      entities.push_back(std::move(j));
    }
  }
  std::sort(rels.begin(), rels.end(),
            [](const Relationship& a, const Relationship& b) { return a.id < b.id; });
  Json relationships = Json::array();
  for (const auto& r : rels) {
    Json j = ToJson(r);
    j["deleted"] = r.deleted;
    relationships.push_back(std::move(j));
  }
  return Json{{"format", kFormat},
              {"format_version", kFormatVersion},
              {"entities", std::move(entities)},
              {"relationships", std::move(relationships)}};
}

StatusOr<ImportResult> ImportGraph(graph::KnowledgeGraph& kg, const Json& doc) {
  if (!doc.is_object() || doc.value("format", "") != kFormat) {
    return Status::InvalidArgument(std::string("format: not a ") + kFormat + " document");
  }
  if (!doc.contains("format_version") || !doc["format_version"].is_number_integer() ||
      doc["format_version"].get<int>() != kFormatVersion) {
    return Status::InvalidArgument("format_version: only version 1 is supported");
  }
  const Json& ents = doc.contains("entities") ? doc["entities"] : Json();
  const Json& rels = doc.contains("relationships") ? doc["relationships"] : Json();
  if (!ents.is_array()) return Status::InvalidArgument("entities: must be an array");
  if (!rels.is_array()) return Status::InvalidArgument("relationships: must be an array");

  ImportResult result;
  store::WriteBatch batch;
  std::vector<store::EntityWrite> currents;
  std::set<std::pair<std::string, std::string>> seen;
  auto lock = kg.LockWriter();
  for (size_t i = 0; i < ents.size(); ++i) {
    auto parsed = EntityFromJson(ents[i]);
    if (!parsed.ok()) {
      return Status::InvalidArgument("entities[" + std::to_string(i) + "]." + parsed.status().message());
    }
    Entity e = std::move(parsed).value();
    if (!seen.emplace(e.id, e.version).second) {
      return Status::InvalidArgument("entities[" + std::to_string(i) + "]: duplicate version '" +
                                     e.version + "' of '" + e.id + "'");
    }
    const bool is_current = ents[i].value("current", false);
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
  for (size_t i = 0; i < rels.size(); ++i) {
    auto parsed = RelationshipFromJson(rels[i]);
    if (!parsed.ok()) {
      return Status::InvalidArgument("relationships[" + std::to_string(i) + "]." +
                                     parsed.status().message());
    }
    Relationship r = std::move(parsed).value();
    r.deleted = rels[i].value("deleted", false);
    batch.relationships.push_back(std::move(r));
  }
  result.relationships = batch.relationships.size();
  if (!batch.empty()) RETURN_IF_ERROR(kg.CommitBatchLocked(batch).status());
  return result;
}

}  // namespace funkygibbon::app
