#include "bench/bench_util.h"

#include <stdlib.h>  // mkdtemp

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace funkygibbon::bench {

std::string BinaryPath() {
  if (const char* env = std::getenv("FG_BINARY"); env != nullptr && *env != '\0') return env;
  return FG_BINARY;
}

std::string MakeTempDir(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/" + prefix +
                      "XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) return "";
  return buf.data();
}

std::optional<std::string> RunForOutput(const std::vector<std::string>& argv) {
  Child c;
  if (!c.Start(argv, "/dev/null")) return std::nullopt;
  c.CloseStdin();
  std::string out;
  while (auto line = c.ReadLine(std::chrono::seconds(120))) out += *line + "\n";
  if (c.Wait(std::chrono::seconds(120)) != 0) return std::nullopt;
  return out;
}

long ProcStatusKb(pid_t pid, const char* key) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  const std::string prefix = std::string(key) + ":";
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(prefix, 0) == 0) return std::strtol(line.c_str() + prefix.size(), nullptr, 10);
  }
  return -1;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double k = static_cast<double>(values.size() - 1) * p / 100.0;
  const size_t lo = static_cast<size_t>(k);
  const size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (values[hi] - values[lo]) * (k - static_cast<double>(lo));
}

void PrintFigure(const std::string& bench, const std::string& figure, double value,
                 const std::string& unit, const Json& extra) {
  std::printf("  %-52s %12.3f %s\n", figure.c_str(), value, unit.c_str());
  Json j{{"bench", bench}, {"figure", figure}, {"value", value}, {"unit", unit}};
  for (auto it = extra.begin(); it != extra.end(); ++it) j[it.key()] = it.value();
  std::printf("%s\n", j.dump().c_str());
  std::fflush(stdout);
}

std::string LoadAverage() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

bool ParseCountArg(const char* program, const char* what, const char* text, uint64_t min,
                   uint64_t max, uint64_t* out) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (*text < '0' || *text > '9' || *end != '\0' || errno == ERANGE || v < min || v > max) {
    std::fprintf(stderr, "%s: %s must be a whole number from %llu to %llu, not '%s'\n", program,
                 what, static_cast<unsigned long long>(min), static_cast<unsigned long long>(max),
                 text);
    return false;
  }
  *out = v;
  return true;
}

bool ParseSecondsArg(const char* program, const char* what, const char* text, double* out) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || errno == ERANGE || !std::isfinite(v) || v <= 0) {
    std::fprintf(stderr, "%s: %s must be a number of seconds above 0, not '%s'\n", program, what,
                 text);
    return false;
  }
  *out = v;
  return true;
}

}  // namespace funkygibbon::bench
