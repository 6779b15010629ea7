#include "store/wal_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

namespace funkygibbon::store {
namespace {

constexpr char kVfsName[] = "funkygibbon-batched-wal";
// SQLite's frame header (WAL_FRAME_HDRSIZE); bytes 4..7 hold the database
// size in pages after the commit for a commit frame, zero for any other.
constexpr int kFrameHeaderBytes = 24;
// A transaction larger than this is written out as it grows.
constexpr size_t kMaxGathered = size_t{1} << 20;
// The largest write the default VFS takes in one call: it writes at most
// 128 KiB - 1 bytes per system call and reports a longer write as a full disk.
constexpr size_t kMaxWrite = 120 * 1024;

std::atomic<uint64_t> g_requested{0};
std::atomic<uint64_t> g_issued{0};

sqlite3_vfs* Base(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }

// Laid out at the start of the sqlite3_file SQLite allocates (szOsFile), the
// default VFS's own file after it.
struct WalFile {
  sqlite3_file file;  // must be first: SQLite sees this
  sqlite3_file* real = nullptr;
  std::vector<char> gathered;
  sqlite3_int64 gathered_at = 0;  // file offset of gathered[0]
  bool commit_page_next = false;  // the last write was a commit frame's header
};

constexpr size_t RealFileOffset() {
  return (sizeof(WalFile) + alignof(std::max_align_t) - 1) / alignof(std::max_align_t) *
         alignof(std::max_align_t);
}

WalFile* Wal(sqlite3_file* f) { return reinterpret_cast<WalFile*>(f); }
sqlite3_file* Real(sqlite3_file* f) { return Wal(f)->real; }

int Flush(WalFile* w) {
  int rc = SQLITE_OK;
  for (size_t done = 0; done < w->gathered.size() && rc == SQLITE_OK; done += kMaxWrite) {
    const size_t n = std::min(kMaxWrite, w->gathered.size() - done);
    g_issued.fetch_add(1, std::memory_order_relaxed);
    rc = w->real->pMethods->xWrite(w->real, w->gathered.data() + done, static_cast<int>(n),
                                   w->gathered_at + static_cast<sqlite3_int64>(done));
  }
  w->gathered.clear();
  return rc;
}

// ---- the WAL file's methods --------------------------------------------------

int WalClose(sqlite3_file* f) {
  WalFile* w = Wal(f);
  const int flushed = Flush(w);
  const int closed = w->real->pMethods != nullptr ? w->real->pMethods->xClose(w->real) : SQLITE_OK;
  w->~WalFile();
  return flushed != SQLITE_OK ? flushed : closed;
}

// Whether a write is the header of a commit frame.
bool IsCommitFrameHeader(const void* data, int amount) {
  if (amount != kFrameHeaderBytes) return false;
  const auto* u = static_cast<const unsigned char*>(data);
  return ((uint32_t{u[4]} << 24) | (uint32_t{u[5]} << 16) | (uint32_t{u[6]} << 8) |
          uint32_t{u[7]}) != 0;
}

// What is gathered, then this write, straight to the file.
int WriteThrough(WalFile* w, const void* data, int amount, sqlite3_int64 offset) {
  if (const int rc = Flush(w); rc != SQLITE_OK) return rc;
  g_issued.fetch_add(1, std::memory_order_relaxed);
  return w->real->pMethods->xWrite(w->real, data, amount, offset);
}

int WalWrite(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  WalFile* w = Wal(f);
  g_requested.fetch_add(1, std::memory_order_relaxed);
  const bool commit_page = w->commit_page_next;
  w->commit_page_next = IsCommitFrameHeader(data, amount);
  const auto append_at = w->gathered_at + static_cast<sqlite3_int64>(w->gathered.size());
  // Not the next append (a frame rewritten within its transaction, or a
  // new WAL header): what is gathered goes first, this one straight through.
  if (amount <= 0 || (!w->gathered.empty() && offset != append_at)) {
    return WriteThrough(w, data, amount, offset);
  }
  if (w->gathered.empty()) w->gathered_at = offset;
  const auto* bytes = static_cast<const char*>(data);
  try {
    w->gathered.insert(w->gathered.end(), bytes, bytes + amount);
  } catch (const std::bad_alloc&) {  // nothing may be thrown into SQLite
    return WriteThrough(w, data, amount, offset);
  }
  if (commit_page || w->gathered.size() >= kMaxGathered) return Flush(w);
  return SQLITE_OK;
}

// Read, truncate, sync, size, lock, unlock and file controls: what is
// gathered goes to the file first, then the default VFS's method runs.
template <auto Method, typename... Args>
int FlushThen(sqlite3_file* f, Args... args) {
  if (const int rc = Flush(Wal(f)); rc != SQLITE_OK) return rc;
  return (Real(f)->pMethods->*Method)(Real(f), args...);
}

int WalCheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}

int WalSectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }

int WalDeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}

// SQLite never maps a WAL file as shared memory or memory-maps it; these
// forward for completeness.
int WalShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  sqlite3_file* r = Real(f);
  if (r->pMethods->iVersion < 2 || r->pMethods->xShmMap == nullptr) return SQLITE_IOERR_SHMMAP;
  return r->pMethods->xShmMap(r, region, size, extend, out);
}

int WalShmLock(sqlite3_file* f, int offset, int n, int flags) {
  sqlite3_file* r = Real(f);
  if (r->pMethods->iVersion < 2 || r->pMethods->xShmLock == nullptr) return SQLITE_IOERR_SHMLOCK;
  return r->pMethods->xShmLock(r, offset, n, flags);
}

void WalShmBarrier(sqlite3_file* f) {
  sqlite3_file* r = Real(f);
  if (r->pMethods->iVersion >= 2 && r->pMethods->xShmBarrier != nullptr) {
    r->pMethods->xShmBarrier(r);
  }
}

int WalShmUnmap(sqlite3_file* f, int remove) {
  sqlite3_file* r = Real(f);
  if (r->pMethods->iVersion < 2 || r->pMethods->xShmUnmap == nullptr) return SQLITE_OK;
  return r->pMethods->xShmUnmap(r, remove);
}

int WalFetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  *out = nullptr;
  if (const int rc = Flush(Wal(f)); rc != SQLITE_OK) return rc;
  sqlite3_file* r = Real(f);
  if (r->pMethods->iVersion < 3 || r->pMethods->xFetch == nullptr) return SQLITE_OK;
  return r->pMethods->xFetch(r, offset, amount, out);
}

int WalUnfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  sqlite3_file* r = Real(f);
  if (r->pMethods->iVersion < 3 || r->pMethods->xUnfetch == nullptr) return SQLITE_OK;
  return r->pMethods->xUnfetch(r, offset, p);
}

const sqlite3_io_methods kWalMethods = {
    3,
    WalClose,
    FlushThen<&sqlite3_io_methods::xRead, void*, int, sqlite3_int64>,
    WalWrite,
    FlushThen<&sqlite3_io_methods::xTruncate, sqlite3_int64>,
    FlushThen<&sqlite3_io_methods::xSync, int>,
    FlushThen<&sqlite3_io_methods::xFileSize, sqlite3_int64*>,
    FlushThen<&sqlite3_io_methods::xLock, int>,
    FlushThen<&sqlite3_io_methods::xUnlock, int>,
    WalCheckReservedLock,
    FlushThen<&sqlite3_io_methods::xFileControl, int, void*>,
    WalSectorSize,
    WalDeviceCharacteristics,
    WalShmMap,
    WalShmLock,
    WalShmBarrier,
    WalShmUnmap,
    WalFetch,
    WalUnfetch,
};

// ---- the VFS: WAL files wrapped, everything else handed to the default ----

int Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  sqlite3_vfs* base = Base(vfs);
  if ((flags & SQLITE_OPEN_WAL) == 0) return base->xOpen(base, name, file, flags, out_flags);
  auto* w = new (file) WalFile();
  w->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + RealFileOffset());
  std::memset(w->real, 0, static_cast<size_t>(base->szOsFile));
  const int rc = base->xOpen(base, name, w->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (w->real->pMethods != nullptr) w->real->pMethods->xClose(w->real);
    w->~WalFile();
    file->pMethods = nullptr;  // SQLite will not call xClose
    return rc;
  }
  w->file.pMethods = &kWalMethods;
  return SQLITE_OK;
}

int Delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return Base(vfs)->xDelete(Base(vfs), name, sync_dir);
}
int Access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return Base(vfs)->xAccess(Base(vfs), name, flags, out);
}
int FullPathname(sqlite3_vfs* vfs, const char* name, int n, char* out) {
  return Base(vfs)->xFullPathname(Base(vfs), name, n, out);
}
void* DlOpen(sqlite3_vfs* vfs, const char* name) { return Base(vfs)->xDlOpen(Base(vfs), name); }
void DlError(sqlite3_vfs* vfs, int n, char* out) { Base(vfs)->xDlError(Base(vfs), n, out); }
void (*DlSym(sqlite3_vfs* vfs, void* lib, const char* sym))(void) {
  return Base(vfs)->xDlSym(Base(vfs), lib, sym);
}
void DlClose(sqlite3_vfs* vfs, void* lib) { Base(vfs)->xDlClose(Base(vfs), lib); }
int Randomness(sqlite3_vfs* vfs, int n, char* out) {
  return Base(vfs)->xRandomness(Base(vfs), n, out);
}
int Sleep(sqlite3_vfs* vfs, int micros) { return Base(vfs)->xSleep(Base(vfs), micros); }
int CurrentTime(sqlite3_vfs* vfs, double* out) { return Base(vfs)->xCurrentTime(Base(vfs), out); }
int GetLastError(sqlite3_vfs* vfs, int n, char* out) {
  return Base(vfs)->xGetLastError != nullptr ? Base(vfs)->xGetLastError(Base(vfs), n, out) : 0;
}
int CurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return Base(vfs)->xCurrentTimeInt64(Base(vfs), out);
}
int SetSystemCall(sqlite3_vfs* vfs, const char* name, sqlite3_syscall_ptr p) {
  return Base(vfs)->xSetSystemCall(Base(vfs), name, p);
}
sqlite3_syscall_ptr GetSystemCall(sqlite3_vfs* vfs, const char* name) {
  return Base(vfs)->xGetSystemCall(Base(vfs), name);
}
const char* NextSystemCall(sqlite3_vfs* vfs, const char* name) {
  return Base(vfs)->xNextSystemCall(Base(vfs), name);
}

}  // namespace

StatusOr<const char*> BatchedWalVfs() {
  static std::once_flag once;
  static sqlite3_vfs vfs{};
  static int rc = SQLITE_OK;
  std::call_once(once, [] {
    sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
    if (base == nullptr) {
      rc = SQLITE_ERROR;
      return;
    }
    vfs.iVersion = base->iVersion < 3 ? base->iVersion : 3;
    vfs.szOsFile = static_cast<int>(RealFileOffset()) + base->szOsFile;
    vfs.mxPathname = base->mxPathname;
    vfs.zName = kVfsName;
    vfs.pAppData = base;
    vfs.xOpen = Open;
    vfs.xDelete = Delete;
    vfs.xAccess = Access;
    vfs.xFullPathname = FullPathname;
    vfs.xDlOpen = DlOpen;
    vfs.xDlError = DlError;
    vfs.xDlSym = DlSym;
    vfs.xDlClose = DlClose;
    vfs.xRandomness = Randomness;
    vfs.xSleep = Sleep;
    vfs.xCurrentTime = CurrentTime;
    vfs.xGetLastError = GetLastError;
    if (vfs.iVersion >= 2) vfs.xCurrentTimeInt64 = CurrentTimeInt64;
    if (vfs.iVersion >= 3) {
      vfs.xSetSystemCall = SetSystemCall;
      vfs.xGetSystemCall = GetSystemCall;
      vfs.xNextSystemCall = NextSystemCall;
    }
    rc = sqlite3_vfs_register(&vfs, 0);
  });
  if (rc != SQLITE_OK) {
    return Status::Internal(std::string("cannot register the batched-WAL SQLite VFS: ") +
                            sqlite3_errstr(rc));
  }
  return kVfsName;
}

WalWriteCounts BatchedWalWriteCounts() {
  return WalWriteCounts{g_requested.load(std::memory_order_relaxed),
                        g_issued.load(std::memory_order_relaxed)};
}

}  // namespace funkygibbon::store
