#include "stockcast/core/calendar.h"

#include <array>

namespace stockcast {
namespace {

// Chinese New Year (first day of the first lunar month), Gregorian month/day for 2000..2040.
struct MonthDay {
  uint8_t month, day;
};
constexpr int kFirstLunarYear = 2000;
constexpr std::array<MonthDay, 41> kSpringFestival = {{
    {2, 5},  {1, 24}, {2, 12}, {2, 1},  {1, 22}, {2, 9},  {1, 29}, {2, 18}, {2, 7},  {1, 26},  // 2000
    {2, 14}, {2, 3},  {1, 23}, {2, 10}, {1, 31}, {2, 19}, {2, 8},  {1, 28}, {2, 16}, {2, 5},   // 2010
    {1, 25}, {2, 12}, {2, 1},  {1, 22}, {2, 10}, {1, 29}, {2, 17}, {2, 6},  {1, 26}, {2, 13},  // 2020
    {2, 3},  {1, 23}, {2, 11}, {1, 31}, {2, 19}, {2, 8},  {1, 28}, {2, 15}, {2, 4},  {1, 24},  // 2030
    {2, 12},                                                                                   // 2040
}};

Date Ymd(int y, int m, int d) { return *Date::FromYmd(y, m, d); }

// UK bank holidays falling on a weekend move to the next free weekday.
Date Substitute(Date d) {
  if (d.weekday() == 5) return d + 2;
  if (d.weekday() == 6) return d + 1;
  return d;
}

std::string CnHoliday(Date date) {
  const int y = date.year(), m = date.month(), d = date.day();
  if (m == 1 && d == 1) return "New Year's Day";
  if (auto cny = Calendar::SpringFestival(y)) {
    const int off = date - *cny;
    if (off >= -1 && off <= 5) return "Spring Festival holiday";
  }
  // Qingming falls on 4 or 5 April: solar-term approximation valid for 2000..2099.
  const int yy = y % 100;
  const int qingming = static_cast<int>(yy * 0.2422 + 4.81) - yy / 4;
  if (m == 4 && d == qingming) return "Qingming Festival";
  if (m == 5 && d <= 5) return "Labour Day holiday";
  if (m == 10 && d <= 7) return "National Day holiday";
  return {};
}

std::string UkHoliday(Date date) {
  const int y = date.year();
  if (date == Substitute(Ymd(y, 1, 1))) return "New Year's Day";
  const Date easter = Calendar::EasterSunday(y);
  if (date == easter - 2) return "Good Friday";
  if (date == easter + 1) return "Easter Monday";
  if (date == Calendar::NthWeekday(y, 5, 0, 1)) return "Early May bank holiday";
  if (date == Calendar::NthWeekday(y, 5, 0, -1)) return "Spring bank holiday";
  if (date == Calendar::NthWeekday(y, 8, 0, -1)) return "Summer bank holiday";
  const Date xmas = Ymd(y, 12, 25), boxing = Ymd(y, 12, 26);
  // Christmas on Saturday: holidays on Mon 27 and Tue 28; on Sunday: Tue 27 for Christmas.
  const Date xmas_obs = Substitute(xmas);
  Date boxing_obs = Substitute(boxing);
  if (boxing_obs == xmas_obs) boxing_obs = boxing_obs + 1;
  if (date == xmas || date == xmas_obs) return "Christmas Day";
  if (date == boxing || date == boxing_obs) return "Boxing Day";
  return {};
}

std::string UsHoliday(Date date) {
  const int y = date.year(), m = date.month(), d = date.day();
  if (m == 1 && d == 1) return "New Year's Day";
  if (date == Calendar::NthWeekday(y, 1, 0, 3)) return "Martin Luther King Jr. Day";
  if (date == Calendar::NthWeekday(y, 5, 0, -1)) return "Memorial Day";
  if (m == 7 && d == 4) return "Independence Day";
  if (date == Calendar::NthWeekday(y, 9, 0, 1)) return "Labor Day";
  if (date == Calendar::NthWeekday(y, 11, 3, 4)) return "Thanksgiving Day";
  if (m == 12 && d == 25) return "Christmas Day";
  return {};
}

}  // namespace

std::string_view ToString(Region region) {
  switch (region) {
    case Region::kNone: return "none";
    case Region::kCN: return "cn";
    case Region::kUK: return "uk";
    case Region::kUS: return "us";
  }
  return "none";
}

std::optional<Region> ParseRegion(std::string_view text) {
  for (Region r : {Region::kNone, Region::kCN, Region::kUK, Region::kUS}) {
    if (ToString(r) == text) return r;
  }
  return std::nullopt;
}

std::string_view EventName(Event e) {
  switch (e) {
    case kEventNone: return "none";
    case kEventSinglesDay: return "singles_day";
    case kEvent618: return "618";
    case kEventDouble12: return "double_12";
    case kEventBlackFriday: return "black_friday";
    case kEventCyberMonday: return "cyber_monday";
    case kEventChristmas: return "christmas";
    case kEventSpringFestival: return "spring_festival";
    case kEventSupplierShutdown: return "supplier_shutdown";
    case kEventPublicHoliday: return "public_holiday";
  }
  return "unknown";
}

std::optional<Event> ParseEvent(std::string_view name) {
  for (uint32_t bit = 1; bit <= kEventPublicHoliday; bit <<= 1) {
    if (EventName(static_cast<Event>(bit)) == name) return static_cast<Event>(bit);
  }
  return std::nullopt;
}

Calendar::Calendar(CalendarOptions options) : options_(options) {}

std::optional<Date> Calendar::SpringFestival(int year) {
  const int i = year - kFirstLunarYear;
  if (i < 0 || i >= static_cast<int>(kSpringFestival.size())) return std::nullopt;
  return Ymd(year, kSpringFestival[i].month, kSpringFestival[i].day);
}

Date Calendar::EasterSunday(int y) {
  // Anonymous Gregorian algorithm (Meeus, Astronomical Algorithms, ch. 8).
  const int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
  const int f = (b + 8) / 25, g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4, k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = ((h + l - 7 * m + 114) % 31) + 1;
  return Ymd(y, month, day);
}

Date Calendar::NthWeekday(int year, int month, int weekday, int n) {
  if (n > 0) {
    const Date first = Ymd(year, month, 1);
    const int shift = (weekday - first.weekday() + 7) % 7;
    return first + shift + 7 * (n - 1);
  }
  const Date last = Ymd(year, month, DaysInMonth(year, month));
  const int shift = (last.weekday() - weekday + 7) % 7;
  return last - shift;
}

Date Calendar::BlackFriday(int year) { return NthWeekday(year, 11, 3, 4) + 1; }

std::string Calendar::HolidayName(Date date) const {
  switch (options_.region) {
    case Region::kCN: return CnHoliday(date);
    case Region::kUK: return UkHoliday(date);
    case Region::kUS: return UsHoliday(date);
    case Region::kNone: return {};
  }
  return {};
}

uint32_t Calendar::EventsOn(Date date) const {
  int y, m, d;
  date.Ymd(&y, &m, &d);
  uint32_t ev = 0;
  if (m == 11 && d == 11) ev |= kEventSinglesDay;
  if (m == 6 && d == 18) ev |= kEvent618;
  if (m == 12 && d == 12) ev |= kEventDouble12;
  if (m == 12 && d == 25) ev |= kEventChristmas;
  if (m == 11 || m == 12) {
    const Date bf = BlackFriday(y);
    if (date == bf) ev |= kEventBlackFriday;
    if (date == bf + 3) ev |= kEventCyberMonday;
  }
  // The shutdown window can straddle a year boundary only towards the next year's festival.
  for (int yy : {y, y + 1}) {
    if (auto cny = SpringFestival(yy)) {
      if (date == *cny) ev |= kEventSpringFestival;
      const int off = date - *cny;
      if (off >= -options_.shutdown_days_before && off <= options_.shutdown_days_after) {
        ev |= kEventSupplierShutdown;
      }
    }
  }
  if (!HolidayName(date).empty()) ev |= kEventPublicHoliday;
  return ev;
}

std::optional<int> Calendar::DaysUntil(uint32_t mask, Date from, int max_days) const {
  for (int k = 0; k <= max_days; ++k) {
    if (EventsOn(from + k) & mask) return k;
  }
  return std::nullopt;
}

std::vector<NamedDay> Calendar::NamedDaysBetween(Date first, Date last) const {
  std::vector<NamedDay> out;
  for (Date d = first; d <= last; d += 1) {
    const uint32_t ev = EventsOn(d);
    for (uint32_t bit = 1; bit <= kEventSpringFestival; bit <<= 1) {
      if (ev & bit) out.push_back({d, std::string(EventName(static_cast<Event>(bit)))});
    }
    const bool shut = ev & kEventSupplierShutdown;
    if (shut && !(EventsOn(d - 1) & kEventSupplierShutdown)) {
      out.push_back({d, "supplier_shutdown_start"});
    }
    if (shut && !(EventsOn(d + 1) & kEventSupplierShutdown)) {
      out.push_back({d, "supplier_shutdown_end"});
    }
    if (ev & kEventPublicHoliday) out.push_back({d, HolidayName(d)});
  }
  return out;
}

}  // namespace stockcast
