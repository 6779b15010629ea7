#include "mcp/tool_handlers.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <string>
#include <unordered_set>
#include <utility>

#include "core/json_escape.h"
#include "mcp/json_text.h"

namespace funkygibbon::mcp {
namespace {

using graph::Direction;
using graph::EntityPtr;
using graph::GraphIndex;
using graph::KnowledgeGraph;
using graph::RelationshipPtr;

// ---- argument helpers (arguments already passed the inputSchema) ----

std::string Str(const Json& a, const char* key, std::string def = {}) {
  auto it = a.find(key);
  return it != a.end() && it->is_string() ? it->get<std::string>() : def;
}
int64_t Int(const Json& a, const char* key, int64_t def) {
  auto it = a.find(key);
  return it != a.end() && it->is_number() ? it->get<int64_t>() : def;
}
double Num(const Json& a, const char* key, double def) {
  auto it = a.find(key);
  return it != a.end() && it->is_number() ? it->get<double>() : def;
}
bool Bool(const Json& a, const char* key, bool def) {
  auto it = a.find(key);
  return it != a.end() && it->is_boolean() ? it->get<bool>() : def;
}

StatusOr<EntityType> EntityTypeArg(const std::string& s, const char* field) {
  auto t = ParseEntityType(s);
  if (!t) return Status::InvalidArgument(std::string(field) + ": unknown entity type '" + s + "'");
  return *t;
}

StatusOr<std::vector<EntityType>> EntityTypesArg(const Json& a, const char* key) {
  std::vector<EntityType> out;
  auto it = a.find(key);
  if (it == a.end()) return out;
  for (const auto& v : *it) {
    ASSIGN_OR_RETURN(EntityType t, EntityTypeArg(v.get<std::string>(), key));
    out.push_back(t);
  }
  return out;
}

StatusOr<std::vector<RelationshipType>> RelTypesArg(const Json& a, const char* key) {
  std::vector<RelationshipType> out;
  auto it = a.find(key);
  if (it == a.end()) return out;
  for (const auto& v : *it) {
    auto t = ParseRelationshipType(v.get<std::string>());
    if (!t) return Status::InvalidArgument(std::string(key) + ": unknown relationship type");
    out.push_back(*t);
  }
  return out;
}

Direction DirectionArg(const Json& a, Direction def) {
  auto d = graph::ParseDirection(Str(a, "direction"));
  return d ? *d : def;
}

// Defaults of the paging arguments (their maxima are in tools.json).
constexpr int64_t kDefaultRelationshipLimit = 100;
constexpr int64_t kDefaultHistoryLimit = 100;

// ---- result helpers ----

Json Summary(const std::string& id, const std::string& name, EntityType type) {
  return Json{{"id", id}, {"name", name}, {"entity_type", ToString(type)}};
}
Json Summary(const Entity& e) { return Summary(e.id, e.name, e.entity_type); }

std::string_view Walked(bool forward) { return forward ? "forward" : "backward"; }

Status NotFoundEntity(const std::string& field, const std::string& id) {
  return Status::NotFound(field + ": entity '" + id +
                          "' not found; use search_entities or query_graph to find the right id");
}

// The live entity with this id, or NotFound.
StatusOr<EntityPtr> Live(const GraphIndex& g, const std::string& field, const std::string& id) {
  EntityPtr e = g.Get(id);
  if (!e || e->deleted()) return NotFoundEntity(field, id);
  return e;
}

StatusOr<EntityPtr> LiveOfType(const GraphIndex& g, const std::string& field,
                               const std::string& id, EntityType type) {
  ASSIGN_OR_RETURN(EntityPtr e, Live(g, field, id));
  if (e->entity_type != type) {
    return Status::InvalidArgument(field + ": '" + id + "' is a " +
                                   std::string(ToString(e->entity_type)) + " ('" + e->name +
                                   "'), not a " + std::string(ToString(type)));
  }
  return e;
}

// ---- answers written as text (ToolWriter) ----
// Each writes exactly what DumpJson would write for the same answer built
// as a Json tree: members in name order, compact, strings escaped as
// nlohmann escapes them.

void AppendString(std::string* out, std::string_view s) {
  AppendJsonString(out, s, InvalidUtf8::kReplace);
}

void AppendUnsigned(std::string* out, uint64_t n) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  out->append(buf, r.ptr);
}

// The members of Summary(id, name, type), without the braces: a search hit
// adds its own after them.
void AppendSummaryMembers(std::string* out, std::string_view id, std::string_view name,
                          EntityType type) {
  *out += "\"entity_type\":";
  AppendString(out, ToString(type));
  *out += ",\"id\":";
  AppendString(out, id);
  *out += ",\"name\":";
  AppendString(out, name);
}

// DumpJson(Summary(id, name, type)).
void AppendSummary(std::string* out, std::string_view id, std::string_view name,
                   EntityType type) {
  *out += '{';
  AppendSummaryMembers(out, id, name, type);
  *out += '}';
}

// A relationship as a page of get_entity_details lists it: its ids, type and
// properties, and a summary of the other end ({id, name: "", entity_type:
// "note"} if unknown).
void AppendEdgeBrief(std::string* out, const GraphIndex::EdgeBrief& b) {
  *out += "{\"from_entity_id\":";
  AppendString(out, b.from_entity_id);
  *out += ",\"id\":";
  AppendString(out, b.id);
  *out += ",\"other\":";
  AppendSummary(out, b.other_id, b.other_known ? b.other_name : std::string_view(),
                b.other_known ? b.other_type : EntityType::kNote);
  *out += ",\"properties\":";
  if (b.properties->is_object() && b.properties->empty()) {
    *out += "{}";
  } else {
    *out += DumpJson(*b.properties);
  }
  *out += ",\"relationship_type\":";
  AppendString(out, ToString(b.relationship_type));
  *out += ",\"to_entity_id\":";
  AppendString(out, b.to_entity_id);
  *out += '}';
}

// An entity reached over an edge, for the house-specific answers.
Json Reached(const Entity& e, RelationshipType via_type, const std::string& via = {}) {
  Json j = Summary(e);
  j["relationship_type"] = ToString(via_type);
  if (!via.empty()) j["via"] = via;
  j["content"] = e.content;
  return j;
}

// Neighbours of id over edges of the given types, in the given direction
// (out: id is from_entity; in: id is to_entity).
std::vector<std::pair<EntityPtr, RelationshipPtr>> Neighbours(
    const GraphIndex& g, const std::string& id, Direction dir,
    std::initializer_list<RelationshipType> types) {
  std::vector<std::pair<EntityPtr, RelationshipPtr>> out;
  auto take = [&](const std::vector<RelationshipPtr>& edges, bool outgoing) {
    for (const auto& r : edges) {
      if (std::find(types.begin(), types.end(), r->relationship_type) == types.end()) continue;
      EntityPtr other = g.Get(outgoing ? r->to_entity_id : r->from_entity_id);
      if (other && !other->deleted()) out.emplace_back(other, r);
    }
  };
  if (dir != Direction::kIn) take(g.Outgoing(id), true);
  if (dir != Direction::kOut) take(g.Incoming(id), false);
  return out;
}

// ---- handlers ----

StatusOr<Json> CreateEntity(KnowledgeGraph& kg, const Json& a, ToolContext& ctx) {
  graph::NewEntity req;
  ASSIGN_OR_RETURN(req.entity_type, EntityTypeArg(Str(a, "entity_type"), "entity_type"));
  req.name = Str(a, "name");
  if (auto it = a.find("content"); it != a.end()) req.content = *it;
  if (a.contains("source_type")) {
    auto st = ParseSourceType(Str(a, "source_type"));
    if (!st) return Status::InvalidArgument("source_type: unknown source type");
    req.source_type = *st;
  }
  req.id = Str(a, "id");
  ASSIGN_OR_RETURN(Entity e, kg.CreateEntity(req, ctx.user_id));
  ctx.log(LogLevel::kInfo, Json{{"event", "entity_created"}, {"id", e.id}});
  return Json{{"id", e.id}, {"entity", ToJson(e)}};
}

StatusOr<Json> UpdateEntity(KnowledgeGraph& kg, const Json& a, ToolContext& ctx) {
  graph::EntityEdit edit;
  const Json* src = &a;
  if (auto it = a.find("changes"); it != a.end()) {
    if (a.contains("name") || a.contains("content")) {
      return Status::InvalidArgument(
          "give either changes{name, content} or top-level name/content, not both");
    }
    src = &*it;
  }
  if (auto it = src->find("name"); it != src->end()) edit.name = it->get<std::string>();
  if (auto it = src->find("content"); it != src->end()) edit.content = *it;
  edit.replace_content = Bool(a, "replace_content", false);
  std::string user = Str(a, "user_id", ctx.user_id);
  std::string id = Str(a, "entity_id");
  std::string previous = kg.Read([&](const GraphIndex& g) {
    EntityPtr e = g.Get(id);
    return e ? e->version : std::string();
  });
  ASSIGN_OR_RETURN(Entity e, kg.UpdateEntity(id, edit, user));
  return Json{{"entity", ToJson(e)}, {"previous_version", e.parent_versions.empty() ? previous : e.parent_versions[0]}};
}

StatusOr<Json> DeleteEntity(KnowledgeGraph& kg, const Json& a, ToolContext& ctx) {
  ASSIGN_OR_RETURN(graph::DeleteResult r, kg.DeleteEntity(Str(a, "entity_id"), ctx.user_id));
  Json removed = Json::array();
  for (const auto& rel : r.removed_relationships) removed.push_back(ToJson(rel));
  return Json{{"entity_id", r.tombstone.id},
              {"version", r.tombstone.version},
              {"deleted", true},
              {"removed_relationships", std::move(removed)}};
}

// Written as text (ToolWriter): a details answer is the most common large
// one. Members in name order: connected, deleted, entity, incoming,
// incoming_total, next_relationship_offset, outgoing, outgoing_total,
// truncated, version_count.
StatusOr<std::string> GetEntityDetails(KnowledgeGraph& kg, const Json& a, ToolContext&) {
  const std::string id = Str(a, "entity_id");
  const bool rels = Bool(a, "include_relationships", true);
  const bool connected = Bool(a, "include_connected", false);
  // A hub entity may have tens of thousands of relationships: each direction
  // is paged so one answer stays small.
  const size_t limit = static_cast<size_t>(Int(a, "relationship_limit", kDefaultRelationshipLimit));
  const size_t offset = static_cast<size_t>(Int(a, "relationship_offset", 0));
  std::string out;
  // Written from the index in place: no Entity or Relationship is built.
  RETURN_IF_ERROR(kg.Read([&](const GraphIndex& g) -> Status {
    std::string entity;
    entity.reserve(512);
    bool deleted = false;
    if (!g.AppendEntityJson(id, &entity, &deleted)) return NotFoundEntity("entity_id", id);
    out.reserve(1024 + entity.size());
    out += '{';
    if (connected) {
      // Each entity at the other end of an edge of either page, once, in
      // page order (outgoing first).
      std::set<std::string, std::less<>> seen;
      out += "\"connected\":[";
      bool first = true;
      auto add = [&](const GraphIndex::EdgeBrief& b) {
        if (!seen.emplace(b.other_id).second) return;
        const size_t mark = out.size();
        if (!first) out += ',';
        if (g.AppendEntityJson(b.other_id, &out)) {
          first = false;
        } else {
          out.resize(mark);
        }
      };
      g.VisitEdgePage(id, /*outgoing=*/true, offset, limit, add);
      g.VisitEdgePage(id, /*outgoing=*/false, offset, limit, add);
      out += "],";
    }
    out += deleted ? "\"deleted\":true" : "\"deleted\":false";
    out += ",\"entity\":";
    out += entity;
    if (rels || connected) {
      // A page of one direction; its total is returned.
      auto edges = [&](bool outgoing, bool print) {
        if (print) out += '[';
        size_t n = 0;
        const size_t total =
            g.VisitEdgePage(id, outgoing, offset, print ? limit : 0,
                            [&](const GraphIndex::EdgeBrief& b) {
                              if (n++ > 0) out += ',';
                              AppendEdgeBrief(&out, b);
                            });
        if (print) out += ']';
        return total;
      };
      const size_t out_total = edges(/*outgoing=*/true, /*print=*/false);
      const size_t in_total = edges(/*outgoing=*/false, /*print=*/false);
      const bool more = out_total > offset + limit || in_total > offset + limit;
      if (rels) {
        out += ",\"incoming\":";
        edges(/*outgoing=*/false, /*print=*/true);
      }
      out += ",\"incoming_total\":";
      AppendUnsigned(&out, in_total);
      if (more) {
        out += ",\"next_relationship_offset\":";
        AppendUnsigned(&out, offset + limit);
      }
      if (rels) {
        out += ",\"outgoing\":";
        edges(/*outgoing=*/true, /*print=*/true);
      }
      out += ",\"outgoing_total\":";
      AppendUnsigned(&out, out_total);
      out += offset > 0 || more ? ",\"truncated\":true" : ",\"truncated\":false";
    }
    return Status::Ok();
  }));
  ASSIGN_OR_RETURN(size_t versions, kg.store().VersionCount(id));
  out += ",\"version_count\":";
  AppendUnsigned(&out, versions);
  out += '}';
  return out;
}

StatusOr<Json> GetEntityHistory(KnowledgeGraph& kg, const Json& a, ToolContext&) {
  const std::string id = Str(a, "entity_id");
  auto history = kg.History(id);
  if (!history.ok()) {
    if (history.status().code() == StatusCode::kNotFound) return NotFoundEntity("entity_id", id);
    return history.status();
  }
  // Oldest first, paged: an entity edited for years has many versions.
  const size_t limit = static_cast<size_t>(Int(a, "limit", kDefaultHistoryLimit));
  const size_t offset = static_cast<size_t>(Int(a, "offset", 0));
  const size_t begin = std::min(offset, history->size());
  const size_t end = begin + std::min(limit, history->size() - begin);
  Json versions = Json::array();
  for (size_t i = begin; i < end; ++i) versions.push_back(ToJson((*history)[i]));
  std::string current = kg.Read([&](const GraphIndex& g) {
    EntityPtr e = g.Get(id);
    return e ? e->version : std::string();
  });
  Json out{{"entity_id", id},
           {"count", history->size()},
           {"current_version", current},
           {"offset", offset},
           {"truncated", end - begin < history->size()},
           {"versions", std::move(versions)}};
  if (end < history->size()) out["next_offset"] = end;
  return out;
}

StatusOr<Json> CreateRelationship(KnowledgeGraph& kg, const Json& a, ToolContext& ctx) {
  graph::NewRelationship req;
  req.from_entity_id = Str(a, "from_entity_id");
  req.to_entity_id = Str(a, "to_entity_id");
  auto t = ParseRelationshipType(Str(a, "relationship_type"));
  if (!t) return Status::InvalidArgument("relationship_type: unknown relationship type");
  req.relationship_type = *t;
  if (auto it = a.find("properties"); it != a.end()) req.properties = *it;
  ASSIGN_OR_RETURN(Relationship r, kg.CreateRelationship(req, ctx.user_id));
  return Json{{"id", r.id}, {"relationship", ToJson(r)}};
}

StatusOr<Json> DeleteRelationship(KnowledgeGraph& kg, const Json& a, ToolContext& ctx) {
  ASSIGN_OR_RETURN(Relationship r, kg.DeleteRelationship(Str(a, "relationship_id"), ctx.user_id));
  return Json{{"relationship", ToJson(r)}, {"deleted", true}};
}

// Written as text (ToolWriter). Members in name order: query, results
// (each a summary with score and snippet), total.
StatusOr<std::string> SearchEntities(KnowledgeGraph& kg, const Json& a, ToolContext&) {
  store::SearchRequest req;
  req.query = Str(a, "query");
  ASSIGN_OR_RETURN(req.entity_types, EntityTypesArg(a, "entity_types"));
  req.limit = static_cast<size_t>(Int(a, "limit", 10));
  req.offset = static_cast<size_t>(Int(a, "offset", 0));
  ASSIGN_OR_RETURN(store::SearchResult res, kg.Search(req));
  std::string out;
  out.reserve(128 + 256 * res.hits.size());
  out += "{\"query\":";
  AppendString(&out, req.query);
  out += ",\"results\":[";
  bool first = true;
  kg.Read([&](const GraphIndex& g) {
    for (const auto& h : res.hits) {
      std::optional<graph::EntitySummary> e = g.GetSummary(h.id);
      if (!e) continue;
      out += std::exchange(first, false) ? "{" : ",{";
      AppendSummaryMembers(&out, e->id, e->name, e->entity_type);
      out += ",\"score\":";
      out += DumpJson(Json(h.score));
      out += ",\"snippet\":";
      AppendString(&out, h.snippet);
      out += '}';
    }
    return 0;
  });
  out += "],\"total\":";
  AppendUnsigned(&out, res.total);
  out += '}';
  return out;
}

StatusOr<Json> FindSimilar(KnowledgeGraph& kg, const Json& a, ToolContext&) {
  graph::SimilarOptions opt;
  opt.threshold = Num(a, "threshold", opt.threshold);
  opt.limit = static_cast<size_t>(Int(a, "limit", 10));
  ASSIGN_OR_RETURN(opt.entity_types, EntityTypesArg(a, "entity_types"));
  const std::string id = Str(a, "entity_id");
  return kg.Read([&](const GraphIndex& g) -> StatusOr<Json> {
    RETURN_IF_ERROR(Live(g, "entity_id", id).status());
    ASSIGN_OR_RETURN(auto hits, g.FindSimilar(id, opt));
    Json results = Json::array();
    for (const auto& h : hits) {
      Json j = Summary(*h.entity);
      j["score"] = h.score;
      j["reasons"] = h.reasons;
      results.push_back(std::move(j));
    }
    return Json{{"entity_id", id}, {"threshold", opt.threshold}, {"results", std::move(results)}};
  });
}

// Written as text (ToolWriter). Members in name order: edges, explored,
// found, from_entity_id, length (found) or message (not found), nodes,
// to_entity_id.
StatusOr<std::string> FindPath(KnowledgeGraph& kg, const Json& a, ToolContext&) {
  graph::PathOptions opt;
  opt.direction = DirectionArg(a, Direction::kBoth);
  ASSIGN_OR_RETURN(opt.relationship_types, RelTypesArg(a, "relationship_types"));
  opt.max_depth = static_cast<int>(Int(a, "max_depth", 10));
  const std::string from = Str(a, "from_entity_id"), to = Str(a, "to_entity_id");
  ASSIGN_OR_RETURN(graph::PathResult p, kg.Read([&](const GraphIndex& g) -> StatusOr<graph::PathResult> {
    if (!g.IsLive(from)) return NotFoundEntity("from_entity_id", from);
    if (!g.IsLive(to)) return NotFoundEntity("to_entity_id", to);
    return g.FindPath(from, to, opt);
  }));
  std::string out;
  out.reserve(256 + 160 * p.edges.size() + 96 * p.nodes.size());
  out += "{\"edges\":[";
  for (size_t i = 0; i < p.edges.size(); ++i) {
    const graph::PathStep& s = p.edges[i];
    out += i > 0 ? ",{\"from_entity_id\":" : "{\"from_entity_id\":";
    AppendString(&out, s.from_entity_id);
    out += ",\"id\":";
    AppendString(&out, s.id);
    out += ",\"relationship_type\":";
    AppendString(&out, ToString(s.relationship_type));
    out += ",\"to_entity_id\":";
    AppendString(&out, s.to_entity_id);
    out += ",\"walked\":";
    AppendString(&out, Walked(s.forward));
    out += '}';
  }
  out += "],\"explored\":";
  AppendUnsigned(&out, p.explored);
  out += p.found ? ",\"found\":true" : ",\"found\":false";
  out += ",\"from_entity_id\":";
  AppendString(&out, from);
  if (p.found) {
    out += ",\"length\":";
    AppendUnsigned(&out, p.edges.size());
  } else {
    out += ",\"message\":";
    AppendString(&out, "no path within " +
                           std::to_string(std::min(opt.max_depth, graph::kMaxPathDepth)) +
                           " relationships with direction '" +
                           std::string(ToString(opt.direction)) +
                           "'; try direction 'both', a larger max_depth or fewer relationship types");
  }
  out += ",\"nodes\":[";
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    if (i > 0) out += ',';
    AppendSummary(&out, p.nodes[i].id, p.nodes[i].name, p.nodes[i].entity_type);
  }
  out += "],\"to_entity_id\":";
  AppendString(&out, to);
  out += '}';
  return out;
}

StatusOr<Json> GetConnected(KnowledgeGraph& kg, const Json& a, ToolContext&) {
  graph::NeighbourhoodOptions opt;
  opt.direction = DirectionArg(a, Direction::kBoth);
  ASSIGN_OR_RETURN(opt.relationship_types, RelTypesArg(a, "relationship_types"));
  ASSIGN_OR_RETURN(opt.entity_types, EntityTypesArg(a, "entity_types"));
  opt.depth = static_cast<int>(Int(a, "depth", 1));
  opt.limit = static_cast<size_t>(Int(a, "limit", 100));
  opt.summaries_only = true;
  const std::string id = Str(a, "entity_id");
  return kg.Read([&](const GraphIndex& g) -> StatusOr<Json> {
    if (!g.IsLive(id)) return NotFoundEntity("entity_id", id);
    ASSIGN_OR_RETURN(graph::NeighbourhoodResult n, g.Neighbourhood(id, opt));
    Json results = Json::array();
    for (const auto& nb : n.neighbours) {
      Json j = Summary(nb.summary.id, nb.summary.name, nb.summary.entity_type);
      j["distance"] = nb.distance;
      if (!nb.via_id.empty()) {
        j["via_relationship_id"] = nb.via_id;
        j["via_relationship_type"] = ToString(nb.via_type);
        j["walked"] = Walked(nb.forward);
      }
      results.push_back(std::move(j));
    }
    return Json{{"entity_id", id},
                {"depth", opt.depth},
                {"total", n.total},
                {"truncated", n.truncated},
                {"results", std::move(results)}};
  });
}

StatusOr<Json> QueryGraph(KnowledgeGraph& kg, const Json& a, ToolContext&) {
  const bool full = Bool(a, "full", false);
  auto render = [full](const Entity& e) { return full ? ToJson(e) : Summary(e); };
  if (a.contains("cypher")) {
    for (const char* k : {"entity_type", "filters", "relationships", "order_by", "descending",
                          "offset", "include_deleted"}) {
      if (a.contains(k)) {
        return Status::InvalidArgument(std::string("give either cypher or structured fields, not both (found '") +
                                       k + "')");
      }
    }
    const size_t max_rows = static_cast<size_t>(Int(a, "limit", 1000));
    return kg.Read([&](const GraphIndex& g) -> StatusOr<Json> {
      ASSIGN_OR_RETURN(graph::CypherResult r, g.RunCypher(Str(a, "cypher"), max_rows));
      Json rows = Json::array();
      for (const auto& row : r.rows) {
        Json jr = Json::object();
        for (size_t c = 0; c < r.columns.size() && c < row.size(); ++c) {
          jr[r.columns[c]] = row[c] ? render(*row[c]) : Json(nullptr);
        }
        rows.push_back(std::move(jr));
      }
      return Json{{"total", r.total}, {"columns", r.columns}, {"rows", std::move(rows)}};
    });
  }
  graph::StructuredQuery q;
  if (a.contains("entity_type")) {
    ASSIGN_OR_RETURN(q.entity_type, EntityTypeArg(Str(a, "entity_type"), "entity_type"));
  }
  if (auto it = a.find("filters"); it != a.end()) {
    for (const auto& f : *it) {
      graph::FieldFilter ff;
      ff.field = Str(f, "field");
      std::string op = Str(f, "op", "eq");
      auto parsed = graph::ParseFilterOp(op);
      if (!parsed) return Status::InvalidArgument("filters.op: unknown operator '" + op + "'");
      ff.op = *parsed;
      if (auto v = f.find("value"); v != f.end()) ff.value = *v;
      q.filters.push_back(std::move(ff));
    }
  }
  if (auto it = a.find("relationships"); it != a.end()) {
    for (const auto& p : *it) {
      graph::RelationshipPattern rp;
      if (p.contains("type")) rp.type = ParseRelationshipType(Str(p, "type"));
      rp.direction = DirectionArg(p, Direction::kOut);
      if (p.contains("other_type")) rp.other_type = ParseEntityType(Str(p, "other_type"));
      if (p.contains("other_name")) rp.other_name = Str(p, "other_name");
      if (p.contains("other_id")) rp.other_id = Str(p, "other_id");
      rp.negate = Bool(p, "negate", false);
      q.relationships.push_back(std::move(rp));
    }
  }
  q.order_by = Str(a, "order_by", "name");
  q.descending = Bool(a, "descending", false);
  q.limit = static_cast<size_t>(Int(a, "limit", 50));
  q.offset = static_cast<size_t>(Int(a, "offset", 0));
  q.include_deleted = Bool(a, "include_deleted", false);
  q.summaries_only = !full;
  return kg.Read([&](const GraphIndex& g) -> StatusOr<Json> {
    ASSIGN_OR_RETURN(graph::QueryResult r, g.Query(q));
    Json results = Json::array();
    for (const auto& e : r.entities) results.push_back(render(*e));
    for (const auto& s : r.summaries) results.push_back(Summary(s.id, s.name, s.entity_type));
    return Json{{"total", r.total}, {"limit", q.limit}, {"offset", q.offset},
                {"results", std::move(results)}};
  });
}

StatusOr<Json> Statistics(KnowledgeGraph& kg, const Json&, ToolContext&) {
  return StatisticsJson(kg.Read([](const GraphIndex& g) { return g.Statistics(); }));
}

StatusOr<Json> DevicesInRoom(KnowledgeGraph& kg, const Json& a, ToolContext&) {
  const std::string id = Str(a, "room_id");
  return kg.Read([&](const GraphIndex& g) -> StatusOr<Json> {
    ASSIGN_OR_RETURN(EntityPtr room, LiveOfType(g, "room_id", id, EntityType::kRoom));
    using R = RelationshipType;
    Json devices = Json::array();
    std::unordered_set<std::string> seen;
    std::vector<EntityPtr> direct;
    for (auto& [e, r] : Neighbours(g, id, Direction::kIn, {R::kLocatedIn, R::kContainedIn, R::kPartOf})) {
      if (e->entity_type != EntityType::kDevice || !seen.insert(e->id).second) continue;
      devices.push_back(Reached(*e, r->relationship_type));
      direct.push_back(e);
    }
    // Devices attached to those devices (a bulb part_of a fixture in the room).
    for (const auto& d : direct) {
      for (auto& [e, r] : Neighbours(g, d->id, Direction::kIn, {R::kPartOf, R::kContainedIn, R::kLocatedIn})) {
        if (e->entity_type != EntityType::kDevice || !seen.insert(e->id).second) continue;
        devices.push_back(Reached(*e, r->relationship_type, d->id));
      }
    }
    return Json{{"room", Summary(*room)}, {"count", devices.size()}, {"devices", std::move(devices)}};
  });
}

StatusOr<Json> DeviceControls(KnowledgeGraph& kg, const Json& a, ToolContext&) {
  const std::string id = Str(a, "device_id");
  return kg.Read([&](const GraphIndex& g) -> StatusOr<Json> {
    ASSIGN_OR_RETURN(EntityPtr dev, LiveOfType(g, "device_id", id, EntityType::kDevice));
    using R = RelationshipType;
    Json by = Json::array(), controls = Json::array();
    for (auto& [e, r] : Neighbours(g, id, Direction::kIn, {R::kControls, R::kManages, R::kAutomates})) {
      by.push_back(Reached(*e, r->relationship_type));
    }
    for (auto& [e, r] : Neighbours(g, id, Direction::kOut, {R::kControlledByApp})) {
      by.push_back(Reached(*e, r->relationship_type));
    }
    for (auto& [e, r] : Neighbours(g, id, Direction::kOut, {R::kControls, R::kManages})) {
      controls.push_back(Reached(*e, r->relationship_type));
    }
    Json out{{"device", Summary(*dev)}, {"controlled_by", std::move(by)}, {"controls", std::move(controls)}};
    Json caps = Json::object();
    for (const char* k : {"controls", "capabilities", "characteristics", "services"}) {
      if (auto it = dev->content.find(k); it != dev->content.end()) caps[k] = *it;
    }
    if (!caps.empty()) out["capabilities"] = std::move(caps);
    return out;
  });
}

StatusOr<Json> RoomConnections(KnowledgeGraph& kg, const Json& a, ToolContext&) {
  const std::string id = Str(a, "room_id");
  return kg.Read([&](const GraphIndex& g) -> StatusOr<Json> {
    ASSIGN_OR_RETURN(EntityPtr room, LiveOfType(g, "room_id", id, EntityType::kRoom));
    using R = RelationshipType;
    Json connections = Json::array(), openings = Json::array();
    std::set<std::pair<std::string, std::string>> seen;  // (room, via)
    auto add = [&](const EntityPtr& other, const EntityPtr& via, RelationshipType t) {
      if (other->id == id) return;
      if (!seen.emplace(other->id, via ? via->id : "").second) return;
      connections.push_back(Json{{"room", Summary(*other)},
                                 {"via", via ? Summary(*via) : Json(nullptr)},
                                 {"relationship_type", ToString(t)}});
    };
    std::unordered_set<std::string> opening_ids;
    // Direct room <-> room, and the room's doors/windows (either edge direction,
    // connects_to or located_in).
    for (auto& [e, r] : Neighbours(g, id, Direction::kBoth, {R::kConnectsTo, R::kLocatedIn, R::kPartOf})) {
      if (e->entity_type == EntityType::kRoom && r->relationship_type == R::kConnectsTo) {
        add(e, nullptr, r->relationship_type);
      } else if ((e->entity_type == EntityType::kDoor || e->entity_type == EntityType::kWindow) &&
                 opening_ids.insert(e->id).second) {
        openings.push_back(Summary(*e));
        for (auto& [far, r2] : Neighbours(g, e->id, Direction::kBoth, {R::kConnectsTo, R::kLocatedIn, R::kPartOf})) {
          if (far->entity_type == EntityType::kRoom) add(far, e, r2->relationship_type);
        }
      }
    }
    return Json{{"room", Summary(*room)},
                {"count", connections.size()},
                {"connections", std::move(connections)},
                {"openings", std::move(openings)}};
  });
}

StatusOr<Json> ProceduresForDevice(KnowledgeGraph& kg, const Json& a, ToolContext&) {
  const std::string id = Str(a, "device_id");
  return kg.Read([&](const GraphIndex& g) -> StatusOr<Json> {
    ASSIGN_OR_RETURN(EntityPtr dev, LiveOfType(g, "device_id", id, EntityType::kDevice));
    using R = RelationshipType;
    Json procedures = Json::array(), manuals = Json::array(), notes = Json::array();
    std::unordered_set<std::string> seen;
    auto file = [&](const EntityPtr& e, RelationshipType t, const std::string& via) {
      if (!seen.insert(e->id).second) return;
      Json j = Reached(*e, t, via);
      switch (e->entity_type) {
        case EntityType::kProcedure: procedures.push_back(std::move(j)); break;
        case EntityType::kManual: manuals.push_back(std::move(j)); break;
        case EntityType::kNote: notes.push_back(std::move(j)); break;
        default: break;
      }
    };
    for (auto& [e, r] : Neighbours(g, id, Direction::kIn, {R::kProcedureFor, R::kContainedIn, R::kLocatedIn})) {
      file(e, r->relationship_type, "");
    }
    std::vector<EntityPtr> docs;
    for (auto& [e, r] : Neighbours(g, id, Direction::kOut, {R::kDocumentedBy, R::kHasBlob})) {
      file(e, r->relationship_type, "");
      docs.push_back(e);
    }
    // Procedures that are part of (or documented by) the device's manuals.
    for (const auto& d : docs) {
      for (auto& [e, r] : Neighbours(g, d->id, Direction::kIn, {R::kPartOf, R::kDocumentedBy, R::kContainedIn})) {
        if (e->entity_type == EntityType::kProcedure) file(e, r->relationship_type, d->id);
      }
    }
    return Json{{"device", Summary(*dev)},
                {"procedures", std::move(procedures)},
                {"manuals", std::move(manuals)},
                {"notes", std::move(notes)}};
  });
}

StatusOr<Json> AutomationsInRoom(KnowledgeGraph& kg, const Json& a, ToolContext&) {
  const std::string id = Str(a, "room_id");
  return kg.Read([&](const GraphIndex& g) -> StatusOr<Json> {
    ASSIGN_OR_RETURN(EntityPtr room, LiveOfType(g, "room_id", id, EntityType::kRoom));
    using R = RelationshipType;
    const auto acting = {R::kAutomates, R::kControls, R::kTriggeredBy, R::kMonitors, R::kManages};
    std::vector<EntityPtr> targets = {room};
    for (auto& [e, r] : Neighbours(g, id, Direction::kIn, {R::kLocatedIn, R::kContainedIn, R::kPartOf})) {
      if (e->entity_type == EntityType::kDevice || e->entity_type == EntityType::kDoor ||
          e->entity_type == EntityType::kWindow) {
        targets.push_back(e);
      }
    }
    Json automations = Json::array();
    std::unordered_set<std::string> seen;
    for (const auto& t : targets) {
      for (auto& [e, r] : Neighbours(g, t->id, Direction::kBoth, acting)) {
        if (e->entity_type != EntityType::kAutomation && e->entity_type != EntityType::kSchedule) continue;
        if (!seen.insert(e->id).second) continue;
        automations.push_back(Reached(*e, r->relationship_type, t->id));
      }
    }
    return Json{{"room", Summary(*room)}, {"count", automations.size()}, {"automations", std::move(automations)}};
  });
}

// query_graph is quick when its structured form starts from an index: an
// id or name equality, or a relationship to a named (or id-given) entity,
// so it reads adjacency lists instead of scanning every entity.
bool AnchoredQuery(const Json& a) {
  if (a.contains("cypher")) return false;
  if (auto it = a.find("filters"); it != a.end() && it->is_array()) {
    for (const auto& f : *it) {
      const std::string field = Str(f, "field");
      if ((field == "id" || field == "name") && Str(f, "op", "eq") == "eq" &&
          f.contains("value") && f["value"].is_string()) {
        return true;
      }
    }
  }
  if (auto it = a.find("relationships"); it != a.end() && it->is_array()) {
    for (const auto& p : *it) {
      if (!Bool(p, "negate", false) && (p.contains("other_id") || p.contains("other_name"))) {
        return true;
      }
    }
  }
  return false;
}

// Which calls are short and bounded (ToolBinding::quick): lookups by id,
// searches and listings with a limit, single small commits. Not quick:
// whole-graph scans, deep neighbourhoods, and delete_entity (it removes
// every relationship of the entity in one commit).
QuickPredicate QuickPredicateFor(std::string_view tool) {
  static const std::set<std::string_view> kQuick = {
      "create_entity",        "update_entity",         "get_entity_details",
      "get_entity_history",   "create_relationship",   "delete_relationship",
      "search_entities",      "find_path",             "describe_schema",
      "get_devices_in_room",  "find_device_controls",  "get_room_connections",
      "get_procedures_for_device", "get_automations_in_room"};
  if (kQuick.count(tool)) return [](const Json&) { return true; };
  if (tool == "get_connected_entities") {
    return [](const Json& a) { return Int(a, "depth", 1) <= 1; };
  }
  if (tool == "query_graph") return AnchoredQuery;
  return nullptr;
}

}  // namespace

Json StatisticsJson(const graph::GraphStatistics& s) {
  return Json{{"entities", s.entities},
              {"deleted_entities", s.deleted_entities},
              {"relationships", s.relationships},
              {"entities_by_type", s.entities_by_type},
              {"relationships_by_type", s.relationships_by_type},
              {"average_degree", s.average_degree},
              {"max_degree", s.max_degree},
              {"max_degree_entity_id", s.max_degree_entity_id},
              {"isolated_entities", s.isolated_entities},
              {"isolated_sample", s.isolated_sample}};
}

Json DescribeSchema() {
  Json rels = Json::array();
  for (const auto& p : AllowedPairs()) {
    Json from = Json::array(), to = Json::array();
    for (auto t : p.from) from.push_back(ToString(t));
    for (auto t : p.to) to.push_back(ToString(t));
    rels.push_back(Json{{"name", ToString(p.relationship)},
                        {"from", std::move(from)},
                        {"to", std::move(to)},
                        {"points_to_parent", PointsToParent(p.relationship)},
                        {"meaning", p.meaning}});
  }
  Json ets = Json::array(), sts = Json::array();
  for (auto t : AllEntityTypes()) ets.push_back(ToString(t));
  for (auto t : AllSourceTypes()) sts.push_back(ToString(t));
  return Json{
      {"entity_types", std::move(ets)},
      {"source_types", std::move(sts)},
      {"relationship_types", std::move(rels)},
      {"version_format",
       "{UTC ISO-8601 with microseconds and +00:00}-{6-digit counter}-{user_id}, e.g. "
       "2026-06-15T09:41:02.581234+00:00-000417-alice; lexical order is time order"},
      {"notes",
       {"Type names are case-insensitive on input and always lowercase on output.",
        "located_in, part_of and contained_in point child -> parent; the others parent -> child.",
        "Editing an entity makes a new version and keeps its relationships.",
        "Deleting an entity writes a tombstone version and removes its relationships."}}};
}

std::vector<ToolBinding> GraphToolBindings(KnowledgeGraph& kg) {
  using Fn = StatusOr<Json> (*)(KnowledgeGraph&, const Json&, ToolContext&);
  const std::pair<const char*, Fn> table[] = {
      {"create_entity", &CreateEntity},
      {"update_entity", &UpdateEntity},
      {"delete_entity", &DeleteEntity},
      {"get_entity_history", &GetEntityHistory},
      {"create_relationship", &CreateRelationship},
      {"delete_relationship", &DeleteRelationship},
      {"find_similar_entities", &FindSimilar},
      {"get_connected_entities", &GetConnected},
      {"query_graph", &QueryGraph},
      {"get_graph_statistics", &Statistics},
      {"describe_schema", [](KnowledgeGraph&, const Json&, ToolContext&) -> StatusOr<Json> {
         return DescribeSchema();
       }},
      {"get_devices_in_room", &DevicesInRoom},
      {"find_device_controls", &DeviceControls},
      {"get_room_connections", &RoomConnections},
      {"get_procedures_for_device", &ProceduresForDevice},
      {"get_automations_in_room", &AutomationsInRoom},
  };
  // Tools that may scan the whole graph report progress (when the caller asked
  // for it) and honour cancellation before and after the scan.
  const std::set<std::string> whole_graph = {"query_graph", "find_similar_entities",
                                             "get_graph_statistics", "get_connected_entities"};
  std::vector<ToolBinding> out;
  for (const auto& [name, fn] : table) {
    if (whole_graph.count(name)) {
      out.push_back({name, [&kg, fn = fn](const Json& args, ToolContext& ctx) -> StatusOr<Json> {
                       if (ctx.cancelled()) return Status::Cancelled("cancelled by the client");
                       ctx.report_progress(0, 1, "scanning the graph");
                       StatusOr<Json> result = fn(kg, args, ctx);
                       if (ctx.cancelled()) return Status::Cancelled("cancelled by the client");
                       ctx.report_progress(1, 1, "done");
                       return result;
                     }});
    } else {
      out.push_back({name, [&kg, fn = fn](const Json& args, ToolContext& ctx) { return fn(kg, args, ctx); }});
    }
    out.back().quick = QuickPredicateFor(name);
  }
  using WriterFn = StatusOr<std::string> (*)(KnowledgeGraph&, const Json&, ToolContext&);
  const std::pair<const char*, WriterFn> writers[] = {
      {"get_entity_details", &GetEntityDetails},
      {"search_entities", &SearchEntities},
      {"find_path", &FindPath},
  };
  for (const auto& [name, fn] : writers) {
    ToolBinding b;
    b.name = name;
    b.writer = [&kg, fn = fn](const Json& args, ToolContext& ctx) { return fn(kg, args, ctx); };
    b.quick = QuickPredicateFor(name);
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace funkygibbon::mcp
