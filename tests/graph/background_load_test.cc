// KnowledgeGraph's background load: reads and writes issued while the
// graph loads wait for it and then see the whole graph; a failed load is
// reported and refuses writes.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "graph/knowledge_graph.h"

namespace funkygibbon::graph {
namespace {

using namespace std::chrono_literals;

// A store that passes everything to a real one, except that its loading
// scan waits for Open() (and can be made to fail), so a test controls
// exactly when the load runs.
class GatedStore : public store::Store {
 public:
  explicit GatedStore(std::unique_ptr<store::Store> inner) : inner_(std::move(inner)) {}

  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void FailWith(Status s) { fail_ = std::move(s); }

  Status ScanCurrentRows(const std::function<Status(const store::EntityRow&)>& on_entity,
                         const std::function<Status(Relationship&&)>& on_relationship) override {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return open_; });
    }
    if (!fail_.ok()) return fail_;
    return inner_->ScanCurrentRows(on_entity, on_relationship);
  }

  StatusOr<store::CommitInfo> Commit(const store::WriteBatch& b) override { return inner_->Commit(b); }
  Status ScanCurrent(const std::function<void(Entity&&)>& e,
                     const std::function<void(Relationship&&)>& r) override {
    return inner_->ScanCurrent(e, r);
  }
  StatusOr<std::vector<Entity>> History(std::string_view id) override { return inner_->History(id); }
  StatusOr<std::optional<Entity>> GetVersion(std::string_view id, std::string_view v) override {
    return inner_->GetVersion(id, v);
  }
  StatusOr<store::SearchResult> Search(const store::SearchRequest& r) override {
    return inner_->Search(r);
  }
  Status ScanChanges(const store::ChangesRequest& r,
                     const std::function<Status(const store::ChangedRowView&)>& f) override {
    return inner_->ScanChanges(r, f);
  }
  StatusOr<std::optional<std::string>> GetMeta(std::string_view key) override {
    return inner_->GetMeta(key);
  }
  StatusOr<std::vector<std::pair<std::string, std::string>>> ListMeta(std::string_view p) override {
    return inner_->ListMeta(p);
  }
  Status Backup(const std::string& path) override { return inner_->Backup(path); }
  Status CheckIntegrity() override { return inner_->CheckIntegrity(); }

 private:
  std::unique_ptr<store::Store> inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  Status fail_;
};

std::unique_ptr<store::Store> OpenFile(const std::string& path) {
  auto s = store::OpenSqliteStore(store::StoreOptions{}, path);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

struct Saved {
  std::string path;
  std::vector<std::string> ids;
  size_t edges = 0;
};

// A database with a chain of rooms and devices, written and closed.
Saved MakeDatabase(const std::string& name, int devices) {
  Saved out;
  out.path = ::testing::TempDir() + "/" + name;
  std::remove(out.path.c_str());
  auto kg = KnowledgeGraph::Open(OpenFile(out.path));
  EXPECT_TRUE(kg.ok());
  NewEntity room;
  room.entity_type = EntityType::kRoom;
  room.name = "Hall";
  auto r = (*kg)->CreateEntity(room, "tester");
  EXPECT_TRUE(r.ok());
  out.ids.push_back(r->id);
  for (int i = 0; i < devices; ++i) {
    NewEntity d;
    d.entity_type = EntityType::kDevice;
    d.name = "Lamp " + std::to_string(i);
    d.content = {{"n", i}, {"label", "l\xC3\xA4mp"}};
    auto e = (*kg)->CreateEntity(d, "tester");
    EXPECT_TRUE(e.ok());
    out.ids.push_back(e->id);
    auto rel = (*kg)->CreateRelationship({e->id, r->id, RelationshipType::kLocatedIn, Json::object()},
                                         "tester");
    EXPECT_TRUE(rel.ok());
    ++out.edges;
  }
  return out;
}

TEST(BackgroundLoadTest, CallsDuringTheLoadWaitAndSeeTheWholeGraph) {
  const Saved db = MakeDatabase("bg_load.db", 40);
  auto gated = std::make_unique<GatedStore>(OpenFile(db.path));
  GatedStore* gate = gated.get();
  OpenOptions options;
  options.load_in_background = true;
  auto kg_or = KnowledgeGraph::Open(std::move(gated), options);
  ASSERT_TRUE(kg_or.ok());
  KnowledgeGraph& kg = **kg_or;
  EXPECT_FALSE(kg.loaded());  // the scan cannot finish before the gate opens

  // The store itself answers at once.
  EXPECT_TRUE(kg.History(db.ids[1]).ok());

  std::atomic<int> done{0};
  std::vector<size_t> counts(3), edges(3);
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) {
    readers.emplace_back([&, i] {
      kg.Read([&](const GraphIndex& g) {
        counts[i] = g.entity_count();
        edges[i] = g.relationship_count();
        return 0;
      });
      ++done;
    });
  }
  std::string created_id;
  size_t seen_by_writer = 0;
  std::thread writer([&] {
    NewEntity n;
    n.entity_type = EntityType::kNote;
    n.name = "written during the load";
    auto e = kg.CreateEntity(n, "tester");
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    created_id = e->id;
    seen_by_writer = kg.Read([](const GraphIndex& g) { return g.entity_count(); });
    ++done;
  });
  // Nothing can complete while the load is held back.
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(done.load(), 0);
  EXPECT_FALSE(kg.loaded());

  gate->Open();
  for (auto& t : readers) t.join();
  writer.join();
  ASSERT_TRUE(kg.WaitUntilLoaded().ok());
  EXPECT_TRUE(kg.loaded());
  for (int i = 0; i < 3; ++i) {
    // Either the whole stored graph, or that and the note: never part of it.
    EXPECT_TRUE(counts[i] == db.ids.size() || counts[i] == db.ids.size() + 1) << counts[i];
    EXPECT_EQ(edges[i], db.edges);
  }
  EXPECT_EQ(seen_by_writer, db.ids.size() + 1);
  kg.Read([&](const GraphIndex& g) {
    for (const std::string& id : db.ids) EXPECT_NE(g.Get(id), nullptr) << id;
    const EntityPtr created = g.Get(created_id);
    EXPECT_TRUE(created && created->name == "written during the load");
    EXPECT_EQ(g.Incoming(db.ids[0]).size(), db.edges);
    EXPECT_EQ(g.Get(db.ids[1])->content, (Json{{"n", 0}, {"label", "l\xC3\xA4mp"}}));
    return 0;
  });
}

TEST(BackgroundLoadTest, ForegroundAndBackgroundLoadsAgree) {
  const Saved db = MakeDatabase("bg_agree.db", 25);
  std::vector<Entity> fg_entities, bg_entities;
  std::vector<Relationship> fg_edges, bg_edges;
  auto dump = [](KnowledgeGraph& kg, std::vector<Entity>* es, std::vector<Relationship>* rs) {
    kg.Read([&](const GraphIndex& g) {
      for (const auto& e : g.AllEntities()) es->push_back(*e);
      for (const auto& r : g.AllRelationships()) rs->push_back(*r);
      return 0;
    });
  };
  {
    auto kg = KnowledgeGraph::Open(OpenFile(db.path));
    ASSERT_TRUE(kg.ok());
    EXPECT_TRUE((*kg)->loaded());
    dump(**kg, &fg_entities, &fg_edges);
  }
  {
    OpenOptions options;
    options.load_in_background = true;
    auto kg = KnowledgeGraph::Open(OpenFile(db.path), options);
    ASSERT_TRUE(kg.ok());
    dump(**kg, &bg_entities, &bg_edges);
  }
  EXPECT_EQ(fg_entities.size(), db.ids.size());
  EXPECT_EQ(fg_entities, bg_entities);
  EXPECT_EQ(fg_edges, bg_edges);
  // What the store holds, decoded its own way, is what the index gives back.
  std::vector<Entity> stored;
  ASSERT_TRUE(OpenFile(db.path)
                  ->ScanCurrent([&](Entity&& e) { stored.push_back(std::move(e)); },
                                [](Relationship&&) {})
                  .ok());
  std::sort(stored.begin(), stored.end(),
            [](const Entity& a, const Entity& b) { return a.id < b.id; });
  EXPECT_EQ(stored, fg_entities);
}

TEST(BackgroundLoadTest, AFailedLoadIsReportedAndRefusesWrites) {
  const Saved db = MakeDatabase("bg_fail.db", 3);
  auto gated = std::make_unique<GatedStore>(OpenFile(db.path));
  gated->FailWith(Status::Internal("stored content of 'x' is not a JSON object"));
  gated->Open();
  std::mutex mu;
  std::vector<Status> reported;
  OpenOptions options;
  options.load_in_background = true;
  options.on_load_error = [&](const Status& s) {
    std::lock_guard<std::mutex> lock(mu);
    reported.push_back(s);
  };
  auto kg = KnowledgeGraph::Open(std::move(gated), options);
  ASSERT_TRUE(kg.ok());
  const Status s = (*kg)->WaitUntilLoaded();
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  {
    std::lock_guard<std::mutex> lock(mu);
    ASSERT_EQ(reported.size(), 1u);
    EXPECT_EQ(reported[0].message(), s.message());
  }
  EXPECT_EQ((*kg)->Read([](const GraphIndex& g) { return g.entity_count(); }), 0u);
  NewEntity n;
  n.name = "x";
  auto e = (*kg)->CreateEntity(n, "tester");
  EXPECT_EQ(e.status().code(), StatusCode::kInternal);
  EXPECT_NE(e.status().message().find("could not be loaded"), std::string::npos);
}

TEST(BackgroundLoadTest, ForegroundLoadErrorsComeFromOpen) {
  const Saved db = MakeDatabase("fg_fail.db", 2);
  auto gated = std::make_unique<GatedStore>(OpenFile(db.path));
  gated->FailWith(Status::Internal("broken"));
  gated->Open();
  auto kg = KnowledgeGraph::Open(std::move(gated));
  EXPECT_EQ(kg.status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace funkygibbon::graph
