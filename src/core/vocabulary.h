// The home-graph vocabulary (DESIGN.md §3): entity, source and relationship
// types, and the table of (relationship, from type, to type) pairs allowed.
//
// Parsing accepts any letter case; output is always lowercase.
#ifndef FUNKYGIBBON_CORE_VOCABULARY_H_
#define FUNKYGIBBON_CORE_VOCABULARY_H_

#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace funkygibbon {

enum class EntityType {
  kHome, kRoom, kDevice, kZone, kDoor, kWindow, kProcedure, kManual, kNote,
  kSchedule, kAutomation, kApp,
};
enum class SourceType { kHomekit, kMatter, kManual, kImported, kGenerated };
enum class RelationshipType {
  kLocatedIn, kControls, kConnectsTo, kPartOf, kManages, kDocumentedBy,
  kProcedureFor, kTriggeredBy, kDependsOn, kContainedIn, kMonitors, kAutomates,
  kControlledByApp, kHasBlob,
};

std::string_view ToString(EntityType t);
std::string_view ToString(SourceType t);
std::string_view ToString(RelationshipType t);

std::optional<EntityType> ParseEntityType(std::string_view s);
std::optional<SourceType> ParseSourceType(std::string_view s);
std::optional<RelationshipType> ParseRelationshipType(std::string_view s);

std::span<const EntityType> AllEntityTypes();
std::span<const SourceType> AllSourceTypes();
std::span<const RelationshipType> AllRelationshipTypes();

// True for located_in, part_of and contained_in, which point child -> parent.
bool PointsToParent(RelationshipType t);

// One line of the allowed-pair table.
struct AllowedPair {
  RelationshipType relationship;
  std::vector<EntityType> from;
  std::vector<EntityType> to;
  std::string_view meaning;  // one sentence for describe_schema
};

const std::vector<AllowedPair>& AllowedPairs();

// Whether `relationship` may go from an entity of type `from` to one of type `to`.
bool IsAllowedPair(RelationshipType relationship, EntityType from, EntityType to);

// Relationship types allowed from `from` to `to` (for error messages that
// tell a model what would have worked).
std::vector<RelationshipType> AllowedRelationships(EntityType from, EntityType to);

}  // namespace funkygibbon

#endif  // FUNKYGIBBON_CORE_VOCABULARY_H_
