// Fuzzes whole MCP sessions through mcp::Dispatcher: the input is a sequence
// of newline-separated JSON-RPC messages (either era: 2025-11-25 with
// initialize first, or 2026-07-28 stateless requests carrying _meta) sent to
// one Session over a ":memory:" graph seeded with a small home (the same
// state for every input, see World), so tool calls really read and write.
//
// An optional first line starting with '#' sets the mode:
//   "guest"      the caller is read-only: the stored graph must not change;
//   "pipelined"  every message is Accepted before any is Executed (what the
//                stdio reader does when messages arrive faster than they
//                run), so cancellations can overtake the requests they name.
//
// Invariants: every reply and notification is one line of valid UTF-8 JSON-RPC;
// a request with a usable id gets exactly one reply with that id (unless
// cancelled when pipelined); notifications get none; no reply is -32603 (an
// internal error is a bug); a guest writes nothing; the index matches the
// store afterwards.
#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.h"
#include "mcp/dispatcher.h"
#include "mcp/errors.h"
#include "mcp/json_text.h"
#include "mcp/session.h"

namespace funkygibbon::fuzz {
namespace {

constexpr size_t kMaxMessages = 64;

struct Mode {
  bool guest = false;
  bool pipelined = false;
};

Mode ReadMode(std::vector<std::string_view>& lines) {
  Mode mode;
  if (lines.empty() || lines.front().empty() || lines.front().front() != '#') return mode;
  const std::string_view first = lines.front();
  mode.guest = first.find("guest") != std::string_view::npos;
  mode.pipelined = first.find("pipelined") != std::string_view::npos;
  lines.erase(lines.begin());
  return mode;
}

// What a message is, from one parse: a well-formed request (with the id
// its reply must echo), a notification, or neither.
struct Expectation {
  std::optional<Json> reply_id;
  bool notification = false;
};

Expectation Expect(std::string_view line) {
  Expectation out;
  auto parsed = mcp::ParseJson(line);
  if (!parsed.ok() || !parsed->is_object()) return out;
  const Json& j = *parsed;
  auto method = j.find("method");
  if (j.value("jsonrpc", Json()) != "2.0" || method == j.end() || !method->is_string()) {
    return out;
  }
  auto id = j.find("id");
  if (id == j.end()) {
    out.notification = true;
  } else if (id->is_string() || id->is_number_integer()) {
    out.reply_id = *id;
  }
  return out;
}

void CheckReply(const std::optional<std::string>& reply, std::string_view line, bool may_vanish) {
  if (Verbose()) {
    std::fprintf(stderr, "> %.*s\n< %s\n", static_cast<int>(std::min<size_t>(line.size(), 200)),
                 line.data(), reply ? reply->substr(0, 300).c_str() : "(none)");
  }
  const Expectation expect = Expect(line);
  const std::optional<Json>& want_id = expect.reply_id;
  if (!reply) {
    FUZZ_CHECK(!want_id || may_vanish, "request got no reply: " + std::string(line));
    return;
  }
  FUZZ_CHECK(!expect.notification, "a notification was answered: " + std::string(line) +
                                       " -> " + *reply);
  const RpcReply r = CheckJsonRpcResponse(*reply);
  if (want_id) {
    FUZZ_CHECK(r.id == *want_id, "reply id differs: " + std::string(line) + " -> " + *reply);
  }
  FUZZ_CHECK(r.error_code != mcp::kInternalError,
             "internal error: " + std::string(line) + " -> " + *reply);
}

}  // namespace
}  // namespace funkygibbon::fuzz

using namespace funkygibbon;       // NOLINT: fuzz entry points only
using namespace funkygibbon::fuzz;  // NOLINT

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  QuietLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines = SplitLines(input, kMaxMessages + 1);
  const Mode mode = ReadMode(lines);

  static World* world = new World();
  world->Begin();
  const mcp::Dispatcher& dispatcher = world->dispatcher();

  std::mutex mu;
  std::vector<std::string> notifications;
  mcp::Caller caller;
  caller.user_id = "fuzz";
  caller.read_only = mode.guest;
  mcp::Session session(
      [&](const std::string& m) {
        std::lock_guard lock(mu);
        notifications.push_back(m);
      },
      caller);

  if (mode.pipelined) {
    std::vector<mcp::Incoming> accepted;
    for (std::string_view line : lines) accepted.push_back(dispatcher.Accept(line, session));
    for (size_t i = 0; i < accepted.size(); ++i) {
      CheckReply(dispatcher.Execute(std::move(accepted[i]), session), lines[i],
                 /*may_vanish=*/true);
    }
  } else {
    for (std::string_view line : lines) {
      CheckReply(dispatcher.Handle(line, session), line, /*may_vanish=*/false);
    }
  }
  FUZZ_CHECK(session.in_flight() == 0, "requests left in flight");
  for (const std::string& n : notifications) CheckJsonRpcNotification(n);
  if (mode.guest) FUZZ_CHECK(!world->graph_written(), "a read-only caller wrote to the graph");
  world->End();
  return 0;
}
