// `funkygibbon check`: is the database sound, and does the graph a process
// loads from it equal what the store holds? Used after crashes (and by the
// crash-consistency test) to show that nothing acknowledged was torn.
#ifndef FUNKYGIBBON_APP_CHECK_H_
#define FUNKYGIBBON_APP_CHECK_H_

#include <cstddef>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "graph/knowledge_graph.h"

namespace funkygibbon::app {

struct CheckReport {
  // Human-readable findings (at most kMaxCheckProblems); empty when sound.
  std::vector<std::string> problems;
  size_t entities = 0;       // current entities in the store, tombstones included
  size_t relationships = 0;  // live relationships in the store
  std::string state_digest;  // of the in-memory graph (sync::StateDigest)

  bool ok() const { return problems.empty(); }
};

inline constexpr size_t kMaxCheckProblems = 20;

// Runs the store's integrity check and compares every current entity and
// live relationship of the in-memory graph with a fresh scan of the store.
// A difference is expected only if another process wrote to the database
// after kg was loaded. The error status is for a store that cannot be read
// at all; findings go into the report.
StatusOr<CheckReport> CheckDatabase(graph::KnowledgeGraph& kg);

// {"ok", "problems", "entities", "relationships", "state_digest"}.
Json ToJson(const CheckReport& report);

// The subcommand: prints "ok" (or with json the report) on stdout and
// returns 0 when sound; otherwise prints the problems and returns 1.
int RunCheckCommand(graph::KnowledgeGraph& kg, bool json);

}  // namespace funkygibbon::app

#endif  // FUNKYGIBBON_APP_CHECK_H_
