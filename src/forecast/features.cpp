#include "forecast/features.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace stockcast::forecast {

int DaysToNext(Date date, int month, int day) {
  const int year = date.year();
  for (int y = year; y <= year + 1; ++y) {
    // 29 February is not a festival date; FromYmd fails only for impossible dates.
    const std::optional<Date> d = Date::FromYmd(y, month, day);
    if (d && *d >= date) return *d - date;
  }
  return 365;
}

std::optional<int> DaysToSpringFestival(Date date) {
  std::optional<int> best;
  for (int y = date.year() - 1; y <= date.year() + 1; ++y) {
    const std::optional<Date> cny = Calendar::SpringFestival(y);
    if (!cny) continue;
    const int d = *cny - date;
    if (!best || std::abs(d) < std::abs(*best)) best = d;
  }
  return best;
}

CalendarDay ComputeCalendarDay(Date date) {
  static const Calendar calendar([] {
    CalendarOptions o;
    o.region = Region::kNone;  // public holidays are not features (as in the driver models)
    return o;
  }());
  CalendarDay c;
  c.weekday = date.weekday();
  int y = 0;
  date.Ymd(&y, &c.month, &c.day_of_month);
  c.day_of_year = date.day_of_year();
  c.events = calendar.EventsOn(date);
  c.to_singles_day = DaysToNext(date, 11, 11);
  c.to_618 = DaysToNext(date, 6, 18);
  c.to_double_12 = DaysToNext(date, 12, 12);
  const std::optional<int> cny = DaysToSpringFestival(date);
  c.to_spring_festival = cny ? std::clamp(*cny, -60, 60) : std::numeric_limits<double>::quiet_NaN();
  return c;
}

CalendarTable::CalendarTable(Date first, int days) : first_(first) {
  days_.reserve(static_cast<size_t>(std::max(days, 0)));
  for (int i = 0; i < days; ++i) days_.push_back(ComputeCalendarDay(first + i));
}

CalendarDay CalendarTable::At(Date date) const {
  const int i = date - first_;
  if (i >= 0 && static_cast<size_t>(i) < days_.size()) return days_[static_cast<size_t>(i)];
  return ComputeCalendarDay(date);
}

CalendarTable CalendarOfSeries(std::span<const GlobalSeries> series, bool from_first, int before,
                               int horizon) {
  std::optional<int64_t> lo, hi;
  for (const GlobalSeries& g : series) {
    if (!g.x.first_day) continue;
    const int64_t n = static_cast<int64_t>(g.y.size());
    const int64_t first = (from_first ? *g.x.first_day : *g.x.first_day + n - 1) - before;
    const int64_t last = *g.x.first_day + n - 1 + horizon;
    lo = lo ? std::min(*lo, first) : first;
    hi = hi ? std::max(*hi, last) : last;
  }
  if (!lo) return {};
  return CalendarTable(Date::FromDays(static_cast<int32_t>(*lo)), static_cast<int>(*hi - *lo + 1));
}

}  // namespace stockcast::forecast
