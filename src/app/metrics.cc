#include "app/metrics.h"

#include <array>
#include <cstdio>

#include "graph/graph_index.h"

namespace funkygibbon::app {
namespace {

// Upper bounds (seconds) of the latency histogram buckets; +Inf is implied.
constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                             0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

// Label values escaped per the exposition format (\\, \", \n).
std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

void Metrics::ObserveRequest(std::string_view route, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{std::string(route), status}];
  Histogram& h = latency_[std::string(route)];
  if (h.buckets.empty()) h.buckets.assign(kBuckets.size(), 0);
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::CountToolCall(std::string_view tool, std::string_view outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  ++tools_[{std::string(tool), std::string(outcome)}];
}

void Metrics::CountSync(std::string_view what, uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  sync_[std::string(what)] += n;
}

std::string Metrics::RenderPrometheus(const graph::KnowledgeGraph& graph) const {
  // Read the graph before taking our own lock (never hold both).
  const graph::GraphStatistics stats =
      graph.Read([](const graph::GraphIndex& index) { return index.Statistics(); });
  std::string out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    out += "# HELP funkygibbon_http_requests_total HTTP requests by route and status.\n";
    out += "# TYPE funkygibbon_http_requests_total counter\n";
    for (const auto& [key, n] : requests_) {
      out += "funkygibbon_http_requests_total{route=\"" + Escape(key.first) + "\",status=\"" +
             std::to_string(key.second) + "\"} " + std::to_string(n) + "\n";
    }
    out += "# HELP funkygibbon_http_request_duration_seconds HTTP request latency by route.\n";
    out += "# TYPE funkygibbon_http_request_duration_seconds histogram\n";
    for (const auto& [route, h] : latency_) {
      const std::string r = Escape(route);
      for (size_t i = 0; i < kBuckets.size(); ++i) {
        out += "funkygibbon_http_request_duration_seconds_bucket{route=\"" + r + "\",le=\"" +
               Number(kBuckets[i]) + "\"} " + std::to_string(h.buckets[i]) + "\n";
      }
      out += "funkygibbon_http_request_duration_seconds_bucket{route=\"" + r + "\",le=\"+Inf\"} " +
             std::to_string(h.count) + "\n";
      out += "funkygibbon_http_request_duration_seconds_sum{route=\"" + r + "\"} " + Number(h.sum) + "\n";
      out += "funkygibbon_http_request_duration_seconds_count{route=\"" + r + "\"} " +
             std::to_string(h.count) + "\n";
    }
    out += "# HELP funkygibbon_tool_calls_total MCP tool calls by tool and outcome.\n";
    out += "# TYPE funkygibbon_tool_calls_total counter\n";
    for (const auto& [key, n] : tools_) {
      out += "funkygibbon_tool_calls_total{tool=\"" + Escape(key.first) + "\",outcome=\"" +
             Escape(key.second) + "\"} " + std::to_string(n) + "\n";
    }
    out += "# HELP funkygibbon_sync_total Sync counters.\n";
    out += "# TYPE funkygibbon_sync_total counter\n";
    for (const auto& [what, n] : sync_) {
      out += "funkygibbon_sync_total{what=\"" + Escape(what) + "\"} " + std::to_string(n) + "\n";
    }
  }
  out += "# HELP funkygibbon_graph_entities Live entities by type.\n";
  out += "# TYPE funkygibbon_graph_entities gauge\n";
  for (const auto& [type, n] : stats.entities_by_type) {
    out += "funkygibbon_graph_entities{type=\"" + Escape(type) + "\"} " + std::to_string(n) + "\n";
  }
  out += "# HELP funkygibbon_graph_relationships Live relationships by type.\n";
  out += "# TYPE funkygibbon_graph_relationships gauge\n";
  for (const auto& [type, n] : stats.relationships_by_type) {
    out += "funkygibbon_graph_relationships{type=\"" + Escape(type) + "\"} " + std::to_string(n) + "\n";
  }
  out += "# HELP funkygibbon_graph_entities_total Live entities.\n";
  out += "# TYPE funkygibbon_graph_entities_total gauge\n";
  out += "funkygibbon_graph_entities_total " + std::to_string(stats.entities) + "\n";
  out += "# HELP funkygibbon_graph_relationships_total Live relationships.\n";
  out += "# TYPE funkygibbon_graph_relationships_total gauge\n";
  out += "funkygibbon_graph_relationships_total " + std::to_string(stats.relationships) + "\n";
  return out;
}

}  // namespace funkygibbon::app
