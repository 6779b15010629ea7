// Fuzzes the version strings and wire timestamps of core/version.h. The
// input is split at newlines into up to three strings a, b, c.
//
// Invariants: a parsed timestamp formats to the canonical 32-character form
// and parses back to the same instant; a parsed version formats to a
// canonical version that parses back to the same parts and compares equal
// to the original; CompareVersions is reflexive and antisymmetric; a
// VersionGenerator's versions parse, strictly increase, and outrank a floor
// that parses.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/version.h"
#include "fuzz_util.h"

namespace funkygibbon::fuzz {
namespace {

void CheckTimestamp(std::string_view s) {
  const std::optional<Micros> t = ParseTimestamp(s);
  if (!t) return;
  const std::string canonical = FormatTimestamp(*t);
  FUZZ_CHECK(canonical.size() == 32, "'" + std::string(s) + "' formats as '" + canonical + "'");
  FUZZ_CHECK(ParseTimestamp(canonical) == t,
             "'" + std::string(s) + "' -> '" + canonical + "' does not parse back");
}

void CheckVersion(std::string_view v) {
  const std::optional<ParsedVersion> p = ParseVersion(v);
  if (!p) return;
  FUZZ_CHECK(!p->user_id.empty() && p->counter >= 0 && p->counter <= 999999, std::string(v));
  const std::string canonical = FormatVersion(*p);
  const std::optional<ParsedVersion> q = ParseVersion(canonical);
  FUZZ_CHECK(q.has_value(), "'" + std::string(v) + "' -> '" + canonical + "' does not parse");
  FUZZ_CHECK(q->time == p->time && q->counter == p->counter && q->user_id == p->user_id &&
                 !q->legacy_z,
             "'" + std::string(v) + "' -> '" + canonical + "' changes meaning");
  FUZZ_CHECK(CompareVersions(v, canonical) == 0, std::string(v) + " vs " + canonical);
  FUZZ_CHECK(FormatVersion(*q) == canonical, "canonical form is not stable: " + canonical);
}

void CheckOrder(std::string_view a, std::string_view b) {
  FUZZ_CHECK(CompareVersions(a, a) == 0, std::string(a));
  const int ab = CompareVersions(a, b);
  const int ba = CompareVersions(b, a);
  FUZZ_CHECK(ab >= -1 && ab <= 1, "out of range");
  FUZZ_CHECK(ab == -ba, "not antisymmetric: '" + std::string(a) + "' vs '" + std::string(b) + "'");
}

// At the last instant with the counter used up nothing later exists (see
// VersionGenerator::Next), so ties are allowed there.
bool AtTheEnd(const std::string& v) {
  auto p = ParseVersion(v);
  return p && p->time == kLastMicros && p->counter == 999999;
}

void CheckGenerator(std::string_view floor, std::string_view user) {
  VersionGenerator gen;
  const std::string user_id = user.empty() ? "fuzz" : std::string(user.substr(0, 64));
  const std::string v1 = gen.Next(user_id, floor);
  const std::string v2 = gen.Next(user_id, floor);
  const std::string v3 = gen.Next(user_id, v2);
  for (const std::string* v : {&v1, &v2, &v3}) {
    FUZZ_CHECK(ParseVersion(*v).has_value(), "generated '" + *v + "' does not parse (floor '" +
                                                 std::string(floor) + "')");
    if (ParseVersion(floor) && !AtTheEnd(*v)) {
      FUZZ_CHECK(CompareVersions(*v, floor) > 0,
                 "generated '" + *v + "' does not outrank floor '" + std::string(floor) + "'");
    }
  }
  FUZZ_CHECK((CompareVersions(v1, v2) < 0 || AtTheEnd(v2)) &&
                 (CompareVersions(v2, v3) < 0 || AtTheEnd(v3)),
             "not increasing: " + v1 + ", " + v2 + ", " + v3);
  const Micros m1 = gen.NextMicros();
  const Micros m2 = gen.NextMicros();
  FUZZ_CHECK(m1 < m2 || m2 == kLastMicros, "NextMicros does not increase");
  FUZZ_CHECK(m2 <= kLastMicros && FormatTimestamp(m2).size() == 32, "NextMicros past year 9999");
}

}  // namespace
}  // namespace funkygibbon::fuzz

using namespace funkygibbon::fuzz;  // NOLINT: fuzz entry points only

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts = SplitLines(input, 3);
  while (parts.size() < 3) parts.push_back(std::string_view());
  for (std::string_view s : parts) {
    CheckTimestamp(s);
    CheckVersion(s);
  }
  CheckOrder(parts[0], parts[1]);
  CheckOrder(parts[1], parts[2]);
  CheckGenerator(parts[0], parts[2]);
  return 0;
}
