#include "stockcast/forecast/series_io.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>

#include <fmt/format.h>

#include "stockcast/io/csv_reader.h"
#include "stockcast/io/order_reader.h"

namespace stockcast::forecast {
namespace {

constexpr int64_t kMaxSteps = 100000;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Rows of one series before they are laid out on the time axis.
struct Rows {
  std::vector<int64_t> time;
  std::vector<int64_t> line;  // for duplicate messages
  std::vector<double> value;
  std::vector<std::vector<double>> regressors;  // [row][regressor]
};

}  // namespace

std::string SeriesSet::Label(const InputSeries& s, int64_t t) const {
  if (dated) return (Date::FromDays(static_cast<int32_t>(s.start + t))).ToString();
  return std::to_string(s.start + t);
}

Result<SeriesSet> ReadSeriesCsv(const std::string& path) {
  SC_ASSIGN_OR_RETURN(std::unique_ptr<io::CsvReader> csv, io::CsvReader::Open(path));
  SeriesSet out;
  const auto id_col = csv->FindColumn("series_id");
  const auto date_col = csv->FindColumn("date");
  const auto period_col = csv->FindColumn("period");
  const auto value_col = csv->FindColumn("value");
  const std::string have = [&] {
    std::string h;
    for (const auto& c : csv->header()) h += (h.empty() ? "" : ", ") + c;
    return h;
  }();
  if (!id_col || !value_col || (!date_col && !period_col)) {
    return Error::InvalidArgument(fmt::format(
        "{}:1: the header must name series_id, value and either date or period; it has: {}",
        csv->name(), have));
  }
  if (date_col && period_col) {
    return Error::InvalidArgument(fmt::format(
        "{}:1: the header has both date and period; keep one time column", csv->name()));
  }
  out.dated = date_col.has_value();
  const size_t time_col = out.dated ? *date_col : *period_col;
  std::vector<size_t> regressor_cols;
  for (size_t c = 0; c < csv->header().size(); ++c) {
    if (c == *id_col || c == time_col || c == *value_col) continue;
    regressor_cols.push_back(c);
    out.regressor_names.push_back(csv->header()[c]);
  }

  std::unordered_map<std::string, size_t> index;
  std::vector<Rows> rows;
  for (;;) {
    SC_ASSIGN_OR_RETURN(bool more, csv->Next());
    if (!more) break;
    const std::string_view id = csv->field(*id_col);
    if (id.empty()) {
      return Error::InvalidArgument(
          fmt::format("{}: series_id is empty; every row needs one", csv->Where(*id_col)));
    }
    int64_t time = 0;
    const std::string_view t = csv->field(time_col);
    if (out.dated) {
      const auto d = Date::Parse(t);
      if (!d) {
        return Error::InvalidArgument(fmt::format(
            "{}: date = \"{}\"; must be a date YYYY-MM-DD", csv->Where(time_col), t));
      }
      time = d->days();
    } else {
      const auto r = std::from_chars(t.data(), t.data() + t.size(), time);
      if (r.ec != std::errc() || r.ptr != t.data() + t.size()) {
        return Error::InvalidArgument(fmt::format(
            "{}: period = \"{}\"; must be an integer", csv->Where(time_col), t));
      }
    }
    auto parse_value = [&](size_t col, double* v) -> Status {
      const std::string_view text = csv->field(col);
      if (text.empty() || text == "NA" || text == "NaN" || text == "nan") {
        *v = kNaN;
        return Status::Ok();
      }
      if (!io::ParseNumber(text, /*decimal_comma=*/false, v) || !std::isfinite(*v)) {
        return Error::InvalidArgument(
            fmt::format("{}: {} = \"{}\"; must be a number (empty or NA for missing)",
                        csv->Where(col), csv->header()[col], text));
      }
      return Status::Ok();
    };
    auto [it, inserted] = index.try_emplace(std::string(id), rows.size());
    if (inserted) {
      rows.emplace_back();
      out.series.push_back({std::string(id), 0, {}, {}});
    }
    Rows& r = rows[it->second];
    double v = 0;
    SC_RETURN_IF_ERROR(parse_value(*value_col, &v));
    r.time.push_back(time);
    r.line.push_back(csv->line());
    r.value.push_back(v);
    std::vector<double> reg(regressor_cols.size());
    for (size_t k = 0; k < regressor_cols.size(); ++k) {
      SC_RETURN_IF_ERROR(parse_value(regressor_cols[k], &reg[k]));
    }
    r.regressors.push_back(std::move(reg));
  }
  if (out.series.empty()) {
    return Error::InvalidArgument(fmt::format("{}: no data rows after the header", csv->name()));
  }

  for (size_t s = 0; s < rows.size(); ++s) {
    const Rows& r = rows[s];
    InputSeries& series = out.series[s];
    int64_t lo = r.time[0], hi = r.time[0];
    for (int64_t t : r.time) {
      lo = std::min(lo, t);
      hi = std::max(hi, t);
    }
    if (hi - lo + 1 > kMaxSteps) {
      return Error::InvalidArgument(fmt::format(
          "{}: series \"{}\" spans {} {}s (from {} to {}); at most {} are allowed", csv->name(),
          series.id, hi - lo + 1, out.dated ? "day" : "period",
          out.dated ? Date::FromDays(static_cast<int32_t>(lo)).ToString() : std::to_string(lo),
          out.dated ? Date::FromDays(static_cast<int32_t>(hi)).ToString() : std::to_string(hi),
          kMaxSteps));
    }
    const size_t n = static_cast<size_t>(hi - lo + 1);
    series.start = lo;
    series.y.assign(n, kNaN);
    series.regressors.assign(regressor_cols.size(), std::vector<double>(n, kNaN));
    std::vector<int64_t> seen_at(n, 0);
    for (size_t k = 0; k < r.time.size(); ++k) {
      const size_t t = static_cast<size_t>(r.time[k] - lo);
      if (seen_at[t] != 0) {
        return Error::InvalidArgument(fmt::format(
            "{}:{}: series \"{}\" has a second row for {} (the first is on line {}); each "
            "(series_id, {}) must appear once",
            csv->name(), r.line[k], series.id, out.Label(series, static_cast<int64_t>(t)),
            seen_at[t], out.dated ? "date" : "period"));
      }
      seen_at[t] = r.line[k];
      series.y[t] = r.value[k];
      for (size_t j = 0; j < regressor_cols.size(); ++j) series.regressors[j][t] = r.regressors[k][j];
    }
    // With regressor columns, rows after the last value are the known future of the drivers.
    if (!regressor_cols.empty()) {
      size_t last = n;
      while (last > 0 && std::isnan(series.y[last - 1])) --last;
      if (last == 0) {
        return Error::InvalidArgument(fmt::format(
            "{}: series \"{}\" has no value on any row; rows with an empty value after the "
            "last value are the future of its regressors, so at least one value must come first",
            csv->name(), series.id));
      }
      series.y.resize(last);
    }
  }
  return out;
}

}  // namespace stockcast::forecast
