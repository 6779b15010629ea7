// RunStdio's quick path: a quick message that arrives alone while the worker
// is idle runs on the reading thread; everything else keeps the queue, so
// arrival order and cancellation of queued requests are unchanged.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "mcp/dispatcher.h"
#include "mcp/json_text.h"
#include "mcp/session.h"
#include "mcp/stdio_transport.h"
#include "mcp/tool_registry.h"

namespace funkygibbon::mcp {
namespace {

constexpr char kToolsJson[] = R"JSON([
  {"name": "where", "description": "Says which thread ran it (quick).",
   "inputSchema": {"type": "object"}, "annotations": {"readOnlyHint": true}},
  {"name": "where_slow", "description": "Says which thread ran it (not quick).",
   "inputSchema": {"type": "object"}, "annotations": {"readOnlyHint": true}},
  {"name": "block", "description": "Runs until released or cancelled (not quick).",
   "inputSchema": {"type": "object"}}
])JSON";

std::string ThreadName() {
  return std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id()));
}

// The tools' shared state: the block tool waits for `released`.
struct Gate {
  std::atomic<int> blocks_started{0};
  std::atomic<bool> released{false};
};

std::unique_ptr<ToolRegistry> MakeRegistry(Gate* gate) {
  std::vector<ToolBinding> b;
  b.push_back({"where",
               [](const Json&, ToolContext&) -> StatusOr<Json> {
                 return Json{{"thread", ThreadName()}};
               },
               [](const Json&) { return true; }});
  b.push_back({"where_slow", [](const Json&, ToolContext&) -> StatusOr<Json> {
                 return Json{{"thread", ThreadName()}};
               }});
  b.push_back({"block", [gate](const Json&, ToolContext& ctx) -> StatusOr<Json> {
                 ++gate->blocks_started;
                 const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
                 while (!gate->released && !ctx.cancelled() &&
                        std::chrono::steady_clock::now() < deadline) {
                   std::this_thread::sleep_for(std::chrono::milliseconds(1));
                 }
                 if (ctx.cancelled()) return Status::Cancelled("cancelled");
                 return Json{{"thread", ThreadName()}};
               }});
  auto r = ToolRegistry::Create(kToolsJson, std::move(b));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

// RunStdio over pipes on its own thread, whose name it records.
class Rig {
 public:
  explicit Rig(StdioOptions options = {})
      : registry_(MakeRegistry(&gate_)), dispatcher_(*registry_, nullptr, DispatcherOptions{}) {
    int in[2], out[2];
    EXPECT_EQ(::pipe2(in, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
    to_server_ = in[1];
    from_server_ = out[0];
    lines_ = funkygibbon::testing::LineReader(from_server_);
    server_in_ = in[0];
    server_out_ = out[1];
    std::promise<std::string> name;
    reader_name_ = name.get_future().share();
    result_ = std::async(std::launch::async, [this, options, name = std::move(name)]() mutable {
      name.set_value(ThreadName());
      const int rc = RunStdio(dispatcher_, session_, server_in_, server_out_, options);
      ::close(server_out_);
      return rc;
    });
    Write(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})"
          "\n");
    EXPECT_EQ(Read(1).size(), 1u);
    Write(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
          "\n");
    // A call that is not quick goes to the worker behind the notification;
    // once it is answered nothing is queued or running, so each test starts
    // from an idle worker. (A ping would not do: the reader answers it.)
    Write(R"({"jsonrpc":"2.0","id":"settle","method":"tools/call","params":{"name":"where_slow","arguments":{}}})"
          "\n");
    EXPECT_EQ(Read(1).size(), 1u);
  }
  ~Rig() {
    gate_.released = true;
    if (to_server_ >= 0) ::close(to_server_);
    if (result_.valid()) result_.wait();
    ::close(from_server_);
    ::close(server_in_);
  }

  void Write(const std::string& s) {
    size_t done = 0;
    while (done < s.size()) {
      const ssize_t n = ::write(to_server_, s.data() + done, s.size() - done);
      ASSERT_GT(n, 0);
      done += static_cast<size_t>(n);
    }
  }

  // Up to n messages, waiting at most `timeout` in all.
  std::vector<Json> Read(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::vector<Json> out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out.size() < n) {
      std::optional<std::string> line = lines_.ReadLineBy(deadline);
      if (!line) break;
      out.push_back(Json::parse(*line));
    }
    return out;
  }

  std::string reader_name() { return reader_name_.get(); }
  Gate& gate() { return gate_; }

 private:
  Gate gate_;
  std::unique_ptr<ToolRegistry> registry_;
  Dispatcher dispatcher_;
  Session session_;
  int to_server_ = -1, from_server_ = -1, server_in_ = -1, server_out_ = -1;
  std::shared_future<std::string> reader_name_;  // read more than once
  std::future<int> result_;
  funkygibbon::testing::LineReader lines_;
};

std::string Call(int id, const std::string& tool) {
  return Json{{"jsonrpc", "2.0"},
              {"id", id},
              {"method", "tools/call"},
              {"params", {{"name", tool}, {"arguments", Json::object()}}}}
             .dump() +
         "\n";
}

// The thread a where/where_slow/block answer names.
std::string ThreadOf(const Json& reply) {
  return reply["result"]["structuredContent"].value("thread", "");
}

TEST(StdioInlineTest, AQuickCallSentAloneRunsOnTheReadingThread) {
  Rig rig;
  const std::string reader = rig.reader_name();
  for (int id = 1; id <= 3; ++id) {
    rig.Write(Call(id, "where"));
    auto replies = rig.Read(1);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0]["id"], id);
    EXPECT_EQ(ThreadOf(replies[0]), reader);
  }
  rig.Write(Call(4, "where_slow"));
  auto replies = rig.Read(1);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_NE(ThreadOf(replies[0]), reader) << "a call that is not quick must go to the worker";
}

TEST(StdioInlineTest, TheQuickPathCanBeTurnedOff) {
  StdioOptions options;
  options.run_quick_inline = false;
  Rig rig(options);
  rig.Write(Call(1, "where"));
  auto replies = rig.Read(1);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_NE(ThreadOf(replies[0]), rig.reader_name());
}

TEST(StdioInlineTest, PipelinedQuickCallsKeepTheQueueAndTheirOrder) {
  Rig rig;
  std::string batch;
  for (int id = 1; id <= 20; ++id) batch += Call(id, "where");
  rig.Write(batch);  // one write: each line has more behind it
  auto replies = rig.Read(20);
  ASSERT_EQ(replies.size(), 20u);
  const std::string reader = rig.reader_name();
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(replies[static_cast<size_t>(i)]["id"], i + 1) << "answers must keep arrival order";
  }
  // The last line of the write had nothing behind it, but every earlier
  // one went to the worker, so it waits its turn there too unless the
  // worker had already finished: either way none overtakes another.
  for (int i = 0; i < 19; ++i) {
    EXPECT_NE(ThreadOf(replies[static_cast<size_t>(i)]), reader) << "id " << i + 1;
  }
}

TEST(StdioInlineTest, AQuickCallWaitsBehindABusyWorker) {
  Rig rig;
  const int before = rig.gate().blocks_started.load();
  rig.Write(Call(1, "block"));
  while (rig.gate().blocks_started.load() == before) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  rig.Write(Call(2, "where"));
  // Run on the reader, it would answer now, ahead of the blocked call.
  EXPECT_TRUE(rig.Read(1, std::chrono::milliseconds(300)).empty());
  rig.gate().released = true;
  auto replies = rig.Read(2);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0]["id"], 1);
  EXPECT_EQ(replies[1]["id"], 2);
  EXPECT_NE(ThreadOf(replies[1]), rig.reader_name());
}

TEST(StdioInlineTest, AQueuedQuickCallCanStillBeCancelled) {
  Rig rig;
  const int before = rig.gate().blocks_started.load();
  rig.Write(Call(1, "block"));
  while (rig.gate().blocks_started.load() == before) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  rig.Write(Call(2, "where"));
  rig.Write(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2}})"
            "\n");
  rig.Write(Call(3, "where"));
  // Nothing can overtake the blocked call; release it only once 2 and 3
  // are surely read (3 queued behind 2, the cancellation applied at once).
  EXPECT_TRUE(rig.Read(1, std::chrono::milliseconds(300)).empty());
  rig.gate().released = true;
  auto replies = rig.Read(3, std::chrono::seconds(3));
  ASSERT_EQ(replies.size(), 2u) << "the cancelled call must not be answered";
  EXPECT_EQ(replies[0]["id"], 1);
  EXPECT_EQ(replies[1]["id"], 3);
}

TEST(StdioInlineTest, ACancelledBlockedCallIsNotAnsweredAndTheNextRunsInline) {
  Rig rig;
  const int before = rig.gate().blocks_started.load();
  rig.Write(Call(1, "block"));
  while (rig.gate().blocks_started.load() == before) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  rig.Write(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}})"
            "\n");
  // The worker finishes the cancelled call without answering; once it is
  // idle again, a call sent alone is served by the reader.
  std::vector<Json> replies;
  for (int id = 2; id < 200; ++id) {
    rig.Write(Call(id, "where"));
    replies = rig.Read(1);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0]["id"], id) << "no answer for the cancelled call";
    if (ThreadOf(replies[0]) == rig.reader_name()) break;
  }
  EXPECT_EQ(ThreadOf(replies[0]), rig.reader_name());
}

}  // namespace
}  // namespace funkygibbon::mcp
