#include "app/cli.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "app/auth.h"
#include "app/check.h"
#include "app/config.h"
#include "app/export_import.h"
#include "app/hub_server.h"
#include "app/malloc_tuning.h"
#include "app/runtime.h"
#include "app/seed.h"

namespace funkygibbon::app {
namespace {

int Fail(const Status& s) {
  std::fprintf(stderr, "funkygibbon: %s\n", s.ToString().c_str());
  return s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kNotFound ? 2 : 1;
}

StatusOr<std::string> ReadFileOrStdin(const std::string& path) {
  std::ostringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::NotFound("cannot open '" + path + "'");
    ss << in.rdbuf();
  }
  return ss.str();
}

// The hub token: the first line of the file, else $FUNKYGIBBON_HUB_TOKEN, else "".
StatusOr<std::string> LoadHubToken(const std::string& file) {
  std::string token;
  if (!file.empty()) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Status::NotFound("--hub-token-file: cannot open '" + file + "'");
    std::getline(in, token);
  } else if (const char* env = std::getenv("FUNKYGIBBON_HUB_TOKEN")) {
    token = env;
  }
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ' || token.back() == '\t')) token.pop_back();
  size_t start = token.find_first_not_of(" \t");
  token = start == std::string::npos ? "" : token.substr(start);
  for (char c : token) {
    if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f) {
      return Status::InvalidArgument("hub token: contains spaces or control characters");
    }
  }
  return token;
}

int RunSyncCommand(Runtime& rt, bool status_only) {
  sync::SyncClient* client = rt.sync_client();
  if (status_only) {
    std::printf("%s\n", client->Status().dump(2).c_str());
    return 0;
  }
  auto r = client->SyncNow([](double, std::optional<double>, const std::string& message) {
    spdlog::info("sync: {}", message);
  });
  if (!r.ok()) {
    std::fprintf(stderr, "funkygibbon: sync failed: %s (%zu local changes kept for the next sync)\n",
                 r.status().message().c_str(), client->PendingCount());
    return r.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  Json out = sync::ToJson(*r);
  out["pending_changes"] = client->PendingCount();
  std::printf("%s\n", out.dump(2).c_str());
  std::fprintf(stderr,
               "funkygibbon: synced with %s in %lld ms: pushed %zu entities and %zu relationships, pulled %zu "
               "and %zu, %zu conflicts\n",
               client->Status()["hub"].get<std::string>().c_str(), static_cast<long long>(r->duration_ms),
               r->pushed_entities, r->pushed_relationships, r->pulled_entities, r->pulled_relationships,
               r->conflicts.size());
  return 0;
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app{"funkygibbon: a home knowledge-graph server (MCP over stdio and HTTP, Inbetweenies sync)",
               "funkygibbon"};
  app.require_subcommand(0, 1);
  // Global options (--db, --log-level, ...) are also accepted after the
  // subcommand: `funkygibbon mcp --db PATH` as well as `funkygibbon --db PATH mcp`.
  app.fallthrough();
  RuntimeOptions opt;
  opt.db_path = DefaultDbPath();
  std::string log_level = "warning";
  bool durable_power = false;
  app.set_version_flag("--version", std::string("funkygibbon ") + kVersion);
  app.add_option("--db", opt.db_path, "SQLite database file (default: " + DefaultDbPath() + ")")
      ->envname("FUNKYGIBBON_DB");
  app.add_option("--log-level", log_level, "stderr log level: trace, debug, info, warning, error, off")
      ->envname("FUNKYGIBBON_LOG_LEVEL");
  app.add_option("--user", opt.user_id, "user id recorded on writes (default: mcp, or cli for `call`)");
  app.add_flag("--fsync", durable_power,
               "fsync every commit (survives power loss; default: survives process crashes)");

  auto* mcp = app.add_subcommand("mcp", "Serve MCP over stdio (stdout carries only JSON-RPC)");
  // Edge mode: the hub this instance syncs with (mcp, call, sync).
  std::string hub_token_file;
  auto add_hub_options = [&](CLI::App* sub) {
    sub->add_option("--hub", opt.hub_url, "house hub to sync with, e.g. http://hub.local:8000")
        ->envname("FUNKYGIBBON_HUB");
    sub->add_option("--hub-token-file", hub_token_file,
                    "file holding the hub bearer token (else $FUNKYGIBBON_HUB_TOKEN)");
  };
  add_hub_options(mcp);
  mcp->add_option("--sync-interval", opt.sync_interval_s,
                  "with --hub: also sync in the background every N seconds (default 0: only on sync_now)")
      ->check(CLI::Range(0, 86400));
  auto* tools = app.add_subcommand("tools", "List the tools (name and title; --json for full definitions)");
  bool tools_json = false;
  tools->add_flag("--json", tools_json, "print tools.json definitions");
  auto* call = app.add_subcommand("call", "Call one tool and print its result as JSON");
  std::string call_tool, call_args = "{}";
  call->add_option("tool", call_tool, "tool name")->required();
  call->add_option("arguments", call_args, "arguments as a JSON object (default {}); - reads stdin");
  add_hub_options(call);
  auto* sync_cmd = app.add_subcommand("sync", "Sync once with the hub: push pending local changes, pull what is new");
  add_hub_options(sync_cmd);
  bool sync_status_only = false;
  sync_cmd->add_flag("--status", sync_status_only, "print the sync status (watermark, pending changes) and exit");
  auto* seed = app.add_subcommand("seed", "Write the example home into an empty database");
  bool if_empty = false;
  seed->add_flag("--if-empty", if_empty, "do nothing (and succeed) when the database has data");
  auto* exp = app.add_subcommand("export", "Write the whole graph, history included, as JSON");
  std::string out_path = "-";
  exp->add_option("--out,-o", out_path, "output file (default stdout)");
  auto* imp = app.add_subcommand("import", "Read a JSON export into the database (one transaction)");
  std::string in_path;
  imp->add_option("file", in_path, "export file, or - for stdin")->required();
  auto* backup = app.add_subcommand("backup", "Write a consistent copy of the database file");
  std::string backup_path;
  backup->add_option("file", backup_path, "destination file")->required();
  auto* dbpath = app.add_subcommand("db-path", "Print the database path in use");
  auto* check = app.add_subcommand(
      "check", "Check the database (integrity, and the loaded graph against the store); prints ok");
  bool check_json = false;
  check->add_flag("--json", check_json, "print the report (problems, counts, state digest) as JSON");
  // Hub access tokens and the admin password hash.
  auto* token = app.add_subcommand("token", "Create, list or revoke access tokens of the HTTP hub");
  token->require_subcommand(1);
  auto* token_create = token->add_subcommand("create", "Issue a token; prints only the token on stdout");
  std::string token_role, token_ttl = "24h", token_subject, token_id;
  token_create->add_option("--role", token_role, "admin, member or guest")->required();
  token_create->add_option("--ttl", token_ttl, "lifetime, e.g. 30m, 24h, 7d (default 24h)");
  token_create->add_option("--subject", token_subject, "who the token is for (default token:<id>)");
  auto* token_list = token->add_subcommand("list", "List issued tokens (ids, roles, expiry; never the tokens)");
  auto* token_revoke = token->add_subcommand("revoke", "Revoke a token by id");
  token_revoke->add_option("id", token_id, "token id from `token list`")->required();
  auto* hash_password = app.add_subcommand(
      "hash-password", "Read a password from stdin and print its Argon2id hash (for the hub config)");
  // The HTTP hub.
  auto* serve = app.add_subcommand("serve", "Serve the HTTP hub: /mcp (Streamable HTTP), REST, sync, /health, /metrics");
  HubServerOptions serve_opt;
  std::string anonymous, log_format = "text";
  serve->add_option("--listen", serve_opt.listen, "host:port to listen on (default 127.0.0.1:8000; port 0 picks one)");
  serve->add_option("--anonymous", anonymous, "'guest': requests without a token act as read-only guests (loopback only)");
  serve->add_option("--allowed-host", serve_opt.allowed_hosts, "a Host/Origin name accepted besides loopback names (repeatable)");
  serve->add_option("--threads", serve_opt.threads, "connection workers always running (default 8)");
  serve->add_option("--max-threads", serve_opt.max_threads,
                    "workers added while every one is busy with a connection, up to this (default 512)");
  serve->add_flag("--dev", serve_opt.dev, "development mode: admin password 'admin' when no hash is configured");
  serve->add_option("--admin-password-hash", serve_opt.admin_password_hash, "Argon2id hash from `funkygibbon hash-password`")
      ->envname("FUNKYGIBBON_ADMIN_PASSWORD_HASH");
  serve->add_option("--log-format", log_format, "request log lines on stderr: text or json");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  // The servers run for long; a one-off command is not worth starting twice.
  if (*mcp || *serve) StartWithMallocTuning(argv);
  // serve logs its requests (info) unless a level was asked for.
  ConfigureLogging(*serve && app.count("--log-level") == 0 && !std::getenv("FUNKYGIBBON_LOG_LEVEL") ? "info"
                                                                                               : log_level);
  opt.durability = durable_power ? store::Durability::kPowerLoss : store::Durability::kProcessCrash;

  if (*dbpath) {
    std::printf("%s\n", opt.db_path.c_str());
    return 0;
  }
  if (*hash_password) {
    std::string password((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    if (!password.empty() && password.back() == '\n') password.pop_back();
    if (!password.empty() && password.back() == '\r') password.pop_back();
    auto hash = HashPassword(password);
    if (!hash.ok()) return Fail(hash.status());
    std::printf("%s\n", hash->c_str());
    return 0;
  }
  if (*tools) {
    auto defs = ToolDefinitions();
    if (!defs.ok()) return Fail(defs.status());
    if (tools_json) {
      std::printf("%s\n", defs->dump(2).c_str());
    } else {
      for (const auto& t : *defs) {
        const bool ro = t["annotations"].value("readOnlyHint", false);
        std::printf("%-26s %-5s %s\n", t["name"].get<std::string>().c_str(), ro ? "read" : "write",
                    t.value("title", "").c_str());
      }
    }
    return 0;
  }
  if (app.get_subcommands().empty()) {
    std::fprintf(stderr, "%s", app.help().c_str());
    return 2;
  }

  if (*sync_cmd && opt.hub_url.empty()) {
    std::fprintf(stderr, "funkygibbon: sync needs --hub URL (or FUNKYGIBBON_HUB), e.g. --hub http://hub.local:8000\n");
    return 2;
  }
  if (!opt.hub_url.empty()) {
    auto token = LoadHubToken(hub_token_file);
    if (!token.ok()) return Fail(token.status());
    opt.hub_token = *token;
    if (opt.hub_token.empty()) {
      std::fprintf(stderr,
                   "funkygibbon: no hub token (--hub-token-file or FUNKYGIBBON_HUB_TOKEN); the hub will "
                   "refuse pushes unless it lets anonymous guests pull\n");
    }
  }

  auto rt_or = Runtime::Open(opt);
  if (!rt_or.ok()) return Fail(rt_or.status());
  Runtime& rt = **rt_or;

  if (*token) {
    AuthOptions auth_options;
    auth_options.audit_log_path = DefaultAuditLogPath(opt.db_path);
    auto auth = AuthService::Open(rt.graph().store(), auth_options);
    if (!auth.ok()) return Fail(auth.status());
    if (*token_create) {
      auto role = ParseRole(token_role);
      if (!role) return Fail(Status::InvalidArgument("--role: expected admin, member or guest"));
      auto ttl = ParseDuration(token_ttl);
      if (!ttl.ok()) return Fail(ttl.status());
      auto issued = (*auth)->Issue(*role, token_subject, *ttl);
      if (!issued.ok()) return Fail(issued.status());
      std::printf("%s\n", issued->access_token.c_str());
      std::fprintf(stderr, "funkygibbon: issued %s token %s, valid for %lld seconds\n",
                   std::string(ToString(*role)).c_str(), issued->token_id.c_str(),
                   static_cast<long long>(issued->expires_in));
      return 0;
    }
    if (*token_list) {
      auto tokens = (*auth)->List();
      if (!tokens.ok()) return Fail(tokens.status());
      const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
      std::printf("%-32s %-6s %-8s %-20s %s\n", "ID", "ROLE", "STATE", "EXPIRES", "SUBJECT");
      for (const auto& t : *tokens) {
        const char* state = t.revoked ? "revoked" : t.expires_at <= now ? "expired" : "active";
        const std::string expires = FormatTimestamp(t.expires_at * 1000000).substr(0, 19);
        std::printf("%-32s %-6s %-8s %-20s %s\n", t.token_id.c_str(),
                    std::string(ToString(t.role)).c_str(), state, expires.c_str(),
                    t.subject.c_str());
      }
      return 0;
    }
    if (*token_revoke) {
      Status s = (*auth)->Revoke(token_id);
      if (!s.ok()) return Fail(s);
      std::fprintf(stderr, "funkygibbon: revoked token %s\n", token_id.c_str());
      return 0;
    }
  }

  if (*mcp) return rt.ServeStdio();
  if (*check) return RunCheckCommand(rt.graph(), check_json);
  if (*sync_cmd) return RunSyncCommand(rt, sync_status_only);
  if (*serve) {
    if (!anonymous.empty() && anonymous != "guest") {
      std::fprintf(stderr, "funkygibbon: --anonymous takes only 'guest', not '%s'\n", anonymous.c_str());
      return 2;
    }
    if (log_format != "text" && log_format != "json") {
      std::fprintf(stderr, "funkygibbon: --log-format must be text or json, not '%s'\n", log_format.c_str());
      return 2;
    }
    serve_opt.anonymous_guest = anonymous == "guest";
    serve_opt.log_format = log_format == "json" ? LogFormat::kJson : LogFormat::kText;
    serve_opt.audit_log_path = DefaultAuditLogPath(opt.db_path);
    return RunHubServer(rt, serve_opt);
  }
  if (*call) {
    if (call_args == "-") {
      auto text = ReadFileOrStdin("-");
      if (!text.ok()) return Fail(text.status());
      call_args = *text;
    }
    if (opt.user_id.empty()) rt.set_user_id("cli");
    return rt.CallAndPrint(call_tool, call_args);
  }
  if (*seed) {
    auto r = SeedExampleHome(rt.graph());
    if (!r.ok()) {
      if (if_empty && r.status().code() == StatusCode::kFailedPrecondition) return 0;
      return Fail(r.status());
    }
    std::fprintf(stderr, "funkygibbon: seeded the example home into %s: %zu entities, %zu relationships\n",
                 opt.db_path.c_str(), r->entities, r->relationships);
    return 0;
  }
  if (*exp) {
    if (out_path == "-") {
      Status s = ExportGraphTo(rt.graph(), std::cout);
      if (s.ok() && !std::cout.flush()) s = Status::Internal("cannot write to stdout");
      return s.ok() ? 0 : Fail(s);
    }
    // Into a temporary file beside out_path, renamed over it once complete,
    // so a failed export never leaves a partial file under that name.
    const std::string tmp = out_path + ".tmp-" + std::to_string(::getpid());
    Status s;
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      s = out ? ExportGraphTo(rt.graph(), out) : Status::Internal("cannot write '" + out_path + "'");
      if (s.ok() && !out.flush()) s = Status::Internal("cannot write '" + out_path + "'");
    }
    std::error_code ec;
    if (s.ok()) {
      std::filesystem::rename(tmp, out_path, ec);
      if (ec) s = Status::Internal("cannot write '" + out_path + "': " + ec.message());
    }
    if (!s.ok()) {
      std::filesystem::remove(tmp, ec);
      return Fail(s);
    }
    return 0;
  }
  if (*imp) {
    auto text = ReadFileOrStdin(in_path);
    if (!text.ok()) return Fail(text.status());
    auto r = ImportGraphText(rt.graph(), *text);
    if (!r.ok()) return Fail(r.status());
    std::fprintf(stderr,
                 "funkygibbon: imported %zu versions (%zu already present), %zu current, %zu relationships\n",
                 r->versions_added, r->versions_skipped, r->current_moved, r->relationships);
    return 0;
  }
  if (*backup) {
    Status s = rt.graph().store().Backup(backup_path);
    if (!s.ok()) return Fail(s);
    std::fprintf(stderr, "funkygibbon: backed up %s to %s\n", opt.db_path.c_str(), backup_path.c_str());
    return 0;
  }
  return 0;
}

}  // namespace funkygibbon::app
