// Private to src/graph: the current version of an entity as the index holds
// it, in one heap block (~300 bytes for a typical entity where an Entity
// with its JSON tree takes 1.5-2.5 KB): the text fields back to back and
// the content and parent versions as CBOR (compact_json.h).
//
// Reads take the fields in place (EntityView); an Entity is built only for
// a caller that asks for one (Materialize), and is equal to the Entity the
// record was made from.
//
// Thread-safety: immutable once made; any number of threads may read.
#ifndef FUNKYGIBBON_GRAPH_ENTITY_RECORD_H_
#define FUNKYGIBBON_GRAPH_ENTITY_RECORD_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/types.h"
#include "graph/graph_index.h"
#include "store/store.h"

namespace funkygibbon::graph::internal {

// RecordDeleter is declared in graph_index.h (PreparedEntity holds a record).
using RecordPtr = std::unique_ptr<EntityRecord, RecordDeleter>;

class EntityRecord {
 public:
  static RecordPtr Make(const Entity& e);
  // From a stored row: content and parent_versions are JSON text, encoded
  // without building a JSON tree. Internal (as the store's own decoding)
  // if they are not a JSON object / an array of strings.
  static StatusOr<RecordPtr> FromRow(const store::EntityRow& row);

  EntityRecord(const EntityRecord&) = delete;
  EntityRecord& operator=(const EntityRecord&) = delete;

  std::string_view id() const { return Field(kId); }
  std::string_view name() const { return Field(kName); }
  std::string_view version() const { return Field(kVersion); }
  std::string_view user_id() const { return Field(kUserId); }
  std::string_view created_at() const { return Field(kCreatedAt); }
  std::string_view updated_at() const { return Field(kUpdatedAt); }
  // CBOR array of strings.
  std::string_view parents_cbor() const { return Field(kParents); }
  // CBOR map: the content object.
  std::string_view content_cbor() const { return Field(kContent); }
  EntityType entity_type() const { return static_cast<EntityType>(entity_type_); }
  SourceType source_type() const { return static_cast<SourceType>(source_type_); }
  // A tombstone: content has "deleted": true (as Entity::deleted()).
  bool deleted() const { return deleted_ != 0; }

  // The Entity this record was made from.
  Entity ToEntity() const;
  // Appends the JSON text mcp::DumpJson(ToJson(ToEntity())) gives (members
  // in name order), without building the Entity or its content tree.
  void AppendJson(std::string* out) const;
  EntityPtr Materialize() const;

  // Bytes held, for tests and accounting.
  size_t bytes() const;

 private:
  enum FieldIndex { kId, kName, kVersion, kUserId, kCreatedAt, kUpdatedAt, kParents, kContent,
                    kFieldCount };
  friend struct RecordDeleter;

  EntityRecord() = default;
  // Allocates a record for the given field texts.
  static RecordPtr Build(const std::string_view (&fields)[kFieldCount], EntityType type,
                         SourceType source);
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
  std::string_view Field(FieldIndex f) const {
    const uint32_t begin = f == 0 ? 0 : end_[f - 1];
    return std::string_view(data() + begin, end_[f] - begin);
  }

  uint32_t end_[kFieldCount];  // end offset of each field in data()
  uint8_t entity_type_ = 0;
  uint8_t source_type_ = 0;
  uint8_t deleted_ = 0;
};

// The fields of a current entity, read in place from its record.
struct EntityView {
  std::string_view id;
  std::string_view name;
  EntityType entity_type = EntityType::kNote;
  SourceType source_type = SourceType::kManual;
  const EntityRecord* record = nullptr;  // version, user, times, content
};

// What a node holds for its entity: null until one arrives. Reads as a
// pointer to an EntityView (h->name, (*h).entity_type); Materialize()
// builds a shared Entity for callers outside the index.
class EntityHandle {
 public:
  EntityHandle() = default;
  explicit EntityHandle(RecordPtr r) : record_(std::move(r)) {}

  explicit operator bool() const { return record_ != nullptr; }
  const EntityRecord* get() const { return record_.get(); }
  EntityView operator*() const {
    const EntityRecord& r = *record_;
    return EntityView{r.id(), r.name(), r.entity_type(), r.source_type(), &r};
  }
  struct Arrow {
    EntityView view;
    const EntityView* operator->() const { return &view; }
  };
  Arrow operator->() const { return Arrow{**this}; }
  EntityPtr Materialize() const { return record_ ? record_->Materialize() : nullptr; }

 private:
  RecordPtr record_;
};

}  // namespace funkygibbon::graph::internal

#endif  // FUNKYGIBBON_GRAPH_ENTITY_RECORD_H_
