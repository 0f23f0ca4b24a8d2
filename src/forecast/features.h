#pragma once
// Calendar features shared by the driver models (regression.cpp) and the global models
// (gbm.cpp): the festival columns both use, and distances to the festivals.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "stockcast/core/calendar.h"
#include "stockcast/core/date.h"
#include "stockcast/forecast/global_model.h"

namespace stockcast::forecast {

// The festival dummies of the driver models, in column order. Spring Festival is the supplier
// shutdown window around Chinese New Year (kEventSupplierShutdown), which is when demand moves.
struct FestivalColumn {
  uint32_t bit;
  const char* name;
};
inline constexpr FestivalColumn kFestivalColumns[] = {
    {kEventSinglesDay, "singles_day"},   {kEvent618, "618"},
    {kEventDouble12, "double_12"},       {kEventBlackFriday, "black_friday"},
    {kEventCyberMonday, "cyber_monday"}, {kEventSupplierShutdown, "spring_festival"},
};

// Days from `date` to the next `month`/`day` on or after it (0 on the day itself, at most 365).
int DaysToNext(Date date, int month, int day);
// Signed days from `date` to the nearest Chinese New Year's day (negative after it), or nullopt
// outside the lunar table (2000..2040).
std::optional<int> DaysToSpringFestival(Date date);

// Calendar features of one day, as the global models use them.
struct CalendarDay {
  int weekday = 0;                // ISO: 0 = Monday
  int month = 1;                  // 1..12
  int day_of_year = 1;            // 1..366
  int day_of_month = 1;           // 1..31
  uint32_t events = 0;            // Event bits (Calendar::EventsOn, region none)
  int to_singles_day = 0;         // DaysToNext(11, 11)
  int to_618 = 0;                 // DaysToNext(6, 18)
  int to_double_12 = 0;           // DaysToNext(12, 12)
  double to_spring_festival = 0;  // DaysToSpringFestival clipped to [-60, 60]; NaN outside table
};

// CalendarDay for every day of [first, first + days), computed once (Calendar::EventsOn is not
// free) and looked up by date.
class CalendarTable {
 public:
  CalendarTable() = default;
  CalendarTable(Date first, int days);
  // The day's features; days outside the table are computed on the fly.
  CalendarDay At(Date date) const;

 private:
  Date first_;
  std::vector<CalendarDay> days_;
};

CalendarDay ComputeCalendarDay(Date date);

// The calendar of every day a global model may touch: from `before` days before each dated
// series' first day (`from_first`) or its last day, through `horizon` days past its end; empty
// when no series is dated (gbm and the lstm/gru share it).
CalendarTable CalendarOfSeries(std::span<const GlobalSeries> series, bool from_first, int before,
                               int horizon);

}  // namespace stockcast::forecast
