// Starts the program with a larger per-thread cache in glibc's malloc.
//
// glibc keeps at most 7 freed chunks of each size in a thread's cache
// (tcache). A tool call builds and frees hundreds of small JSON nodes and
// strings of a few sizes, so most of them overflow into the fastbins, whose
// atomic operations, and the consolidation that any allocation over about
// 1 KB then runs, cost a tenth of a quick call (measured on get_entity_details
// over stdio: ~40 vs ~33 us of user CPU per call with 128 per size). glibc
// reads its tunables once, at process start, from GLIBC_TUNABLES, so the
// servers (mcp, serve) start the program again, once, with
// glibc.malloc.tcache_count=128 added. One-off commands do not: a second start
// costs about 14 ms here (a start is ~22 ms on this machine's VM).
//
// FUNKYGIBBON_MALLOC_TUNING=0 skips it; a GLIBC_TUNABLES that already sets
// tcache_count is left as it is.
#ifndef FUNKYGIBBON_APP_MALLOC_TUNING_H_
#define FUNKYGIBBON_APP_MALLOC_TUNING_H_

#include <optional>
#include <string>

namespace funkygibbon::app {

inline constexpr char kTcacheTunable[] = "glibc.malloc.tcache_count=128";

// The GLIBC_TUNABLES value to start with (`current` plus kTcacheTunable), or
// nullopt when `current` (null: unset) already sets tcache_count.
std::optional<std::string> TunablesWithTcache(const char* current);

// Called once the arguments parse, before anything is opened or any thread
// starts: unless skipped, already done, or the tunables set it, executes
// /proc/self/exe again with the same arguments and the tunable (same process
// id, descriptors and environment otherwise). Returns when it does not (or
// when the exec fails: the program then runs as is).
void StartWithMallocTuning(char** argv);

}  // namespace funkygibbon::app

#endif  // FUNKYGIBBON_APP_MALLOC_TUNING_H_
