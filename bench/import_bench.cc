// One large commit: `funkygibbon import` reads a whole export into one
// transaction. This times it at a small and a large size, per written row
// (an entity version or a relationship), and reads the import process's peak
// memory. The cost per row should barely grow with the size of the commit;
// a step whose cost grows with the commit's size (quadratic in all) shows
// as a large/small per-row ratio well above 1.
//
//   build*/bench/import_bench [--small N] [--large N] [--runs R]
//
// For each size N (defaults 10000 and 100000): a generated graph of N
// entities and 2N relationships (make_bench_db's generator) is written to a
// database and exported with `funkygibbon export`; then `funkygibbon import`
// of that export into a new, empty database runs R times (default 1) and
// the median counts. Process start is included (~20-50 ms).
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/bench_data.h"
#include "bench/bench_util.h"

namespace funkygibbon::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  size_t small = 10000;
  size_t large = 100000;
  int runs = 1;
};

bool ParseArgs(int argc, char** argv, Options* o) {
  const char* me = "import_bench";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return false;
    const char* v = argv[++i];
    bool ok = true;
    if (a == "--small") {
      ok = ParseCountArg(me, "--small", v, 1, 10'000'000, &o->small);
    } else if (a == "--large") {
      ok = ParseCountArg(me, "--large", v, 1, 10'000'000, &o->large);
    } else if (a == "--runs") {
      ok = ParseCountArg(me, "--runs", v, 1, 100, &o->runs);
    } else {
      return false;
    }
    if (!ok) return false;
  }
  return true;
}

struct Ran {
  bool ok = false;
  double seconds = 0;
  double peak_rss_mib = 0;
};

// Runs argv with stdout and stderr to log_path; waits, and reads the
// child's own peak RSS from wait4's rusage.
Ran RunChild(const std::vector<std::string>& argv, const std::string& log_path) {
  Ran out;
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const auto t0 = Clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) return out;
  if (pid == 0) {
    const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
    }
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  rusage usage{};
  if (::wait4(pid, &status, 0, &usage) != pid) return out;
  out.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  out.peak_rss_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB
  out.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!out.ok) {
    std::fprintf(stderr, "import_bench: %s failed; its output is in %s\n", argv[0].c_str(),
                 log_path.c_str());
  }
  return out;
}

struct SizeResult {
  bool ok = false;
  size_t rows = 0;
  double seconds = 0;
  double peak_rss_mib = 0;
};

SizeResult RunSize(const std::string& dir, size_t entities, int runs) {
  SizeResult result;
  const std::string bin = BinaryPath();
  const std::string tag = std::to_string(entities);
  const std::string src = dir + "/src-" + tag + ".db";
  const std::string file = dir + "/export-" + tag + ".json";
  const std::string log = dir + "/log-" + tag + ".txt";
  GraphSpec spec;
  spec.entities = entities;
  spec.relationships = 2 * entities;
  {
    auto filled = MakeFilledGraph(src, spec);
    if (!filled.ok()) {
      std::fprintf(stderr, "import_bench: %s\n", filled.status().ToString().c_str());
      return result;
    }
  }  // closed: the export reads a checkpointed file
  if (!RunChild({bin, "--db", src, "--log-level", "error", "export", "-o", file}, log).ok) {
    return result;
  }
  std::vector<double> seconds, rss;
  for (int r = 0; r < runs; ++r) {
    const std::string dest = dir + "/dest-" + tag + "-" + std::to_string(r) + ".db";
    const Ran ran =
        RunChild({bin, "--db", dest, "--log-level", "error", "import", file}, log);
    if (!ran.ok) return result;
    seconds.push_back(ran.seconds);
    rss.push_back(ran.peak_rss_mib);
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(dest + suffix);
  }
  result.ok = true;
  result.rows = spec.entities + spec.relationships;
  result.seconds = Percentile(seconds, 50);
  result.peak_rss_mib = Percentile(rss, 50);
  const std::string what = "import " + tag + " entities";
  const Json extra{{"entities", spec.entities},
                   {"relationships", spec.relationships},
                   {"export_bytes", std::filesystem::file_size(file)},
                   {"runs", runs}};
  PrintFigure("import_bench", what + ": time", result.seconds, "s", extra);
  PrintFigure("import_bench", what + ": per row", result.seconds * 1e6 / double(result.rows),
              "us", extra);
  PrintFigure("import_bench", what + ": peak RSS", result.peak_rss_mib, "MiB", extra);
  std::filesystem::remove(src);
  std::filesystem::remove(file);
  return result;
}

int Main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, &o)) {
    std::fprintf(stderr, "usage: %s [--small N] [--large N] [--runs R]\n", argv[0]);
    return 2;
  }
  std::printf("import_bench: load average %s\n", LoadAverage().c_str());
  const std::string dir = MakeTempDir("fg-import-bench");
  const SizeResult small = RunSize(dir, o.small, o.runs);
  const SizeResult large = small.ok ? RunSize(dir, o.large, o.runs) : SizeResult{};
  int rc = 1;
  if (small.ok && large.ok) {
    const double ratio = (large.seconds / double(large.rows)) / (small.seconds / double(small.rows));
    PrintFigure("import_bench", "per-row time, large / small", ratio, "x",
                Json{{"small_entities", o.small}, {"large_entities", o.large}});
    rc = 0;
    std::filesystem::remove_all(dir);
  } else {
    std::fprintf(stderr, "import_bench: failed; kept %s\n", dir.c_str());
  }
  return rc;
}

}  // namespace
}  // namespace funkygibbon::bench

int main(int argc, char** argv) { return funkygibbon::bench::Main(argc, argv); }
