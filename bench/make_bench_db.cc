// Writes a generated realistic home graph into a SQLite database, for the
// startup and memory benchmarks and for trying the server on a big graph:
//
//   build*/bench/make_bench_db OUT.db [ENTITIES [RELATIONSHIPS [SEED]]]
//
// (defaults 100000 entities, 200000 relationships, seed 42). OUT.db must not
// exist yet. Prints the time it took as a figure.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "bench/bench_data.h"
#include "bench/bench_util.h"

namespace funkygibbon::bench {
namespace {

// More would not fit in memory on any machine this runs on.
constexpr uint64_t kMaxCount = 100'000'000;

int Main(int argc, char** argv) {
  const char* usage = "usage: %s OUT.db [ENTITIES [RELATIONSHIPS [SEED]]]\n";
  if (argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    std::printf(usage, argv[0]);
    return 0;
  }
  // An option is not taken for the path of a database to write.
  if (argc < 2 || argc > 5 || argv[1][0] == '-') {
    std::fprintf(stderr, usage, argv[0]);
    return 2;
  }
  const std::string out = argv[1];
  GraphSpec spec;
  spec.entities = 100000;
  spec.relationships = 200000;
  spec.seed = 42;
  const char* me = "make_bench_db";
  if ((argc > 2 && !ParseCountArg(me, "ENTITIES", argv[2], 1, kMaxCount, &spec.entities)) ||
      (argc > 3 &&
       !ParseCountArg(me, "RELATIONSHIPS", argv[3], 0, kMaxCount, &spec.relationships)) ||
      (argc > 4 && !ParseCountArg(me, "SEED", argv[4], 0, UINT64_MAX, &spec.seed))) {
    return 2;
  }
  if (std::filesystem::exists(out)) {
    std::fprintf(stderr, "make_bench_db: %s exists; give a new path\n", out.c_str());
    return 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto filled = MakeFilledGraph(out, spec);
  if (!filled.ok()) {
    std::fprintf(stderr, "make_bench_db: %s\n", filled.status().ToString().c_str());
    return 1;
  }
  filled->graph.reset();  // closes the store (checkpoints the WAL)
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("make_bench_db: %s with %zu entities, %zu relationships\n", out.c_str(), spec.entities,
              spec.relationships);
  PrintFigure("make_bench_db", "generate and commit", secs, "s",
              Json{{"entities", spec.entities}, {"relationships", spec.relationships},
                   {"bytes", std::filesystem::file_size(out)}});
  return 0;
}

}  // namespace
}  // namespace funkygibbon::bench

int main(int argc, char** argv) { return funkygibbon::bench::Main(argc, argv); }
