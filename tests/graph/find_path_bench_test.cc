// Throwaway measurement, not an assertion: FindPath latency and memory on a
// random 100k-entity / 500k-edge graph. Run with
//   graph_test --gtest_also_run_disabled_tests --gtest_filter='*Bench*'
// (FG_BENCH_REALISTIC=1 fills every wire field with realistic UUIDs,
// versions and timestamps instead of short ids.)
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <string>
#include <tuple>

#include "core/version.h"
#include "graph/graph_index.h"

namespace funkygibbon::graph {
namespace {

// CPU time of this thread: immune to the machine being busy with other work.
double ThreadCpuUs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

long RssKb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

TEST(FindPathBench, DISABLED_RandomGraph100k500k) {
  const bool realistic = std::getenv("FG_BENCH_REALISTIC") != nullptr;
  const int n = 100000;
  const int m = std::getenv("FG_BENCH_EDGES") ? std::atoi(std::getenv("FG_BENCH_EDGES")) : 500000;
  std::mt19937_64 rng(42);
  const long rss0 = RssKb();
  std::vector<std::string> ids;
  ids.reserve(n);
  auto types = AllEntityTypes();
  auto rtypes = AllRelationshipTypes();
  auto build_start = std::chrono::steady_clock::now();
  {
    GraphIndex g;
    const std::string ts = FormatTimestamp(NowMicros());
    for (int i = 0; i < n; ++i) {
      auto e = std::make_shared<Entity>();
      e->id = realistic ? NewUuid() : "e" + std::to_string(i);
      e->entity_type = types[rng() % types.size()];
      e->name = "Entity " + std::to_string(i % 5000);
      if (realistic) {
        e->version = ts + "-000001-alice";
        e->user_id = "alice";
        e->created_at = e->updated_at = ts;
        e->content = {{"manufacturer", "Acme"}, {"room_hint", "r" + std::to_string(i % 300)}};
      }
      ids.push_back(e->id);
      g.PutEntity(std::move(e));
    }
    for (int j = 0; j < m; ++j) {
      auto r = std::make_shared<Relationship>();
      r->id = realistic ? NewUuid() : "r" + std::to_string(j);
      r->from_entity_id = ids[rng() % n];
      r->to_entity_id = ids[rng() % n];
      r->relationship_type = rtypes[rng() % rtypes.size()];
      if (realistic) {
        r->from_entity_version = r->to_entity_version = ts + "-000001-alice";
        r->user_id = "alice";
        r->created_at = r->updated_at = ts;
      }
      g.PutRelationship(std::move(r));
    }
    const double build_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - build_start).count();
    const long rss1 = RssKb();
    std::printf("built %d entities, %d edges in %.2f s; RSS %ld MB -> %ld MB (+%ld MB)%s\n", n, m,
                build_s, rss0 / 1024, rss1 / 1024, (rss1 - rss0) / 1024,
                realistic ? " [realistic fields]" : " [short ids]");

    struct Case {
      const char* name;
      PathOptions options;
    };
    PathOptions both;
    PathOptions out;
    out.direction = Direction::kOut;
    PathOptions typed;
    typed.relationship_types = {RelationshipType::kLocatedIn, RelationshipType::kConnectsTo,
                                RelationshipType::kControls};
    for (const Case& c : {Case{"both", both}, Case{"out", out}, Case{"both, 3 types", typed}}) {
      std::vector<double> us, cpu;
      std::vector<std::tuple<double, size_t, size_t>> slow;
      size_t found = 0, explored = 0;
      for (int q = 0; q < 2000; ++q) {
        const std::string& a = ids[rng() % n];
        const std::string& b = ids[rng() % n];
        const double c0 = ThreadCpuUs();
        auto t0 = std::chrono::steady_clock::now();
        auto r = g.FindPath(a, b, c.options);
        auto t1 = std::chrono::steady_clock::now();
        cpu.push_back(ThreadCpuUs() - c0);
        ASSERT_TRUE(r.ok());
        found += r->found ? 1 : 0;
        explored += r->explored;
        us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        slow.emplace_back(us.back(), r->explored, r->edges.size());
      }
      std::sort(us.begin(), us.end());
      std::sort(cpu.begin(), cpu.end());
      std::sort(slow.rbegin(), slow.rend());
      if (std::getenv("FG_BENCH_VERBOSE")) {
        for (int k = 0; k < 8; ++k) {
          std::printf("  slow: %.1f us explored %zu length %zu\n", std::get<0>(slow[k]),
                      std::get<1>(slow[k]), std::get<2>(slow[k]));
        }
      }
      std::printf("FindPath %-14s wall p50 %6.1f us p99 %7.1f us | thread-cpu p50 %6.1f us p99 "
                  "%6.1f us max %6.1f us | found %zu/2000, avg explored %zu\n",
                  c.name, us[us.size() / 2], us[us.size() * 99 / 100], cpu[cpu.size() / 2],
                  cpu[cpu.size() * 99 / 100], cpu.back(), found, explored / 2000);
    }
    // A few other reads, once each, for a feel of their cost at this size.
    auto time = [](const char* what, auto&& fn) {
      const double c0 = ThreadCpuUs();
      fn();
      std::printf("%-44s %9.1f us cpu\n", what, ThreadCpuUs() - c0);
    };
    time("Statistics()", [&] { (void)g.Statistics(); });
    time("Neighbourhood depth 2", [&] {
      NeighbourhoodOptions o;
      o.depth = 2;
      (void)g.Neighbourhood(ids[1], o);
    });
    time("FindSimilar", [&] { (void)g.FindSimilar(ids[2], SimilarOptions{}); });
    time("Query type=device, name order, limit 50", [&] {
      StructuredQuery q;
      q.entity_type = EntityType::kDevice;
      (void)g.Query(q);
    });
    time("Cypher (d:device)-[:located_in]->(r:room {name})", [&] {
      (void)g.RunCypher("MATCH (d:device)-[:located_in]->(r:room {name: 'Entity 7'}) RETURN d", 100);
    });
    time("Cypher (a)--(b) LIMIT 10 (cut short)", [&] {
      auto r = g.RunCypher("MATCH (a)--(b)--(c) RETURN a, b, c LIMIT 10", 100);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    });
    time("AllRelationships()", [&] { (void)g.AllRelationships(); });
  }
}

}  // namespace
}  // namespace funkygibbon::graph
