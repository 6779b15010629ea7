// Store::ScanCurrentRows: the loader's scan gives the same current graph as
// ScanCurrent, with the JSON columns as stored text, and stops on a
// callback's error.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "store/store.h"
#include "store_test_helpers.h"

namespace funkygibbon::store {
namespace {

using testing::CommitOrDie;
using testing::MakeEdge;
using testing::MakeEntity;
using testing::OpenOrDie;
using testing::Put;
using testing::ScanAll;

// The Entity a row stands for, decoded with the JSON library.
Entity FromRow(const EntityRow& row) {
  Entity e;
  e.id = row.id;
  e.version = row.version;
  e.entity_type = row.entity_type;
  e.name = row.name;
  e.content = Json::parse(row.content);
  e.source_type = row.source_type;
  e.user_id = row.user_id;
  e.parent_versions = Json::parse(row.parent_versions).get<std::vector<std::string>>();
  e.created_at = row.created_at;
  e.updated_at = row.updated_at;
  return e;
}

void Fill(Store& store) {
  Entity room = MakeEntity("room", "v1", "K\xC3\xBC" "che", {{"floor", 0}}, EntityType::kRoom);
  Entity lamp = MakeEntity("lamp", "v1", "Lamp", {{"b", 1}, {"a", {"x", 2.5}}});
  CommitOrDie(store, Put({room, lamp}, {MakeEdge("e1", "lamp", "room")}));
  Entity lamp2 = lamp;
  lamp2.version = "v2";
  lamp2.parent_versions = {"v1"};
  lamp2.content["deleted"] = true;
  Relationship gone = MakeEdge("e1", "lamp", "room");
  gone.deleted = true;
  Relationship kept = MakeEdge("e2", "room", "lamp", RelationshipType::kControls);
  kept.properties = {{"weight", 3}};
  CommitOrDie(store, Put({lamp2}, {gone, kept}));
}

void ExpectSameAsScanCurrent(Store& store) {
  const testing::Scanned want = ScanAll(store);
  std::vector<Entity> entities;
  std::vector<Relationship> relationships;
  Status s = store.ScanCurrentRows(
      [&](const EntityRow& row) {
        entities.push_back(FromRow(row));
        return Status::Ok();
      },
      [&](Relationship&& r) {
        relationships.push_back(r);  // a copy: the object may be reused
        return Status::Ok();
      });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(entities, want.entities);
  EXPECT_EQ(relationships, want.relationships);
  EXPECT_EQ(entities.size(), 2u);
  EXPECT_EQ(relationships.size(), 2u);
}

TEST(ScanRowsTest, MatchesScanCurrentInMemory) {
  auto store = OpenOrDie(":memory:");
  Fill(*store);
  ExpectSameAsScanCurrent(*store);
}

TEST(ScanRowsTest, MatchesScanCurrentOnFile) {
  const std::string path = ::testing::TempDir() + "/scan_rows.db";
  std::remove(path.c_str());
  auto store = OpenOrDie(path);
  Fill(*store);
  ExpectSameAsScanCurrent(*store);
  // The reader it used is back in the pool and still works.
  EXPECT_TRUE(store->History("lamp").ok());
}

TEST(ScanRowsTest, ACallbackErrorStopsTheScan) {
  auto store = OpenOrDie(":memory:");
  Fill(*store);
  int entities = 0, relationships = 0;
  Status s = store->ScanCurrentRows(
      [&](const EntityRow&) {
        ++entities;
        return Status(StatusCode::kCancelled, "enough");
      },
      [&](Relationship&&) {
        ++relationships;
        return Status::Ok();
      });
  EXPECT_EQ(s.code(), StatusCode::kCancelled);
  EXPECT_EQ(entities, 1);
  EXPECT_EQ(relationships, 0);
  // The store is usable afterwards.
  CommitOrDie(*store, Put({MakeEntity("more", "v1", "More")}));
  EXPECT_EQ(ScanAll(*store).entities.size(), 3u);
}

}  // namespace
}  // namespace funkygibbon::store
