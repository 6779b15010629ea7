// The hub's connection workers. cpp-httplib serves a keep-alive connection
// on one worker until the client has been idle for the keep-alive timeout,
// so a fixed pool of N workers serves only N busy devices: the next one's
// requests wait, unanswered, behind connections that never go idle. This
// pool starts `min_threads` workers and adds one whenever work arrives and
// none is idle, up to `max_threads`; workers above the minimum exit after
// `idle_exit` without work. Beyond max_threads connections wait their turn.
#ifndef FUNKYGIBBON_APP_WORKER_POOL_H_
#define FUNKYGIBBON_APP_WORKER_POOL_H_

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

namespace funkygibbon::app {

class ElasticWorkerPool final : public httplib::TaskQueue {
 public:
  ElasticWorkerPool(size_t min_threads, size_t max_threads,
                    std::chrono::milliseconds idle_exit = std::chrono::seconds(30));
  ~ElasticWorkerPool() override;
  ElasticWorkerPool(const ElasticWorkerPool&) = delete;
  ElasticWorkerPool& operator=(const ElasticWorkerPool&) = delete;

  void enqueue(std::function<void()> fn) override;
  // Runs what is queued, then joins every worker.
  void shutdown() override;

  // For tests and /metrics.
  size_t threads() const;
  size_t peak_threads() const;

 private:
  void Work(std::list<std::thread>::iterator self);
  void JoinExitedLocked(std::vector<std::thread>* out);

  const size_t min_threads_;
  const size_t max_threads_;
  const std::chrono::milliseconds idle_exit_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::list<std::thread> workers_;  // running ones
  std::vector<std::thread> exited_;  // finished, not yet joined
  size_t idle_ = 0;                  // workers waiting for a job
  size_t peak_ = 0;
  bool shutdown_ = false;
};

}  // namespace funkygibbon::app

#endif  // FUNKYGIBBON_APP_WORKER_POOL_H_
