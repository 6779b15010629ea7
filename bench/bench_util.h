// Small helpers shared by the benchmark programs: a child process with
// pipes, /proc readings, percentiles, and the figure printer (one human line
// and one JSON line per figure).
//
// Thread-safety: Child is not thread-safe; the free functions are.
#ifndef FUNKYGIBBON_BENCH_BENCH_UTIL_H_
#define FUNKYGIBBON_BENCH_BENCH_UTIL_H_

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/child_process.h"

namespace funkygibbon::bench {

using Json = nlohmann::json;

// The funkygibbon binary: $FG_BINARY, else the one built beside the benchmarks.
std::string BinaryPath();

// A fresh directory under $TMPDIR (or /tmp); the caller removes it.
std::string MakeTempDir(const std::string& prefix);

// A child process with pipes to its stdin and stdout; stderr goes to a file.
using Child = testing::ChildProcess;

// Runs argv to completion and returns its stdout (nullopt if it failed).
std::optional<std::string> RunForOutput(const std::vector<std::string>& argv);

// A "Key:   123 kB" line of /proc/<pid>/status in kB, or -1.
long ProcStatusKb(pid_t pid, const char* key);

// Linear-interpolated percentile (p in 0..100) of unsorted values.
double Percentile(std::vector<double> values, double p);

// Prints "  <what>: <value> <unit>" and a JSON line
// {"bench":..., "figure":..., "value":..., "unit":..., ...extra}.
void PrintFigure(const std::string& bench, const std::string& figure, double value,
                 const std::string& unit, const Json& extra = Json::object());

// "1.15 1.68 2.12" from /proc/loadavg: the machine is shared, so every
// program prints the load it ran under.
std::string LoadAverage();

}  // namespace funkygibbon::bench

#endif  // FUNKYGIBBON_BENCH_BENCH_UTIL_H_
