#include "mcp/stdio_transport.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "mcp/test_tools.h"

namespace funkygibbon::mcp {
namespace {

using testtools::Harness;

// RunStdio on a pair of pipes, served on a background thread.
class StdioRig {
 public:
  explicit StdioRig(StdioOptions options = {}) {
    int in[2], out[2];
    EXPECT_EQ(::pipe2(in, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
    to_server_ = in[1];
    from_server_ = out[0];
    lines_ = funkygibbon::testing::LineReader(from_server_);
    server_in_ = in[0];
    server_out_ = out[1];
    result_ = std::async(std::launch::async, [this, options] {
      const int rc =
          RunStdio(h_.dispatcher, h_.session, server_in_, server_out_, options);
      ::close(server_out_);  // lets the test's reader see EOF
      return rc;
    });
  }
  ~StdioRig() {
    CloseInput();
    if (result_.valid()) result_.wait();
    if (from_server_ >= 0) ::close(from_server_);
    ::close(server_in_);
  }

  // Writes all of s; false if the pipe is closed.
  bool Write(const std::string& s) {
    size_t done = 0;
    while (done < s.size()) {
      const ssize_t n = ::write(to_server_, s.data() + done, s.size() - done);
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }
  void CloseInput() {
    if (to_server_ >= 0) ::close(to_server_);
    to_server_ = -1;
  }
  void CloseOutput() {
    ::close(from_server_);
    from_server_ = -1;
  }

  // Reads until `n` lines arrived (or EOF / timeout). Checks every line is
  // one JSON-RPC message.
  std::vector<Json> ReadLines(
      size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::vector<Json> out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out.size() < n) {
      std::optional<std::string> line = lines_.ReadLineBy(deadline);
      if (!line) break;
      out.push_back(ParseLine(*line));
    }
    return out;
  }

  // Everything until the server closes its output.
  std::vector<Json> ReadAll() { return ReadLines(SIZE_MAX); }

  int Wait() {
    EXPECT_EQ(result_.wait_for(std::chrono::seconds(20)),
              std::future_status::ready);
    return result_.get();
  }

  Harness& harness() { return h_; }

 private:
  static Json ParseLine(const std::string& line) {
    EXPECT_TRUE(IsValidUtf8(line)) << line;
    Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON on stdout: " << line;
    EXPECT_TRUE(j.is_object());
    if (j.is_object()) {
      EXPECT_EQ(j.value("jsonrpc", ""), "2.0") << line;
      const bool response =
          j.contains("id") && (j.contains("result") || j.contains("error"));
      const bool notification = !j.contains("id") && j.contains("method");
      EXPECT_TRUE(response || notification) << line;
    }
    return j;
  }

  Harness h_;
  int to_server_ = -1, from_server_ = -1, server_in_ = -1, server_out_ = -1;
  std::future<int> result_;
  funkygibbon::testing::LineReader lines_;
};

const char kInit[] =
    R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})"
    "\n"
    R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
    "\n";

// Responses may overtake each other (ping and malformed input are answered
// by the reader at once, the rest by the worker in order), so tests look
// messages up by id.
Json ById(const std::vector<Json>& lines, const Json& id) {
  for (const auto& l : lines) {
    if (l.contains("id") && l["id"] == id) return l;
  }
  ADD_FAILURE() << "no message with id " << id;
  return Json::object();
}

std::string EchoCall(int id, const std::string& text) {
  return Json{{"jsonrpc", "2.0"},
              {"id", id},
              {"method", "tools/call"},
              {"params", {{"name", "echo"}, {"arguments", {{"text", text}}}}}}
             .dump() +
         "\n";
}

TEST(StdioTransportTest, ManyRequestsEachAnsweredOnceInOrder) {
  StdioRig rig;
  std::string input = kInit;
  constexpr int kCalls = 500;
  for (int i = 1; i <= kCalls; ++i) {
    input += EchoCall(i, "msg" + std::to_string(i));
    if (i % 50 == 0) input += "\n\r\n   \n";  // blank lines are ignored
  }
  // Written from another thread: the pipe would fill before we read.
  std::thread writer([&] {
    rig.Write(input);
    rig.CloseInput();
  });
  std::vector<Json> lines = rig.ReadAll();
  writer.join();
  EXPECT_EQ(rig.Wait(), 0);
  ASSERT_EQ(lines.size(), static_cast<size_t>(kCalls + 1));
  EXPECT_EQ(lines[0]["result"]["protocolVersion"], "2025-11-25");
  for (int i = 1; i <= kCalls; ++i) {
    EXPECT_EQ(lines[i]["id"], i);
    EXPECT_EQ(lines[i]["result"]["structuredContent"]["text"],
              "msg" + std::to_string(i));
  }
}

TEST(StdioTransportTest, CrlfAndFinalLineWithoutNewline) {
  StdioRig rig;
  rig.Write(std::string(kInit) + R"({"jsonrpc":"2.0","id":1,"method":"ping"})" +
            "\r\n" + R"({"jsonrpc":"2.0","id":2,"method":"ping"})");
  rig.CloseInput();
  std::vector<Json> lines = rig.ReadAll();
  EXPECT_EQ(rig.Wait(), 0);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(ById(lines, 1)["result"], Json::object());
  EXPECT_EQ(ById(lines, 2)["result"], Json::object());
}

TEST(StdioTransportTest, HugeLineIsDiscardedAndNamed) {
  StdioRig rig;  // default limit: 4 MiB
  std::thread writer([&] {
    rig.Write(kInit);
    rig.Write(EchoCall(1, std::string(5u << 20, 'x')));
    rig.Write(R"({"jsonrpc":"2.0","id":2,"method":"ping"})"
              "\n");
    rig.CloseInput();
  });
  std::vector<Json> lines = rig.ReadAll();
  writer.join();
  EXPECT_EQ(rig.Wait(), 0);
  ASSERT_EQ(lines.size(), 3u);
  const Json oversize = ById(lines, nullptr);
  EXPECT_EQ(oversize["error"]["code"], kInvalidRequest);
  EXPECT_NE(
      oversize["error"]["message"].get<std::string>().find("4194304-byte"),
      std::string::npos)
      << oversize;
  EXPECT_EQ(ById(lines, 2)["result"], Json::object());
  EXPECT_EQ(ById(lines, 0)["result"]["protocolVersion"], "2025-11-25");
}

TEST(StdioTransportTest, LineLimitIsConfigurableAndExact) {
  StdioOptions o;
  o.max_line_bytes = 100;
  StdioRig rig(o);
  const std::string exact =
      R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":")";
  const std::string fits =
      exact + std::string(100 - exact.size() - 3, 'p') + "\"}}";
  ASSERT_EQ(fits.size(), 100u);
  rig.Write(fits + "\n" + fits + "x\n");
  rig.CloseInput();
  std::vector<Json> lines = rig.ReadAll();
  EXPECT_EQ(rig.Wait(), 0);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["result"], Json::object());
  EXPECT_EQ(lines[1]["error"]["code"], kInvalidRequest);
  EXPECT_NE(lines[1]["error"]["message"].get<std::string>().find("100-byte"),
            std::string::npos);
}

TEST(StdioTransportTest, InvalidUtf8IsEchoedAsReplacementCharacters) {
  StdioRig rig;
  std::string call = EchoCall(1, "AB");
  call.replace(call.find("AB"), 2,
               "A\xff\xc0"
               "B");
  rig.Write(std::string(kInit) + call + "{\"bad\xff\n");
  rig.CloseInput();
  std::vector<Json> lines = rig.ReadAll();  // ParseLine checks UTF-8 validity
  EXPECT_EQ(rig.Wait(), 0);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(ById(lines, 1)["result"]["structuredContent"]["text"],
            "A\xEF\xBF\xBD\xEF\xBF\xBD"
            "B");
  EXPECT_EQ(ById(lines, nullptr)["error"]["code"], kParseError);
}

TEST(StdioTransportTest, EofExitsCleanly) {
  StdioRig rig;
  rig.CloseInput();
  EXPECT_EQ(rig.Wait(), 0);
  EXPECT_TRUE(rig.ReadAll().empty());
}

TEST(StdioTransportTest, EofFinishesQueuedWorkFirst) {
  StdioRig rig;
  std::string input = kInit;
  input +=
      R"({"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":"error"}})"
      "\n";
  input +=
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"progress","arguments":{"steps":20},"_meta":{"progressToken":"t"}}})"
      "\n";
  rig.Write(input);
  rig.CloseInput();
  std::vector<Json> lines = rig.ReadAll();
  EXPECT_EQ(rig.Wait(), 0);
  // initialize, setLevel, 20 progress, 4 log messages (error and up), the
  // result.
  ASSERT_EQ(lines.size(), 27u);
  double last = 0;
  for (size_t i = 2; i < 22; ++i) {
    EXPECT_EQ(lines[i]["method"], "notifications/progress");
    EXPECT_EQ(lines[i]["params"]["progressToken"], "t");
    EXPECT_GT(lines[i]["params"]["progress"].get<double>(), last);
    last = lines[i]["params"]["progress"];
  }
  EXPECT_EQ(lines[22]["params"]["level"], "error");
  EXPECT_EQ(lines[26]["id"], 2);
  EXPECT_EQ(lines[26]["result"]["isError"], false);
}

TEST(StdioTransportTest, PingAndCancellationReachALongCall) {
  StdioRig rig;
  rig.Write(kInit);
  ASSERT_EQ(rig.ReadLines(1).size(), 1u);
  const int before = testtools::wait_for_cancel_started.load();
  rig.Write(
      R"({"jsonrpc":"2.0","id":"long","method":"tools/call","params":{"name":"wait_for_cancel"}})"
      "\n");
  while (testtools::wait_for_cancel_started.load() == before) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  // Queued behind the running call: answered only after it ends.
  rig.Write(R"({"jsonrpc":"2.0","id":"after","method":"tools/list"})"
            "\n");
  // Answered at once, while the call is still running.
  rig.Write(R"({"jsonrpc":"2.0","id":"p","method":"ping"})"
            "\n");
  std::vector<Json> ping = rig.ReadLines(1);
  ASSERT_EQ(ping.size(), 1u);
  EXPECT_EQ(ping[0]["id"], "p");
  rig.Write(
      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"long"}})"
      "\n");
  std::vector<Json> rest = rig.ReadLines(1);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0]["id"], "after");  // no response for "long"
  rig.CloseInput();
  EXPECT_TRUE(rig.ReadAll().empty());
  EXPECT_EQ(rig.Wait(), 0);
}

TEST(StdioTransportTest, BrokenStdoutEndsQuietly) {
  StdioRig rig;
  rig.CloseOutput();
  // Keep writing until the server notices and stops reading.
  std::string input = kInit;
  for (int i = 1; i <= 100; ++i) input += EchoCall(i, "x");
  rig.Write(input);
  EXPECT_EQ(rig.Wait(), 0);
}

TEST(StdioTransportTest, NotificationsGoThroughTheSameWriter) {
  StdioRig rig;
  std::string input = kInit;
  for (int i = 1; i <= 50; ++i) {
    input += Json{{"jsonrpc", "2.0"},
                  {"id", i},
                  {"method", "tools/call"},
                  {"params",
                   {{"name", "progress"},
                    {"arguments", {{"steps", 5}}},
                    {"_meta", {{"progressToken", i}}}}}}
                 .dump() +
             "\n";
  }
  std::thread writer([&] {
    rig.Write(input);
    rig.CloseInput();
  });
  std::vector<Json> lines = rig.ReadAll();
  writer.join();
  EXPECT_EQ(rig.Wait(), 0);
  ASSERT_EQ(lines.size(), 1u + 50u * 6u);
  std::map<int, int> progress_before_result;
  for (const auto& l : lines) {
    if (l.contains("method")) {
      progress_before_result[l["params"]["progressToken"].get<int>()]++;
    } else if (l["id"] != 0) {
      EXPECT_EQ(progress_before_result[l["id"].get<int>()], 5) << l;
    }
  }
}

}  // namespace
}  // namespace funkygibbon::mcp
