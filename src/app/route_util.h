// Small helpers the hub's JSON routes share: reading a JSON body within the
// limits, writing JSON answers, and the one Status -> HTTP status mapping of
// the REST and auth routes.
//
// Thread-safety: free functions over their arguments.
#ifndef FUNKYGIBBON_APP_ROUTE_UTIL_H_
#define FUNKYGIBBON_APP_ROUTE_UTIL_H_

#include <optional>
#include <string>
#include <string_view>

#include <httplib.h>

#include "app/hub_context.h"
#include "core/status.h"
#include "core/types.h"

namespace funkygibbon::app {

// InvalidArgument 400, NotFound 404, AlreadyExists/Aborted 409,
// FailedPrecondition 409, PermissionDenied 403, Unauthenticated 401,
// ResourceExhausted 413, Unavailable 503, DeadlineExceeded 504, else 500.
int HttpStatusFor(const Status& status);

// Writes `body` as application/json with the given status.
void SendJson(httplib::Response& res, int status, const Json& body);

// SendError(res, HttpStatusFor(status), status.message()).
void SendStatus(httplib::Response& res, const Status& status);

// The request body as a JSON object. InvalidArgument naming the problem
// ("request body: ...") when it is empty, not JSON, nested deeper than the
// limit, or not an object; ResourceExhausted when larger than the limit.
// `allow_empty` turns an empty body into {}.
enum class EmptyBody { kReject, kAllow };
StatusOr<Json> ParseJsonBody(const httplib::Request& req, const HubContext& ctx,
                             EmptyBody empty = EmptyBody::kReject);

// A user id for version strings: the principal's subject (or `fallback` when
// it has none) with anything but [A-Za-z0-9._-] replaced, at most 64 chars.
std::string UserIdOf(const Principal& who, std::string_view fallback);

}  // namespace funkygibbon::app

#endif  // FUNKYGIBBON_APP_ROUTE_UTIL_H_
