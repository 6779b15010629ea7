// Prometheus metrics for the hub (/metrics).
//
// Thread-safety: thread-safe; counters are cheap enough for every request.
#ifndef FUNKYGIBBON_APP_METRICS_H_
#define FUNKYGIBBON_APP_METRICS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "graph/knowledge_graph.h"

namespace funkygibbon::app {

class Metrics {
 public:
  Metrics() = default;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One HTTP request: route pattern (not the raw path), status, latency.
  void ObserveRequest(std::string_view route, int status, double seconds);
  // One tool call: outcome is "ok", "tool_error" (isError) or "protocol_error".
  void CountToolCall(std::string_view tool, std::string_view outcome);
  // Sync counters, e.g. ("entities_applied", n), ("conflicts", n), ("requests", 1).
  void CountSync(std::string_view what, uint64_t n);

  // Text exposition format 0.0.4, including graph size gauges read from graph.
  std::string RenderPrometheus(const graph::KnowledgeGraph& graph) const;

 private:
  struct Histogram {
    std::vector<uint64_t> buckets;  // cumulative counts per upper bound
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;      // (route, status)
  std::map<std::string, Histogram> latency_;                      // route
  std::map<std::pair<std::string, std::string>, uint64_t> tools_;  // (tool, outcome)
  std::map<std::string, uint64_t> sync_;
};

}  // namespace funkygibbon::app

#endif  // FUNKYGIBBON_APP_METRICS_H_
