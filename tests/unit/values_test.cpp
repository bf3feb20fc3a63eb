#include <catch2/catch.hpp>

#include "check/suggest.h"
#include "check/values.h"

using namespace paydrc::check;

TEST_CASE("durations take s, m, h and d") {
  CHECK(*parse_duration("30s").value == 30);
  CHECK(*parse_duration("5m").value == 300);
  CHECK(*parse_duration("72h").value == 72 * 3600);
  CHECK(*parse_duration("7d").value == 7 * 86400);
  auto bad = parse_duration("5min");
  CHECK_FALSE(bad.value);
  CHECK(bad.unknown_unit);
  CHECK_FALSE(parse_duration("1.5h").value);
  CHECK_FALSE(parse_duration("99999999999999999999d").value);
}

TEST_CASE("sizes are binary megabytes") {
  CHECK(*parse_size("1GB").value == 1024);
  CHECK(*parse_size("512MB").value == 512);
  CHECK(parse_size("1gb").unknown_unit);
}

TEST_CASE("CIDR blocks are validated") {
  auto c = parse_cidr("10.1.0.0/16");
  REQUIRE(c.value);
  CHECK(c.value->text() == "10.1.0.0/16");
  CHECK_FALSE(parse_cidr("10.0.0.1/16").value);
  CHECK(parse_cidr("10.0.0.1/16").hint == "did you mean `10.0.0.0/16`?");
  CHECK_FALSE(parse_cidr("256.0.0.0/8").value);
  CHECK_FALSE(parse_cidr("10.0.0.0/33").value);
  CHECK(parse_cidr("10.0.0.0/16").value->overlaps(*parse_cidr("10.0.128.0/17").value));
  CHECK_FALSE(parse_cidr("10.0.0.0/16").value->overlaps(*parse_cidr("10.1.0.0/16").value));
}

TEST_CASE("money is kept in cents") {
  CHECK(*parse_money("$1800").value == 180000);
  CHECK(*parse_money("$99.5").value == 9950);
  CHECK_FALSE(parse_money("$1.999").value);
}

TEST_CASE("dates are calendar dates") {
  CHECK(parse_date("2028-02-29").value);
  CHECK_FALSE(parse_date("2027-02-29").value);
  CHECK_FALSE(parse_date("2027-13-01").value);
  paydrc::ir::Date d{2026, 11, 24};
  CHECK(civil_from_days(days_from_civil(d)) == d);
  CHECK(days_from_civil({1970, 1, 1}) == 0);
}

TEST_CASE("today comes from SOURCE_DATE_EPOCH when set") {
  setenv("SOURCE_DATE_EPOCH", "1785456000", 1);  // 2026-07-31
  CHECK(today_utc().text() == "2026-07-31");
  setenv("SOURCE_DATE_EPOCH", "not-a-number", 1);
  CHECK(today_utc().year >= 2026);  // falls back to the clock
  unsetenv("SOURCE_DATE_EPOCH");
}

TEST_CASE("durations print compactly") {
  CHECK(format_duration(0) == "0s");
  CHECK(format_duration(90) == "1m30s");
  CHECK(format_duration(86400 + 3600) == "1d1h");
}

TEST_CASE("suggestions are close typos only") {
  CHECK(closest("reader", {"readers", "writer", "engine"}) == "readers");
  CHECK(closest("instanceclass", {"instance_class", "instances"}) == "instance_class");
  CHECK(closest("zzzzzz", {"readers", "writer"}).empty());
}
