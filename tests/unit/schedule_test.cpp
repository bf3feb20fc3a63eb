#include <catch2/catch.hpp>

#include "check/schedule.h"

using paydrc::check::validate_schedule;

TEST_CASE("valid AWS schedule expressions") {
  for (const char* e :
       {"cron(0 3 * * ? *)", "cron(0/15 * * * ? *)", "cron(0 18 ? * MON-FRI *)", "cron(0 8 1 * ? *)",
        "cron(0 12 ? * 6#3 2027)", "cron(5,35 14 L * ? *)", "rate(1 day)", "rate(12 hours)", "rate(5 minutes)"}) {
    INFO(e);
    CHECK(validate_schedule(e).message.empty());
  }
}

TEST_CASE("invalid AWS schedule expressions") {
  for (const char* e : {"cron(0 3 * * *)", "cron(0 3 * * * *)", "cron(0 3 ? * ? *)", "cron(60 3 * * ? *)",
                        "cron(0 24 * * ? *)", "cron(0 3 * 13 ? *)", "0 3 * * *", "rate(1 days)", "rate(2 hour)",
                        "rate(0 minutes)", "rate(5 weeks)", "cron(0 3 * * ? * *)", "cron()"}) {
    INFO(e);
    CHECK_FALSE(validate_schedule(e).message.empty());
  }
}
