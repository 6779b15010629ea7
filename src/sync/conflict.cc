#include "sync/conflict.h"

#include <algorithm>

namespace funkygibbon::sync {

std::optional<Micros> EditTime(const Entity& e) {
  std::optional<Micros> t;
  if (auto v = ParseVersion(e.version)) t = v->time;
  if (!e.updated_at.empty()) {
    if (auto u = ParseTimestamp(e.updated_at)) t = t ? std::min(*t, *u) : *u;
  }
  return t;
}

void ClampUpdatedAt(Entity* e, Micros now) {
  std::optional<Micros> t;
  if (!e->updated_at.empty()) t = ParseTimestamp(e->updated_at);
  if (!t) {
    if (auto v = ParseVersion(e->version)) t = v->time;
  }
  if (!t) t = now;
  e->updated_at = FormatTimestamp(std::min(*t, now + kMaxClockSkewMicros));
}

ConflictDecision ResolveConflict(const Entity& local, const Entity& remote, Micros now) {
  std::optional<Micros> lt = EditTime(local);
  std::optional<Micros> rt = EditTime(remote);
  const Micros limit = now + kMaxClockSkewMicros;
  if (lt) lt = std::min(*lt, limit);
  if (rt) rt = std::min(*rt, limit);
  ConflictDecision d;
  if (lt && rt) {
    Micros diff = *lt > *rt ? *lt - *rt : *rt - *lt;
    if (diff >= kTieWindowMicros) {
      d.winner = *rt > *lt ? Winner::kRemote : Winner::kLocal;
      d.reason = "newer edit time";
      return d;
    }
    d.reason = "edit times within 1000 ms: lexically greater version";
  } else {
    d.reason = "no edit time: lexically greater version";
  }
  d.winner = remote.version > local.version ? Winner::kRemote : Winner::kLocal;
  return d;
}

}  // namespace funkygibbon::sync
