#include "app/malloc_tuning.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "testutil.h"

namespace funkygibbon::app {
namespace {

using ::funkygibbon::testing::BinaryPath;
using ::funkygibbon::testing::Child;
using ::funkygibbon::testing::TempDir;

TEST(MallocTuningTest, AddsTheTcacheTunable) {
  EXPECT_EQ(TunablesWithTcache(nullptr), "glibc.malloc.tcache_count=128");
  EXPECT_EQ(TunablesWithTcache(""), "glibc.malloc.tcache_count=128");
  EXPECT_EQ(TunablesWithTcache("glibc.malloc.arena_max=2"),
            "glibc.malloc.arena_max=2:glibc.malloc.tcache_count=128");
  // A name that only starts like it is another tunable.
  EXPECT_EQ(TunablesWithTcache("glibc.malloc.tcache_count_x=1"),
            "glibc.malloc.tcache_count_x=1:glibc.malloc.tcache_count=128");
}

TEST(MallocTuningTest, KeepsACountTheTunablesAlreadySet) {
  EXPECT_EQ(TunablesWithTcache("glibc.malloc.tcache_count=0"), std::nullopt);
  EXPECT_EQ(TunablesWithTcache("glibc.malloc.arena_max=2:glibc.malloc.tcache_count=7"),
            std::nullopt);
  EXPECT_EQ(TunablesWithTcache("glibc.malloc.tcache_count"), std::nullopt);
}

// The environment the running program was (last) executed with.
std::string EnvironOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  std::string env = s.str();
  for (char& c : env) {
    if (c == '\0') c = '\n';
  }
  return "\n" + env;
}

// Starts `argv`, waits for its answer to initialize (by then it runs as it
// will), and returns its environment.
std::string EnvironOfRunningServer(const std::vector<std::string>& argv) {
  Child child;
  EXPECT_TRUE(child.Start(argv));
  EXPECT_TRUE(child.Write(
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
      R"("capabilities":{},"clientInfo":{"name":"t","version":"1"}}})"
      "\n"));
  const auto line = child.ReadLine();
  EXPECT_TRUE(line.has_value()) << child.Stderr();
  EXPECT_NE(line.value_or("").find("\"id\":1"), std::string::npos) << line.value_or("");
  std::string env = EnvironOf(child.pid());
  child.CloseStdin();
  EXPECT_EQ(child.Wait(), 0) << child.Stderr();
  return env;
}

TEST(MallocTuningTest, TheServerRunsWithTheTunable) {
  if (const char* t = std::getenv("GLIBC_TUNABLES"); t != nullptr && *t != '\0') {
    GTEST_SKIP() << "GLIBC_TUNABLES is set for the tests: " << t;
  }
  const std::string db = TempDir() + "/kg.db";
  const std::string env = EnvironOfRunningServer({BinaryPath(), "--db", db, "mcp"});
  EXPECT_NE(env.find("\nGLIBC_TUNABLES=glibc.malloc.tcache_count=128\n"), std::string::npos)
      << env;
  // FUNKYGIBBON_MALLOC_TUNING=0 keeps the program from starting again.
  const std::string plain = EnvironOfRunningServer(
      {"/usr/bin/env", "FUNKYGIBBON_MALLOC_TUNING=0", BinaryPath(), "--db", db, "mcp"});
  EXPECT_EQ(plain.find("GLIBC_TUNABLES"), std::string::npos) << plain;
  EXPECT_NE(plain.find("\nFUNKYGIBBON_MALLOC_TUNING=0\n"), std::string::npos) << plain;
}

// A one-off command is not started twice: hash-password waits on stdin, so
// its environment can be read while it runs.
TEST(MallocTuningTest, AOneOffCommandIsNotStartedAgain) {
  if (const char* t = std::getenv("GLIBC_TUNABLES"); t != nullptr && *t != '\0') {
    GTEST_SKIP() << "GLIBC_TUNABLES is set for the tests: " << t;
  }
  Child child;
  ASSERT_TRUE(child.Start({BinaryPath(), "hash-password"}));
  // Give it ample time to parse its arguments (and to start again, were it to).
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const std::string env = EnvironOf(child.pid());
  EXPECT_EQ(env.find("GLIBC_TUNABLES"), std::string::npos) << env;
  EXPECT_EQ(env.find("FUNKYGIBBON_MALLOC_TUNED"), std::string::npos) << env;
  ASSERT_TRUE(child.Write("a password\n"));
  child.CloseStdin();
  const auto hash = child.ReadLine();
  EXPECT_TRUE(hash.has_value()) << child.Stderr();
  EXPECT_EQ(child.Wait(), 0) << child.Stderr();
}

}  // namespace
}  // namespace funkygibbon::app
