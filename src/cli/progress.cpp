#include "cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace stockcast::cli {

bool StderrIsTerminal() { return ::isatty(STDERR_FILENO) == 1; }

ProgressBar::ProgressBar(bool enabled) : enabled_(enabled) {}
ProgressBar::~ProgressBar() { Clear(); }

void ProgressBar::Update(std::string_view stage, double fraction) {
  if (!enabled_) return;
  const int percent = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 100.0);
  const auto now = std::chrono::steady_clock::now();
  if (stage == stage_ && percent == last_percent_) return;
  if (stage == stage_ && percent < 100 && now - last_draw_ < std::chrono::milliseconds(100)) return;
  stage_ = stage;
  last_percent_ = percent;
  last_draw_ = now;
  constexpr int kWidth = 30;
  const int filled = percent * kWidth / 100;
  std::fprintf(stderr, "\r\033[K%-28.28s [%.*s%*s] %3d%%", stage_.c_str(), filled,
               "##############################", kWidth - filled, "", percent);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::Clear() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
  stage_.clear();
  last_percent_ = -1;
}

}  // namespace stockcast::cli
