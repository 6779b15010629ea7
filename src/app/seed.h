// The example home: a realistic three-floor house with rooms, doors,
// windows, devices, apps, manuals, procedures, notes, schedules and
// automations, and the relationships between them.
#ifndef FUNKYGIBBON_APP_SEED_H_
#define FUNKYGIBBON_APP_SEED_H_

#include <cstddef>

#include "core/status.h"
#include "graph/knowledge_graph.h"

namespace funkygibbon::app {

struct SeedResult {
  size_t entities = 0;
  size_t relationships = 0;
};

// Writes the example home in one transaction. FailedPrecondition if the
// graph already holds entities (seeding twice would duplicate the house).
StatusOr<SeedResult> SeedExampleHome(graph::KnowledgeGraph& kg);

}  // namespace funkygibbon::app

#endif  // FUNKYGIBBON_APP_SEED_H_
