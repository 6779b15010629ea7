// Writes a generated realistic home graph into a SQLite database, for the
// startup and memory benchmarks and for trying the server on a big graph:
//
//   build*/bench/make_bench_db OUT.db [ENTITIES [RELATIONSHIPS [SEED]]]
//
// (defaults 100000 entities, 200000 relationships, seed 42). OUT.db must not
// exist yet. Prints the time it took as a figure.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench/bench_data.h"
#include "bench/bench_util.h"

namespace funkygibbon::bench {
namespace {

int Main(int argc, char** argv) {
  if (argc < 2 || argc > 5) {
    std::fprintf(stderr, "usage: %s OUT.db [ENTITIES [RELATIONSHIPS [SEED]]]\n", argv[0]);
    return 2;
  }
  const std::string out = argv[1];
  GraphSpec spec;
  spec.entities = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 100000;
  spec.relationships = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 200000;
  spec.seed = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 42;
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
