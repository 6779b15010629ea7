// The official MCP TypeScript SDK client and conformance suite, run from
// ../shared/tools/mcp. Skipped cleanly when ../shared, node or the npm
// packages are not available (the stdio tests cover the same behaviour).
#include <cstdlib>
#include <filesystem>

#include "e2e/e2e_util.h"

namespace funkygibbon::testing {
namespace {

std::string SdkDir() {
  const char* d = std::getenv("MCP_SDK_DIR");
  std::string dir = d && *d ? d : std::string(std::getenv("HOME") ? std::getenv("HOME") : "") + "/.cache/funkygibbon-node";
  std::error_code ec;
  if (!std::filesystem::exists(dir + "/node_modules/@modelcontextprotocol/sdk/package.json", ec)) return "";
  return dir;
}

TEST(SdkClientTest, OfficialClientListsAndCallsEveryTool) {
  const std::string shared = SharedDir();
  if (shared.empty()) GTEST_SKIP() << "../shared is not present";
  const std::string sdk = SdkDir();
  if (sdk.empty()) GTEST_SKIP() << "the MCP SDK is not installed (scripts/setup-node-tools.sh)";
  std::string db = SeededDb();
  auto plan = EveryToolPlan(db);
  const std::string server = BinaryPath() + " --db " + db + " mcp";
  std::vector<Json> results;
  size_t listed = 0;
  for (const auto& p : plan) {
    Json args = p.args(results);
    auto r = RunCommand("MCP_SDK_DIR=" + ShellQuote(sdk) + " node " + ShellQuote(shared + "/tools/mcp/sdk-client.mjs") +
                        " --compact --stdio " + ShellQuote(server) + " --call " + p.tool + " --args " +
                        ShellQuote(args.dump()));
    ASSERT_EQ(r.exit_code, 0) << p.tool << " " << args.dump() << "\n" << r.output;
    Json out = Json::parse(r.output, nullptr, false);
    ASSERT_FALSE(out.is_discarded()) << r.output;
    listed = out["tools"].size();
    EXPECT_EQ(out["server"]["protocolVersion"], "2025-11-25");
    ASSERT_TRUE(out["call"]["result"]["structuredContent"].is_object()) << r.output;
    results.push_back(out["call"]["result"]["structuredContent"]);
  }
  EXPECT_EQ(listed, plan.size() + 1);  // + sync_now, which needs a hub (sync_e2e_test.cc)
}

TEST(ConformanceTest, GenericScenariosPassOverStdio) {
  const std::string shared = SharedDir();
  if (shared.empty()) GTEST_SKIP() << "../shared is not present";
  if (RunCommand("command -v npm").exit_code != 0) GTEST_SKIP() << "npm is not available";
  std::string db = SeededDb();
  auto r = RunCommand("bash " + ShellQuote(shared + "/tools/mcp/conformance.sh") + " --stdio " +
                          ShellQuote(BinaryPath() + " --db " + db + " mcp") + " --only generic --out " +
                          ShellQuote(TempDir() + "/conf"),
                      true);
  std::string last = r.output.substr(r.output.find_last_of('\n', r.output.size() - 2) + 1);
  if (r.output.find("npm ERR") != std::string::npos || r.output.find("ENOTFOUND") != std::string::npos) {
    GTEST_SKIP() << "the conformance suite could not be installed from npm:\n" << r.output;
  }
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(last.find("6 passed, 0 failed"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace funkygibbon::testing
