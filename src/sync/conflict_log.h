// The conflict history of one database: every conflict decision is a meta
// entry "sync.conflict.<n>" (n counts from 1, zero-padded) written in the
// same commit as the sync that made it, with the total in
// "sync.conflicts.count". The hub records the decisions it takes; an edge
// records the ones the hub reported back to it. Readers (GET
// /api/v1/sync/conflicts, the get_sync_conflicts tool) see both the same way.
//
// Thread-safety: pure functions over a Store (which is thread-safe); callers
// that append hold the graph's writer lock so counts do not race.
#ifndef FUNKYGIBBON_SYNC_CONFLICT_LOG_H_
#define FUNKYGIBBON_SYNC_CONFLICT_LOG_H_

#include <cstdint>
#include <string>

#include "core/status.h"
#include "core/types.h"
#include "store/store.h"

namespace funkygibbon::sync {

// How many decisions are recorded (0 when none or unreadable).
int64_t ConflictCount(store::Store& store);

// Adds decision number n (the previous count + 1) to batch.
void AppendConflict(store::WriteBatch& batch, int64_t n, const Json& record);

// Records the new total in batch.
void SetConflictCount(store::WriteBatch& batch, int64_t total);

// The newest `limit` decisions, newest first: {"conflicts": [...], "total": n}.
StatusOr<Json> ReadConflicts(store::Store& store, size_t limit);

}  // namespace funkygibbon::sync

#endif  // FUNKYGIBBON_SYNC_CONFLICT_LOG_H_
