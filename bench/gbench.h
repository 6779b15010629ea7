// Pieces the Google Benchmark programs (graph_bench, tool_bench) share:
// per-call timing with percentiles, and a reporter that prints Google
// Benchmark's table plus one JSON line per benchmark.
//
// Thread-safety: as Google Benchmark's own types (one benchmark runs at a time).
#ifndef FUNKYGIBBON_BENCH_GBENCH_H_
#define FUNKYGIBBON_BENCH_GBENCH_H_

#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "bench/bench_util.h"
#include "core/types.h"

namespace funkygibbon::bench {

// Times each call of fn(i) (i = 0, 1, ...) on its own and reports p50, p99
// and max in microseconds as counters.
template <typename F>
void TimeEach(benchmark::State& state, F&& fn) {
  std::vector<double> us;
  us.reserve(1 << 16);
  size_t i = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    fn(i++);
    us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  state.counters["p50_us"] = Percentile(us, 50);
  state.counters["p99_us"] = Percentile(us, 99);
  state.counters["max_us"] = Percentile(us, 100);
}

// The table, then {"bench": <bench>, "figure": name, "value": mean time,
// "unit", "cpu", "iterations", "label"?, counters...} for each run.
// Subclasses see each reported run (OnRun) and may add a summary
// (Finalize).
class JsonLinesReporter : public benchmark::ConsoleReporter {
 public:
  explicit JsonLinesReporter(std::string bench)
      : benchmark::ConsoleReporter(OO_Tabular), bench_(std::move(bench)) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    benchmark::ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
      Json j{{"bench", bench_},
             {"figure", run.benchmark_name()},
             {"value", run.GetAdjustedRealTime()},
             {"unit", benchmark::GetTimeUnitString(run.time_unit)},
             {"cpu", run.GetAdjustedCPUTime()},
             {"iterations", run.iterations}};
      if (!run.report_label.empty()) j["label"] = run.report_label;
      for (const auto& [name, counter] : run.counters) j[name] = counter.value;
      GetOutputStream() << j.dump() << "\n";
      OnRun(run);
    }
    GetOutputStream().flush();
  }

 protected:
  virtual void OnRun(const Run&) {}

 private:
  const std::string bench_;
};

}  // namespace funkygibbon::bench

#endif  // FUNKYGIBBON_BENCH_GBENCH_H_
