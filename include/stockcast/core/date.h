#pragma once
// Calendar dates as days since 1970-01-01 (proleptic Gregorian), and timestamp parsing.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stockcast {

class Date {
 public:
  constexpr Date() = default;
  static constexpr Date FromDays(int32_t days_since_epoch) { return Date(days_since_epoch); }
  // Returns nullopt when (year, month, day) is not a real date.
  static std::optional<Date> FromYmd(int year, int month, int day);
  // Strict "YYYY-MM-DD".
  static std::optional<Date> Parse(std::string_view text);

  constexpr int32_t days() const { return days_; }
  int year() const;
  int month() const;  // 1..12
  int day() const;    // 1..31
  void Ymd(int* year, int* month, int* day) const;
  // ISO weekday: 0 = Monday ... 6 = Sunday.
  int weekday() const;
  int day_of_year() const;  // 1..366
  std::string ToString() const;  // "YYYY-MM-DD"

  constexpr Date operator+(int32_t n) const { return Date(days_ + n); }
  constexpr Date operator-(int32_t n) const { return Date(days_ - n); }
  constexpr int32_t operator-(Date other) const { return days_ - other.days_; }
  constexpr Date& operator+=(int32_t n) { days_ += n; return *this; }
  constexpr auto operator<=>(const Date&) const = default;

 private:
  constexpr explicit Date(int32_t d) : days_(d) {}
  int32_t days_ = 0;
};

bool IsLeapYear(int year);
int DaysInMonth(int year, int month);

// Order of day, month and year in slash/dot separated dates ("12/1/2010").
enum class DateOrder { kYmd, kMdy, kDmy };
std::string_view ToString(DateOrder order);
std::optional<DateOrder> ParseDateOrder(std::string_view text);

struct DateTime {
  Date date;
  int32_t seconds = 0;  // seconds since local midnight, 0..86399
};

// Accepts "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS[.fff]]", "YYYY-MM-DDTHH:MM:SS[Z|+hh:mm| -0500]"
// and, for slash dates, "M/D/YYYY[ H:MM[:SS]]" in the given order. The local date is kept: a
// UTC offset is accepted and ignored, because demand is counted per local business day.
// Returns nullopt when the text is not one of these forms or names an impossible date/time.
std::optional<DateTime> ParseTimestamp(std::string_view text, DateOrder order = DateOrder::kYmd);

}  // namespace stockcast
