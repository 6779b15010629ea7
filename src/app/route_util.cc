#include "app/route_util.h"

#include "mcp/json_text.h"

namespace funkygibbon::app {

int HttpStatusFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kAborted:
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kResourceExhausted:
      return 413;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    case StatusCode::kCancelled:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

void SendJson(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(mcp::DumpJson(body), "application/json");
}

void SendStatus(httplib::Response& res, const Status& status) {
  SendError(res, HttpStatusFor(status), status.message());
}

StatusOr<Json> ParseJsonBody(const httplib::Request& req, const HubContext& ctx, EmptyBody empty) {
  if (req.body.size() > ctx.limits.max_body_bytes) {
    return Status::ResourceExhausted("request body: larger than " +
                                     std::to_string(ctx.limits.max_body_bytes) + " bytes");
  }
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    if (empty == EmptyBody::kAllow) return Json::object();
    return Status::InvalidArgument("request body: expected a JSON object, got nothing");
  }
  auto parsed = mcp::ParseJson(req.body, ctx.limits.max_json_depth);
  if (!parsed.ok()) {
    if (parsed.status().code() == StatusCode::kResourceExhausted) {
      return Status::InvalidArgument("request body: JSON nested deeper than " +
                                     std::to_string(ctx.limits.max_json_depth) + " levels");
    }
    return Status::InvalidArgument("request body: " + parsed.status().message());
  }
  if (!parsed->is_object()) {
    return Status::InvalidArgument(std::string("request body: expected a JSON object, got ") +
                                   parsed->type_name());
  }
  return std::move(parsed).value();
}

std::string UserIdOf(const Principal& who, std::string_view fallback) {
  std::string out = who.subject.empty() ? std::string(fallback) : who.subject;
  for (char& c : out) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) c = '_';
  }
  if (out.size() > 64) out.resize(64);
  return out;
}

}  // namespace funkygibbon::app
