// Authentication and roles for the HTTP hub (DESIGN.md §6).
//
// Tokens are HS256 JWTs with a `jti`, signed with a key created on first use
// and kept in the database (never printed or logged). Roles: admin (all),
// member (read and write), guest (read-only everywhere). Tokens expire and
// can be revoked; revocations are stored in the database.
//
// Thread-safety: AuthService is thread-safe.
#ifndef FUNKYGIBBON_APP_AUTH_H_
#define FUNKYGIBBON_APP_AUTH_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "store/store.h"

namespace funkygibbon::app {

enum class Role { kGuest = 0, kMember = 1, kAdmin = 2 };  // ordered: higher includes lower
std::string_view ToString(Role r);
std::optional<Role> ParseRole(std::string_view s);

// Who is calling, once authenticated.
struct Principal {
  std::string subject;   // e.g. "admin", "token:<jti>", "guest:<jti>", "anonymous"
  Role role = Role::kGuest;
  std::string token_id;  // the jti; empty for anonymous
  int64_t expires_at = 0;  // unix seconds; 0 for anonymous
};

struct IssuedToken {
  std::string access_token;
  std::string token_id;
  Role role = Role::kGuest;
  int64_t expires_in = 0;  // seconds
};

struct TokenInfo {
  std::string token_id;
  Role role = Role::kGuest;
  std::string subject;
  int64_t issued_at = 0;
  int64_t expires_at = 0;
  bool revoked = false;
};

struct AuthOptions {
  // Argon2id PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash) of the
  // admin password; empty disables admin login (the server refuses to start
  // without one unless dev mode is on).
  std::string admin_password_hash;
  bool dev_mode = false;  // accept the password "admin" when no hash is set, and say so loudly
  std::chrono::seconds default_ttl{24 * 3600};
  int max_failed_logins = 5;                 // per client within the window, then lockout
  std::chrono::seconds lockout_window{300};  // also the lockout length
  // Audit log (JSON lines: logins, token issue and revoke; never secrets or
  // tokens). Empty = no audit file; the hub passes DefaultAuditLogPath(db).
  std::string audit_log_path;
  // The clock (tests inject one); empty = std::chrono::system_clock::now.
  std::function<std::chrono::system_clock::time_point()> clock;
  // How long a verified token is trusted before its database record is read
  // again (see Authenticate); zero reads it on every request.
  std::chrono::milliseconds token_recheck_interval{1000};
};

// Where the audit log lives for a database: "<db>.audit.log" beside it; ""
// for ":memory:" or an empty path.
std::string DefaultAuditLogPath(const std::string& db_path);

// Meta keys in the store (exposed for tests).
inline constexpr const char kSigningKeyMeta[] = "auth.signing_key";
inline constexpr const char kTokenMetaPrefix[] = "auth.token.";

class AuthService {
 public:
  // Loads or creates the signing key in the store.
  static StatusOr<std::unique_ptr<AuthService>> Open(store::Store& store, AuthOptions options);
  virtual ~AuthService() = default;

  // Verifies a bearer token: signature, expiry, revocation.
  // Unauthenticated with a reason ("expired", "revoked", "bad signature", ...).
  // A token that verified is remembered for token_recheck_interval, so a
  // busy client does not pay a signature check, JSON parses and a database
  // read on every request. Expiry is still checked on every use, and a
  // revocation through this service (Revoke) applies at once; one made by
  // another process on the same database (`funkygibbon token revoke`)
  // applies within token_recheck_interval (1 s by default).
  virtual StatusOr<Principal> Authenticate(std::string_view bearer_token) const = 0;

  // A new token. `subject` empty = "token:<jti>". ttl must be positive and
  // at most a year (InvalidArgument otherwise).
  virtual StatusOr<IssuedToken> Issue(Role role, std::string subject,
                                      std::chrono::seconds ttl) = 0;
  virtual StatusOr<std::vector<TokenInfo>> List() const = 0;
  // NotFound for an unknown id; revoking twice is OK.
  virtual Status Revoke(std::string_view token_id) = 0;

  // Admin password login for `client` (an address, for rate limiting).
  // Unauthenticated for a wrong password; ResourceExhausted with the seconds
  // to wait while the client is locked out.
  virtual StatusOr<IssuedToken> LoginAdmin(std::string_view password, std::string_view client) = 0;

  // Seconds until `client` may try to log in again (0 when not locked out);
  // the hub sends it as Retry-After.
  virtual int64_t LockoutRemaining(std::string_view client) const = 0;

  // Appends one audit line {"ts","event",...fields}. Callers never pass
  // secrets or full tokens.
  virtual void Audit(std::string_view event, const Json& fields) = 0;
};

// Argon2id PHC hash of a password (for configuration; `funkygibbon hash-password`).
StatusOr<std::string> HashPassword(std::string_view password);
// True if `password` matches the Argon2id PHC string; InvalidArgument when
// the hash is not a well-formed Argon2id PHC string.
StatusOr<bool> VerifyPassword(std::string_view password, const std::string& phc_hash);

// Parses a duration like "90s", "15m", "24h", "7d" or a bare number of
// seconds; InvalidArgument otherwise (for --ttl).
StatusOr<std::chrono::seconds> ParseDuration(std::string_view text);

}  // namespace funkygibbon::app

#endif  // FUNKYGIBBON_APP_AUTH_H_
