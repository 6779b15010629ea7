// Private to src/graph: JSON values held as CBOR (RFC 8949) bytes, so that
// an entity's content costs its serialized size (~1 byte of overhead per
// value) instead of a tree of heap nodes, and so that a field can be read
// in place without building that tree.
//
// The encoders write only definite lengths, unsigned/negative integers,
// 64-bit floats, text strings, arrays, maps, booleans and null, and write
// map keys sorted and unique (the order nlohmann::json's std::map keeps),
// so DecodeCbor(encoded) == the original value and dumps to the same text.
// Strings are copied byte for byte (never re-validated or altered).
//
// The readers take a view of one encoded item and never read outside it;
// on bytes that are not a well-formed item they answer "missing".
//
// Thread-safety: pure functions.
#ifndef FUNKYGIBBON_GRAPH_COMPACT_JSON_H_
#define FUNKYGIBBON_GRAPH_COMPACT_JSON_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/types.h"

namespace funkygibbon::graph::internal {

// Appends the CBOR form of j to *out.
void EncodeCbor(const Json& j, std::string* out);

// Appends the CBOR form of JSON text to *out without building a Json tree
// (keys that are not already sorted and unique, as dump() writes them, go
// through a tree). False, with *out unchanged, if the text is not valid
// JSON.
bool EncodeCborFromText(std::string_view text, std::string* out);

// The value of one encoded item (null for malformed bytes).
Json DecodeCbor(std::string_view item);

enum class CborKind { kInvalid, kNull, kBool, kNumber, kString, kBytes, kArray, kMap };

// What the item at the start of `bytes` is.
CborKind CborKindOf(std::string_view bytes);

// The length in bytes of the item at the start of `bytes`, or 0 if it is
// malformed or truncated. Iterative: nesting depth costs no stack.
size_t CborItemSize(std::string_view bytes);

// The text of a string item (the view points into `item`; empty for
// anything else).
std::string_view CborString(std::string_view item);
// The value of a boolean item (false for anything else).
bool CborBool(std::string_view item);

// The value item stored under `key` in a map item, or nullopt.
std::optional<std::string_view> CborFind(std::string_view map, std::string_view key);
// Element i of an array item, or nullopt.
std::optional<std::string_view> CborAt(std::string_view array, uint64_t i);

// Calls f(std::string_view item) for each element of an array item.
template <typename F>
void ForEachCborElement(std::string_view array, F&& f);

// Appends the text FlattenForSearch (core/types.h) makes of the same value:
// keys and string values, numbers as text, each followed by a space.
void FlattenCbor(std::string_view item, std::string* out);

// Appends the JSON text of one encoded item: exactly what
// mcp::DumpJson(DecodeCbor(item)) gives (nlohmann's dump(-1) with invalid
// UTF-8 replaced), written from the bytes without building a Json tree.
// Items this writer does not take apart (byte strings, map keys out of
// order, malformed bytes, nesting past 128) are written through
// DecodeCbor, so the text is the same in every case.
void AppendCborAsJson(std::string_view item, std::string* out);

// ---- implementation details used by the template above ----
// Reads the head of the item at bytes[*pos]: major type (0-7) and argument.
// False if truncated.
bool ReadHead(std::string_view bytes, size_t* pos, int* major, uint64_t* arg);

template <typename F>
void ForEachCborElement(std::string_view array, F&& f) {
  size_t pos = 0;
  int major = 0;
  uint64_t n = 0;
  if (!ReadHead(array, &pos, &major, &n) || major != 4) return;
  for (uint64_t i = 0; i < n; ++i) {
    const size_t len = CborItemSize(array.substr(pos));
    if (len == 0) return;
    f(array.substr(pos, len));
    pos += len;
  }
}

}  // namespace funkygibbon::graph::internal

#endif  // FUNKYGIBBON_GRAPH_COMPACT_JSON_H_
