// The funkygibbon command line.
#ifndef FUNKYGIBBON_APP_CLI_H_
#define FUNKYGIBBON_APP_CLI_H_

namespace funkygibbon::app {

// Parses argv and runs the chosen subcommand; returns the process exit code.
int RunCli(int argc, char** argv);

}  // namespace funkygibbon::app

#endif  // FUNKYGIBBON_APP_CLI_H_
