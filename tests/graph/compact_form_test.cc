// The compact forms the index keeps entities in (compact_json.h,
// entity_record.h): every value must come back exactly as it went in.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "graph/compact_json.h"
#include "graph/entity_record.h"

namespace funkygibbon::graph::internal {
namespace {

std::string Cbor(const Json& j) {
  std::string out;
  EncodeCbor(j, &out);
  return out;
}

// Values chosen to hit every encoding width and kind, with keys in an
// order that is not the sorted one and strings outside ASCII.
std::vector<Json> Samples() {
  return {
      Json::object(),
      Json::array(),
      Json{{"zeta", 1}, {"alpha", 2}, {"Mu", 3}, {"\xC3\xA9t\xC3\xA9", 4}, {"", 5}},
      Json{{"name", "K\xC3\xBC" "che \xE2\x80\x94 \xF0\x9F\x8F\xA0"},
           {"quote", "a \"b\" \\ c\n\t\x01"},
           {"nested", {{"b", {1, 2, {{"c", nullptr}}}}, {"a", Json::array()}}}},
      Json{{"n", 0},
           {"small", 23},
           {"byte", 24},
           {"short", 65535},
           {"int", 4294967296ull},
           {"max", std::numeric_limits<uint64_t>::max()},
           {"neg", -1},
           {"neg24", -25},
           {"min", std::numeric_limits<int64_t>::min()},
           {"half", 0.5},
           {"third", 1.0 / 3.0},
           {"negzero", -0.0},
           {"huge", 1e300},
           {"tiny", 5e-324},
           {"t", true},
           {"f", false},
           {"nil", nullptr}},
      Json::array({1, "two", 3.5, nullptr, true, Json::array({Json::object()})}),
      Json(std::string(300, 'x')),
      Json(std::string(70000, 'y')),
  };
}

TEST(CompactJsonTest, RoundTripsExactly) {
  for (const Json& j : Samples()) {
    const std::string c = Cbor(j);
    const Json back = DecodeCbor(c);
    EXPECT_EQ(back, j) << j.dump();
    EXPECT_EQ(back.dump(), j.dump());
    EXPECT_EQ(CborItemSize(c), c.size());
  }
}

TEST(CompactJsonTest, FromTextMatchesFromTree) {
  for (const Json& j : Samples()) {
    const std::string text = j.dump();
    std::string from_text;
    ASSERT_TRUE(EncodeCborFromText(text, &from_text)) << text;
    // dump() writes keys sorted, so the streaming path gives the same bytes.
    EXPECT_EQ(from_text, Cbor(j)) << text;
    EXPECT_EQ(DecodeCbor(from_text).dump(), text);
  }
}

TEST(CompactJsonTest, TextWithKeysOutOfOrderOrRepeatedDecodesAsParsing) {
  const std::string texts[] = {
      R"({"b": 1, "a": {"y": [1, 2], "x": "s"}})",
      R"({"k": 1, "k": 2, "a": 0})",
      R"([{"z": 1, "a": 2}, {"a": 1}])",
      "  {\"spaced\" :\n [ 1 , 2 ] }  ",
  };
  for (const std::string& text : texts) {
    std::string out = "prefix";
    ASSERT_TRUE(EncodeCborFromText(text, &out)) << text;
    ASSERT_EQ(out.substr(0, 6), "prefix");
    EXPECT_EQ(DecodeCbor(std::string_view(out).substr(6)), Json::parse(text)) << text;
  }
}

TEST(CompactJsonTest, InvalidTextIsRefusedAndLeavesOutputAlone) {
  for (const char* text : {"", "{", "{\"a\":}", "[1,]", "nul", "{\"a\":1} x", "\"\xFF\""}) {
    std::string out = "keep";
    EXPECT_FALSE(EncodeCborFromText(text, &out)) << text;
    EXPECT_EQ(out, "keep");
  }
}

TEST(CompactJsonTest, ReadsFieldsInPlace) {
  const std::string c =
      Cbor(Json{{"s", "v\xC3\xA9"}, {"n", 7}, {"b", true}, {"arr", {10, "x", {{"k", "deep"}}}}});
  ASSERT_EQ(CborKindOf(c), CborKind::kMap);
  EXPECT_EQ(CborString(*CborFind(c, "s")), "v\xC3\xA9");
  EXPECT_EQ(CborKindOf(*CborFind(c, "n")), CborKind::kNumber);
  EXPECT_EQ(DecodeCbor(*CborFind(c, "n")), 7);
  EXPECT_TRUE(CborBool(*CborFind(c, "b")));
  EXPECT_FALSE(CborFind(c, "missing"));
  const std::string_view arr = *CborFind(c, "arr");
  EXPECT_EQ(CborKindOf(arr), CborKind::kArray);
  EXPECT_EQ(CborString(*CborAt(arr, 1)), "x");
  EXPECT_EQ(CborString(*CborFind(*CborAt(arr, 2), "k")), "deep");
  EXPECT_FALSE(CborAt(arr, 3));
  std::vector<Json> seen;
  ForEachCborElement(arr, [&](std::string_view v) { seen.push_back(DecodeCbor(v)); });
  EXPECT_EQ(Json(seen), Json::parse(R"([10, "x", {"k": "deep"}])"));
}

TEST(CompactJsonTest, TruncatedBytesAreMissingNotOverread) {
  const std::string c = Cbor(Json{{"key", "value"}, {"list", {1, 2, 3}}});
  for (size_t n = 0; n < c.size(); ++n) {
    const std::string cut = c.substr(0, n);  // a copy: reading past it would be caught by ASan
    EXPECT_EQ(CborItemSize(cut), 0u) << n;
    EXPECT_TRUE(DecodeCbor(cut).is_null()) << n;
    (void)CborFind(cut, "list");
  }
}

TEST(CompactJsonTest, FlattenMatchesFlattenForSearch) {
  for (const Json& content : Samples()) {
    if (!content.is_object()) continue;
    Entity e;
    e.content = content;
    std::string flat;
    FlattenCbor(Cbor(content), &flat);
    EXPECT_EQ(flat, FlattenForSearch(e)) << content.dump();
  }
}

Entity FullEntity() {
  Entity e;
  e.id = "0f8e2a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5b";
  e.version = "2026-06-15T09:41:02.581234+00:00-000002-alice";
  e.entity_type = EntityType::kDevice;
  e.name = "Lampe \xC3\xA0 c\xC3\xB4t\xC3\xA9 \xF0\x9F\x92\xA1";
  e.content = Json{{"z", 1}, {"brightness", 0.75}, {"tags", {"a", "b"}}, {"\xE2\x82\xAC", "euro"}};
  e.source_type = SourceType::kMatter;
  e.user_id = "alice";
  e.parent_versions = {"2026-06-15T09:41:02.581233+00:00-000001-alice", "v-1718000000000"};
  e.created_at = "2026-06-15T09:41:02.581233+00:00";
  e.updated_at = "2026-06-15T09:41:02.581234+00:00";
  return e;
}

std::string DumpReplacing(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// AppendCborAsJson writes the text of the decoded value, byte for byte, on
// every kind of item: the samples, invalid UTF-8, non-finite floats, items
// it hands to DecodeCbor (byte strings, keys out of order or repeated,
// nesting past its depth, malformed bytes), and random trees.
TEST(CompactJsonTest, JsonTextEqualsTheDumpOfTheDecodedValue) {
  auto check = [](const std::string& cbor) {
    std::string out = "before";
    AppendCborAsJson(cbor, &out);
    EXPECT_EQ(out, "before" + DumpReplacing(DecodeCbor(cbor)));
  };
  std::vector<Json> values = Samples();
  values.push_back(Json{{"bad", std::string("a\xFF\xC3(b\xED\xA0\x80")},
                        {std::string("k\xFE"), 1}});
  values.push_back(Json::array({std::numeric_limits<double>::quiet_NaN(),
                                std::numeric_limits<double>::infinity(), -1e-7, 1e21, 100.0}));
  values.push_back(Json::binary({1, 2, 3}));
  Json deep = 1;
  for (int i = 0; i < 300; ++i) deep = Json::array({deep});
  values.push_back(deep);
  for (const Json& j : values) {
    SCOPED_TRACE(DumpReplacing(j).substr(0, 80));
    check(Cbor(j));
  }
  // Hand-made maps: keys out of order, a repeated key, a key that is not text.
  check(std::string("\xA2\x61" "b\x01\x61" "a\x02"));
  check(std::string("\xA2\x61" "a\x01\x61" "a\x02"));
  check(std::string("\xA1\x01\x02"));
  // Malformed and truncated bytes.
  check(std::string());
  check(std::string("\x82\x01"));
  check(std::string("\x63" "ab"));
  check(std::string("\xFB\x00\x00"));
  check(std::string("\xFF"));

  std::mt19937 rng(7);
  const std::function<Json(int)> random_value = [&](int depth) -> Json {
    switch (rng() % (depth > 4 ? 5 : 7)) {
      case 0: return nullptr;
      case 1: return rng() % 2 == 0;
      case 2: return static_cast<int64_t>(rng()) - static_cast<int64_t>(rng());
      case 3: return static_cast<double>(rng()) / 7.0;
      case 4: {
        std::string text;
        for (size_t i = rng() % 12; i > 0; --i) text += static_cast<char>(rng() % 256);
        return text;
      }
      case 5: {
        Json a = Json::array();
        for (size_t i = rng() % 5; i > 0; --i) a.push_back(random_value(depth + 1));
        return a;
      }
      default: {
        Json o = Json::object();
        for (size_t i = rng() % 5; i > 0; --i) {
          o[std::string(1, static_cast<char>('a' + rng() % 26))] = random_value(depth + 1);
        }
        return o;
      }
    }
  };
  for (int i = 0; i < 3000; ++i) check(Cbor(random_value(0)));
}

TEST(EntityRecordTest, RoundTripsEveryField) {
  const Entity e = FullEntity();
  const RecordPtr r = EntityRecord::Make(e);
  EXPECT_EQ(r->ToEntity(), e);
  EXPECT_EQ(r->ToEntity().content.dump(), e.content.dump());
  EXPECT_EQ(*r->Materialize(), e);
  EXPECT_EQ(r->id(), e.id);
  EXPECT_EQ(r->name(), e.name);
  EXPECT_EQ(r->entity_type(), EntityType::kDevice);
  EXPECT_EQ(r->source_type(), SourceType::kMatter);
  EXPECT_FALSE(r->deleted());

  Entity bare;  // empty strings, no parents, empty content
  bare.id = "x";
  EXPECT_EQ(EntityRecord::Make(bare)->ToEntity(), bare);
}

TEST(EntityRecordTest, KnowsTombstones) {
  Entity e = FullEntity();
  e.content["deleted"] = true;
  EXPECT_TRUE(EntityRecord::Make(e)->deleted());
  e.content["deleted"] = "yes";  // only the boolean true marks a tombstone
  EXPECT_FALSE(EntityRecord::Make(e)->deleted());
  EXPECT_EQ(EntityRecord::Make(e)->deleted(), e.deleted());
}

TEST(EntityRecordTest, FromStoredRowEqualsFromEntity) {
  const Entity e = FullEntity();
  const std::string content = e.content.dump();
  const std::string parents = Json(e.parent_versions).dump();
  store::EntityRow row = store::RowOf(e, content, parents);
  auto r = EntityRecord::FromRow(row);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->ToEntity(), e);
  EXPECT_EQ((*r)->content_cbor(), EntityRecord::Make(e)->content_cbor());

  row.content = "[1, 2]";
  EXPECT_EQ(EntityRecord::FromRow(row).status().code(), StatusCode::kInternal);
  row.content = "{";
  EXPECT_EQ(EntityRecord::FromRow(row).status().code(), StatusCode::kInternal);
  row.content = content;
  row.parent_versions = "[1]";
  EXPECT_EQ(EntityRecord::FromRow(row).status().code(), StatusCode::kInternal);
  row.parent_versions = "\"v1\"";
  EXPECT_EQ(EntityRecord::FromRow(row).status().code(), StatusCode::kInternal);
}

// AppendJson writes what DumpJson(ToJson(ToEntity())) does.
TEST(EntityRecordTest, JsonTextEqualsTheDumpOfTheEntity) {
  Entity bare;
  bare.id = "x";
  Entity tomb = FullEntity();
  tomb.content = Json{{"deleted", true}};
  Entity odd = FullEntity();
  odd.name = std::string("bad \xFF name \"q\"\n");
  for (const Entity& e : {FullEntity(), bare, tomb, odd}) {
    std::string out = "x";
    EntityRecord::Make(e)->AppendJson(&out);
    EXPECT_EQ(out, "x" + DumpReplacing(ToJson(e)));
  }
}

}  // namespace
}  // namespace funkygibbon::graph::internal
