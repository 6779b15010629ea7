// /api/v1/auth/*: admin login, who-am-I, refresh, guest QR codes; and the
// Authorize check every data route goes through.
#include <openssl/evp.h>
#include <png.h>
#include <qrencode.h>

#include <algorithm>
#include <cctype>
#include <csetjmp>
#include <memory>
#include <string>
#include <vector>

#include "app/hub_context.h"
#include "app/route_util.h"
#include "mcp/json_text.h"

namespace funkygibbon::app {
namespace {

constexpr char kRealm[] = "Bearer realm=\"funkygibbon\"";
// Subjects of QR tokens: they only buy a guest token at /guest/verify and are
// not bearer tokens themselves.
constexpr char kQrSubjectPrefix[] = "qr:";
constexpr int kQrDefaultHours = 24;
constexpr int kQrMaxHours = 168;
constexpr int kQrPixelsPerModule = 6;
constexpr int kQrBorderModules = 4;

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

void Challenge(httplib::Response& res, int status, const std::string& error,
               const std::string& detail) {
  std::string value = kRealm;
  if (!error.empty()) value += ", error=\"" + error + "\"";
  res.set_header("WWW-Authenticate", value);
  SendError(res, status, detail);
}

// The bearer token of the Authorization header: nullopt when there is no
// header; "" when the header is not a usable Bearer credential.
std::optional<std::string> BearerToken(const httplib::Request& req) {
  if (!req.has_header("Authorization")) return std::nullopt;
  std::string value = req.get_header_value("Authorization");
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size()) return std::string();
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != kScheme[i]) return std::string();
  }
  std::string token = value.substr(kScheme.size());
  const size_t first = token.find_first_not_of(' ');
  if (first == std::string::npos) return std::string();
  token = token.substr(first);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.pop_back();
  return token;
}

std::string ClientOf(const httplib::Request& req) {
  // The peer address only: X-Forwarded-For is whatever the caller says.
  return req.remote_addr.empty() ? "unknown" : req.remote_addr;
}

Json TokenAnswer(const IssuedToken& t) {
  return Json{{"access_token", t.access_token},
              {"token_type", "bearer"},
              {"expires_in", t.expires_in},
              {"role", std::string(ToString(t.role))}};
}

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(std::max(n, 0)));
  return out;
}

void AppendPng(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::string*>(png_get_io_ptr(png));
  out->append(reinterpret_cast<const char*>(data), length);
}

// Writes the image into *out. libpng reports errors by longjmp, so this
// frame holds nothing with a destructor and changes no local after setjmp.
bool WritePng(png_structp png, png_infop info, png_uint_32 side, png_bytep* rows,
              std::string* out) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_write_fn(png, out, AppendPng, nullptr);
  png_set_IHDR(png, info, side, side, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  return true;
}

// A greyscale PNG of the QR code of `text` (error correction M, 8-bit mode).
StatusOr<std::string> QrPng(const std::string& text) {
  std::unique_ptr<QRcode, void (*)(QRcode*)> qr(
      QRcode_encodeString8bit(text.c_str(), 0, QR_ECLEVEL_M), QRcode_free);
  if (!qr) return Status::Internal("cannot encode the QR code");
  const int modules = qr->width;
  const int side = (modules + 2 * kQrBorderModules) * kQrPixelsPerModule;
  std::vector<std::vector<png_byte>> rows(static_cast<size_t>(side),
                                          std::vector<png_byte>(static_cast<size_t>(side), 255));
  for (int y = 0; y < modules; ++y) {
    for (int x = 0; x < modules; ++x) {
      if ((qr->data[y * modules + x] & 1) == 0) continue;
      for (int dy = 0; dy < kQrPixelsPerModule; ++dy) {
        auto& row = rows[static_cast<size_t>((y + kQrBorderModules) * kQrPixelsPerModule + dy)];
        const size_t x0 = static_cast<size_t>((x + kQrBorderModules) * kQrPixelsPerModule);
        std::fill(row.begin() + static_cast<std::ptrdiff_t>(x0),
                  row.begin() + static_cast<std::ptrdiff_t>(x0 + kQrPixelsPerModule), 0);
      }
    }
  }
  std::vector<png_bytep> pointers;
  for (auto& r : rows) pointers.push_back(r.data());
  std::string out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr) return Status::Internal("cannot create the PNG writer");
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_write_struct(&png, nullptr);
    return Status::Internal("cannot create the PNG writer");
  }
  const bool written = WritePng(png, info, static_cast<png_uint_32>(side), pointers.data(), &out);
  png_destroy_write_struct(&png, &info);
  if (!written) return Status::Internal("cannot write the PNG");
  return out;
}

bool AcceptsPng(const httplib::Request& req) {
  const std::string accept = req.get_header_value("Accept");
  return accept.find("image/png") != std::string::npos;
}

// The server's own URL as the caller reached it.
std::string ServerUrl(const httplib::Request& req) {
  std::string host = req.get_header_value("Host");
  const bool sane = !host.empty() && host.size() < 256 &&
                    std::all_of(host.begin(), host.end(), [](char c) {
                      return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == ':' ||
                             c == '-' || c == '[' || c == ']';
                    });
  if (!sane) host = "127.0.0.1";
  return "http://" + host;
}

void Login(const httplib::Request& req, httplib::Response& res, HubContext& ctx) {
  auto body = ParseJsonBody(req, ctx);
  if (!body.ok()) return SendStatus(res, body.status());
  auto pw = body->find("password");
  if (pw == body->end()) return SendError(res, 400, "password: required");
  if (!pw->is_string()) return SendError(res, 400, "password: expected a string");
  const std::string client = ClientOf(req);
  auto token = ctx.auth.LoginAdmin(pw->get<std::string>(), client);
  if (!token.ok()) {
    const Status& s = token.status();
    if (s.code() == StatusCode::kResourceExhausted) {
      res.set_header("Retry-After",
                     std::to_string(std::max<int64_t>(1, ctx.auth.LockoutRemaining(client))));
      return SendError(res, 429, s.message());
    }
    if (s.code() == StatusCode::kUnauthenticated) return Challenge(res, 401, "", "wrong password");
    if (s.code() == StatusCode::kFailedPrecondition) return SendError(res, 403, s.message());
    return SendStatus(res, s);
  }
  SendJson(res, 200, TokenAnswer(*token));
}

void Me(const httplib::Request& req, httplib::Response& res, HubContext& ctx) {
  auto who = Authorize(req, res, ctx, Role::kGuest);
  if (!who) return;
  const bool can_write = who->role != Role::kGuest;
  Json permissions = Json::array({"read"});
  if (can_write) permissions.push_back("write");
  if (who->role == Role::kAdmin) permissions.push_back("admin");
  SendJson(res, 200,
           Json{{"user_id", who->subject},
                {"role", std::string(ToString(who->role))},
                {"token_id", who->token_id.empty() ? Json(nullptr) : Json(who->token_id)},
                {"permissions", permissions},
                {"expires_at", who->expires_at == 0 ? Json(nullptr) : Json(who->expires_at)}});
}

void Refresh(const httplib::Request& req, httplib::Response& res, HubContext& ctx) {
  auto who = Authorize(req, res, ctx, Role::kGuest);
  if (!who) return;
  if (who->token_id.empty()) return SendError(res, 400, "there is no token to refresh");
  // Guests keep the expiry their QR code gave them; others get a full term.
  std::chrono::seconds ttl(24 * 3600);
  if (who->role == Role::kGuest) {
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    ttl = std::chrono::seconds(std::max<int64_t>(1, who->expires_at - now));
  }
  auto fresh = ctx.auth.Issue(who->role, who->subject, ttl);
  if (!fresh.ok()) return SendStatus(res, fresh.status());
  Status revoked = ctx.auth.Revoke(who->token_id);
  if (!revoked.ok()) {
    (void)ctx.auth.Revoke(fresh->token_id);
    return SendStatus(res, revoked);
  }
  SendJson(res, 200, TokenAnswer(*fresh));
}

void GenerateQr(const httplib::Request& req, httplib::Response& res, HubContext& ctx) {
  auto who = Authorize(req, res, ctx, Role::kAdmin);
  if (!who) return;
  auto body = ParseJsonBody(req, ctx, EmptyBody::kAllow);
  if (!body.ok()) return SendStatus(res, body.status());
  int hours = kQrDefaultHours;
  if (auto h = body->find("duration_hours"); h != body->end() && !h->is_null()) {
    if (!h->is_number_integer()) return SendError(res, 400, "duration_hours: expected an integer");
    const int64_t v = h->get<int64_t>();
    if (v < 1 || v > kQrMaxHours) {
      return SendError(res, 400, "duration_hours: must be between 1 and 168");
    }
    hours = static_cast<int>(v);
  }
  std::string server = ServerUrl(req);
  if (auto s = body->find("custom_server"); s != body->end() && !s->is_null()) {
    if (!s->is_string() || s->get<std::string>().empty() || s->get<std::string>().size() > 512) {
      return SendError(res, 400, "custom_server: expected a non-empty URL string");
    }
    server = s->get<std::string>();
  }
  auto qr_token = ctx.auth.Issue(Role::kGuest, std::string(kQrSubjectPrefix) + who->subject,
                                 std::chrono::hours(hours));
  if (!qr_token.ok()) return SendStatus(res, qr_token.status());
  const int64_t expires_in = qr_token->expires_in;
  const Json qr_data = {{"type", "funkygibbon_guest"},
                        {"server", server},
                        {"token", qr_token->access_token},
                        {"expires_in", expires_in}};
  const std::string payload = mcp::DumpJson(qr_data);
  auto png = QrPng(payload);
  if (!png.ok()) return SendStatus(res, png.status());
  ctx.auth.Audit("guest_qr_generated", {{"by", who->subject},
                                        {"jti", qr_token->token_id},
                                        {"client", ClientOf(req)},
                                        {"expires_in", expires_in}});
  if (AcceptsPng(req)) {
    res.status = 200;
    res.set_content(*png, "image/png");
    return;
  }
  SendJson(res, 200,
           Json{{"qr_token", qr_token->access_token},
                {"expires_in", expires_in},
                {"payload", payload},
                {"qr_data", qr_data},
                {"qr_png_base64", Base64(*png)}});
}

void VerifyGuest(const httplib::Request& req, httplib::Response& res, HubContext& ctx) {
  auto body = ParseJsonBody(req, ctx);
  if (!body.ok()) return SendStatus(res, body.status());
  auto t = body->find("token");
  if (t == body->end()) t = body->find("qr_token");
  if (t == body->end()) return SendError(res, 400, "token: required (the qr_token of the QR code)");
  if (!t->is_string() || t->get<std::string>().empty()) {
    return SendError(res, 400, "token: expected a non-empty string");
  }
  auto qr = ctx.auth.Authenticate(t->get<std::string>());
  if (!qr.ok()) {
    if (qr.status().code() != StatusCode::kUnauthenticated) return SendStatus(res, qr.status());
    ctx.auth.Audit("guest_verify_failed", {{"client", ClientOf(req)},
                                           {"reason", qr.status().message()}});
    return Challenge(res, 401, "invalid_token", "invalid guest token: " + qr.status().message());
  }
  if (qr->role != Role::kGuest || !StartsWith(qr->subject, kQrSubjectPrefix)) {
    return Challenge(res, 401, "invalid_token", "not a guest QR token");
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const std::chrono::seconds ttl(std::max<int64_t>(1, qr->expires_at - now));
  auto guest = ctx.auth.Issue(Role::kGuest, "guest:" + qr->token_id, ttl);
  if (!guest.ok()) return SendStatus(res, guest.status());
  ctx.auth.Audit("guest_access_granted", {{"client", ClientOf(req)},
                                          {"qr_jti", qr->token_id},
                                          {"jti", guest->token_id}});
  SendJson(res, 200, TokenAnswer(*guest));
}

}  // namespace

void SendError(httplib::Response& res, int status, const std::string& message) {
  SendJson(res, status, Json{{"detail", message}});
}

std::optional<Principal> Authorize(const httplib::Request& req, httplib::Response& res,
                                   const HubContext& ctx, Role minimum) {
  auto token = BearerToken(req);
  Principal who;
  if (!token.has_value()) {
    if (!ctx.anonymous_guest) {
      Challenge(res, 401, "", "authentication required: send Authorization: Bearer <token>");
      return std::nullopt;
    }
    who.subject = "anonymous";
    who.role = Role::kGuest;
  } else if (token->empty()) {
    Challenge(res, 401, "invalid_token", "the Authorization header must be 'Bearer <token>'");
    return std::nullopt;
  } else {
    auto p = ctx.auth.Authenticate(*token);
    if (!p.ok()) {
      if (p.status().code() == StatusCode::kUnauthenticated) {
        Challenge(res, 401, "invalid_token", "invalid token: " + p.status().message());
      } else {
        SendStatus(res, p.status());
      }
      return std::nullopt;
    }
    if (StartsWith(p->subject, kQrSubjectPrefix)) {
      Challenge(res, 401, "invalid_token",
                "a QR token must first be exchanged at POST /api/v1/auth/guest/verify");
      return std::nullopt;
    }
    who = std::move(p).value();
  }
  if (static_cast<int>(who.role) < static_cast<int>(minimum)) {
    Challenge(res, 403, "insufficient_scope",
              "the " + std::string(ToString(who.role)) + " role cannot do this; it needs " +
                  std::string(ToString(minimum)));
    return std::nullopt;
  }
  return who;
}

void RegisterAuthRoutes(httplib::Server& server, HubContext& ctx) {
  HubContext* c = &ctx;
  server.Post("/api/v1/auth/admin/login",
              [c](const httplib::Request& q, httplib::Response& r) { Login(q, r, *c); });
  server.Get("/api/v1/auth/me", [c](const httplib::Request& q, httplib::Response& r) { Me(q, r, *c); });
  server.Post("/api/v1/auth/refresh",
              [c](const httplib::Request& q, httplib::Response& r) { Refresh(q, r, *c); });
  server.Post("/api/v1/auth/guest/generate-qr",
              [c](const httplib::Request& q, httplib::Response& r) { GenerateQr(q, r, *c); });
  server.Post("/api/v1/auth/guest/verify",
              [c](const httplib::Request& q, httplib::Response& r) { VerifyGuest(q, r, *c); });
}

}  // namespace funkygibbon::app
