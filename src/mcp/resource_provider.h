// What the dispatcher needs to serve MCP resources and completions. The
// dispatcher knows nothing about where resources come from;
// GraphResources (graph_resources.h) serves the knowledge graph.
//
// Thread-safety: implementations must be thread-safe (HTTP calls them from
// a pool of threads).
#ifndef FUNKYGIBBON_MCP_RESOURCE_PROVIDER_H_
#define FUNKYGIBBON_MCP_RESOURCE_PROVIDER_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/types.h"

namespace funkygibbon::mcp {

struct ResourcePage {
  Json resources =
      Json::array();  // [{uri, name, title?, description?, mimeType?}, ...]
  std::string next_cursor;  // empty = this is the last page
};

struct Completion {
  std::vector<std::string>
      values;             // best first; the dispatcher keeps at most 100
  size_t total = 0;       // matches known (>= values.size())
  bool has_more = false;  // more matches exist than were returned
};

class ResourceProvider {
 public:
  virtual ~ResourceProvider() = default;

  // resources/list: one page. cursor "" = the first page; a cursor this
  // provider did not issue -> InvalidArgument.
  virtual StatusOr<ResourcePage> List(std::string_view cursor) const = 0;

  // resources/templates/list: [{uriTemplate, name, title?, description?,
  // mimeType?}].
  virtual Json Templates() const = 0;

  // resources/read: the contents array [{uri, mimeType?, text | blob}].
  // NotFound for a URI naming nothing (the dispatcher answers -32002 with the
  // uri in data); InvalidArgument for a malformed URI.
  virtual StatusOr<Json> Read(std::string_view uri) const = 0;

  // completion/complete for {type: "ref/resource", uri: uri_template}:
  // values for `argument` starting with `prefix`. context_arguments holds
  // already-resolved arguments (an object, possibly empty). InvalidArgument
  // for an unknown template or argument.
  virtual StatusOr<Completion> Complete(
      std::string_view uri_template, std::string_view argument,
      std::string_view prefix, const Json& context_arguments) const = 0;
};

}  // namespace funkygibbon::mcp

#endif  // FUNKYGIBBON_MCP_RESOURCE_PROVIDER_H_
