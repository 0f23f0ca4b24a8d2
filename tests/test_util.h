#pragma once
// Shared helpers for the test suites.
#include <filesystem>
#include <string>
#include <vector>

namespace stockcast::testing {

// ../shared/data/<relative>, or "" when the shared data folder is absent.
std::string SharedDataPath(const std::string& relative);
// A fresh empty directory under the system temp dir, unique per call.
std::filesystem::path TempDir(const std::string& prefix);
// Writes `text` to `path` (creating parent dirs) and returns the path as a string.
std::string WriteFile(const std::filesystem::path& path, const std::string& text);
std::string ReadFile(const std::filesystem::path& path);
// tests/golden/<relative> in the source tree.
std::filesystem::path GoldenPath(const std::string& relative);
// Runs the stockcast binary with `args` (shell-quoted by the caller); captures stdout+stderr
// into *output and returns the exit code.
int RunCli(const std::string& args, std::string* output);
// RFC 4180 records of `text` (quoted fields, "" escapes, embedded newlines, LF or CRLF). A
// deliberately independent parser, so tests of written files do not trust the reader under test.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text);
// Whether STOCKCAST_REQUIRE_ALL_TESTS=1 (CI): then a test whose dependency is missing fails
// instead of skipping.
bool RequireAllTests();

}  // namespace stockcast::testing

// Skips the current test saying `why` (anything streamable) when `available` is false, or fails
// it when RequireAllTests().
#define SC_SKIP_OR_FAIL_UNLESS(available, why)                                   \
  do {                                                                           \
    if (!(available)) {                                                          \
      if (::stockcast::testing::RequireAllTests()) {                             \
        FAIL() << why << " and STOCKCAST_REQUIRE_ALL_TESTS=1";                   \
      }                                                                          \
      GTEST_SKIP() << why;                                                       \
    }                                                                            \
  } while (0)
