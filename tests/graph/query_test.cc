#include <gtest/gtest.h>

#include "graph/graph_index.h"
#include "graph_fixture.h"

namespace funkygibbon::graph {
namespace {

using E = EntityType;
using R = RelationshipType;
using Strings = std::vector<std::string>;

FieldFilter F(std::string field, FilterOp op, Json value = nullptr) {
  return FieldFilter{std::move(field), op, std::move(value)};
}

class QueryTest : public ::testing::Test {
 protected:
  void SetUp() override { fixture::BuildHome(g_); }

  // Ids of the matches, ordered by id unless the query says otherwise.
  Strings Ids(StructuredQuery q) {
    if (q.order_by == "name") q.order_by = "id";
    auto r = g_.Query(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? fixture::Ids(r->entities) : Strings{};
  }
  Strings Devices(std::vector<FieldFilter> filters) {
    StructuredQuery q;
    q.entity_type = E::kDevice;
    q.filters = std::move(filters);
    return Ids(q);
  }
  Strings All(std::vector<FieldFilter> filters) {
    StructuredQuery q;
    q.filters = std::move(filters);
    return Ids(q);
  }
  Status Error(StructuredQuery q) { return g_.Query(q).status(); }

  GraphIndex g_;
};

TEST_F(QueryTest, TypeFilterOrdersByNameByDefault) {
  StructuredQuery q;
  q.entity_type = E::kDevice;
  auto r = g_.Query(q);
  ASSERT_TRUE(r.ok());
  Strings names;
  for (const auto& e : r->entities) names.push_back(e->name);
  EXPECT_EQ(names, (Strings{"Bedroom Light", "Fridge", "Hall Thermostat", "Kitchen Ceiling Light",
                            "Living Room Floor Light", "Television"}));
  EXPECT_EQ(r->total, 6u);
}

TEST_F(QueryTest, EqAndNe) {
  EXPECT_EQ(All({F("name", FilterOp::kEq, "kitchen")}), Strings{"kitchen"});  // any case
  EXPECT_EQ(All({F("id", FilterOp::kEq, "KITCHEN")}), Strings{});               // ids are exact
  EXPECT_EQ(All({F("id", FilterOp::kEq, "kitchen")}), Strings{"kitchen"});
  EXPECT_EQ(Devices({F("content.manufacturer", FilterOp::kEq, "philips")}),
            (Strings{"lamp-k", "lamp-l"}));
  EXPECT_EQ(Devices({F("content.manufacturer", FilterOp::kNe, "Philips")}),
            (Strings{"fridge", "lamp-b", "thermostat", "tv"}));
  EXPECT_EQ(All({F("entity_type", FilterOp::kEq, "ZONE")}), (Strings{"first", "ground"}));
  EXPECT_EQ(All({F("source_type", FilterOp::kEq, "manual")}).size(), 21u);
  EXPECT_EQ(All({F("user_id", FilterOp::kEq, "tester")}).size(), 21u);
  // Numbers compare numerically across int and float.
  EXPECT_EQ(All({F("content.area_m2", FilterOp::kEq, 6.0)}), Strings{"hall"});
  EXPECT_EQ(All({F("content.area_m2", FilterOp::kEq, 14.5)}), Strings{"kitchen"});
  // Mismatched kinds never match: the number 80 is not the string "80".
  EXPECT_EQ(Devices({F("content.brightness", FilterOp::kEq, "80")}), Strings{});
  EXPECT_EQ(Devices({F("content.brightness", FilterOp::kEq, 80)}), Strings{"lamp-k"});
  // eq null matches a missing field.
  EXPECT_EQ(Devices({F("content.brightness", FilterOp::kEq, nullptr)}),
            (Strings{"fridge", "thermostat", "tv"}));
}

TEST_F(QueryTest, ContainsOnStringsAndArrays) {
  EXPECT_EQ(All({F("name", FilterOp::kContains, "LIGHT")}), (Strings{"lamp-b", "lamp-k", "lamp-l"}));
  EXPECT_EQ(All({F("content.tags", FilterOp::kContains, "appliance")}), (Strings{"fridge", "tv"}));
  EXPECT_EQ(All({F("content.tags", FilterOp::kContains, "Media")}), Strings{"tv"});
  EXPECT_EQ(All({F("content.tags", FilterOp::kContains, "app")}), Strings{});  // membership, not substring
  EXPECT_EQ(All({F("content.brightness", FilterOp::kContains, "8")}), Strings{});
}

TEST_F(QueryTest, ExistsAndNotExists) {
  EXPECT_EQ(All({F("content.brightness", FilterOp::kExists)}), (Strings{"lamp-b", "lamp-k", "lamp-l"}));
  EXPECT_EQ(Devices({F("content.brightness", FilterOp::kNotExists)}),
            (Strings{"fridge", "thermostat", "tv"}));
  EXPECT_EQ(All({F("content.lock", FilterOp::kExists)}), Strings{"door-bb"});
}

TEST_F(QueryTest, OrderingOperators) {
  EXPECT_EQ(Devices({F("content.brightness", FilterOp::kGt, 30)}), (Strings{"lamp-k", "lamp-l"}));
  EXPECT_EQ(Devices({F("content.brightness", FilterOp::kGte, 30)}),
            (Strings{"lamp-b", "lamp-k", "lamp-l"}));
  EXPECT_EQ(Devices({F("content.brightness", FilterOp::kLt, 40)}), Strings{"lamp-b"});
  EXPECT_EQ(Devices({F("content.brightness", FilterOp::kLte, 40)}), (Strings{"lamp-b", "lamp-l"}));
  EXPECT_EQ(All({F("content.area_m2", FilterOp::kGt, 14)}), (Strings{"kitchen", "living"}));
  // Strings compare by bytes.
  EXPECT_EQ(All({F("name", FilterOp::kGte, "T")}), (Strings{"manual-tv", "tv"}));
  EXPECT_EQ(All({F("content.schedule", FilterOp::kLt, "23:00")}), Strings{"night-mode"});
  // A string bound never matches a number field.
  EXPECT_EQ(Devices({F("content.brightness", FilterOp::kGt, "1")}), Strings{});
  // Range: both must hold.
  EXPECT_EQ(Devices({F("content.brightness", FilterOp::kGt, 30),
                     F("content.brightness", FilterOp::kLt, 50)}),
            Strings{"lamp-l"});
}

TEST_F(QueryTest, InMembership) {
  EXPECT_EQ(Devices({F("content.manufacturer", FilterOp::kIn, Json::array({"sony", "Bosch"}))}),
            (Strings{"fridge", "tv"}));
  EXPECT_EQ(All({F("id", FilterOp::kIn, Json::array({"tv", "home", "ghost"}))}),
            (Strings{"home", "tv"}));
  EXPECT_EQ(All({F("content.level", FilterOp::kIn, Json::array({1, 2}))}), Strings{"first"});
  StructuredQuery q;
  q.filters = {F("name", FilterOp::kIn, "tv")};
  Status st = Error(q);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("array"), std::string::npos);
}

TEST_F(QueryTest, ContentPaths) {
  // Plain a.b means content; numeric segments index arrays.
  EXPECT_EQ(All({F("brightness", FilterOp::kGt, 50)}), Strings{"lamp-k"});
  EXPECT_EQ(All({F("tags.0", FilterOp::kEq, "light")}), (Strings{"lamp-b", "lamp-k", "lamp-l"}));
  EXPECT_EQ(All({F("content.tags.1", FilterOp::kEq, "ceiling")}), Strings{"lamp-k"});
  EXPECT_EQ(All({F("content.tags.9", FilterOp::kExists)}), Strings{});
  EXPECT_EQ(All({F("content.brightness.deeper", FilterOp::kExists)}), Strings{});
}

TEST_F(QueryTest, BadFieldsAndOperands) {
  for (const char* bad : {"", "content", "content.", ".a", "a..b"}) {
    StructuredQuery q;
    q.filters = {F(bad, FilterOp::kExists)};
    Status st = Error(q);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(st.message().find("entity_type"), std::string::npos) << st.message();
  }
  StructuredQuery q;
  q.order_by = "a..b";
  EXPECT_EQ(Error(q).code(), StatusCode::kInvalidArgument);
  q = StructuredQuery{};
  q.filters = {F("name", FilterOp::kGt, Json::object())};
  EXPECT_EQ(Error(q).code(), StatusCode::kInvalidArgument);
  q.filters = {F("name", FilterOp::kContains, nullptr)};
  EXPECT_EQ(Error(q).code(), StatusCode::kInvalidArgument);
  q = StructuredQuery{};
  q.limit = 1001;
  Status st = Error(q);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("1000"), std::string::npos);
  q.limit = 1000;
  EXPECT_TRUE(Error(q).ok());
}

TEST_F(QueryTest, RelationshipPatterns) {
  StructuredQuery q;
  q.entity_type = E::kDevice;
  RelationshipPattern in_kitchen;
  in_kitchen.type = R::kLocatedIn;
  in_kitchen.other_type = E::kRoom;
  in_kitchen.other_name = "KITCHEN";
  q.relationships = {in_kitchen};
  EXPECT_EQ(Ids(q), (Strings{"fridge", "lamp-k"}));

  RelationshipPattern documented;
  documented.type = R::kDocumentedBy;
  documented.negate = true;
  q.relationships = {documented};
  EXPECT_EQ(Ids(q), (Strings{"lamp-b", "lamp-k", "lamp-l", "thermostat"}));

  // Rooms that something is located in (incoming edge), and by other_id.
  StructuredQuery rooms;
  rooms.entity_type = E::kRoom;
  RelationshipPattern has_device;
  has_device.type = R::kLocatedIn;
  has_device.direction = Direction::kIn;
  has_device.other_type = E::kDevice;
  rooms.relationships = {has_device};
  EXPECT_EQ(Ids(rooms), (Strings{"bedroom", "hall", "kitchen", "living"}));
  has_device.other_id = "tv";
  rooms.relationships = {has_device};
  EXPECT_EQ(Ids(rooms), Strings{"living"});

  // Either direction, any type: entities touching the hall.
  StructuredQuery touching;
  RelationshipPattern any;
  any.direction = Direction::kBoth;
  any.other_id = "hall";
  touching.relationships = {any};
  EXPECT_EQ(Ids(touching), (Strings{"bedroom", "door-kh", "door-lh", "ground", "thermostat"}));
  // All patterns must hold; negate excludes.
  RelationshipPattern not_device = has_device;
  not_device.other_id.reset();
  not_device.negate = true;
  touching.relationships = {any, not_device};
  // (the thermostat is itself a device in the hall: nothing is located in it)
  EXPECT_EQ(Ids(touching), (Strings{"door-kh", "door-lh", "ground", "thermostat"}));
}

TEST_F(QueryTest, OrderingPagingAndTotal) {
  StructuredQuery q;
  q.entity_type = E::kDevice;
  q.order_by = "content.brightness";
  q.descending = true;
  auto r = g_.Query(q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(fixture::Ids(r->entities),
            (Strings{"lamp-k", "lamp-l", "lamp-b", "fridge", "thermostat", "tv"}));
  q.descending = false;  // missing values stay last
  r = g_.Query(q);
  EXPECT_EQ(fixture::Ids(r->entities),
            (Strings{"lamp-b", "lamp-l", "lamp-k", "fridge", "thermostat", "tv"}));
  q.limit = 2;
  q.offset = 1;
  r = g_.Query(q);
  EXPECT_EQ(fixture::Ids(r->entities), (Strings{"lamp-l", "lamp-k"}));
  EXPECT_EQ(r->total, 6u);
  q.offset = 5;
  r = g_.Query(q);
  EXPECT_EQ(fixture::Ids(r->entities), Strings{"tv"});
  q.offset = 50;
  r = g_.Query(q);
  EXPECT_TRUE(r->entities.empty());
  EXPECT_EQ(r->total, 6u);
  q.offset = 0;
  q.limit = 0;
  r = g_.Query(q);
  EXPECT_TRUE(r->entities.empty());
  EXPECT_EQ(r->total, 6u);
  // Name order ignores case; descending by name.
  StructuredQuery by_name;
  by_name.entity_type = E::kZone;
  by_name.descending = true;
  r = g_.Query(by_name);
  EXPECT_EQ(fixture::Ids(r->entities), (Strings{"ground", "first"}));
}

TEST_F(QueryTest, DeletedOnlyWhenAsked) {
  g_.PutEntity(fixture::Tombstone(g_.Get("tv")));
  StructuredQuery q;
  q.entity_type = E::kDevice;
  EXPECT_EQ(Ids(q).size(), 5u);
  q.include_deleted = true;
  EXPECT_EQ(Ids(q).size(), 6u);
  q.filters = {F("name", FilterOp::kEq, "television")};
  EXPECT_EQ(Ids(q), Strings{"tv"});
  q.filters = {F("id", FilterOp::kEq, "tv")};
  EXPECT_EQ(Ids(q), Strings{"tv"});
  q.include_deleted = false;
  EXPECT_EQ(Ids(q), Strings{});
}

}  // namespace
}  // namespace funkygibbon::graph
