#pragma once
// Reading and writing series in long CSV form, the format of `stockcast forecast --series`
// and `stockcast backtest --series`:
//   series_id,date,value[,regressor...]    dated series (daily; a missing date is a NaN value)
//   series_id,period,value[,regressor...]  integer periods (1, 2, ...; gaps are NaN values)
// The header names the columns (`series_id`/`date`|`period`/`value` required, any order; more
// columns are regressors, by name). Rows may come in any order; an empty value is NaN (missing).
// With regressor columns, the rows after a series' last value (value empty, regressors given)
// are the known future of its drivers (planned price, planned promotion): they are not part of
// y, and the regressor columns run past the end of y over them.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "stockcast/core/date.h"
#include "stockcast/core/error.h"

namespace stockcast::forecast {

struct InputSeries {
  std::string id;
  int64_t start = 0;                      // first period, or first date as days since epoch
  std::vector<double> y;                  // consecutive periods/days from start; NaN = missing
  // [regressor][t]: t < y.size() the history, then the known future (possibly empty).
  std::vector<std::vector<double>> regressors;
};

struct SeriesSet {
  bool dated = false;                   // date column (daily) vs integer period column
  std::vector<std::string> regressor_names;
  std::vector<InputSeries> series;      // in order of first appearance in the file

  // "2024-03-01" or "17" for step t (0-based) after the start of series s.
  std::string Label(const InputSeries& s, int64_t t) const;
};

// Errors (file:line:column and the rule): missing required column, unparsable date/period/
// value, duplicate (series_id, date) rows, a date/period span over 100,000 steps per series.
Result<SeriesSet> ReadSeriesCsv(const std::string& path);

}  // namespace stockcast::forecast
