#include "stockcast/core/date.h"

#include <cstdio>

namespace stockcast {
namespace {

// Days from civil date, after the well-known era-based derivation: shift the year to start in
// March so the leap day is last, split into 400-year eras of 146097 days.
constexpr int32_t DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int32_t>(doe) - 719468;
}

void CivilFromDays(int32_t z, int* y, int* m, int* d) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned dd = doy - (153 * mp + 2) / 5 + 1;
  const unsigned mm = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int>(yoe) + era * 400 + (mm <= 2);
  *m = static_cast<int>(mm);
  *d = static_cast<int>(dd);
}

// Parses exactly `n` digits at text[pos]; advances pos.
bool Digits(std::string_view text, size_t& pos, size_t n, int* out) {
  if (pos + n > text.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  *out = v;
  return true;
}

// Parses 1..max_n digits.
bool VarDigits(std::string_view text, size_t& pos, size_t max_n, int* out) {
  size_t n = 0;
  int v = 0;
  while (pos + n < text.size() && n < max_n && text[pos + n] >= '0' && text[pos + n] <= '9') {
    v = v * 10 + (text[pos + n] - '0');
    ++n;
  }
  if (n == 0) return false;
  pos += n;
  *out = v;
  return true;
}

bool ParseTime(std::string_view text, size_t& pos, int32_t* seconds) {
  int hh = 0, mm = 0, ss = 0;
  if (!VarDigits(text, pos, 2, &hh)) return false;
  if (pos >= text.size() || text[pos] != ':') return false;
  ++pos;
  if (!Digits(text, pos, 2, &mm)) return false;
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    if (!Digits(text, pos, 2, &ss)) return false;
    if (pos < text.size() && text[pos] == '.') {  // fractional seconds: ignored
      ++pos;
      int frac = 0;
      if (!VarDigits(text, pos, 9, &frac)) return false;
    }
  }
  if (hh > 23 || mm > 59 || ss > 60) return false;
  *seconds = hh * 3600 + mm * 60 + (ss == 60 ? 59 : ss);
  return true;
}

// Optional zone suffix: "Z", "+hh:mm", "+hhmm", " -0500", " UTC".
bool ParseZone(std::string_view text, size_t& pos) {
  if (pos < text.size() && text[pos] == ' ') ++pos;
  if (pos == text.size()) return true;
  if (text[pos] == 'Z') return ++pos == text.size();
  if (text.substr(pos) == "UTC") return true;
  if (text[pos] != '+' && text[pos] != '-') return false;
  ++pos;
  int hh = 0, mm = 0;
  if (!Digits(text, pos, 2, &hh)) return false;
  if (pos < text.size() && text[pos] == ':') ++pos;
  if (pos < text.size() && !Digits(text, pos, 2, &mm)) return false;
  return pos == text.size() && hh <= 14 && mm <= 59;
}

}  // namespace

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12) return 0;
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

std::optional<Date> Date::FromYmd(int year, int month, int day) {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, month)) {
    return std::nullopt;
  }
  return Date(DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)));
}

std::optional<Date> Date::Parse(std::string_view text) {
  auto dt = ParseTimestamp(text, DateOrder::kYmd);
  if (!dt || text.size() != 10) return std::nullopt;
  return dt->date;
}

void Date::Ymd(int* y, int* m, int* d) const { CivilFromDays(days_, y, m, d); }
int Date::year() const { int y, m, d; Ymd(&y, &m, &d); return y; }
int Date::month() const { int y, m, d; Ymd(&y, &m, &d); return m; }
int Date::day() const { int y, m, d; Ymd(&y, &m, &d); return d; }
// 1970-01-01 was a Thursday (ISO weekday 3 when Monday = 0).
int Date::weekday() const { return ((days_ % 7) + 7 + 3) % 7; }
int Date::day_of_year() const {
  return days_ - DaysFromCivil(year(), 1, 1) + 1;
}

std::string Date::ToString() const {
  int y, m, d;
  Ymd(&y, &m, &d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

std::string_view ToString(DateOrder order) {
  switch (order) {
    case DateOrder::kYmd: return "ymd";
    case DateOrder::kMdy: return "mdy";
    case DateOrder::kDmy: return "dmy";
  }
  return "ymd";
}

std::optional<DateOrder> ParseDateOrder(std::string_view text) {
  for (DateOrder o : {DateOrder::kYmd, DateOrder::kMdy, DateOrder::kDmy}) {
    if (ToString(o) == text) return o;
  }
  return std::nullopt;
}

std::optional<DateTime> ParseTimestamp(std::string_view text, DateOrder order) {
  size_t pos = 0;
  int y = 0, m = 0, d = 0;
  const bool iso = text.size() >= 10 && text[4] == '-' && text[7] == '-';
  if (iso) {
    if (!Digits(text, pos, 4, &y) || text[pos++] != '-' || !Digits(text, pos, 2, &m) ||
        text[pos++] != '-' || !Digits(text, pos, 2, &d)) {
      return std::nullopt;
    }
  } else {
    // Slash or dot separated with 1-2 digit day/month and 4-digit year.
    int a = 0, b = 0, c = 0;
    if (!VarDigits(text, pos, 4, &a) || pos >= text.size()) return std::nullopt;
    const char sep = text[pos];
    if (sep != '/' && sep != '.' && sep != '-') return std::nullopt;
    ++pos;
    if (!VarDigits(text, pos, 2, &b) || pos >= text.size() || text[pos] != sep) return std::nullopt;
    ++pos;
    if (!VarDigits(text, pos, 4, &c)) return std::nullopt;
    switch (order) {
      case DateOrder::kYmd: y = a; m = b; d = c; break;
      case DateOrder::kMdy: m = a; d = b; y = c; break;
      case DateOrder::kDmy: d = a; m = b; y = c; break;
    }
    if (y < 1000) return std::nullopt;  // two-digit years are ambiguous: refuse them
  }
  auto date = Date::FromYmd(y, m, d);
  if (!date) return std::nullopt;
  DateTime out{*date, 0};
  if (pos == text.size()) return out;
  if (text[pos] != ' ' && text[pos] != 'T') return std::nullopt;
  ++pos;
  if (!ParseTime(text, pos, &out.seconds)) return std::nullopt;
  if (!ParseZone(text, pos)) return std::nullopt;
  return out;
}

}  // namespace stockcast
