// Helpers for the GraphIndex tests: build entities and edges by hand and a
// small example home.
#ifndef FUNKYGIBBON_TESTS_GRAPH_GRAPH_FIXTURE_H_
#define FUNKYGIBBON_TESTS_GRAPH_GRAPH_FIXTURE_H_

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/types.h"
#include "graph/graph_index.h"

namespace funkygibbon::graph::fixture {

inline EntityPtr MakeEntity(const std::string& id, EntityType type, const std::string& name,
                            Json content = Json::object(), const std::string& version = "v1") {
  auto e = std::make_shared<Entity>();
  e->id = id;
  e->version = version;
  e->entity_type = type;
  e->name = name;
  e->content = std::move(content);
  e->user_id = "tester";
  e->created_at = "2026-06-15T09:41:02.581234+00:00";
  e->updated_at = e->created_at;
  return e;
}

inline RelationshipPtr MakeEdge(const std::string& id, const std::string& from,
                                RelationshipType type, const std::string& to) {
  auto r = std::make_shared<Relationship>();
  r->id = id;
  r->from_entity_id = from;
  r->to_entity_id = to;
  r->relationship_type = type;
  return r;
}

// Puts a new entity into g and returns it.
inline EntityPtr Add(GraphIndex& g, const std::string& id, EntityType type,
                     const std::string& name, Json content = Json::object()) {
  EntityPtr e = MakeEntity(id, type, name, std::move(content));
  g.PutEntity(e);
  return e;
}

inline void Link(GraphIndex& g, const std::string& id, const std::string& from,
                 RelationshipType type, const std::string& to) {
  g.PutRelationship(MakeEdge(id, from, type, to));
}

// A tombstone version of e.
inline EntityPtr Tombstone(const EntityPtr& e) {
  auto t = std::make_shared<Entity>(*e);
  t->version = e->version + "-deleted";
  t->parent_versions = {e->version};
  t->content["deleted"] = true;
  return t;
}

// The example home:
//
//   home "Maple House"
//   zones (floors): ground, first                      part_of home
//   rooms: kitchen, hall, living (ground), bedroom, bathroom (first)
//                                                      located_in their zone
//   doors: door-kh (kitchen<->hall), door-lh (living<->hall),
//          door-bb (bedroom<->bathroom)                room -connects_to-> door -connects_to-> room
//   stairs: hall -connects_to-> bedroom
//   devices: lamp-k, fridge (kitchen), tv, lamp-l (living), thermostat (hall),
//            lamp-b (bedroom)                          located_in their room
//   manuals: manual-fridge, manual-tv                  device -documented_by-> manual
//   automations: night-mode (controls lamp-l, lamp-b; triggered_by thermostat)
//   isolated: note-1
inline void BuildHome(GraphIndex& g) {
  using E = EntityType;
  using R = RelationshipType;
  Add(g, "home", E::kHome, "Maple House", {{"address", "1 Maple Street"}});
  Add(g, "ground", E::kZone, "Ground Floor", {{"level", 0}});
  Add(g, "first", E::kZone, "First Floor", {{"level", 1}});
  Add(g, "kitchen", E::kRoom, "Kitchen", {{"area_m2", 14.5}, {"floor", "tile"}});
  Add(g, "hall", E::kRoom, "Hall", {{"area_m2", 6}, {"floor", "wood"}});
  Add(g, "living", E::kRoom, "Living Room", {{"area_m2", 22}, {"floor", "wood"}});
  Add(g, "bedroom", E::kRoom, "Bedroom", {{"area_m2", 12}, {"floor", "carpet"}});
  Add(g, "bathroom", E::kRoom, "Bathroom", {{"area_m2", 5}});
  Add(g, "door-kh", E::kDoor, "Kitchen Door", {{"material", "oak"}});
  Add(g, "door-lh", E::kDoor, "Living Door", {{"material", "glass"}});
  Add(g, "door-bb", E::kDoor, "Bathroom Door", {{"material", "oak"}, {"lock", true}});
  Add(g, "lamp-k", E::kDevice, "Kitchen Ceiling Light",
      {{"manufacturer", "Philips"}, {"model", "Hue White"}, {"brightness", 80},
       {"tags", {"light", "ceiling"}}});
  Add(g, "fridge", E::kDevice, "Fridge",
      {{"manufacturer", "Bosch"}, {"model", "KGN39"}, {"power_w", 150}, {"tags", {"appliance"}}});
  Add(g, "tv", E::kDevice, "Television",
      {{"manufacturer", "Sony"}, {"model", "Bravia"}, {"power_w", 120},
       {"tags", {"media", "appliance"}}});
  Add(g, "lamp-l", E::kDevice, "Living Room Floor Light",
      {{"manufacturer", "Philips"}, {"model", "Hue Go"}, {"brightness", 40},
       {"tags", {"light"}}});
  Add(g, "thermostat", E::kDevice, "Hall Thermostat",
      {{"manufacturer", "Nest"}, {"target_c", 20.5}});
  Add(g, "lamp-b", E::kDevice, "Bedroom Light",
      {{"manufacturer", "IKEA"}, {"model", "Tradfri"}, {"brightness", 30},
       {"tags", {"light"}}});
  Add(g, "manual-fridge", E::kManual, "Fridge Manual", {{"pages", 40}});
  Add(g, "manual-tv", E::kManual, "Television Manual", {{"pages", 64}});
  Add(g, "night-mode", E::kAutomation, "Night Mode", {{"schedule", "22:00"}});
  Add(g, "note-1", E::kNote, "Shopping List", {{"text", "milk and eggs"}});

  Link(g, "e-ground-home", "ground", R::kPartOf, "home");
  Link(g, "e-first-home", "first", R::kPartOf, "home");
  Link(g, "e-kitchen-ground", "kitchen", R::kLocatedIn, "ground");
  Link(g, "e-hall-ground", "hall", R::kLocatedIn, "ground");
  Link(g, "e-living-ground", "living", R::kLocatedIn, "ground");
  Link(g, "e-bedroom-first", "bedroom", R::kLocatedIn, "first");
  Link(g, "e-bathroom-first", "bathroom", R::kLocatedIn, "first");
  Link(g, "e-kitchen-doorkh", "kitchen", R::kConnectsTo, "door-kh");
  Link(g, "e-doorkh-hall", "door-kh", R::kConnectsTo, "hall");
  Link(g, "e-living-doorlh", "living", R::kConnectsTo, "door-lh");
  Link(g, "e-doorlh-hall", "door-lh", R::kConnectsTo, "hall");
  Link(g, "e-bedroom-doorbb", "bedroom", R::kConnectsTo, "door-bb");
  Link(g, "e-doorbb-bathroom", "door-bb", R::kConnectsTo, "bathroom");
  Link(g, "e-hall-bedroom", "hall", R::kConnectsTo, "bedroom");
  Link(g, "e-lampk-kitchen", "lamp-k", R::kLocatedIn, "kitchen");
  Link(g, "e-fridge-kitchen", "fridge", R::kLocatedIn, "kitchen");
  Link(g, "e-tv-living", "tv", R::kLocatedIn, "living");
  Link(g, "e-lampl-living", "lamp-l", R::kLocatedIn, "living");
  Link(g, "e-thermo-hall", "thermostat", R::kLocatedIn, "hall");
  Link(g, "e-lampb-bedroom", "lamp-b", R::kLocatedIn, "bedroom");
  Link(g, "e-fridge-manual", "fridge", R::kDocumentedBy, "manual-fridge");
  Link(g, "e-tv-manual", "tv", R::kDocumentedBy, "manual-tv");
  Link(g, "e-night-lampl", "night-mode", R::kControls, "lamp-l");
  Link(g, "e-night-lampb", "night-mode", R::kControls, "lamp-b");
  Link(g, "e-night-thermo", "night-mode", R::kTriggeredBy, "thermostat");
}

// Ids of the entities of a path or a list.
inline std::vector<std::string> Ids(const std::vector<EntityPtr>& es) {
  std::vector<std::string> out;
  for (const EntityPtr& e : es) out.push_back(e ? e->id : "<null>");
  return out;
}
inline std::vector<std::string> Ids(const std::vector<EntitySummary>& es) {
  std::vector<std::string> out;
  for (const EntitySummary& e : es) out.push_back(e.id);
  return out;
}

inline std::vector<std::string> EdgeIds(const std::vector<PathStep>& steps) {
  std::vector<std::string> out;
  for (const PathStep& s : steps) out.push_back(s.id);
  return out;
}

// The slow answer to a structured query, to compare with: the ids, sorted,
// of every entity it may return (tombstones only with include_deleted; of
// its type, if any) for which holds(entity) is true.
template <typename Holds>
std::vector<std::string> OracleIds(const GraphIndex& g, const StructuredQuery& q, Holds holds) {
  std::vector<std::string> out;
  for (const EntityPtr& e : g.AllEntities()) {
    if (!e || (e->deleted() && !q.include_deleted)) continue;
    if (q.entity_type && e->entity_type != *q.entity_type) continue;
    if (holds(*e)) out.push_back(e->id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace funkygibbon::graph::fixture

#endif  // FUNKYGIBBON_TESTS_GRAPH_GRAPH_FIXTURE_H_
