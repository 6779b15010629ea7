// A reader/writer lock that lets a waiting writer in ahead of new readers.
// std::shared_mutex on glibc prefers readers, so a steady stream of reads
// (many agents, an HTTP pool) could starve the graph's writer forever.
//
// Meets the SharedMutex requirements (usable with std::unique_lock and
// std::shared_lock). Non-recursive: a thread holding it shared must not take
// it again while a writer waits.
#ifndef FUNKYGIBBON_GRAPH_RW_LOCK_H_
#define FUNKYGIBBON_GRAPH_RW_LOCK_H_

#include <pthread.h>

namespace funkygibbon::graph {

class RwLock {
 public:
  RwLock() {
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&lock_, &attr);
    pthread_rwlockattr_destroy(&attr);
  }
  ~RwLock() { pthread_rwlock_destroy(&lock_); }
  RwLock(const RwLock&) = delete;
  RwLock& operator=(const RwLock&) = delete;

  void lock() { pthread_rwlock_wrlock(&lock_); }
  bool try_lock() { return pthread_rwlock_trywrlock(&lock_) == 0; }
  void unlock() { pthread_rwlock_unlock(&lock_); }
  void lock_shared() { pthread_rwlock_rdlock(&lock_); }
  bool try_lock_shared() { return pthread_rwlock_tryrdlock(&lock_) == 0; }
  void unlock_shared() { pthread_rwlock_unlock(&lock_); }

 private:
  pthread_rwlock_t lock_;
};

}  // namespace funkygibbon::graph

#endif  // FUNKYGIBBON_GRAPH_RW_LOCK_H_
