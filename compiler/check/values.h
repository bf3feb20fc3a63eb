// Typed literals: turning the lexical values of the AST into durations, sizes,
// CIDRs, amounts and dates, with the error message when that fails.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "ir/ir.h"

namespace paydrc::check {

// Either the value or the reason it is not one (a message plus a hint).
template <typename T>
struct Parsed {
  std::optional<T> value;
  std::string error;
  std::string hint;
  bool unknown_unit = false;
};

Parsed<std::int64_t> parse_duration(std::string_view text);  // seconds
Parsed<std::int64_t> parse_size(std::string_view text);      // MB
Parsed<std::int64_t> parse_integer(std::string_view text);
Parsed<std::int64_t> parse_money(std::string_view text);  // cents
Parsed<ir::Cidr> parse_cidr(std::string_view text);
Parsed<ir::Date> parse_date(std::string_view text);

// Days since 1970-01-01 for a civil date, and back (Howard Hinnant's algorithm).
std::int64_t days_from_civil(const ir::Date& d);
ir::Date civil_from_days(std::int64_t days);

// "Today" for date-dependent checks: SOURCE_DATE_EPOCH when set (reproducible
// builds), else the system clock, always in UTC.
ir::Date today_utc();

std::string format_duration(std::int64_t seconds);  // 90 -> "1m30s", 300 -> "5m"

}  // namespace paydrc::check
