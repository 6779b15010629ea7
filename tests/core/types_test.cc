#include "core/types.h"

#include <gtest/gtest.h>

namespace funkygibbon {
namespace {

TEST(TypesTest, EntityRoundTripsThroughJson) {
  Entity e;
  e.id = "ent-1718000000000-ab12cd";
  e.version = "v-1718000000000";
  e.entity_type = EntityType::kDevice;
  e.name = "Lamp";
  e.content = {{"brightness", 40}, {"tags", {"a", "b"}}};
  e.source_type = SourceType::kHomekit;
  e.user_id = "alice";
  e.parent_versions = {"v-1"};
  e.created_at = "2026-06-15T09:41:02.581234+00:00";
  e.updated_at = e.created_at;
  auto back = EntityFromJson(ToJson(e));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, e);
  EXPECT_EQ(ToJson(e)["entity_type"], "device");
}

TEST(TypesTest, EntityFromJsonAcceptsUppercaseAndNamesBadFields) {
  Json j = {{"id", "x"}, {"version", "v1"}, {"entity_type", "DEVICE"}, {"source_type", "MATTER"}};
  auto e = EntityFromJson(j);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->entity_type, EntityType::kDevice);
  EXPECT_EQ(e->source_type, SourceType::kMatter);

  j["entity_type"] = "robot";
  EXPECT_NE(EntityFromJson(j).status().message().find("entity_type"), std::string::npos);
  j["entity_type"] = "room";
  j["content"] = "not an object";
  EXPECT_NE(EntityFromJson(j).status().message().find("content"), std::string::npos);
  j.erase("content");
  j["id"] = "";
  EXPECT_EQ(EntityFromJson(j).status().code(), StatusCode::kInvalidArgument);
  j["id"] = 5;
  EXPECT_NE(EntityFromJson(j).status().message().find("id"), std::string::npos);
}

TEST(TypesTest, TombstoneIsDeleted) {
  Entity e;
  EXPECT_FALSE(e.deleted());
  e.content["deleted"] = true;
  EXPECT_TRUE(e.deleted());
  e.content["deleted"] = "yes";
  EXPECT_FALSE(e.deleted());
}

TEST(TypesTest, NewUuidIsV4) {
  std::string a = NewUuid(), b = NewUuid();
  EXPECT_NE(a, b);
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '4');
  EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b');
}

TEST(TypesTest, FlattenCollectsKeysAndValues) {
  Entity e;
  e.content = {{"model", "Hue"}, {"watts", 9}, {"nested", {{"room", "Kitchen"}}}};
  std::string f = FlattenForSearch(e);
  EXPECT_NE(f.find("Hue"), std::string::npos);
  EXPECT_NE(f.find("9"), std::string::npos);
  EXPECT_NE(f.find("Kitchen"), std::string::npos);
  EXPECT_NE(f.find("model"), std::string::npos);
}

TEST(StatusTest, StatusOrCarriesValueOrError) {
  StatusOr<int> v = 5;
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(*v, 5);
  StatusOr<int> e = Status::NotFound("x");
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.status().ToString(), "NOT_FOUND: x");
}

}  // namespace
}  // namespace funkygibbon
