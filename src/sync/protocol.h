// Inbetweenies v2 wire format (/work/shared/INBETWEENIES.md): request and
// response structs, their JSON forms (field names exactly as on the wire),
// and lenient parsing of what real clients send.
//
// Thread-safety: plain values and pure functions.
#ifndef FUNKYGIBBON_SYNC_PROTOCOL_H_
#define FUNKYGIBBON_SYNC_PROTOCOL_H_

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "core/version.h"
#include "store/store.h"

namespace funkygibbon::sync {

inline constexpr char kProtocolVersion[] = "inbetweenies-v2";

enum class ChangeType { kCreate, kUpdate, kDelete };
enum class SyncType { kFull, kDelta, kEntities, kRelationships };

std::string_view ToString(ChangeType t);
std::string_view ToString(SyncType t);

// One change of a request or response. `entity` is absent for
// relationship-only changes (also when a client sends {"id": ""}).
struct SyncChange {
  ChangeType change_type = ChangeType::kUpdate;
  std::optional<Entity> entity;
  std::vector<Relationship> relationships;
};

struct SyncFilters {
  std::vector<EntityType> entity_types;  // empty = all
  std::optional<Micros> since;           // exclusive; absent = everything
  std::vector<std::string> modified_by;  // user ids; empty = all
};

struct SyncRequest {
  std::string protocol_version;
  std::string device_id;
  std::string user_id;
  SyncType sync_type = SyncType::kFull;
  std::vector<SyncChange> changes;
  SyncFilters filters;
  Json vector_clock = Json::object();  // opaque, echoed
  bool cursor_present = false;         // the client sent a "cursor" key (even null)
  std::optional<std::string> cursor;   // its value when a string
};

struct ConflictInfo {
  std::string entity_id;
  std::string local_version;   // what the hub held
  std::string remote_version;  // what the client sent
  std::string resolution_strategy = "last_write_wins";
  std::string resolved_version;  // the winner
};

struct SyncStats {
  size_t entities_synced = 0;
  size_t relationships_synced = 0;
  size_t conflicts_resolved = 0;
  int64_t duration_ms = 0;
};

struct SyncResponse {
  std::string protocol_version = kProtocolVersion;
  SyncType sync_type = SyncType::kFull;
  std::vector<SyncChange> changes;
  std::vector<ConflictInfo> conflicts;
  SyncStats sync_stats;
  Json vector_clock = Json::object();
  std::optional<std::string> cursor;
  std::string server_time;
  std::vector<std::string> applied;
  std::vector<std::string> applied_relationships;
  std::string state_digest;
  // Relationship pairs the vocabulary does not allow: applied, reported here.
  std::vector<std::string> warnings;
};

// Wire forms. Every response field is always present.
Json ToJson(const SyncChange& c);
Json ToJson(const ConflictInfo& c);
Json ToJson(const SyncRequest& r);
Json ToJson(const SyncResponse& r);

// The JSON text of ToJson(r), written straight from the structs: a full
// pull is tens of thousands of rows, and building a Json tree for them only
// to serialize it cost more than the pull itself. Objects are written with
// their keys sorted (as DumpJson writes them), except that sync_stats comes
// last, so a caller can time the serialization too (see SyncHub). A byte
// that is not part of valid UTF-8 is written as U+FFFD.
std::string SerializeResponse(const SyncResponse& r);

// SerializeResponse in parts, for an answer whose changes are written as
// they are read (SyncHub::HandleSerialized): the head runs from '{' to the
// opening '[' of "changes", each change is appended with AppendChange or
// AppendChangeRow (with `first` true for the first only), and the tail runs
// from the closing ']' to the end. The parts ignore r.changes.
void AppendResponseHead(std::string* out, const SyncResponse& r);
void AppendChange(std::string* out, const SyncChange& c, bool first);
void AppendResponseTail(std::string* out, const SyncResponse& r);

// The change a pull makes of a stored row (see ChangeOf), written straight
// from the row's text: its JSON columns are copied as stored, which is
// byte for byte what decoding and re-encoding them would write. Internal,
// naming the row, if a JSON column is not the shape the store writes.
Status AppendChangeRow(std::string* out, const store::ChangedRowView& row, bool first);

// What a pull calls a current entity version: delete for a tombstone,
// create for a version without parents, else update.
ChangeType ChangeOf(const Entity& e);
// The same from the stored row, without decoding it; Internal, naming the
// row, if its content is not a JSON object.
StatusOr<ChangeType> ChangeOf(const store::EntityRow& row);

// Parses a request. Accepts any letter case for enums and vocabulary,
// non-UUID ids and non-canonical versions, "Z" timestamps, missing endpoint
// versions, {"id": ""} entities. A bad change fails with InvalidArgument
// naming "changes[i].field". The protocol version is not checked here.
StatusOr<SyncRequest> ParseSyncRequest(const Json& j);

// Parses a response (the edge side reading a hub's answer).
StatusOr<SyncResponse> ParseSyncResponse(const Json& j);

// Parses one change (index used in error messages).
StatusOr<SyncChange> ParseSyncChange(const Json& j, size_t index);

}  // namespace funkygibbon::sync

#endif  // FUNKYGIBBON_SYNC_PROTOCOL_H_
