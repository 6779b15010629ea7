#include "app/worker_pool.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace funkygibbon::app {

ElasticWorkerPool::ElasticWorkerPool(size_t min_threads, size_t max_threads,
                                     std::chrono::milliseconds idle_exit)
    : min_threads_(std::max<size_t>(1, min_threads)),
      max_threads_(std::max(max_threads, std::max<size_t>(1, min_threads))),
      idle_exit_(idle_exit) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < min_threads_; ++i) {
    workers_.emplace_back();
    auto self = std::prev(workers_.end());
    // The worker touches *self only under mu_, which this constructor holds.
    *self = std::thread(&ElasticWorkerPool::Work, this, self);
  }
  peak_ = workers_.size();
}

ElasticWorkerPool::~ElasticWorkerPool() { shutdown(); }

void ElasticWorkerPool::enqueue(std::function<void()> fn) {
  std::vector<std::thread> finished;
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(fn));
    // Every idle worker will take one job; add a worker for each job beyond.
    if (jobs_.size() > idle_ && workers_.size() < max_threads_ && !shutdown_) {
      workers_.emplace_back();
      auto self = std::prev(workers_.end());
      *self = std::thread(&ElasticWorkerPool::Work, this, self);
      peak_ = std::max(peak_, workers_.size());
    }
    JoinExitedLocked(&finished);
  }
  cv_.notify_one();
  for (auto& t : finished) t.join();
}

void ElasticWorkerPool::JoinExitedLocked(std::vector<std::thread>* out) {
  for (auto& t : exited_) out->push_back(std::move(t));
  exited_.clear();
}

void ElasticWorkerPool::Work(std::list<std::thread>::iterator self) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    ++idle_;
    const bool got = cv_.wait_for(lock, idle_exit_, [this] { return !jobs_.empty() || shutdown_; });
    --idle_;
    if (jobs_.empty()) {
      // Shut down, or idle too long while more than the minimum run.
      if (shutdown_ || (!got && workers_.size() > min_threads_)) break;
      continue;
    }
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
  // Hand this thread's handle to whoever joins next (enqueue or shutdown).
  exited_.push_back(std::move(*self));
  workers_.erase(self);
  cv_.notify_all();  // shutdown waits for workers_ to empty
}

void ElasticWorkerPool::shutdown() {
  std::vector<std::thread> finished;
  {
    std::unique_lock<std::mutex> lock(mu_);
    shutdown_ = true;
    cv_.notify_all();
    // Workers drain the queue first: a job may be a connection whose
    // request is already read.
    cv_.wait(lock, [this] { return workers_.empty(); });
    JoinExitedLocked(&finished);
  }
  for (auto& t : finished) t.join();
}

size_t ElasticWorkerPool::threads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return workers_.size();
}

size_t ElasticWorkerPool::peak_threads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return peak_;
}

}  // namespace funkygibbon::app
