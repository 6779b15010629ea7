#include "app/cli.h"

#include <cstdio>

namespace funkygibbon::app {

int RunCli(int, char**) {
  std::fprintf(stderr, "funkygibbon: not yet wired\n");
  return 1;
}

}  // namespace funkygibbon::app
