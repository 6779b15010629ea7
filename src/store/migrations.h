// Schema migrations for the SQLite store, numbered in one file
// (migrations.cc). The schema version lives in PRAGMA user_version: 0 is an
// empty database, N means migrations 1..N have been applied.
#ifndef FUNKYGIBBON_STORE_MIGRATIONS_H_
#define FUNKYGIBBON_STORE_MIGRATIONS_H_

#include <cstdint>

#include "core/status.h"
#include "store/db.h"

namespace funkygibbon::store {

// The schema version this build writes (the number of the last migration).
int64_t LatestSchemaVersion();

// Applies every migration newer than the database's user_version, each in
// its own BEGIN IMMEDIATE transaction that also sets user_version. Calling it
// on an up-to-date database does nothing. Fails with FailedPrecondition,
// naming both numbers, when the database is newer than this build.
Status Migrate(Db& db);

}  // namespace funkygibbon::store

#endif  // FUNKYGIBBON_STORE_MIGRATIONS_H_
