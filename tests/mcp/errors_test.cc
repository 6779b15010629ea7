#include "mcp/errors.h"

#include <gtest/gtest.h>

namespace funkygibbon::mcp {
namespace {

TEST(ErrorsTest, StatusMapsToOneJsonRpcCode) {
  EXPECT_EQ(ToRpcError(Status::InvalidArgument("x")).code, kInvalidParams);
  EXPECT_EQ(ToRpcError(Status::NotFound("Unknown tool: y")).code,
            kInvalidParams);
  EXPECT_EQ(ToRpcError(Status::NotFound("Unknown tool: y")).message,
            "Unknown tool: y");
  EXPECT_EQ(ToRpcError(Status::FailedPrecondition("x")).code, kInvalidParams);
  EXPECT_EQ(ToRpcError(Status::ResourceExhausted("x")).code, kInvalidRequest);
  EXPECT_EQ(ToRpcError(Status::PermissionDenied("x")).code, kInvalidRequest);
  EXPECT_EQ(ToRpcError(Status::Internal("disk")).code, kInternalError);
  EXPECT_EQ(ToRpcError(Status::Internal("disk")).message,
            "Internal error: disk");
  EXPECT_EQ(ToRpcError(Status::Unavailable("x")).code, kInternalError);
}

TEST(ErrorsTest, WireShapes) {
  EXPECT_EQ(ErrorResponse(nullptr, RpcError::ParseError("bad")),
            Json::parse(R"({"jsonrpc":"2.0","id":null,
                            "error":{"code":-32700,"message":"Parse error: bad"}})"));
  EXPECT_EQ(ErrorResponse(3, RpcError{kResourceNotFound, "Resource not found",
                                      Json{{"uri", "u"}}}),
            Json::parse(R"({"jsonrpc":"2.0","id":3,"error":{"code":-32002,
                            "message":"Resource not found","data":{"uri":"u"}}})"));
  EXPECT_EQ(RpcError::MethodNotFound("x/y").message, "Method not found: x/y");
  EXPECT_EQ(RpcError::InvalidRequest("").message, "Invalid Request");
  EXPECT_EQ(ResultResponse("a", Json::object()),
            Json::parse(R"({"jsonrpc":"2.0","id":"a","result":{}})"));
  EXPECT_EQ(ToolErrorResult("try again"),
            Json::parse(R"({"content":[{"type":"text","text":"try again"}],
                            "isError":true})"));
  EXPECT_EQ(Notification("notifications/progress", Json{{"progress", 1}}),
            Json::parse(R"({"jsonrpc":"2.0","method":"notifications/progress",
                            "params":{"progress":1}})"));
}

}  // namespace
}  // namespace funkygibbon::mcp
