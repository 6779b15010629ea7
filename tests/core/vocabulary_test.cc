#include "core/vocabulary.h"

#include <gtest/gtest.h>

namespace funkygibbon {
namespace {

TEST(VocabularyTest, ParsesAnyCaseAndPrintsLowercase) {
  EXPECT_EQ(ParseEntityType("DEVICE"), EntityType::kDevice);
  EXPECT_EQ(ParseEntityType("Device"), EntityType::kDevice);
  EXPECT_EQ(ParseRelationshipType("LOCATED_IN"), RelationshipType::kLocatedIn);
  EXPECT_EQ(ParseSourceType("HomeKit"), SourceType::kHomekit);
  EXPECT_FALSE(ParseEntityType("robot"));
  EXPECT_FALSE(ParseEntityType(""));
  EXPECT_EQ(ToString(EntityType::kApp), "app");
  EXPECT_EQ(ToString(RelationshipType::kControlledByApp), "controlled_by_app");
  for (auto t : AllEntityTypes()) EXPECT_EQ(ParseEntityType(ToString(t)), t);
  for (auto t : AllRelationshipTypes()) EXPECT_EQ(ParseRelationshipType(ToString(t)), t);
  for (auto t : AllSourceTypes()) EXPECT_EQ(ParseSourceType(ToString(t)), t);
  EXPECT_EQ(AllEntityTypes().size(), 12u);
  EXPECT_EQ(AllRelationshipTypes().size(), 14u);
}

TEST(VocabularyTest, AllowedPairsCoverTheHomeShapes) {
  using E = EntityType;
  using R = RelationshipType;
  EXPECT_TRUE(IsAllowedPair(R::kLocatedIn, E::kDevice, E::kRoom));
  EXPECT_TRUE(IsAllowedPair(R::kLocatedIn, E::kRoom, E::kHome));
  EXPECT_TRUE(IsAllowedPair(R::kConnectsTo, E::kRoom, E::kDoor));
  EXPECT_TRUE(IsAllowedPair(R::kConnectsTo, E::kDoor, E::kRoom));
  EXPECT_TRUE(IsAllowedPair(R::kControls, E::kDevice, E::kDevice));
  EXPECT_TRUE(IsAllowedPair(R::kMonitors, E::kDevice, E::kRoom));
  EXPECT_TRUE(IsAllowedPair(R::kDocumentedBy, E::kDevice, E::kManual));
  EXPECT_TRUE(IsAllowedPair(R::kProcedureFor, E::kProcedure, E::kDevice));
  EXPECT_FALSE(IsAllowedPair(R::kLocatedIn, E::kHome, E::kRoom));
  EXPECT_FALSE(IsAllowedPair(R::kDocumentedBy, E::kManual, E::kDevice));
  EXPECT_FALSE(IsAllowedPair(R::kControlledByApp, E::kDevice, E::kRoom));
  auto rels = AllowedRelationships(E::kDevice, E::kRoom);
  EXPECT_NE(std::find(rels.begin(), rels.end(), R::kLocatedIn), rels.end());
  EXPECT_TRUE(PointsToParent(R::kPartOf));
  EXPECT_FALSE(PointsToParent(R::kControls));
}

}  // namespace
}  // namespace funkygibbon
