#include "app/check.h"

#include <cstdio>
#include <map>
#include <utility>

#include "sync/hub.h"

namespace funkygibbon::app {
namespace {

void AddProblem(CheckReport& report, std::string problem) {
  if (report.problems.size() < kMaxCheckProblems) report.problems.push_back(std::move(problem));
}

// Reports every id whose value differs between what the process holds in
// memory and what the store holds. `what` names the kind of row and
// `describe` the value (its version, say) for the message.
template <typename T, typename Describe>
void CompareById(const std::map<std::string, T>& memory, const std::map<std::string, T>& stored,
                 const std::string& what, Describe describe, CheckReport& report) {
  auto m = memory.begin();
  auto s = stored.begin();
  while (m != memory.end() || s != stored.end()) {
    if (s == stored.end() || (m != memory.end() && m->first < s->first)) {
      AddProblem(report, what + " " + m->first + " is in memory but not in the store");
      ++m;
    } else if (m == memory.end() || s->first < m->first) {
      AddProblem(report, what + " " + s->first + " is in the store but not in memory");
      ++s;
    } else {
      if (!(m->second == s->second)) {
        AddProblem(report, what + " " + m->first + " differs: memory has " + describe(m->second) +
                               ", the store has " + describe(s->second));
      }
      ++m;
      ++s;
    }
  }
}

}  // namespace

StatusOr<CheckReport> CheckDatabase(graph::KnowledgeGraph& kg) {
  CheckReport report;
  if (Status s = kg.store().CheckIntegrity(); !s.ok()) {
    AddProblem(report, "integrity: " + s.message());
  }
  std::map<std::string, Entity> stored_entities;
  std::map<std::string, Relationship> stored_edges;
  RETURN_IF_ERROR(kg.store().ScanCurrent(
      [&](Entity&& e) {
        std::string id = e.id;
        stored_entities.emplace(std::move(id), std::move(e));
      },
      [&](Relationship&& r) {
        if (r.deleted) return;  // the index keeps live edges only
        std::string id = r.id;
        stored_edges.emplace(std::move(id), std::move(r));
      }));
  std::map<std::string, Entity> memory_entities;
  std::map<std::string, Relationship> memory_edges;
  kg.Read([&](const graph::GraphIndex& g) {
    for (const graph::EntityPtr& e : g.AllEntities()) memory_entities.emplace(e->id, *e);
    for (const graph::RelationshipPtr& r : g.AllRelationships()) memory_edges.emplace(r->id, *r);
    return 0;
  });
  CompareById(memory_entities, stored_entities, "entity",
              [](const Entity& e) { return "version " + e.version; }, report);
  CompareById(memory_edges, stored_edges, "relationship",
              [](const Relationship& r) { return ToJson(r).dump(); }, report);
  report.entities = stored_entities.size();
  report.relationships = stored_edges.size();
  report.state_digest = sync::StateDigest(kg);
  return report;
}

Json ToJson(const CheckReport& report) {
  return Json{{"ok", report.ok()},
              {"problems", report.problems},
              {"entities", report.entities},
              {"relationships", report.relationships},
              {"state_digest", report.state_digest}};
}

int RunCheckCommand(graph::KnowledgeGraph& kg, bool json) {
  StatusOr<CheckReport> report = CheckDatabase(kg);
  if (!report.ok()) {
    std::fprintf(stderr, "funkygibbon: check: %s\n", report.status().ToString().c_str());
    return 1;
  }
  if (json) {
    std::printf("%s\n", ToJson(*report).dump(2).c_str());
  } else if (report->ok()) {
    std::printf("ok\n");
  } else {
    for (const std::string& p : report->problems) std::printf("%s\n", p.c_str());
  }
  return report->ok() ? 0 : 1;
}

}  // namespace funkygibbon::app
