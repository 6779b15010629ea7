#include "app/auth.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "testutil.h"

namespace funkygibbon::app {
namespace {

using std::chrono::seconds;

std::string B64Url(std::string_view in) {
  static constexpr char k[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += k[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += k[(acc << (6 - bits)) & 63];
  return out;
}

std::vector<std::string> Split(const std::string& token) {
  std::vector<std::string> parts;
  std::stringstream ss(token);
  std::string p;
  while (std::getline(ss, p, '.')) parts.push_back(p);
  return parts;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir();
    db_path_ = dir_ + "/auth.db";
    audit_path_ = dir_ + "/audit.log";
    OpenStore();
  }

  void OpenStore() {
    auto s = store::OpenSqliteStore(store::StoreOptions{}, db_path_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }

  AuthOptions Options() {
    AuthOptions o;
    o.audit_log_path = audit_path_;
    o.clock = [this] { return std::chrono::system_clock::time_point(seconds(now_.load())); };
    return o;
  }

  std::unique_ptr<AuthService> Open(AuthOptions o) {
    auto a = AuthService::Open(*store_, std::move(o));
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return a.ok() ? std::move(a).value() : nullptr;
  }

  std::string dir_, db_path_, audit_path_;
  std::unique_ptr<store::Store> store_;
  std::atomic<int64_t> now_{1'800'000'000};
};

TEST_F(AuthTest, IssuedTokenAuthenticatesWithItsClaims) {
  auto auth = Open(Options());
  auto t = auth->Issue(Role::kMember, "kitchen-tablet", seconds(3600));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->expires_in, 3600);
  EXPECT_EQ(Split(t->access_token).size(), 3u);
  auto p = auth->Authenticate(t->access_token);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->subject, "kitchen-tablet");
  EXPECT_EQ(p->role, Role::kMember);
  EXPECT_EQ(p->token_id, t->token_id);
  EXPECT_EQ(p->expires_at, now_.load() + 3600);
  // The default subject names the token.
  auto anon = auth->Issue(Role::kGuest, "", seconds(60));
  ASSERT_TRUE(anon.ok());
  EXPECT_EQ(auth->Authenticate(anon->access_token)->subject, "token:" + anon->token_id);
  EXPECT_EQ(auth->Authenticate(anon->access_token)->role, Role::kGuest);
}

TEST_F(AuthTest, TamperedTokensAreRejected) {
  auto auth = Open(Options());
  auto t = auth->Issue(Role::kGuest, "visitor", seconds(3600));
  ASSERT_TRUE(t.ok());
  auto parts = Split(t->access_token);
  ASSERT_EQ(parts.size(), 3u);

  std::string bad_sig = parts[2];
  bad_sig[0] = bad_sig[0] == 'A' ? 'B' : 'A';
  auto r1 = auth->Authenticate(parts[0] + "." + parts[1] + "." + bad_sig);
  EXPECT_EQ(r1.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(r1.status().message().find("signature"), std::string::npos);

  // Promote the guest to admin in the claims, keep the signature.
  const std::string claims = R"({"sub":"visitor","role":"admin","jti":")" + t->token_id +
                             R"(","iat":1800000000,"exp":1800003600})";
  auto r2 = auth->Authenticate(parts[0] + "." + B64Url(claims) + "." + parts[2]);
  EXPECT_EQ(r2.status().code(), StatusCode::kUnauthenticated);

  // alg=none with no signature.
  const std::string none = B64Url(R"({"alg":"none","typ":"JWT"})");
  auto r3 = auth->Authenticate(none + "." + parts[1] + ".");
  EXPECT_EQ(r3.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(r3.status().message().find("HS256"), std::string::npos);
  auto r4 = auth->Authenticate(B64Url(R"({"alg":"HS512","typ":"JWT"})") + "." + parts[1] + "." + parts[2]);
  EXPECT_EQ(r4.status().code(), StatusCode::kUnauthenticated);

  for (const std::string& junk :
       {std::string("abc"), std::string("a.b"), std::string("a.b.c.d"), std::string("!!.??.##"),
        B64Url("not json") + "." + parts[1] + "." + parts[2], std::string(""),
        std::string(5000, 'a')}) {
    auto r = auth->Authenticate(junk);
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated) << junk.substr(0, 40);
  }
}

TEST_F(AuthTest, WrongClaimTypesAreRejectedEvenWhenSigned) {
  // A second service on another database has another key: its tokens fail here.
  auto auth = Open(Options());
  auto other_store = store::OpenSqliteStore(store::StoreOptions{}, ":memory:");
  ASSERT_TRUE(other_store.ok());
  auto other = AuthService::Open(**other_store, Options());
  ASSERT_TRUE(other.ok());
  auto foreign = (*other)->Issue(Role::kAdmin, "x", seconds(60));
  ASSERT_TRUE(foreign.ok());
  auto r = auth->Authenticate(foreign->access_token);
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(r.status().message().find("signature"), std::string::npos);
}

TEST_F(AuthTest, ExpiredTokensAreRejected) {
  auto auth = Open(Options());
  auto t = auth->Issue(Role::kAdmin, "admin", seconds(60));
  ASSERT_TRUE(t.ok());
  now_ += 59;
  EXPECT_TRUE(auth->Authenticate(t->access_token).ok());
  now_ += 1;
  auto r = auth->Authenticate(t->access_token);
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(r.status().message().find("expired"), std::string::npos);
  EXPECT_EQ(auth->Issue(Role::kAdmin, "", seconds(0)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(auth->Issue(Role::kAdmin, "", seconds(400LL * 86400)).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(AuthTest, RevokedTokensAreRejectedAndListed) {
  auto auth = Open(Options());
  auto keep = auth->Issue(Role::kMember, "keep", seconds(600));
  auto drop = auth->Issue(Role::kGuest, "drop", seconds(600));
  ASSERT_TRUE(keep.ok() && drop.ok());
  ASSERT_TRUE(auth->Revoke(drop->token_id).ok());
  EXPECT_TRUE(auth->Revoke(drop->token_id).ok());  // twice is fine
  auto r = auth->Authenticate(drop->access_token);
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(r.status().message().find("revoked"), std::string::npos);
  EXPECT_TRUE(auth->Authenticate(keep->access_token).ok());

  auto list = auth->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  int revoked = 0;
  for (const auto& t : *list) {
    if (t.token_id == drop->token_id) {
      EXPECT_TRUE(t.revoked);
      EXPECT_EQ(t.role, Role::kGuest);
      EXPECT_EQ(t.subject, "drop");
      ++revoked;
    } else {
      EXPECT_FALSE(t.revoked);
    }
  }
  EXPECT_EQ(revoked, 1);
  EXPECT_EQ(auth->Revoke("00000000000000000000000000000000").code(), StatusCode::kNotFound);
  EXPECT_EQ(auth->Revoke("../etc").code(), StatusCode::kInvalidArgument);

  // A second service on the same database (another process) sees the revocation.
  auto again = Open(Options());
  EXPECT_FALSE(again->Authenticate(drop->access_token).ok());
}

TEST_F(AuthTest, ARevocationByAnotherProcessAppliesWithinTheRecheckInterval) {
  AuthOptions o = Options();
  o.token_recheck_interval = std::chrono::milliseconds(300);
  auto auth = Open(o);
  auto t = auth->Issue(Role::kMember, "m", seconds(600));
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(auth->Authenticate(t->access_token).ok());  // now remembered
  auto other = Open(Options());
  ASSERT_TRUE(other->Revoke(t->token_id).ok());
  // Trusted from memory until the interval has passed, then read again.
  EXPECT_TRUE(auth->Authenticate(t->access_token).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  auto r = auth->Authenticate(t->access_token);
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(r.status().message().find("revoked"), std::string::npos);

  // With no interval every request reads the record: at once.
  AuthOptions eager = Options();
  eager.token_recheck_interval = std::chrono::milliseconds(0);
  auto strict = Open(eager);
  auto u = strict->Issue(Role::kMember, "u", seconds(600));
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(strict->Authenticate(u->access_token).ok());
  ASSERT_TRUE(other->Revoke(u->token_id).ok());
  EXPECT_FALSE(strict->Authenticate(u->access_token).ok());
}

TEST_F(AuthTest, RolesParseAndOrder) {
  EXPECT_EQ(ParseRole("admin"), Role::kAdmin);
  EXPECT_EQ(ParseRole("Member"), Role::kMember);
  EXPECT_EQ(ParseRole("GUEST"), Role::kGuest);
  EXPECT_FALSE(ParseRole("root").has_value());
  EXPECT_FALSE(ParseRole("").has_value());
  EXPECT_EQ(ToString(Role::kMember), "member");
  EXPECT_LT(static_cast<int>(Role::kGuest), static_cast<int>(Role::kMember));
  EXPECT_LT(static_cast<int>(Role::kMember), static_cast<int>(Role::kAdmin));
}

TEST_F(AuthTest, SigningKeyPersistsAcrossReopenAndIsNeverLogged) {
  std::string token;
  {
    auto auth = Open(Options());
    auto t = auth->Issue(Role::kMember, "m", seconds(600));
    ASSERT_TRUE(t.ok());
    token = t->access_token;
  }
  auto key = store_->GetMeta(kSigningKeyMeta);
  ASSERT_TRUE(key.ok() && key->has_value());
  EXPECT_EQ((*key)->size(), 64u);
  store_.reset();
  OpenStore();
  auto auth = Open(Options());
  EXPECT_TRUE(auth->Authenticate(token).ok());
  EXPECT_EQ(**store_->GetMeta(kSigningKeyMeta), **key);
  const std::string audit = ReadAll(audit_path_);
  EXPECT_FALSE(audit.empty());
  EXPECT_EQ(audit.find(**key), std::string::npos);
  EXPECT_EQ(audit.find(token), std::string::npos);
  EXPECT_EQ(audit.find(Split(token)[2]), std::string::npos);
}

TEST(PasswordTest, Argon2idHashVerifies) {
  auto h = HashPassword("correct horse");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->rfind("$argon2id$v=19$", 0), 0u) << *h;
  EXPECT_EQ(*VerifyPassword("correct horse", *h), true);
  EXPECT_EQ(*VerifyPassword("correct horsE", *h), false);
  EXPECT_NE(*HashPassword("correct horse"), *h);  // salted
  EXPECT_EQ(VerifyPassword("x", "$2b$10$bcrypt").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyPassword("x", "$argon2id$garbage").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(HashPassword("").status().code(), StatusCode::kInvalidArgument);
}

TEST(DurationTest, Parses) {
  EXPECT_EQ(ParseDuration("24h")->count(), 86400);
  EXPECT_EQ(ParseDuration("90")->count(), 90);
  EXPECT_EQ(ParseDuration("15m")->count(), 900);
  EXPECT_EQ(ParseDuration("7d")->count(), 7 * 86400);
  for (const char* bad : {"", "h", "-5m", "0s", "1.5h", "12x", "99999999999999999999"}) {
    EXPECT_EQ(ParseDuration(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST_F(AuthTest, AdminLoginLocksOutAfterFailuresAndRecovers) {
  auto hash = HashPassword("s3cret");
  ASSERT_TRUE(hash.ok());
  AuthOptions o = Options();
  o.admin_password_hash = *hash;
  o.max_failed_logins = 3;
  o.lockout_window = seconds(30);
  auto auth = Open(o);

  auto ok = auth->LoginAdmin("s3cret", "10.0.0.1");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->role, Role::kAdmin);
  EXPECT_EQ(auth->Authenticate(ok->access_token)->subject, "admin");

  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(auth->LoginAdmin("wrong", "10.0.0.1").status().code(), StatusCode::kUnauthenticated);
  }
  auto locked = auth->LoginAdmin("s3cret", "10.0.0.1");
  EXPECT_EQ(locked.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(locked.status().message().find("30 seconds"), std::string::npos)
      << locked.status().message();
  EXPECT_EQ(auth->LockoutRemaining("10.0.0.1"), 30);
  // Another client is not affected.
  EXPECT_TRUE(auth->LoginAdmin("s3cret", "10.0.0.2").ok());
  now_ += 10;
  EXPECT_EQ(auth->LockoutRemaining("10.0.0.1"), 20);
  EXPECT_EQ(auth->LoginAdmin("s3cret", "10.0.0.1").status().code(), StatusCode::kResourceExhausted);
  now_ += 21;
  EXPECT_EQ(auth->LockoutRemaining("10.0.0.1"), 0);
  EXPECT_TRUE(auth->LoginAdmin("s3cret", "10.0.0.1").ok());
  // Failures older than the window do not add up.
  EXPECT_FALSE(auth->LoginAdmin("wrong", "10.0.0.3").ok());
  EXPECT_FALSE(auth->LoginAdmin("wrong", "10.0.0.3").ok());
  now_ += 31;
  EXPECT_FALSE(auth->LoginAdmin("wrong", "10.0.0.3").ok());
  EXPECT_EQ(auth->LockoutRemaining("10.0.0.3"), 0);
}

TEST_F(AuthTest, AdminLoginWithoutHashNeedsDevMode) {
  auto auth = Open(Options());
  EXPECT_EQ(auth->LoginAdmin("admin", "c").status().code(), StatusCode::kFailedPrecondition);
  AuthOptions dev = Options();
  dev.dev_mode = true;
  auto dev_auth = Open(dev);
  EXPECT_TRUE(dev_auth->LoginAdmin("admin", "c").ok());
  EXPECT_EQ(dev_auth->LoginAdmin("nope", "c").status().code(), StatusCode::kUnauthenticated);
  AuthOptions bad = Options();
  bad.admin_password_hash = "plaintext";
  EXPECT_EQ(AuthService::Open(*store_, bad).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(AuthTest, AuditLogHasOneJsonLinePerEventAndNoSecrets) {
  auto hash = HashPassword("pa55word");
  ASSERT_TRUE(hash.ok());
  AuthOptions o = Options();
  o.admin_password_hash = *hash;
  auto auth = Open(o);
  ASSERT_FALSE(auth->LoginAdmin("wrong-guess", "192.0.2.7").ok());
  auto t = auth->LoginAdmin("pa55word", "192.0.2.7");
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(auth->Revoke(t->token_id).ok());

  std::ifstream in(audit_path_);
  std::string line;
  std::vector<std::string> events;
  while (std::getline(in, line)) {
    Json j = Json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    ASSERT_TRUE(j.contains("ts") && j.contains("event")) << line;
    events.push_back(j["event"].get<std::string>());
    if (j["event"] == "login_failed") {
      EXPECT_EQ(j["client"], "192.0.2.7");
    }
  }
  EXPECT_EQ(events, (std::vector<std::string>{"login_failed", "login_succeeded", "token_issued",
                                              "token_revoked"}));
  const std::string all = ReadAll(audit_path_);
  EXPECT_EQ(all.find("wrong-guess"), std::string::npos);
  EXPECT_EQ(all.find("pa55word"), std::string::npos);
  EXPECT_EQ(all.find(t->access_token), std::string::npos);
  EXPECT_EQ(DefaultAuditLogPath("/x/y.db"), "/x/y.db.audit.log");
  EXPECT_EQ(DefaultAuditLogPath(":memory:"), "");
}

}  // namespace
}  // namespace funkygibbon::app
