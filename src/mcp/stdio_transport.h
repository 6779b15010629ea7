// MCP over stdio: newline-delimited JSON-RPC on a pair of file descriptors.
//
// Threads: the calling thread reads in_fd and splits lines; each line goes
// through Dispatcher::Accept at once (so notifications/cancelled and ping
// take effect while a long call runs) and is then queued for one worker
// thread, which executes requests in arrival order. A quick message
// (Dispatcher::IsQuick) that arrives while the worker is idle, with no
// further input waiting behind it, is executed by the reading thread
// itself instead: the sequential client gets its answer without a thread
// handoff, and order is the same as through the queue. One writer function,
// serialized by a mutex, is the only code that writes to out_fd; every
// line it writes is compact JSON produced by DumpJson (invalid UTF-8
// replaced, newlines escaped) followed by '\n'.
//
// Thread-safety: RunStdio blocks until the session ends; the dispatcher and
// session it is given must not be destroyed before it returns.
#ifndef FUNKYGIBBON_MCP_STDIO_TRANSPORT_H_
#define FUNKYGIBBON_MCP_STDIO_TRANSPORT_H_

#include <cstddef>

#include "mcp/dispatcher.h"
#include "mcp/session.h"

namespace funkygibbon::mcp {

struct StdioOptions {
  // A line longer than this is discarded up to its newline (memory stays
  // bounded while discarding) and answered with a -32600 error naming the
  // limit. The TypeScript SDK guards at 10 MiB; 4 MiB is plenty for MCP.
  size_t max_line_bytes = 4u << 20;
  // Messages waiting for the worker. When full, the reader stops reading
  // in_fd until the worker catches up (back-pressure instead of memory).
  size_t max_queued = 256;
  // Run quick messages on the reading thread when the worker is idle and
  // nothing else is waiting (see above); false always uses the worker.
  bool run_quick_inline = true;
};

// Serves `session` until in_fd reaches EOF (then finishes queued and running
// work, flushes, and returns 0) or out_fd breaks (EPIPE: cancels what is in
// flight and returns 0 quietly). Returns 1 on a read error of in_fd.
//
// While it runs, the session's outbound sink is RunStdio's writer (it is
// cleared again before returning). SIGPIPE is ignored process-wide so a
// closed stdout shows up as EPIPE. When out_fd is STDOUT_FILENO, spdlog's
// default logger is moved to stderr if it would write to stdout.
int RunStdio(Dispatcher& dispatcher, Session& session, int in_fd, int out_fd,
             const StdioOptions& options = {});

}  // namespace funkygibbon::mcp

#endif  // FUNKYGIBBON_MCP_STDIO_TRANSPORT_H_
