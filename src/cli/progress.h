#pragma once
// A one-line progress bar on stderr. Drawn only when stderr is a terminal (and not in --json
// or --quiet mode); the line is erased when the work is done, so logs and pipes stay clean.
#include <chrono>
#include <string>
#include <string_view>

namespace stockcast::cli {

class ProgressBar {
 public:
  explicit ProgressBar(bool enabled);
  ~ProgressBar();
  void Update(std::string_view stage, double fraction);
  void Clear();
  bool enabled() const { return enabled_; }

 private:
  bool enabled_;
  bool drawn_ = false;
  std::string stage_;
  int last_percent_ = -1;
  std::chrono::steady_clock::time_point last_draw_{};
};

// True when stderr is an interactive terminal.
bool StderrIsTerminal();

}  // namespace stockcast::cli
