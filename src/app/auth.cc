#include "app/auth.h"

#include <argon2.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <charconv>
#include <deque>
#include <mutex>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "core/base64url.h"
#include "core/string_hash.h"
#include "core/version.h"

namespace funkygibbon::app {
namespace {

using Clock = std::chrono::system_clock;

constexpr size_t kKeyBytes = 32;
constexpr size_t kMaxTokenBytes = 4096;
constexpr int64_t kMaxTtlSeconds = 366LL * 24 * 3600;
constexpr size_t kMaxTrackedClients = 10000;
constexpr size_t kMaxCachedTokens = 1024;  // then the cache starts afresh
// Argon2id cost (OWASP: m=19 MiB, t=2, p=1).
constexpr uint32_t kArgonTime = 2;
constexpr uint32_t kArgonMemoryKiB = 19 * 1024;
constexpr uint32_t kArgonLanes = 1;
constexpr size_t kArgonSaltBytes = 16;
constexpr size_t kArgonHashBytes = 32;

std::string ToHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    unsigned v = 0;
    auto r = std::from_chars(hex.data() + i, hex.data() + i + 2, v, 16);
    if (r.ec != std::errc() || r.ptr != hex.data() + i + 2) return std::nullopt;
    out += static_cast<char>(v);
  }
  return out;
}

StatusOr<std::string> RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    return Status::Internal("the system random generator failed");
  }
  return out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md.data(), &len);
  return std::string(reinterpret_cast<const char*>(md.data()), len);
}

int64_t ToUnix(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::vector<std::string_view> SplitDots(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t dot = s.find('.', start);
    if (dot == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, dot - start));
    start = dot + 1;
  }
}

std::optional<Json> ParseObject(std::string_view text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

Json TokenRecord(const TokenInfo& t) {
  return Json{{"role", std::string(ToString(t.role))},
              {"subject", t.subject},
              {"iat", t.issued_at},
              {"exp", t.expires_at},
              {"revoked", t.revoked}};
}

std::optional<TokenInfo> ParseTokenRecord(std::string_view id, std::string_view text) {
  auto j = ParseObject(text);
  if (!j) return std::nullopt;
  TokenInfo t;
  t.token_id = std::string(id);
  auto role = j->find("role");
  auto subject = j->find("subject");
  auto iat = j->find("iat");
  auto exp = j->find("exp");
  auto revoked = j->find("revoked");
  if (role == j->end() || !role->is_string() || subject == j->end() || !subject->is_string() ||
      iat == j->end() || !iat->is_number_integer() || exp == j->end() ||
      !exp->is_number_integer() || revoked == j->end() || !revoked->is_boolean()) {
    return std::nullopt;
  }
  auto r = ParseRole(role->get<std::string>());
  if (!r) return std::nullopt;
  t.role = *r;
  t.subject = subject->get<std::string>();
  t.issued_at = iat->get<int64_t>();
  t.expires_at = exp->get<int64_t>();
  t.revoked = revoked->get<bool>();
  return t;
}

bool IsTokenId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

class AuthServiceImpl final : public AuthService {
 public:
  AuthServiceImpl(store::Store& store, AuthOptions options, std::string key)
      : store_(store), options_(std::move(options)), key_(std::move(key)) {
    if (!options_.clock) options_.clock = [] { return Clock::now(); };
  }

  StatusOr<Principal> Authenticate(std::string_view token) const override {
    if (std::optional<Principal> hit = Remembered(token)) return *std::move(hit);
    // Read before verifying: a revocation that lands while we verify must
    // keep the result out of the cache.
    const uint64_t generation = revocations_.load();
    StatusOr<Principal> p = Verify(token);
    if (p.ok()) Remember(token, *p, generation);
    return p;
  }

  StatusOr<Principal> Verify(std::string_view token) const {
    if (token.empty()) return Status::Unauthenticated("empty token");
    if (token.size() > kMaxTokenBytes) return Status::Unauthenticated("malformed token: too long");
    const auto parts = SplitDots(token);
    if (parts.size() != 3) return Status::Unauthenticated("malformed token: expected three parts");
    auto header_text = Base64UrlDecode(parts[0]);
    auto payload_text = Base64UrlDecode(parts[1]);
    auto signature = Base64UrlDecode(parts[2]);
    if (!header_text || !payload_text || !signature) {
      return Status::Unauthenticated("malformed token: not base64url");
    }
    auto header = ParseObject(*header_text);
    if (!header) return Status::Unauthenticated("malformed token: header is not a JSON object");
    auto alg = header->find("alg");
    if (alg == header->end() || !alg->is_string() || alg->get<std::string>() != "HS256") {
      return Status::Unauthenticated("unsupported token algorithm (only HS256 is accepted)");
    }
    auto typ = header->find("typ");
    if (typ != header->end() && (!typ->is_string() || typ->get<std::string>() != "JWT")) {
      return Status::Unauthenticated("unsupported token type");
    }
    const std::string signing_input =
        std::string(parts[0]) + "." + std::string(parts[1]);
    const std::string expected = HmacSha256(key_, signing_input);
    if (signature->size() != expected.size() ||
        CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) != 0) {
      return Status::Unauthenticated("bad signature");
    }
    auto claims = ParseObject(*payload_text);
    if (!claims) return Status::Unauthenticated("malformed token: claims are not a JSON object");
    auto sub = claims->find("sub");
    auto role = claims->find("role");
    auto jti = claims->find("jti");
    auto iat = claims->find("iat");
    auto exp = claims->find("exp");
    if (sub == claims->end() || !sub->is_string() || role == claims->end() ||
        !role->is_string() || jti == claims->end() || !jti->is_string() ||
        iat == claims->end() || !iat->is_number_integer() || exp == claims->end() ||
        !exp->is_number_integer()) {
      return Status::Unauthenticated("malformed token: claims sub, role, jti, iat, exp are required");
    }
    auto r = ParseRole(role->get<std::string>());
    if (!r) return Status::Unauthenticated("malformed token: unknown role");
    Principal p;
    p.subject = sub->get<std::string>();
    p.role = *r;
    p.token_id = jti->get<std::string>();
    p.expires_at = exp->get<int64_t>();
    if (ToUnix(options_.clock()) >= p.expires_at) return Status::Unauthenticated("token expired");
    if (!IsTokenId(p.token_id)) return Status::Unauthenticated("malformed token: bad jti");
    // The record is read from the database (not only the signature checked)
    // so a revocation made by another process (`funkygibbon token revoke`)
    // takes effect; Authenticate caches the outcome only briefly.
    auto rec = store_.GetMeta(std::string(kTokenMetaPrefix) + p.token_id);
    if (!rec.ok()) return Status::Unavailable("cannot check the token: " + rec.status().message());
    if (!rec->has_value()) return Status::Unauthenticated("unknown token");
    auto info = ParseTokenRecord(p.token_id, **rec);
    if (!info || info->role != p.role || info->subject != p.subject) {
      return Status::Unauthenticated("unknown token");
    }
    if (info->revoked) return Status::Unauthenticated("token revoked");
    return p;
  }

  StatusOr<IssuedToken> Issue(Role role, std::string subject, std::chrono::seconds ttl) override {
    if (ttl.count() <= 0) return Status::InvalidArgument("ttl: must be positive");
    if (ttl.count() > kMaxTtlSeconds) return Status::InvalidArgument("ttl: at most 366 days");
    if (subject.size() > 256) return Status::InvalidArgument("subject: at most 256 bytes");
    ASSIGN_OR_RETURN(std::string raw_id, RandomBytes(16));
    TokenInfo info;
    info.token_id = ToHex(raw_id);
    info.role = role;
    info.subject = subject.empty() ? "token:" + info.token_id : std::move(subject);
    info.issued_at = ToUnix(options_.clock());
    info.expires_at = info.issued_at + ttl.count();

    const Json header = {{"alg", "HS256"}, {"typ", "JWT"}};
    const Json claims = {{"sub", info.subject},
                         {"role", std::string(ToString(role))},
                         {"jti", info.token_id},
                         {"iat", info.issued_at},
                         {"exp", info.expires_at}};
    const std::string signing_input =
        Base64UrlEncode(header.dump(-1, ' ', false, Json::error_handler_t::replace)) + "." +
        Base64UrlEncode(claims.dump(-1, ' ', false, Json::error_handler_t::replace));
    IssuedToken out;
    out.access_token = signing_input + "." + Base64UrlEncode(HmacSha256(key_, signing_input));
    out.token_id = info.token_id;
    out.role = role;
    out.expires_in = ttl.count();

    store::WriteBatch batch;
    batch.meta.emplace_back(std::string(kTokenMetaPrefix) + info.token_id,
                            TokenRecord(info).dump());
    auto commit = store_.Commit(batch);
    if (!commit.ok()) return commit.status();
    Audit("token_issued", {{"jti", info.token_id},
                           {"role", std::string(ToString(role))},
                           {"subject", info.subject},
                           {"exp", info.expires_at}});
    return out;
  }

  StatusOr<std::vector<TokenInfo>> List() const override {
    ASSIGN_OR_RETURN(auto rows, store_.ListMeta(kTokenMetaPrefix));
    std::vector<TokenInfo> out;
    const size_t prefix = std::string_view(kTokenMetaPrefix).size();
    for (const auto& [key, value] : rows) {
      auto info = ParseTokenRecord(std::string_view(key).substr(prefix), value);
      if (info) out.push_back(std::move(*info));
    }
    std::sort(out.begin(), out.end(), [](const TokenInfo& a, const TokenInfo& b) {
      return a.issued_at != b.issued_at ? a.issued_at < b.issued_at : a.token_id < b.token_id;
    });
    return out;
  }

  Status Revoke(std::string_view token_id) override {
    if (!IsTokenId(token_id)) {
      return Status::InvalidArgument("token id: expected the hex id shown by `token list`");
    }
    const std::string key = std::string(kTokenMetaPrefix) + std::string(token_id);
    std::lock_guard<std::mutex> lock(revoke_mu_);  // read-modify-write of one record
    ASSIGN_OR_RETURN(auto rec, store_.GetMeta(key));
    if (!rec.has_value()) return Status::NotFound("no token with id '" + std::string(token_id) + "'");
    auto info = ParseTokenRecord(token_id, *rec);
    if (!info) return Status::Internal("the record of token '" + std::string(token_id) + "' is damaged");
    if (info->revoked) return Status::Ok();
    info->revoked = true;
    store::WriteBatch batch;
    batch.meta.emplace_back(key, TokenRecord(*info).dump());
    auto commit = store_.Commit(batch);
    if (!commit.ok()) return commit.status();
    Forget(token_id);
    Audit("token_revoked", {{"jti", std::string(token_id)},
                            {"role", std::string(ToString(info->role))},
                            {"subject", info->subject}});
    return Status::Ok();
  }

  StatusOr<IssuedToken> LoginAdmin(std::string_view password, std::string_view client) override {
    const auto now = options_.clock();
    const std::string client_key(client.empty() ? "unknown" : client);
    if (int64_t wait = LockoutRemainingAt(client_key, now); wait > 0) {
      Audit("login_locked_out", {{"client", client_key}, {"retry_after", wait}});
      return Status::ResourceExhausted("too many failed logins; try again in " +
                                       std::to_string(wait) + " seconds");
    }
    bool ok = false;
    if (options_.admin_password_hash.empty()) {
      if (!options_.dev_mode) {
        return Status::FailedPrecondition(
            "admin login is disabled: no admin password hash is configured");
      }
      spdlog::warn("dev mode: admin login with the default password");
      ok = password == "admin";
    } else {
      // Argon2 takes tens of milliseconds: no lock is held here.
      auto v = VerifyPassword(password, options_.admin_password_hash);
      if (!v.ok()) return Status::Internal("the configured admin password hash is unusable");
      ok = *v;
    }
    if (!ok) {
      RecordFailure(client_key, now);
      Audit("login_failed", {{"client", client_key}, {"subject", "admin"}});
      return Status::Unauthenticated("wrong password");
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      clients_.erase(client_key);
    }
    Audit("login_succeeded", {{"client", client_key}, {"subject", "admin"}});
    return Issue(Role::kAdmin, "admin", options_.default_ttl);
  }

  int64_t LockoutRemaining(std::string_view client) const override {
    return LockoutRemainingAt(std::string(client.empty() ? "unknown" : client), options_.clock());
  }

  void Audit(std::string_view event, const Json& fields) override {
    if (options_.audit_log_path.empty()) return;
    Json line = Json::object();
    line["ts"] = FormatTimestamp(std::chrono::duration_cast<std::chrono::microseconds>(
                                     options_.clock().time_since_epoch())
                                     .count());
    line["event"] = std::string(event);
    if (fields.is_object()) {
      for (auto it = fields.begin(); it != fields.end(); ++it) line[it.key()] = it.value();
    }
    const std::string text = line.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    std::lock_guard<std::mutex> lock(audit_mu_);
    const int fd = ::open(options_.audit_log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                          0600);
    if (fd < 0) {
      spdlog::warn("cannot open the audit log {}", options_.audit_log_path);
      return;
    }
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n != static_cast<ssize_t>(text.size())) {
      spdlog::warn("cannot write the audit log {}", options_.audit_log_path);
    }
    ::close(fd);
  }

 private:
  // A verified token, trusted until `checked` + token_recheck_interval.
  struct CachedToken {
    Principal principal;
    std::chrono::steady_clock::time_point checked;
  };

  std::optional<Principal> Remembered(std::string_view token) const {
    if (options_.token_recheck_interval.count() <= 0) return std::nullopt;
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = cache_.find(token);
    if (it == cache_.end()) return std::nullopt;
    if (now - it->second.checked >= options_.token_recheck_interval ||
        ToUnix(options_.clock()) >= it->second.principal.expires_at) {
      cache_.erase(it);  // verify again (and say why it fails, if it does)
      return std::nullopt;
    }
    return it->second.principal;
  }

  void Remember(std::string_view token, const Principal& p, uint64_t generation) const {
    if (options_.token_recheck_interval.count() <= 0) return;
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (revocations_.load() != generation) return;  // a revocation raced us
    if (cache_.size() >= kMaxCachedTokens) cache_.clear();
    cache_.insert_or_assign(std::string(token), CachedToken{p, std::chrono::steady_clock::now()});
  }

  void Forget(std::string_view token_id) {
    ++revocations_;  // before erasing: see Remember
    std::lock_guard<std::mutex> lock(cache_mu_);
    for (auto it = cache_.begin(); it != cache_.end();) {
      it = it->second.principal.token_id == token_id ? cache_.erase(it) : std::next(it);
    }
  }

  struct ClientState {
    std::deque<Clock::time_point> failures;
    Clock::time_point locked_until{};
  };

  int64_t LockoutRemainingAt(const std::string& client, Clock::time_point now) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = clients_.find(client);
    if (it == clients_.end() || it->second.locked_until <= now) return 0;
    const auto left = std::chrono::ceil<std::chrono::seconds>(it->second.locked_until - now);
    return std::max<int64_t>(1, left.count());
  }

  void RecordFailure(const std::string& client, Clock::time_point now) {
    std::lock_guard<std::mutex> lock(mu_);
    if (clients_.size() >= kMaxTrackedClients && clients_.find(client) == clients_.end()) {
      // Forget clients with nothing recent, so the table stays bounded.
      for (auto it = clients_.begin(); it != clients_.end();) {
        const bool stale = it->second.locked_until <= now &&
                           (it->second.failures.empty() ||
                            it->second.failures.back() + options_.lockout_window <= now);
        it = stale ? clients_.erase(it) : std::next(it);
      }
    }
    ClientState& st = clients_[client];
    while (!st.failures.empty() && st.failures.front() + options_.lockout_window <= now) {
      st.failures.pop_front();
    }
    st.failures.push_back(now);
    if (static_cast<int>(st.failures.size()) >= std::max(1, options_.max_failed_logins)) {
      st.locked_until = now + options_.lockout_window;
      st.failures.clear();
      Audit("login_lockout", {{"client", client},
                              {"seconds", options_.lockout_window.count()}});
    }
  }

  store::Store& store_;
  AuthOptions options_;
  const std::string key_;  // the signing key; never printed or logged
  mutable std::mutex mu_;  // guards clients_
  std::unordered_map<std::string, ClientState> clients_;
  std::mutex revoke_mu_;
  std::mutex audit_mu_;
  mutable std::mutex cache_mu_;  // guards cache_
  mutable std::unordered_map<std::string, CachedToken, TransparentStringHash, std::equal_to<>> cache_;
  mutable std::atomic<uint64_t> revocations_{0};  // bumped by every Revoke
};

}  // namespace

std::string_view ToString(Role r) {
  switch (r) {
    case Role::kAdmin:
      return "admin";
    case Role::kMember:
      return "member";
    case Role::kGuest:
      return "guest";
  }
  return "guest";
}

std::optional<Role> ParseRole(std::string_view s) {
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "admin") return Role::kAdmin;
  if (lower == "member") return Role::kMember;
  if (lower == "guest") return Role::kGuest;
  return std::nullopt;
}

std::string DefaultAuditLogPath(const std::string& db_path) {
  if (db_path.empty() || db_path == ":memory:") return "";
  return db_path + ".audit.log";
}

StatusOr<std::unique_ptr<AuthService>> AuthService::Open(store::Store& store, AuthOptions options) {
  if (!options.admin_password_hash.empty() &&
      options.admin_password_hash.rfind("$argon2id$", 0) != 0) {
    return Status::InvalidArgument(
        "admin password hash: expected an Argon2id PHC string ($argon2id$...); "
        "make one with `funkygibbon hash-password`");
  }
  if (options.default_ttl.count() <= 0) return Status::InvalidArgument("default ttl: must be positive");
  if (options.lockout_window.count() <= 0) {
    return Status::InvalidArgument("lockout window: must be positive");
  }
  ASSIGN_OR_RETURN(auto stored, store.GetMeta(kSigningKeyMeta));
  std::string key;
  if (stored.has_value()) {
    auto decoded = FromHex(*stored);
    if (!decoded || decoded->size() != kKeyBytes) {
      return Status::Internal("the stored signing key is damaged (meta " +
                              std::string(kSigningKeyMeta) + ")");
    }
    key = std::move(*decoded);
  } else {
    ASSIGN_OR_RETURN(std::string fresh, RandomBytes(kKeyBytes));
    store::WriteBatch batch;
    batch.meta.emplace_back(kSigningKeyMeta, ToHex(fresh));
    auto commit = store.Commit(batch);
    if (!commit.ok()) return commit.status();
    key = std::move(fresh);
  }
  return std::unique_ptr<AuthService>(new AuthServiceImpl(store, std::move(options), std::move(key)));
}

StatusOr<std::string> HashPassword(std::string_view password) {
  if (password.empty()) return Status::InvalidArgument("password: must not be empty");
  if (password.size() > 4096) return Status::InvalidArgument("password: at most 4096 bytes");
  ASSIGN_OR_RETURN(std::string salt, RandomBytes(kArgonSaltBytes));
  const size_t len = argon2_encodedlen(kArgonTime, kArgonMemoryKiB, kArgonLanes,
                                       static_cast<uint32_t>(salt.size()), kArgonHashBytes,
                                       Argon2_id);
  std::string encoded(len, '\0');
  const int rc = argon2id_hash_encoded(kArgonTime, kArgonMemoryKiB, kArgonLanes, password.data(),
                                       password.size(), salt.data(), salt.size(), kArgonHashBytes,
                                       encoded.data(), encoded.size());
  if (rc != ARGON2_OK) return Status::Internal(std::string("argon2: ") + argon2_error_message(rc));
  encoded.resize(std::char_traits<char>::length(encoded.c_str()));
  return encoded;
}

StatusOr<bool> VerifyPassword(std::string_view password, const std::string& phc_hash) {
  if (phc_hash.rfind("$argon2id$", 0) != 0) {
    return Status::InvalidArgument("password hash: not an Argon2id PHC string");
  }
  const int rc = argon2id_verify(phc_hash.c_str(), password.data(), password.size());
  if (rc == ARGON2_OK) return true;
  if (rc == ARGON2_VERIFY_MISMATCH) return false;
  return Status::InvalidArgument(std::string("password hash: ") + argon2_error_message(rc));
}

StatusOr<std::chrono::seconds> ParseDuration(std::string_view text) {
  const std::string bad = "duration '" + std::string(text) +
                          "': expected a positive number with s, m, h or d (e.g. 24h)";
  if (text.empty()) return Status::InvalidArgument(bad);
  int64_t unit = 1;
  std::string_view digits = text;
  switch (text.back()) {
    case 's': unit = 1; digits.remove_suffix(1); break;
    case 'm': unit = 60; digits.remove_suffix(1); break;
    case 'h': unit = 3600; digits.remove_suffix(1); break;
    case 'd': unit = 86400; digits.remove_suffix(1); break;
    default: break;
  }
  int64_t n = 0;
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (digits.empty() || r.ec != std::errc() || r.ptr != digits.data() + digits.size() || n <= 0 ||
      n > kMaxTtlSeconds) {
    return Status::InvalidArgument(bad);
  }
  return std::chrono::seconds(n * unit);
}

}  // namespace funkygibbon::app
