#include "stockcast/clean/clean_options.h"

#include <regex>

#include <fmt/format.h>

namespace stockcast::clean {

Status CleanOptions::Validate() const {
  for (size_t i = 0; i < non_product_sku_patterns.size(); ++i) {
    try {
      std::regex re(non_product_sku_patterns[i], std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return Error::InvalidArgument(fmt::format(
          "clean.non_product_sku_patterns[{}] = \"{}\"; must be a valid regular expression ({})",
          i, non_product_sku_patterns[i], e.what()));
    }
  }
  if (outliers.window_days < 1) {
    return Error::InvalidArgument(fmt::format(
        "clean.outliers.window_days = {}; must be >= 1", outliers.window_days));
  }
  if (!(outliers.threshold > 0)) {
    return Error::InvalidArgument(fmt::format(
        "clean.outliers.threshold = {}; must be > 0", outliers.threshold));
  }
  if (outliers.min_points < 1) {
    return Error::InvalidArgument(fmt::format(
        "clean.outliers.min_points = {}; must be >= 1", outliers.min_points));
  }
  if (min_lines_per_open_day < 0) {
    return Error::InvalidArgument(fmt::format(
        "clean.min_lines_per_open_day = {}; must be >= 0", min_lines_per_open_day));
  }
  return Status::Ok();
}

}  // namespace stockcast::clean
