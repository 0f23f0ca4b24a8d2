#pragma once
// Helpers for the end-to-end tests of the stockcast binary: run it with stdout and stderr
// captured separately, quote paths for the shell, parse JSON output.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "stockcast/store/store.h"
#include "test_util.h"

namespace stockcast::testing {

// One run of the binary.
struct CliRun {
  int code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
  // Both, for failure messages.
  std::string Dump() const {
    return "exit " + std::to_string(code) + "\n--- stdout:\n" + out + "\n--- stderr:\n" + err;
  }
};

// Single-quotes `s` for /bin/sh.
inline std::string Q(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'')
      q += "'\\''";
    else
      q += c;
  }
  return q + "'";
}
inline std::string Q(const std::filesystem::path& p) { return Q(p.string()); }

// Runs `stockcast ARGS` (ARGS already shell-quoted) with stdin from /dev/null, capturing stdout
// and stderr separately. `cwd` (when not empty) is the working directory of the run.
inline CliRun Cli(const std::string& args, const std::filesystem::path& cwd = {}) {
  static int counter = 0;
  const auto err_path =
      std::filesystem::temp_directory_path() /
      ("stockcast-cli-stderr-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::string cmd;
  if (!cwd.empty()) cmd = "cd " + Q(cwd) + " && ";
  cmd += Q(std::string(STOCKCAST_BINARY)) + " " + args + " </dev/null 2>" + Q(err_path);
  CliRun run;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) run.out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = ReadFile(err_path);
  std::filesystem::remove(err_path);
  return run;
}

// stdout parsed as JSON; a parse failure is a test failure and gives null.
inline nlohmann::json Json(const CliRun& run) {
  auto j = nlohmann::json::parse(run.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << "stdout is not JSON:\n" << run.Dump();
  return j.is_discarded() ? nlohmann::json() : j;
}

// Lines of a text file (without line ends; a trailing empty line is dropped).
inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    pos = nl + 1;
  }
  return lines;
}

inline bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Whether the store file at `db` records a run of `kind` ("import", "forecast", "plan"). Read
// in-process (read-only: never creates the file); a missing file has no runs.
inline bool HasRun(const std::filesystem::path& db, const std::string& kind) {
  if (!std::filesystem::exists(db)) return false;
  StoreOptions options;
  options.read_only = true;
  auto store = OpenSqliteStore(db.string(), options);
  EXPECT_TRUE(store.ok()) << db << ": " << store.error().message;
  if (!store.ok()) return false;
  auto run = (*store)->LatestRun(kind);
  EXPECT_TRUE(run.ok()) << db << ": " << run.error().message;
  return run.ok() && run->has_value();
}

// Whether the store file at `db` holds no data at all: no runs, ledger movements, products or
// locations. A missing file is empty.
inline bool StoreIsEmpty(const std::filesystem::path& db) {
  if (!std::filesystem::exists(db)) return true;
  StoreOptions options;
  options.read_only = true;
  auto store = OpenSqliteStore(db.string(), options);
  EXPECT_TRUE(store.ok()) << db << ": " << store.error().message;
  if (!store.ok()) return false;
  Store& s = **store;
  for (const char* kind : {"import", "forecast", "plan"}) {
    auto run = s.LatestRun(kind);
    if (!run.ok() || run->has_value()) return false;
  }
  auto movements = s.CountMovements();
  auto products = s.ListProducts();
  auto locations = s.ListLocations();
  return movements.ok() && *movements == 0 && products.ok() && products->empty() &&
         locations.ok() && locations->empty();
}

// A small generated dataset (stockcast generate --seed SEED --skus SKUS --days DAYS) in a
// fresh temp dir; fails the test when generation fails.
inline std::filesystem::path GenerateSmall(int seed = 7, int skus = 6, int days = 120) {
  const auto dir = TempDir("stockcast-cli-gen") / "data";
  const CliRun run = Cli("-q generate --out " + Q(dir) + " --seed " + std::to_string(seed) +
                         " --skus " + std::to_string(skus) + " --days " + std::to_string(days));
  EXPECT_EQ(run.code, 0) << run.Dump();
  return dir;
}

// generate -> import into a new store in a fresh temp folder; returns the store's path (the
// caller's fixture keeps it for its suite).
inline std::filesystem::path GeneratedStore(const std::string& prefix, int seed, int skus,
                                            int days) {
  const auto tmp = TempDir(prefix);
  const auto db = tmp / "store.db";
  CliRun run = Cli("-q generate --out " + Q(tmp / "data") + " --seed " + std::to_string(seed) +
                   " --skus " + std::to_string(skus) + " --days " + std::to_string(days));
  EXPECT_EQ(run.code, 0) << run.Dump();
  run = Cli("-q import --dir " + Q(tmp / "data") + " --db " + Q(db));
  EXPECT_EQ(run.code, 0) << run.Dump();
  return db;
}

}  // namespace stockcast::testing
