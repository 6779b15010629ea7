// Version strings and wire timestamps (DESIGN.md §3).
//
//   version   = TIMESTAMP "-" COUNTER "-" USER_ID
//   TIMESTAMP = UTC ISO-8601 with microseconds and "+00:00", e.g.
//               2026-06-15T09:41:02.581234+00:00
//   COUNTER   = six decimal digits
//
// Lexical order of canonical versions is time order. The legacy form that ends
// the timestamp with "Z" instead of "+00:00" is accepted by ParseVersion.
#ifndef FUNKYGIBBON_CORE_VERSION_H_
#define FUNKYGIBBON_CORE_VERSION_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace funkygibbon {

// Microseconds since the Unix epoch, UTC.
using Micros = int64_t;

// The last instant a timestamp or version can carry,
// 9999-12-31T23:59:59.999999+00:00 (a later one needs a five-digit year).
inline constexpr Micros kLastMicros = 253402300799999999;

Micros NowMicros();

// "2026-06-15T09:41:02.581234+00:00". Always 32 characters for years 0000-9999.
std::string FormatTimestamp(Micros t);

// Accepts ISO-8601 date-times as real clients send them: "T" or " " separator,
// 0-9 fractional digits, and "Z", "+HH:MM", "-HH:MM", "+HHMM" or no zone
// (taken as UTC). Returns nullopt for anything else, and for instants
// outside years 0000-9999 UTC (which a zone offset can reach from the edges).
std::optional<Micros> ParseTimestamp(std::string_view s);

struct ParsedVersion {
  Micros time = 0;
  int counter = 0;
  std::string user_id;
  bool legacy_z = false;  // the timestamp ended in "Z"
};

// Parses canonical and legacy-"Z" versions. Returns nullopt for versions that
// do not have that shape (clients in the field send e.g. "v-1718000000000";
// such versions are legal ids of a version, they just carry no time).
std::optional<ParsedVersion> ParseVersion(std::string_view v);

// Canonical spelling of a parsed version.
std::string FormatVersion(const ParsedVersion& v);

// Orders versions: both parseable -> by (time, counter, user_id); otherwise by
// plain string comparison. Returns <0, 0, >0.
int CompareVersions(std::string_view a, std::string_view b);

// Makes new canonical versions that strictly increase within one generator
// even when the clock stands still or steps back.
//
// Thread-safe.
class VersionGenerator {
 public:
  VersionGenerator() = default;
  VersionGenerator(const VersionGenerator&) = delete;
  VersionGenerator& operator=(const VersionGenerator&) = delete;

  // A new version for user_id, later than every version this generator made
  // and later than `floor` (a version this generator must outrank, e.g. the
  // current version of the entity being edited), if it parses. Versions
  // never go past kLastMicros: there only the counter grows, so the two
  // guarantees hold until the counter of that last instant is used up.
  std::string Next(std::string_view user_id, std::string_view floor = {});

  // A timestamp strictly later than every one handed out before (except
  // that it stops at kLastMicros).
  Micros NextMicros();

 private:
  std::mutex mu_;
  Micros last_time_ = 0;
  int counter_ = 0;
};

}  // namespace funkygibbon

#endif  // FUNKYGIBBON_CORE_VERSION_H_
