// Small helpers shared by the benchmark programs: a child process with
// pipes, /proc readings, percentiles, and the figure printer (one human line
// and one JSON line per figure).
//
// Thread-safety: Child is not thread-safe; the free functions are.
#ifndef FUNKYGIBBON_BENCH_BENCH_UTIL_H_
#define FUNKYGIBBON_BENCH_BENCH_UTIL_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
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

// Reads a command-line count into *out: digits only and within [min, max],
// so "abc", "-5" or "10x" are refused instead of read as 0 or as a huge
// number. On failure prints "<program>: <what> must be a whole number from
// <min> to <max>, not '<text>'" to stderr and returns false.
bool ParseCountArg(const char* program, const char* what, const char* text, uint64_t min,
                   uint64_t max, uint64_t* out);
template <typename T>
bool ParseCountArg(const char* program, const char* what, const char* text, uint64_t min,
                   uint64_t max, T* out) {
  uint64_t v = 0;
  if (!ParseCountArg(program, what, text, min, max, &v)) return false;
  *out = static_cast<T>(v);
  return true;
}

// The same for a duration in seconds: a finite number above 0.
bool ParseSecondsArg(const char* program, const char* what, const char* text, double* out);

}  // namespace funkygibbon::bench

#endif  // FUNKYGIBBON_BENCH_BENCH_UTIL_H_
