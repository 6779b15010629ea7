#include "graph/entity_record.h"

#include <cstring>
#include <limits>
#include <new>
#include <utility>

#include "core/json_escape.h"
#include "graph/compact_json.h"

namespace funkygibbon::graph::internal {
namespace {

bool IsTombstoneContent(std::string_view content) {
  const auto v = CborFind(content, "deleted");
  return v && CborKindOf(*v) == CborKind::kBool && CborBool(*v);
}

// Every element of a CBOR array item is a string.
bool AllStrings(std::string_view array) {
  if (CborKindOf(array) != CborKind::kArray) return false;
  bool ok = true;
  ForEachCborElement(array, [&ok](std::string_view v) {
    if (CborKindOf(v) != CborKind::kString) ok = false;
  });
  return ok;
}

}  // namespace

void RecordDeleter::operator()(EntityRecord* r) const {
  if (r == nullptr) return;
  r->~EntityRecord();
  ::operator delete(static_cast<void*>(r));
}

RecordPtr EntityRecord::Build(const std::string_view (&fields)[kFieldCount], EntityType type,
                              SourceType source) {
  size_t total = 0;
  for (std::string_view f : fields) total += f.size();
  if (total > std::numeric_limits<uint32_t>::max()) throw std::length_error("entity too large");
  void* mem = ::operator new(sizeof(EntityRecord) + total);
  RecordPtr r(new (mem) EntityRecord());
  char* out = reinterpret_cast<char*>(r.get() + 1);
  uint32_t end = 0;
  for (int i = 0; i < kFieldCount; ++i) {
    if (!fields[i].empty()) std::memcpy(out + end, fields[i].data(), fields[i].size());
    end += static_cast<uint32_t>(fields[i].size());
    r->end_[i] = end;
  }
  r->entity_type_ = static_cast<uint8_t>(type);
  r->source_type_ = static_cast<uint8_t>(source);
  r->deleted_ = IsTombstoneContent(r->content_cbor()) ? 1 : 0;
  return r;
}

RecordPtr EntityRecord::Make(const Entity& e) {
  std::string parents;
  EncodeCbor(Json(e.parent_versions), &parents);
  std::string content;
  EncodeCbor(e.content, &content);
  const std::string_view fields[kFieldCount] = {e.id,         e.name,       e.version, e.user_id,
                                                e.created_at, e.updated_at, parents,   content};
  return Build(fields, e.entity_type, e.source_type);
}

StatusOr<RecordPtr> EntityRecord::FromRow(const store::EntityRow& row) {
  // One buffer for both encodings: a single allocation per row that is
  // reused while the caller loads (thread_local keeps its capacity).
  thread_local std::string buf;
  buf.clear();
  if (!EncodeCborFromText(row.content, &buf) || CborKindOf(buf) != CborKind::kMap) {
    return Status::Internal("stored content of '" + std::string(row.id) +
                            "' is not a JSON object");
  }
  const size_t content_size = buf.size();
  if (!EncodeCborFromText(row.parent_versions, &buf) ||
      !AllStrings(std::string_view(buf).substr(content_size))) {
    return Status::Internal("stored parent_versions of '" + std::string(row.id) +
                            "' is not a JSON array of strings");
  }
  const std::string_view all(buf);
  const std::string_view fields[kFieldCount] = {
      row.id,         row.name,       row.version,  row.user_id, row.created_at,
      row.updated_at, all.substr(content_size), all.substr(0, content_size)};
  return Build(fields, row.entity_type, row.source_type);
}

Entity EntityRecord::ToEntity() const {
  Entity e;
  e.id = id();
  e.version = version();
  e.entity_type = entity_type();
  e.name = name();
  e.content = DecodeCbor(content_cbor());
  e.source_type = source_type();
  e.user_id = user_id();
  ForEachCborElement(parents_cbor(),
                     [&e](std::string_view v) { e.parent_versions.emplace_back(CborString(v)); });
  e.created_at = created_at();
  e.updated_at = updated_at();
  return e;
}

void EntityRecord::AppendJson(std::string* out) const {
  auto text = [out](std::string_view name, std::string_view value) {
    out->append(name);
    AppendJsonString(out, value, InvalidUtf8::kReplace);
  };
  out->append("{\"content\":");
  AppendCborAsJson(content_cbor(), out);
  text(",\"created_at\":", created_at());
  text(",\"entity_type\":", ToString(entity_type()));
  text(",\"id\":", id());
  text(",\"name\":", name());
  out->append(",\"parent_versions\":[");
  bool first = true;
  ForEachCborElement(parents_cbor(), [&](std::string_view v) {
    if (!std::exchange(first, false)) out->push_back(',');
    AppendJsonString(out, CborString(v), InvalidUtf8::kReplace);
  });
  out->push_back(']');
  text(",\"source_type\":", ToString(source_type()));
  text(",\"updated_at\":", updated_at());
  text(",\"user_id\":", user_id());
  text(",\"version\":", version());
  out->push_back('}');
}

EntityPtr EntityRecord::Materialize() const { return std::make_shared<const Entity>(ToEntity()); }

size_t EntityRecord::bytes() const { return sizeof(EntityRecord) + end_[kFieldCount - 1]; }

}  // namespace funkygibbon::graph::internal
