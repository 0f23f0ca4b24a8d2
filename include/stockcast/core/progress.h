#pragma once
// Progress reporting for long work. Library code calls the function (if set) with a stage name
// and the fraction done in [0, 1]; the CLI draws a bar on a terminal and nothing otherwise.
#include <functional>
#include <string_view>

namespace stockcast {

using ProgressFn = std::function<void(std::string_view stage, double fraction)>;

inline void ReportProgress(const ProgressFn& fn, std::string_view stage, double fraction) {
  if (fn) fn(stage, fraction);
}

}  // namespace stockcast
