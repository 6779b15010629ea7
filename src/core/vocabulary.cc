#include "core/vocabulary.h"

#include <algorithm>
#include <array>
#include <utility>

namespace funkygibbon {
namespace {

constexpr std::array<EntityType, 12> kEntityTypes = {
    EntityType::kHome,      EntityType::kRoom,   EntityType::kDevice,
    EntityType::kZone,      EntityType::kDoor,   EntityType::kWindow,
    EntityType::kProcedure, EntityType::kManual, EntityType::kNote,
    EntityType::kSchedule,  EntityType::kAutomation, EntityType::kApp};
constexpr std::array<std::string_view, 12> kEntityNames = {
    "home", "room", "device", "zone", "door", "window",
    "procedure", "manual", "note", "schedule", "automation", "app"};

constexpr std::array<SourceType, 5> kSourceTypes = {
    SourceType::kHomekit, SourceType::kMatter, SourceType::kManual,
    SourceType::kImported, SourceType::kGenerated};
constexpr std::array<std::string_view, 5> kSourceNames = {
    "homekit", "matter", "manual", "imported", "generated"};

constexpr std::array<RelationshipType, 14> kRelTypes = {
    RelationshipType::kLocatedIn,    RelationshipType::kControls,
    RelationshipType::kConnectsTo,   RelationshipType::kPartOf,
    RelationshipType::kManages,      RelationshipType::kDocumentedBy,
    RelationshipType::kProcedureFor, RelationshipType::kTriggeredBy,
    RelationshipType::kDependsOn,    RelationshipType::kContainedIn,
    RelationshipType::kMonitors,     RelationshipType::kAutomates,
    RelationshipType::kControlledByApp, RelationshipType::kHasBlob};
constexpr std::array<std::string_view, 14> kRelNames = {
    "located_in", "controls", "connects_to", "part_of", "manages",
    "documented_by", "procedure_for", "triggered_by", "depends_on",
    "contained_in", "monitors", "automates", "controlled_by_app", "has_blob"};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

template <typename E, size_t N>
std::optional<E> ParseIn(std::string_view s, const std::array<E, N>& values,
                         const std::array<std::string_view, N>& names) {
  for (size_t i = 0; i < N; ++i) {
    if (EqualsIgnoreCase(s, names[i])) return values[i];
  }
  return std::nullopt;
}

using E = EntityType;
using R = RelationshipType;

std::vector<AllowedPair> BuildTable() {
  const std::vector<E> places = {E::kRoom, E::kZone, E::kHome};
  const std::vector<E> fixtures = {E::kDevice, E::kDoor, E::kWindow};
  const std::vector<E> docs = {E::kManual, E::kNote};
  const std::vector<E> documentable = {E::kHome, E::kRoom, E::kZone, E::kDevice,
                                       E::kDoor, E::kWindow, E::kProcedure,
                                       E::kSchedule, E::kAutomation, E::kApp,
                                       E::kManual};
  return {
      {R::kLocatedIn,
       {E::kDevice, E::kDoor, E::kWindow, E::kRoom, E::kZone, E::kApp, E::kNote,
        E::kManual},
       places,
       "child -> parent: a thing is located in a room, zone or home; a room in a zone or home"},
      {R::kControls,
       {E::kDevice, E::kApp, E::kAutomation},
       {E::kDevice, E::kDoor, E::kWindow},
       "a device, app or automation controls a device, door or window"},
      {R::kConnectsTo,
       {E::kRoom, E::kDoor, E::kWindow, E::kZone, E::kDevice},
       {E::kRoom, E::kDoor, E::kWindow, E::kZone, E::kDevice},
       "rooms connect to rooms, doors and windows; devices connect to devices"},
      {R::kPartOf,
       {E::kRoom, E::kZone, E::kDevice, E::kDoor, E::kWindow, E::kProcedure},
       {E::kHome, E::kZone, E::kRoom, E::kDevice, E::kDoor, E::kWindow, E::kProcedure},
       "child -> parent: a part of a larger whole"},
      {R::kManages,
       {E::kApp, E::kDevice, E::kHome},
       {E::kDevice, E::kAutomation, E::kSchedule, E::kApp},
       "an app, hub device or home manages devices, automations and schedules"},
      {R::kDocumentedBy, documentable, docs,
       "a thing is documented by a manual or note"},
      {R::kProcedureFor,
       {E::kProcedure},
       {E::kDevice, E::kRoom, E::kHome, E::kZone, E::kDoor, E::kWindow, E::kApp,
        E::kAutomation},
       "a procedure is for a device, room, home or other thing"},
      {R::kTriggeredBy,
       {E::kAutomation, E::kSchedule},
       {E::kDevice, E::kSchedule, E::kRoom, E::kDoor, E::kWindow, E::kZone},
       "an automation is triggered by a device, schedule, room, door or window"},
      {R::kDependsOn,
       {E::kDevice, E::kAutomation, E::kApp, E::kProcedure, E::kSchedule},
       {E::kDevice, E::kAutomation, E::kApp, E::kProcedure, E::kSchedule},
       "one working part depends on another"},
      {R::kContainedIn,
       {E::kDevice, E::kManual, E::kNote, E::kProcedure, E::kRoom},
       {E::kRoom, E::kZone, E::kHome, E::kDevice},
       "child -> parent: a thing is contained in a room, zone, home or device"},
      {R::kMonitors,
       {E::kDevice, E::kApp, E::kAutomation},
       {E::kDevice, E::kRoom, E::kZone, E::kHome, E::kDoor, E::kWindow},
       "a sensor device, app or automation monitors a place or thing"},
      {R::kAutomates,
       {E::kAutomation, E::kSchedule},
       {E::kDevice, E::kRoom, E::kZone, E::kDoor, E::kWindow, E::kHome},
       "an automation or schedule acts on devices and places"},
      {R::kControlledByApp, fixtures, {E::kApp},
       "a device, door or window is controlled by an app"},
      {R::kHasBlob,
       {E::kDevice, E::kManual, E::kNote, E::kProcedure, E::kRoom, E::kHome,
        E::kDoor, E::kWindow, E::kApp},
       docs,
       "a thing has an attached document (photo, PDF) recorded as a manual or note"},
  };
}

}  // namespace

std::string_view ToString(EntityType t) { return kEntityNames[static_cast<size_t>(t)]; }
std::string_view ToString(SourceType t) { return kSourceNames[static_cast<size_t>(t)]; }
std::string_view ToString(RelationshipType t) { return kRelNames[static_cast<size_t>(t)]; }

std::optional<EntityType> ParseEntityType(std::string_view s) {
  return ParseIn(s, kEntityTypes, kEntityNames);
}
std::optional<SourceType> ParseSourceType(std::string_view s) {
  return ParseIn(s, kSourceTypes, kSourceNames);
}
std::optional<RelationshipType> ParseRelationshipType(std::string_view s) {
  return ParseIn(s, kRelTypes, kRelNames);
}

std::span<const EntityType> AllEntityTypes() { return kEntityTypes; }
std::span<const SourceType> AllSourceTypes() { return kSourceTypes; }
std::span<const RelationshipType> AllRelationshipTypes() { return kRelTypes; }

bool PointsToParent(RelationshipType t) {
  return t == R::kLocatedIn || t == R::kPartOf || t == R::kContainedIn;
}

const std::vector<AllowedPair>& AllowedPairs() {
  static const std::vector<AllowedPair> table = BuildTable();
  return table;
}

bool IsAllowedPair(RelationshipType relationship, EntityType from, EntityType to) {
  // A bitmask per relationship: bit (from*16 + to). Built once from the table.
  static const auto masks = [] {
    std::array<std::array<uint16_t, 16>, 16> m{};
    for (const auto& p : AllowedPairs()) {
      for (E f : p.from) {
        for (E t : p.to) {
          m[static_cast<size_t>(p.relationship)][static_cast<size_t>(f)] |=
              static_cast<uint16_t>(1u << static_cast<unsigned>(t));
        }
      }
    }
    return m;
  }();
  return (masks[static_cast<size_t>(relationship)][static_cast<size_t>(from)] >>
          static_cast<unsigned>(to)) & 1u;
}

std::vector<RelationshipType> AllowedRelationships(EntityType from, EntityType to) {
  std::vector<RelationshipType> out;
  for (R r : kRelTypes) {
    if (IsAllowedPair(r, from, to)) out.push_back(r);
  }
  return out;
}

}  // namespace funkygibbon
