#include "mcp/graph_resources.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "mcp/json_text.h"
#include "mcp/tool_handlers.h"

namespace funkygibbon::mcp {
namespace {

constexpr std::string_view kMimeJson = "application/json";
constexpr std::string_view kCursorPrefix = "entity:";
constexpr size_t kMaxResourceEdges = 1000;  // per direction, in an entity resource

bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

Json TextContents(std::string_view uri, const Json& doc) {
  return Json::array(
      {Json{{"uri", uri}, {"mimeType", kMimeJson}, {"text", DumpJson(doc)}}});
}

Json EntityResource(const Entity& e) {
  const std::string type(ToString(e.entity_type));
  const std::string display = e.name.empty() ? e.id : e.name;
  return Json{{"uri", EntityUri(e.id)},
              {"name", display},
              {"title", display},
              {"description", "The " + type + " '" + display + "' (id " + e.id +
                                  ") with its relationships"},
              {"mimeType", kMimeJson}};
}


}  // namespace

std::string EntityUri(std::string_view id) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out(kEntityUriPrefix);
  for (char c : id) {
    if (IsUnreserved(c)) {
      out.push_back(c);
    } else {
      const auto b = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0x0F]);
    }
  }
  return out;
}

GraphResources::GraphResources(const graph::KnowledgeGraph& graph,
                               GraphResourcesOptions options)
    : graph_(graph), options_(options) {}

StatusOr<ResourcePage> GraphResources::List(std::string_view cursor) const {
  std::string after;
  ResourcePage page;
  if (cursor.empty()) {
    page.resources.push_back(
        Json{{"uri", kSchemaUri},
             {"name", "schema"},
             {"title", "Home graph schema"},
             {"description",
              "Entity, source and relationship types, and which "
              "relationships each pair of entity types allows"},
             {"mimeType", kMimeJson}});
    page.resources.push_back(
        Json{{"uri", kStatisticsUri},
             {"name", "statistics"},
             {"title", "Graph statistics"},
             {"description",
              "Entity and relationship counts by type, degree figures and "
              "isolated entities"},
             {"mimeType", kMimeJson}});
  } else {
    auto payload = DecodeCursor(cursor);
    if (!payload || payload->rfind(kCursorPrefix, 0) != 0 ||
        payload->size() == kCursorPrefix.size()) {
      return Status::InvalidArgument("resources/list: invalid cursor");
    }
    after = payload->substr(kCursorPrefix.size());
  }
  const size_t limit = std::max<size_t>(1, options_.page_size);
  // One extra to learn whether another page follows.
  std::vector<graph::EntityPtr> entities =
      graph_.Read([&](const graph::GraphIndex& index) {
        return index.List(std::nullopt, after, limit + 1);
      });
  const bool more = entities.size() > limit;
  if (more) entities.resize(limit);
  for (const auto& e : entities) {
    if (e) page.resources.push_back(EntityResource(*e));
  }
  if (more && !entities.empty()) {
    page.next_cursor =
        EncodeCursor(std::string(kCursorPrefix) + entities.back()->id);
  }
  return page;
}

Json GraphResources::Templates() const {
  return Json::array({Json{
      {"uriTemplate", kEntityUriTemplate},
      {"name", "entity"},
      {"title", "Entity"},
      {"description",
       "One entity of the home graph by id (percent-encoded): its current "
       "version and its incoming and outgoing relationships"},
      {"mimeType", kMimeJson}}});
}

StatusOr<Json> GraphResources::Read(std::string_view uri) const {
  if (uri == kSchemaUri) return TextContents(uri, DescribeSchema());
  if (uri == kStatisticsUri) {
    const graph::GraphStatistics stats = graph_.Read(
        [](const graph::GraphIndex& index) { return index.Statistics(); });
    return TextContents(uri, StatisticsJson(stats));
  }
  if (uri.rfind(kEntityUriPrefix, 0) != 0) {
    return Status::NotFound("no resource has the URI " +
                            DumpJson(Json(std::string(uri))));
  }
  const std::optional<std::string> id =
      PercentDecode(uri.substr(kEntityUriPrefix.size()));
  if (!id || id->empty()) {
    return Status::InvalidArgument("resources/read: malformed entity URI " +
                                   DumpJson(Json(std::string(uri))) +
                                   "; expected funkygibbon://entity/{id}");
  }
  // Copy what we need under the read lock; serialize outside it.
  struct Snapshot {
    graph::EntityPtr entity;
    std::vector<graph::RelationshipPtr> outgoing, incoming;
  };
  Snapshot snap = graph_.Read([&](const graph::GraphIndex& index) {
    Snapshot s;
    s.entity = index.Get(*id);
    if (s.entity && !s.entity->deleted()) {
      s.outgoing = index.Outgoing(*id);
      s.incoming = index.Incoming(*id);
    }
    return s;
  });
  if (!snap.entity || snap.entity->deleted()) {
    return Status::NotFound("no entity has the id " + DumpJson(Json(*id)) +
                            (snap.entity ? " (it was deleted)" : ""));
  }
  // A resource cannot be paged, so a hub entity's edges are cut off at
  // kMaxResourceEdges per direction (the totals and get_entity_details'
  // paging say how to see the rest).
  Json outgoing = Json::array(), incoming = Json::array();
  for (size_t i = 0; i < snap.outgoing.size() && i < kMaxResourceEdges; ++i) {
    outgoing.push_back(ToJson(*snap.outgoing[i]));
  }
  for (size_t i = 0; i < snap.incoming.size() && i < kMaxResourceEdges; ++i) {
    incoming.push_back(ToJson(*snap.incoming[i]));
  }
  Json doc{{"entity", ToJson(*snap.entity)},
           {"outgoing", std::move(outgoing)},
           {"incoming", std::move(incoming)}};
  if (snap.outgoing.size() > kMaxResourceEdges || snap.incoming.size() > kMaxResourceEdges) {
    doc["truncated"] = true;
    doc["outgoing_total"] = snap.outgoing.size();
    doc["incoming_total"] = snap.incoming.size();
    doc["note"] = "only the first " + std::to_string(kMaxResourceEdges) +
                  " relationships in each direction are listed; the get_entity_details tool "
                  "pages through all of them (relationship_offset)";
  }
  return TextContents(uri, doc);
}

StatusOr<Completion> GraphResources::Complete(
    std::string_view uri_template, std::string_view argument,
    std::string_view prefix, const Json& /*context_arguments*/) const {
  if (uri_template != kEntityUriTemplate) {
    return Status::InvalidArgument(
        "completion/complete: unknown resource template " +
        DumpJson(Json(std::string(uri_template))) + "; the only one is " +
        std::string(kEntityUriTemplate));
  }
  if (argument != "id") {
    return Status::InvalidArgument(
        "completion/complete: the entity template has no argument " +
        DumpJson(Json(std::string(argument))) + "; it has only 'id'");
  }
  // The value completes an id, so name matches are offered as the ids of
  // the entities with that name: ids by prefix first, then by name prefix.
  constexpr size_t kWant = 101;  // one more than we return, to know hasMore
  std::vector<std::string> ids =
      graph_.Read([&](const graph::GraphIndex& index) {
        std::vector<std::string> out = index.CompleteIds(prefix, kWant);
        std::set<std::string> seen(out.begin(), out.end());
        for (const auto& name : index.CompleteNames(prefix, kWant)) {
          if (out.size() >= kWant) break;
          for (const auto& e : index.FindByName(name, std::nullopt)) {
            if (out.size() >= kWant) break;
            if (e && seen.insert(e->id).second) out.push_back(e->id);
          }
        }
        return out;
      });
  Completion c;
  c.total = ids.size();
  c.has_more = ids.size() >= kWant;
  if (ids.size() > kWant - 1) ids.resize(kWant - 1);
  c.values = std::move(ids);
  return c;
}

}  // namespace funkygibbon::mcp
