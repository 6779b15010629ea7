#include "mcp/errors.h"

#include <utility>

namespace funkygibbon::mcp {
namespace {

std::string WithDetail(std::string_view title, std::string_view detail) {
  std::string out(title);
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

}  // namespace

RpcError RpcError::ParseError(std::string_view detail) {
  return {kParseError, WithDetail("Parse error", detail), nullptr};
}
RpcError RpcError::InvalidRequest(std::string_view detail) {
  return {kInvalidRequest, WithDetail("Invalid Request", detail), nullptr};
}
RpcError RpcError::MethodNotFound(std::string_view method) {
  return {kMethodNotFound, WithDetail("Method not found", method), nullptr};
}
RpcError RpcError::InvalidParams(std::string message) {
  return {kInvalidParams, std::move(message), nullptr};
}
RpcError RpcError::Internal(std::string_view detail) {
  return {kInternalError, WithDetail("Internal error", detail), nullptr};
}

RpcError ToRpcError(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return RpcError::InvalidParams(status.message());
    case StatusCode::kResourceExhausted:
    case StatusCode::kPermissionDenied:
    case StatusCode::kUnauthenticated:
      return RpcError::InvalidRequest(status.message());
    default:
      return RpcError::Internal(status.message());
  }
}

Json ToolErrorResult(std::string_view message) {
  return Json{
      {"content", Json::array({Json{{"type", "text"}, {"text", message}}})},
      {"isError", true}};
}

Json ResultResponse(const Json& id, Json result) {
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

Json ErrorResponse(const Json& id, const RpcError& error) {
  Json e{{"code", error.code}, {"message", error.message}};
  if (!error.data.is_null()) e["data"] = error.data;
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(e)}};
}

Json Notification(std::string_view method, Json params) {
  return Json{
      {"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

}  // namespace funkygibbon::mcp
