#include "stockcast/core/date.h"

#include <gtest/gtest.h>

namespace stockcast {
namespace {

TEST(DateTest, RoundTripsAcrossCenturiesAndLeapDays) {
  for (int32_t d = -700000; d <= 2900000; d += 997) {  // years 53 .. 9909
    const Date date = Date::FromDays(d);
    auto back = Date::FromYmd(date.year(), date.month(), date.day());
    ASSERT_TRUE(back.has_value()) << d;
    EXPECT_EQ(back->days(), d);
  }
  EXPECT_EQ(Date::FromYmd(1970, 1, 1)->days(), 0);
  EXPECT_EQ(Date::FromYmd(2000, 3, 1)->days() - Date::FromYmd(2000, 2, 28)->days(), 2);
  EXPECT_EQ(Date::FromYmd(1900, 3, 1)->days() - Date::FromYmd(1900, 2, 28)->days(), 1);
  EXPECT_FALSE(Date::FromYmd(2023, 2, 29).has_value());
  EXPECT_TRUE(Date::FromYmd(2024, 2, 29).has_value());
  EXPECT_FALSE(Date::FromYmd(2024, 13, 1).has_value());
  EXPECT_FALSE(Date::FromYmd(2024, 4, 31).has_value());
}

TEST(DateTest, WeekdayAndDayOfYear) {
  EXPECT_EQ(Date::FromYmd(1970, 1, 1)->weekday(), 3);   // Thursday
  EXPECT_EQ(Date::FromYmd(2024, 11, 11)->weekday(), 0);  // Monday
  EXPECT_EQ(Date::FromYmd(1969, 12, 28)->weekday(), 6);  // Sunday, before the epoch
  EXPECT_EQ(Date::FromYmd(2024, 12, 31)->day_of_year(), 366);
  EXPECT_EQ(Date::FromYmd(2023, 3, 1)->day_of_year(), 60);
}

TEST(DateTest, ParseAndFormat) {
  EXPECT_EQ(Date::Parse("2011-12-09")->ToString(), "2011-12-09");
  EXPECT_FALSE(Date::Parse("2011-12-9").has_value());
  EXPECT_FALSE(Date::Parse("2011-12-09 10:00").has_value());
  EXPECT_FALSE(Date::Parse("").has_value());
}

TEST(TimestampTest, AcceptsCommonExportForms) {
  auto t = ParseTimestamp("2010-12-01 08:26:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->date.ToString(), "2010-12-01");
  EXPECT_EQ(t->seconds, 8 * 3600 + 26 * 60);
  EXPECT_EQ(ParseTimestamp("2024-01-15T10:23:45Z")->seconds, 10 * 3600 + 23 * 60 + 45);
  EXPECT_EQ(ParseTimestamp("2024-01-15T10:23:45.123+08:00")->date.ToString(), "2024-01-15");
  EXPECT_EQ(ParseTimestamp("2024-01-15 10:23:45 -0500")->date.ToString(), "2024-01-15");
  EXPECT_EQ(ParseTimestamp("2024-01-15 10:23")->seconds, 10 * 3600 + 23 * 60);
  EXPECT_EQ(ParseTimestamp("12/1/2010 8:26", DateOrder::kMdy)->date.ToString(), "2010-12-01");
  EXPECT_EQ(ParseTimestamp("1/12/2010 8:26", DateOrder::kDmy)->date.ToString(), "2010-12-01");
  EXPECT_EQ(ParseTimestamp("09.12.2011", DateOrder::kDmy)->date.ToString(), "2011-12-09");
}

TEST(TimestampTest, RejectsImpossibleOrAmbiguousValues) {
  EXPECT_FALSE(ParseTimestamp("2011-13-01"));
  EXPECT_FALSE(ParseTimestamp("2011-02-30"));
  EXPECT_FALSE(ParseTimestamp("2011-12-09 25:00"));
  EXPECT_FALSE(ParseTimestamp("2011-12-09 10:61"));
  EXPECT_FALSE(ParseTimestamp("12/1/10", DateOrder::kMdy));  // two-digit year
  EXPECT_FALSE(ParseTimestamp("13/25/2010", DateOrder::kMdy));
  EXPECT_FALSE(ParseTimestamp("yesterday"));
  EXPECT_FALSE(ParseTimestamp("2011-12-09x"));
}

TEST(DateOrderTest, StringRoundTrip) {
  for (DateOrder o : {DateOrder::kYmd, DateOrder::kMdy, DateOrder::kDmy}) {
    EXPECT_EQ(ParseDateOrder(ToString(o)), o);
  }
  EXPECT_FALSE(ParseDateOrder("ydm"));
}

}  // namespace
}  // namespace stockcast
