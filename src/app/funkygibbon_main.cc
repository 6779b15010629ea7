#include "app/cli.h"

int main(int argc, char** argv) { return funkygibbon::app::RunCli(argc, argv); }
