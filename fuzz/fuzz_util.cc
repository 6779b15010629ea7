#include "fuzz_util.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string_view>
#include <utility>

#include <spdlog/spdlog.h>

#include "app/sync_tools.h"
#include "core/version.h"
#include "core/vocabulary.h"
#include "mcp/json_text.h"
#include "mcp/tool_handlers.h"
#include "store/sqlite_store.h"
#include "store/store.h"
#include "tools_json.h"

namespace funkygibbon::fuzz {

void Fail(const char* file, int line, const char* condition, const std::string& detail) {
  std::fprintf(stderr, "\n==FUZZ INVARIANT== %s:%d: %s\n  %s\n", file, line, condition,
               detail.substr(0, 4000).c_str());
  std::fflush(stderr);
  std::abort();
}

bool Verbose() {
  static const bool verbose = std::getenv("FG_FUZZ_VERBOSE") != nullptr;
  return verbose;
}

void QuietLogs() { spdlog::set_level(spdlog::level::off); }

namespace {

// Every tool the app binds on a hub (no upstream sync client), as
// Runtime::Open does.
std::vector<mcp::ToolBinding> AllBindings(graph::KnowledgeGraph& kg) {
  std::vector<mcp::ToolBinding> bindings = mcp::GraphToolBindings(kg);
  for (mcp::ToolBinding& b : app::SyncToolBindings(kg, nullptr, 0)) bindings.push_back(std::move(b));
  return bindings;
}

Entity SeedEntity(const char* id, EntityType type, const char* name, Json content) {
  Entity e;
  e.id = id;
  e.version = kSeedVersion;
  e.entity_type = type;
  e.name = name;
  e.content = std::move(content);
  e.source_type = SourceType::kManual;
  e.user_id = "seed";
  e.created_at = "2025-01-01T00:00:00.000000+00:00";
  e.updated_at = e.created_at;
  return e;
}

Relationship SeedEdge(int n, const char* from, RelationshipType type, const char* to) {
  Relationship r;
  r.id = "rel-" + std::to_string(n);
  r.from_entity_id = from;
  r.from_entity_version = kSeedVersion;
  r.to_entity_id = to;
  r.to_entity_version = kSeedVersion;
  r.relationship_type = type;
  r.user_id = "seed";
  r.created_at = "2025-01-01T00:00:00.000000+00:00";
  r.updated_at = r.created_at;
  return r;
}

}  // namespace

void SeedSmallHome(graph::KnowledgeGraph& kg) {
  using ET = EntityType;
  using RT = RelationshipType;
  store::WriteBatch batch;
  const Entity entities[] = {
      SeedEntity(kHomeId, ET::kHome, "Maple House", {{"address", "1 Maple Road"}}),
      SeedEntity(kKitchenId, ET::kRoom, "Kitchen", {{"floor", 0}, {"area_m2", 14.5}}),
      SeedEntity(kHallId, ET::kRoom, "Hall", {{"floor", 0}}),
      SeedEntity(kLampId, ET::kDevice, "Kitchen lamp",
                 {{"manufacturer", "Philips"}, {"model", "LCT015"}, {"brightness", 80},
                  {"on", true}, {"tags", {"light", "hue"}}}),
      SeedEntity(kSwitchId, ET::kDevice, "Hall switch", {{"manufacturer", "Lutron"}}),
      SeedEntity(kDoorId, ET::kDoor, "Kitchen door", {{"material", "oak"}}),
      SeedEntity(kManualId, ET::kManual, "Lamp manual", {{"pages", 12}}),
      SeedEntity(kProcedureId, ET::kProcedure, "Reset the lamp",
                 {{"steps", {"switch off", "switch on five times"}}}),
      SeedEntity(kAutomationId, ET::kAutomation, "Night lights", {{"at", "22:00"}}),
      SeedEntity(kAppId, ET::kApp, "Hue app", {{"platform", "ios"}}),
      SeedEntity(kNoteId, ET::kNote, "Filter reminder", {{"text", "Change the hood filter"}}),
  };
  for (const Entity& e : entities) batch.entities.push_back({e, true});
  batch.relationships = {
      SeedEdge(1, kKitchenId, RT::kLocatedIn, kHomeId),
      SeedEdge(2, kHallId, RT::kLocatedIn, kHomeId),
      SeedEdge(3, kLampId, RT::kLocatedIn, kKitchenId),
      SeedEdge(4, kSwitchId, RT::kLocatedIn, kHallId),
      SeedEdge(5, kSwitchId, RT::kControls, kLampId),
      SeedEdge(6, kDoorId, RT::kConnectsTo, kKitchenId),
      SeedEdge(7, kLampId, RT::kDocumentedBy, kManualId),
      SeedEdge(8, kProcedureId, RT::kProcedureFor, kLampId),
      SeedEdge(9, kAutomationId, RT::kAutomates, kLampId),
      SeedEdge(10, kLampId, RT::kControlledByApp, kAppId),
  };
  auto info = kg.CommitBatch(batch);
  FUZZ_CHECK(info.ok(), info.status().ToString());
}

namespace {

std::shared_ptr<const std::string> ImageOf(graph::KnowledgeGraph& kg) {
  auto* sqlite = dynamic_cast<store::SqliteStore*>(&kg.store());
  FUZZ_CHECK(sqlite != nullptr, "the graph's store is not a SqliteStore");
  auto bytes = sqlite->SerializeImage();
  FUZZ_CHECK(bytes.ok(), bytes.status().ToString());
  return std::make_shared<const std::string>(std::move(bytes).value());
}

// A ":memory:" graph whose store starts as a copy of `image` (empty if null).
std::unique_ptr<graph::KnowledgeGraph> OpenImage(std::shared_ptr<const std::string> image) {
  store::StoreOptions options;
  options.memory_image = std::move(image);
  auto store = store::SqliteStore::Open(options, ":memory:");
  FUZZ_CHECK(store.ok(), store.status().ToString());
  auto kg = graph::KnowledgeGraph::Open(std::move(store).value());
  FUZZ_CHECK(kg.ok(), kg.status().ToString());
  return std::move(kg).value();
}

// The small home is seeded once; every graph after that opens a copy of
// that store's image, which costs a fraction of creating the schema and
// committing the seed again (half of each execution before), and gives
// every input exactly the same store, timestamps included.
const std::shared_ptr<const std::string>& SmallHomeImage() {
  static const std::shared_ptr<const std::string> image = [] {
    std::unique_ptr<graph::KnowledgeGraph> kg = OpenImage(nullptr);
    SeedSmallHome(*kg);
    return ImageOf(*kg);
  }();
  return image;
}

// The resources of whatever graph World holds now (a GraphResources is
// bound to one graph), so the dispatcher can outlive the graphs.
class ForwardingResources : public mcp::ResourceProvider {
 public:
  explicit ForwardingResources(const std::unique_ptr<mcp::GraphResources>* current)
      : current_(current) {}
  StatusOr<mcp::ResourcePage> List(std::string_view cursor) const override {
    return Now().List(cursor);
  }
  Json Templates() const override { return Now().Templates(); }
  StatusOr<Json> Read(std::string_view uri) const override { return Now().Read(uri); }
  StatusOr<mcp::Completion> Complete(std::string_view uri_template, std::string_view argument,
                                     std::string_view prefix,
                                     const Json& context_arguments) const override {
    return Now().Complete(uri_template, argument, prefix, context_arguments);
  }

 private:
  const mcp::GraphResources& Now() const {
    FUZZ_CHECK(*current_ != nullptr, "a resource request outside an input");
    return **current_;
  }
  const std::unique_ptr<mcp::GraphResources>* current_;
};

}  // namespace

std::unique_ptr<graph::KnowledgeGraph> NewSeededGraph() { return OpenImage(SmallHomeImage()); }

World::World(const std::function<void(graph::KnowledgeGraph&)>& seed_more)
    : handlers_(std::make_shared<std::map<std::string, mcp::ToolHandler>>()),
      writers_(std::make_shared<std::map<std::string, mcp::ToolWriter>>()),
      written_(std::make_shared<std::atomic<bool>>(false)) {
  std::vector<mcp::ToolBinding> forwarding;
  // The names come from a throwaway graph's bindings, so every tool the
  // app binds is forwarded.
  std::unique_ptr<graph::KnowledgeGraph> names_from = NewSeededGraph();
  for (mcp::ToolBinding& b : AllBindings(*names_from)) {
    mcp::ToolBinding f;
    f.name = b.name;
    if (b.writer) {  // written answers stay written (and checked: the default)
      f.writer = [writers = writers_, name = b.name](const Json& args, mcp::ToolContext& ctx) {
        return writers->at(name)(args, ctx);
      };
    } else {
      f.handler = [handlers = handlers_, name = b.name](const Json& args, mcp::ToolContext& ctx) {
        return handlers->at(name)(args, ctx);
      };
    }
    forwarding.push_back(std::move(f));
  }
  auto tools = mcp::ToolRegistry::Create(mcp::kToolsJson, std::move(forwarding));
  FUZZ_CHECK(tools.ok(), tools.status().ToString());
  tools_ = std::move(tools).value();
  image_ = SmallHomeImage();
  if (seed_more) {
    std::unique_ptr<graph::KnowledgeGraph> seeded = OpenImage(image_);
    seed_more(*seeded);
    image_ = ImageOf(*seeded);
  }
  forwarding_resources_ = std::make_unique<ForwardingResources>(&resources_);
  mcp::DispatcherOptions options;
  options.server_version = "0.0.0-fuzz";
  options.instructions = "Use the graph tools.";
  dispatcher_ =
      std::make_unique<mcp::Dispatcher>(*tools_, forwarding_resources_.get(), options);
  Rebuild();
}

World::~World() { TearDown(); }

void World::TearDown() {
  resources_.reset();
  handlers_->clear();
  writers_->clear();
  graph_.reset();
}

std::vector<std::pair<std::string, std::string>> World::Settings() {
  auto meta = graph_->store().ListMeta("");
  FUZZ_CHECK(meta.ok(), meta.status().ToString());
  return std::move(meta).value();
}

void World::Rebuild() {
  TearDown();
  graph_ = OpenImage(image_);
  for (mcp::ToolBinding& b : AllBindings(*graph_)) {
    if (b.writer) {
      (*writers_)[b.name] = std::move(b.writer);
    } else {
      (*handlers_)[b.name] = std::move(b.handler);
    }
  }
  resources_ = std::make_unique<mcp::GraphResources>(*graph_);
  graph_->AddChangeListener(
      [written = written_](const graph::ChangeEvent&) { written->store(true); });
  written_->store(false);
  pristine_settings_ = Settings();
}

void World::Begin() {
  if (!graph_) Rebuild();
}

void World::End() {
  FUZZ_CHECK(graph_ != nullptr, "World::End without Begin");
  if (written_->load() || Settings() != pristine_settings_) CheckIndexMatchesStore(*graph_);
  TearDown();
}

std::string StoreFingerprint(graph::KnowledgeGraph& kg) {
  // Every stored column of every current row, as the store holds it (the
  // undecoded rows, which is cheaper than decoding and re-encoding), then
  // each entity's version count and every setting.
  std::string out;
  std::vector<std::string> ids;
  auto field = [&out](std::string_view v) {
    out += v;
    out += '\x1f';
  };
  Status s = kg.store().ScanCurrentRows(
      [&](const store::EntityRow& e) {
        ids.emplace_back(e.id);
        for (std::string_view v : {e.id, e.version, ToString(e.entity_type), e.name, e.content,
                                   ToString(e.source_type), e.user_id, e.parent_versions,
                                   e.created_at, e.updated_at}) {
          field(v);
        }
        out += '\n';
        return Status();
      },
      [&](Relationship&& r) {
        for (std::string_view v : {std::string_view(r.id), std::string_view(r.from_entity_id),
                                   std::string_view(r.from_entity_version),
                                   std::string_view(r.to_entity_id),
                                   std::string_view(r.to_entity_version),
                                   ToString(r.relationship_type), std::string_view(r.user_id),
                                   std::string_view(r.created_at),
                                   std::string_view(r.updated_at)}) {
          field(v);
        }
        field(mcp::DumpJson(r.properties));
        field(r.deleted ? "deleted" : "live");
        out += '\n';
        return Status();
      });
  FUZZ_CHECK(s.ok(), s.ToString());
  for (const std::string& id : ids) {
    auto n = kg.store().VersionCount(id);
    FUZZ_CHECK(n.ok(), n.status().ToString());
    out += id + " " + std::to_string(*n) + "\n";
  }
  auto meta = kg.store().ListMeta("");
  FUZZ_CHECK(meta.ok(), meta.status().ToString());
  for (const auto& [k, v] : *meta) out += k + "=" + v + "\n";
  return out;
}

void CheckIndexMatchesStore(graph::KnowledgeGraph& kg) {
  std::map<std::string, Entity> stored_entities;
  std::map<std::string, Relationship> stored_edges;
  Status s = kg.store().ScanCurrent(
      [&](Entity&& e) { stored_entities.emplace(e.id, std::move(e)); },
      [&](Relationship&& r) {
        if (!r.deleted) stored_edges.emplace(r.id, std::move(r));
      });
  FUZZ_CHECK(s.ok(), s.ToString());
  // The store's cached version counts (VersionCount) against the history.
  for (const auto& [id, e] : stored_entities) {
    auto count = kg.store().VersionCount(id);
    auto history = kg.store().History(id);
    FUZZ_CHECK(count.ok() && history.ok() && *count == history->size(),
               "version count of " + id + " differs from its history");
  }
  kg.Read([&](const graph::GraphIndex& g) {
    auto all = g.AllEntities();
    FUZZ_CHECK(all.size() == stored_entities.size(),
               std::to_string(all.size()) + " indexed vs " +
                   std::to_string(stored_entities.size()) + " stored entities");
    for (const auto& e : all) {
      auto it = stored_entities.find(e->id);
      FUZZ_CHECK(it != stored_entities.end(), "indexed entity not stored: " + e->id);
      FUZZ_CHECK(it->second == *e, "index and store differ for " + e->id + ": " +
                                        mcp::DumpJson(ToJson(*e)) + " vs " +
                                        mcp::DumpJson(ToJson(it->second)));
    }
    auto edges = g.AllRelationships();
    FUZZ_CHECK(edges.size() == stored_edges.size(),
               std::to_string(edges.size()) + " indexed vs " +
                   std::to_string(stored_edges.size()) + " stored relationships");
    for (const auto& r : edges) {
      auto it = stored_edges.find(r->id);
      FUZZ_CHECK(it != stored_edges.end(), "indexed relationship not stored: " + r->id);
      FUZZ_CHECK(it->second == *r, "index and store differ for relationship " + r->id);
    }
    return 0;
  });
}

namespace {

bool IsValidId(const Json& id) {
  return id.is_string() || id.is_number_integer() || id.is_null();
}

Json ParseOneLine(const std::string& message) {
  FUZZ_CHECK(message.find('\n') == std::string::npos, "message spans lines: " + message);
  FUZZ_CHECK(mcp::IsValidUtf8(message), "message is not valid UTF-8: " + message);
  // Replies may nest a little deeper than the requests they answer
  // (results wrap what the client sent), so allow more than the default.
  auto parsed = mcp::ParseJson(message, 4 * mcp::kMaxJsonDepth);
  FUZZ_CHECK(parsed.ok(), "not JSON: " + message + " (" + parsed.status().ToString() + ")");
  FUZZ_CHECK(parsed->is_object(), "not an object: " + message);
  FUZZ_CHECK(parsed->value("jsonrpc", "") == "2.0", "jsonrpc is not \"2.0\": " + message);
  return std::move(parsed).value();
}

// The members of a response CheckJsonRpcResponse checks, gathered from
// SAX events: the top level's id, jsonrpc, result, error and method, and
// the error object's code and message.
class ResponseFacts : public nlohmann::json_sax<Json> {
 public:
  explicit ResponseFacts(int max_depth) : max_depth_(max_depth) {}

  bool top_is_object = false;
  bool too_deep = false;
  std::string error_text;
  bool has_id = false, has_result = false, has_error = false, has_method = false;
  Json id;
  std::optional<std::string> jsonrpc;
  bool result_is_object = false, error_is_object = false;
  std::optional<int64_t> error_code;
  bool error_message_is_string = false;

  bool null() override { return Scalar(Json()); }
  bool boolean(bool v) override { return Scalar(Json(v)); }
  bool number_integer(number_integer_t v) override { return Scalar(Json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return Scalar(Json(v)); }
  bool number_float(number_float_t v, const string_t&) override { return Scalar(Json(v)); }
  bool string(string_t& v) override {
    // Only the values looked at are copied.
    if (depth_ == 1 && (key1_ == "id" || key1_ == "jsonrpc")) return Scalar(Json(v));
    return Scalar(Json(nullptr), /*is_string=*/true);
  }
  bool binary(binary_t&) override { return Scalar(Json()); }
  bool start_object(std::size_t) override { return Open(/*object=*/true); }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t) override { return Open(/*object=*/false); }
  bool end_array() override { return Close(); }
  bool key(string_t& k) override {
    if (depth_ == 1) {
      key1_ = k;
      has_id |= k == "id";
      has_result |= k == "result";
      has_error |= k == "error";
      has_method |= k == "method";
    } else if (depth_ == 2) {
      key2_ = k;
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    error_text = e.what();
    return false;
  }

 private:
  // A value at the current depth (containers are values too: Open).
  bool Scalar(Json v, bool is_string = false) {
    if (depth_ == 1) {
      if (key1_ == "id") id = v;
      if (key1_ == "jsonrpc") jsonrpc = v.is_string() ? std::optional(v.get<std::string>()) : std::nullopt;
      if (key1_ == "result") result_is_object = false;
      if (key1_ == "error") error_is_object = false;
    } else if (depth_ == 2 && in_error_) {
      if (key2_ == "code") {
        error_code = v.is_number_integer() ? std::optional(v.get<int64_t>()) : std::nullopt;
      }
      if (key2_ == "message") error_message_is_string = is_string;
    }
    return true;
  }
  bool Open(bool object) {
    if (depth_ == 0) {
      top_is_object = object;
    } else {
      // The container is the value of the key before it.
      Scalar(Json(nullptr));
      if (depth_ == 1) {
        if (key1_ == "id") id = object ? Json::object() : Json::array();
        if (key1_ == "result") result_is_object = object;
        if (key1_ == "error") {
          error_is_object = object;
          error_code.reset();
          error_message_is_string = false;
        }
        in_error_ = object && key1_ == "error";
      }
    }
    if (++depth_ > max_depth_) {
      too_deep = true;
      return false;
    }
    return true;
  }
  bool Close() {
    --depth_;
    if (depth_ == 1) in_error_ = false;
    return true;
  }

  const int max_depth_;
  int depth_ = 0;
  std::string key1_, key2_;
  bool in_error_ = false;
};

}  // namespace

RpcReply CheckJsonRpcResponse(const std::string& message) {
  FUZZ_CHECK(message.find('\n') == std::string::npos, "message spans lines: " + message);
  FUZZ_CHECK(message.find('\0') == std::string::npos, "raw NUL byte in: " + message);
  FUZZ_CHECK(mcp::IsValidUtf8(message), "message is not valid UTF-8: " + message);
  // Replies may nest a little deeper than the requests they answer
  // (results wrap what the client sent), so allow more than the default.
  ResponseFacts f(4 * mcp::kMaxJsonDepth);
  const bool parsed = Json::sax_parse(message.begin(), message.end(), &f);
  FUZZ_CHECK(!f.too_deep, "nested deeper than allowed: " + message);
  FUZZ_CHECK(parsed, "not JSON: " + message + " (" + f.error_text + ")");
  FUZZ_CHECK(f.top_is_object, "not an object: " + message);
  FUZZ_CHECK(f.jsonrpc == "2.0", "jsonrpc is not \"2.0\": " + message);
  FUZZ_CHECK(f.has_id && IsValidId(f.id), "response without a valid id: " + message);
  FUZZ_CHECK(f.has_result != f.has_error,
             "response needs exactly one of result and error: " + message);
  FUZZ_CHECK(!f.has_method, "response carries a method: " + message);
  if (f.has_result) {
    FUZZ_CHECK(f.result_is_object, "result is not an object: " + message);
    return RpcReply{std::move(f.id), std::nullopt};
  }
  FUZZ_CHECK(f.error_is_object && f.error_code && f.error_message_is_string,
             "malformed error object: " + message);
  return RpcReply{std::move(f.id), f.error_code};
}

void CheckJsonRpcNotification(const std::string& message) {
  Json j = ParseOneLine(message);
  FUZZ_CHECK(!j.contains("id"), "notification with an id: " + message);
  FUZZ_CHECK(j.contains("method") && j["method"].is_string(), "notification without method");
  FUZZ_CHECK(!j.contains("params") || j["params"].is_object(),
             "notification params not an object: " + message);
}

std::vector<std::string_view> SplitLines(std::string_view data, size_t max_lines) {
  std::vector<std::string_view> lines;
  while (!data.empty() && lines.size() < max_lines) {
    size_t nl = data.find('\n');
    lines.push_back(data.substr(0, nl));
    if (nl == std::string_view::npos) break;
    data.remove_prefix(nl + 1);
  }
  return lines;
}

}  // namespace funkygibbon::fuzz
