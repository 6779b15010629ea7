// The server-side conflict rule of Inbetweenies v2 (INBETWEENIES.md rule 3),
// as a pure function.
//
// Edit time of a version: the earlier of the time parsed from the version
// string and the row's updated_at (whichever parse), else unknown. Edit
// times later than now + skew are clamped to now + skew; the hub also clamps
// updated_at when it stores a version (ClampUpdatedAt), so a version from a
// device with a wrong clock cannot keep winning once real time passes it. If the two
// (clamped) edit times are less than 1000 ms apart, or either is unknown,
// the lexically greater version string wins; otherwise the newer one wins.
//
// Thread-safety: pure functions.
#ifndef FUNKYGIBBON_SYNC_CONFLICT_H_
#define FUNKYGIBBON_SYNC_CONFLICT_H_

#include <optional>
#include <string>

#include "core/types.h"
#include "core/version.h"

namespace funkygibbon::sync {

inline constexpr Micros kTieWindowMicros = 1'000'000;  // < 1000 ms apart: lexical tie-break
inline constexpr Micros kMaxClockSkewMicros = 5'000'000;  // future edit times clamp to now + 5 s

enum class Winner { kLocal, kRemote };

struct ConflictDecision {
  Winner winner = Winner::kLocal;
  std::string reason;  // e.g. "newer edit time", "within 1000 ms: greater version"
};

// The edit time of an entity version (see above), before clamping.
std::optional<Micros> EditTime(const Entity& e);

// Rewrites e->updated_at (filled from the version when missing) so it is no
// later than now + kMaxClockSkewMicros, in wire form.
void ClampUpdatedAt(Entity* e, Micros now);

// Decides between the hub's current version (local) and an incoming one
// (remote) that is neither a re-send nor a fast-forward. `now` is the hub's clock.
ConflictDecision ResolveConflict(const Entity& local, const Entity& remote, Micros now);

}  // namespace funkygibbon::sync

#endif  // FUNKYGIBBON_SYNC_CONFLICT_H_
