// JSON export and import of a whole graph, history included.
//
// Format (one JSON object):
//   {"format": "funkygibbon-export", "format_version": 1,
//    "entities": [ <every version, by id then history order, each with
//                   "current": true|false> ],
//    "relationships": [ <every relationship by id, each with "deleted"> ]}
// Export, import into an empty database and export again gives the same bytes.
#ifndef FUNKYGIBBON_APP_EXPORT_IMPORT_H_
#define FUNKYGIBBON_APP_EXPORT_IMPORT_H_

#include <cstddef>
#include <iosfwd>
#include <string_view>

#include "core/status.h"
#include "core/types.h"
#include "graph/knowledge_graph.h"

namespace funkygibbon::app {

// Writes the export as `funkygibbon export` prints it: the document as
// dump(1, ' ', false, replace) would print it, and a newline, written record
// by record, so memory never holds the whole document (for a 100k-entity
// graph that tree took ~1 GB). Fails if `out` goes bad.
Status ExportGraphTo(graph::KnowledgeGraph& kg, std::ostream& out);

// The same document as a tree (it is ExportGraphTo's text, parsed).
StatusOr<Json> ExportGraph(graph::KnowledgeGraph& kg);

struct ImportResult {
  size_t versions_added = 0;      // entity version rows written
  size_t versions_skipped = 0;    // already present
  size_t current_moved = 0;       // entities whose current version changed
  size_t relationships = 0;       // relationships written
};

// Imports in one transaction: versions not yet present are added; an
// entity's current version moves to the imported one when the entity is new
// or the imported version is newer. Nothing is written if any record is bad
// (the error names its index and field).
StatusOr<ImportResult> ImportGraph(graph::KnowledgeGraph& kg, const Json& doc);

// The same from the export's JSON text (what `funkygibbon import` reads),
// with the same checks and messages. Each element of "entities" and
// "relationships" is converted as soon as it is parsed and its JSON
// dropped, so memory holds the text and the records but never a tree of the
// whole document (for a 100k-entity export that tree took ~1.6 GB).
StatusOr<ImportResult> ImportGraphText(graph::KnowledgeGraph& kg, std::string_view text);

}  // namespace funkygibbon::app

#endif  // FUNKYGIBBON_APP_EXPORT_IMPORT_H_
