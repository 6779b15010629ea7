// A SQLite VFS that sends each commit's WAL frames to the file in one write.
//
// SQLite appends a transaction to the WAL as two writes per page (a 24-byte
// frame header, then the page). A small commit touches ten to twenty pages,
// so that is twenty to forty system calls, and on a virtual machine each one
// costs microseconds. This VFS wraps the default one and, for WAL files
// only, gathers consecutive appends in memory and writes them with a single
// pwrite when the commit frame (the frame whose header carries the new
// database size) has been appended; that happens inside the xWrite call of
// the commit frame's page, so a failure is reported to SQLite as that
// write's error and the commit fails as it would without this layer. The
// frames are in the operating system before SQLite publishes them to
// readers (it does so after the last write returns), so other connections,
// in this process or another, never see a frame that is not in the file.
//
// Anything else on a WAL file (a write that is not the next append, a read,
// sync, truncate, size query, lock or close) first writes out what is
// gathered, so the file always reads as if every write had gone straight
// through. Database and journal files are not touched at all.
//
// Thread-safety: each wrapped file is used the way SQLite uses its files
// (one connection at a time); registration is thread-safe.
#ifndef FUNKYGIBBON_STORE_WAL_VFS_H_
#define FUNKYGIBBON_STORE_WAL_VFS_H_

#include <cstdint>

#include "core/status.h"

namespace funkygibbon::store {

// The name to pass to sqlite3_open_v2 (DbOptions::vfs). Registers the VFS
// on first use (not as the default); an error if SQLite has no default VFS.
StatusOr<const char*> BatchedWalVfs();

// How many WAL writes SQLite asked for, and how many reached the file,
// since the process started (for tests and benchmarks).
struct WalWriteCounts {
  uint64_t requested = 0;
  uint64_t issued = 0;
};
WalWriteCounts BatchedWalWriteCounts();

}  // namespace funkygibbon::store

#endif  // FUNKYGIBBON_STORE_WAL_VFS_H_
