#include "stockcast/core/calendar.h"

#include <gtest/gtest.h>

namespace stockcast {
namespace {

Date D(int y, int m, int d) { return *Date::FromYmd(y, m, d); }

TEST(CalendarTest, ShoppingFestivals) {
  Calendar cal;
  EXPECT_TRUE(cal.EventsOn(D(2024, 11, 11)) & kEventSinglesDay);
  EXPECT_TRUE(cal.EventsOn(D(2025, 6, 18)) & kEvent618);
  EXPECT_TRUE(cal.EventsOn(D(2024, 12, 12)) & kEventDouble12);
  EXPECT_FALSE(cal.EventsOn(D(2024, 11, 12)) & kShoppingFestivals);
  // Black Friday: the day after the fourth Thursday of November.
  EXPECT_EQ(Calendar::BlackFriday(2024), D(2024, 11, 29));
  EXPECT_EQ(Calendar::BlackFriday(2023), D(2023, 11, 24));
  EXPECT_EQ(Calendar::BlackFriday(2011), D(2011, 11, 25));
  EXPECT_TRUE(cal.EventsOn(D(2024, 12, 2)) & kEventCyberMonday);
}

TEST(CalendarTest, SpringFestivalAndSupplierShutdown) {
  EXPECT_EQ(Calendar::SpringFestival(2024), D(2024, 2, 10));
  EXPECT_EQ(Calendar::SpringFestival(2011), D(2011, 2, 3));
  EXPECT_EQ(Calendar::SpringFestival(2025), D(2025, 1, 29));
  EXPECT_FALSE(Calendar::SpringFestival(1999).has_value());
  Calendar cal({.region = Region::kCN, .shutdown_days_before = 7, .shutdown_days_after = 15});
  EXPECT_TRUE(cal.EventsOn(D(2024, 2, 10)) & kEventSpringFestival);
  EXPECT_TRUE(cal.EventsOn(D(2024, 2, 3)) & kEventSupplierShutdown);   // 7 days before
  EXPECT_FALSE(cal.EventsOn(D(2024, 2, 2)) & kEventSupplierShutdown);
  EXPECT_TRUE(cal.EventsOn(D(2024, 2, 25)) & kEventSupplierShutdown);  // 15 days after
  EXPECT_FALSE(cal.EventsOn(D(2024, 2, 26)) & kEventSupplierShutdown);
  // 2025's festival is on 29 January: the shutdown starts in the same year, on the 22nd.
  EXPECT_TRUE(cal.EventsOn(D(2025, 1, 22)) & kEventSupplierShutdown);
}

TEST(CalendarTest, PublicHolidaysByRegion) {
  Calendar uk({.region = Region::kUK});
  EXPECT_EQ(Calendar::EasterSunday(2011), D(2011, 4, 24));
  EXPECT_EQ(Calendar::EasterSunday(2024), D(2024, 3, 31));
  EXPECT_EQ(uk.HolidayName(D(2011, 4, 22)), "Good Friday");
  EXPECT_EQ(uk.HolidayName(D(2011, 4, 25)), "Easter Monday");
  EXPECT_EQ(uk.HolidayName(D(2011, 8, 29)), "Summer bank holiday");
  // Christmas 2010 fell on a Saturday: substitute days on Monday 27 and Tuesday 28.
  EXPECT_EQ(uk.HolidayName(D(2010, 12, 27)), "Christmas Day");
  EXPECT_EQ(uk.HolidayName(D(2010, 12, 28)), "Boxing Day");
  EXPECT_EQ(uk.HolidayName(D(2011, 3, 1)), "");
  Calendar us({.region = Region::kUS});
  EXPECT_EQ(us.HolidayName(D(2024, 11, 28)), "Thanksgiving Day");
  Calendar cn({.region = Region::kCN});
  EXPECT_EQ(cn.HolidayName(D(2024, 10, 3)), "National Day holiday");
  EXPECT_EQ(cn.HolidayName(D(2024, 4, 4)), "Qingming Festival");
  EXPECT_TRUE(cn.EventsOn(D(2024, 10, 1)) & kEventPublicHoliday);
  Calendar none({.region = Region::kNone});
  EXPECT_FALSE(none.EventsOn(D(2024, 10, 1)) & kEventPublicHoliday);
}

TEST(CalendarTest, DaysUntilAndNamedDays) {
  Calendar cal;
  EXPECT_EQ(cal.DaysUntil(kEventSinglesDay, D(2024, 11, 1)), 10);
  EXPECT_EQ(cal.DaysUntil(kEventSinglesDay, D(2024, 11, 11)), 0);
  EXPECT_EQ(cal.DaysUntil(kEvent618, D(2024, 6, 19), 30), std::nullopt);
  auto days = cal.NamedDaysBetween(D(2024, 11, 10), D(2024, 11, 12));
  ASSERT_EQ(days.size(), 1u);
  EXPECT_EQ(days[0].name, "singles_day");
}

TEST(CalendarTest, EnumStringsRoundTrip) {
  for (uint32_t bit = 1; bit <= kEventPublicHoliday; bit <<= 1) {
    EXPECT_EQ(ParseEvent(EventName(static_cast<Event>(bit))), static_cast<Event>(bit));
  }
  for (Region r : {Region::kNone, Region::kCN, Region::kUK, Region::kUS}) {
    EXPECT_EQ(ParseRegion(ToString(r)), r);
  }
  EXPECT_FALSE(ParseRegion("mars"));
}

}  // namespace
}  // namespace stockcast
