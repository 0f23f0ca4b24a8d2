#pragma once
// A retail calendar: shopping festivals (11.11, 6.18, 12.12, Black Friday, Cyber Monday),
// Spring Festival with the supplier shutdown around it, and public holidays by region.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stockcast/core/date.h"

namespace stockcast {

enum class Region { kNone, kCN, kUK, kUS };
std::string_view ToString(Region region);
std::optional<Region> ParseRegion(std::string_view text);  // "none", "cn", "uk", "us"

// Events are bits so one day can carry several ("11.11" on a public holiday).
enum Event : uint32_t {
  kEventNone = 0,
  kEventSinglesDay = 1u << 0,      // 11.11 (Double 11)
  kEvent618 = 1u << 1,             // 6.18 (JD mid-year festival)
  kEventDouble12 = 1u << 2,        // 12.12
  kEventBlackFriday = 1u << 3,     // day after the 4th Thursday of November
  kEventCyberMonday = 1u << 4,     // Monday after Black Friday
  kEventChristmas = 1u << 5,       // 25 December
  kEventSpringFestival = 1u << 6,  // Chinese New Year's day (lunar, from a table)
  kEventSupplierShutdown = 1u << 7,  // factories closed around Spring Festival
  kEventPublicHoliday = 1u << 8,   // a public holiday of the calendar's region
};
inline constexpr uint32_t kShoppingFestivals = kEventSinglesDay | kEvent618 | kEventDouble12 |
                                               kEventBlackFriday | kEventCyberMonday;
inline constexpr uint32_t kAllEvents = (1u << 9) - 1;

std::string_view EventName(Event single_event);  // "singles_day", "618", ...
std::optional<Event> ParseEvent(std::string_view name);

struct CalendarOptions {
  Region region = Region::kCN;
  // Supplier shutdown: from `shutdown_days_before` days before Spring Festival to
  // `shutdown_days_after` days after it (inclusive). Chinese factories typically close for
  // two to four weeks; workers return about two weeks after the new year.
  int shutdown_days_before = 7;
  int shutdown_days_after = 15;
};

struct NamedDay {
  Date date;
  std::string name;
};

class Calendar {
 public:
  explicit Calendar(CalendarOptions options = {});

  const CalendarOptions& options() const { return options_; }
  // Bitmask of Event values on `date`.
  uint32_t EventsOn(Date date) const;
  bool Has(Date date, uint32_t mask) const { return (EventsOn(date) & mask) != 0; }
  // Name of the public holiday on `date` in this calendar's region, or empty.
  std::string HolidayName(Date date) const;
  // Days from `from` (inclusive) to the next day carrying any event in `mask`; nullopt when
  // none within `max_days`.
  std::optional<int> DaysUntil(uint32_t mask, Date from, int max_days = 400) const;
  // Every festival, shutdown start/end and holiday between two dates (inclusive), in order.
  std::vector<NamedDay> NamedDaysBetween(Date first, Date last) const;

  // Chinese New Year's day; known for 2000..2040 (lunar calendar table), nullopt outside.
  static std::optional<Date> SpringFestival(int year);
  static Date EasterSunday(int year);  // Gregorian (anonymous algorithm)
  static Date BlackFriday(int year);
  // The `n`-th (1-based) given ISO weekday (0 = Monday) of a month; n = -1 means the last one.
  static Date NthWeekday(int year, int month, int weekday, int n);

 private:
  CalendarOptions options_;
};

}  // namespace stockcast
