// Helpers shared by the tests.
#ifndef FUNKYGIBBON_TESTS_TESTUTIL_H_
#define FUNKYGIBBON_TESTS_TESTUTIL_H_

#include <string>

namespace funkygibbon::testing {

// A fresh empty directory under the system temp dir, removed at process exit.
std::string TempDir();

}  // namespace funkygibbon::testing

#endif  // FUNKYGIBBON_TESTS_TESTUTIL_H_
