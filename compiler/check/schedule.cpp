// Rules from the EventBridge Scheduler / AWS Backup documentation ("Cron
// expressions reference"): six fields; one of day-of-month and day-of-week must
// be `?`; rate units are minute(s)/hour(s)/day(s), singular only for a value of 1.
#include "check/schedule.h"

#include <fmt/format.h>
#include <cctype>
#include <charconv>
#include <optional>
#include <vector>

namespace paydrc::check {
namespace {

struct FieldRule {
  const char* name;
  int low;
  int high;
  const char* names;  // accepted names (month / weekday), space separated
  const char* extra;  // extra characters accepted besides , - * /
};

const FieldRule kFields[] = {
    {"minutes", 0, 59, "", ""},
    {"hours", 0, 23, "", ""},
    {"day-of-month", 1, 31, "", "?LW"},
    {"month", 1, 12, "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC", ""},
    {"day-of-week", 1, 7, "SUN MON TUE WED THU FRI SAT", "?L#"},
    {"year", 1970, 2199, "", ""},
};

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    std::size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

bool valid_atom(std::string_view atom, const FieldRule& rule) {
  if (atom.empty()) return false;
  if (atom == "*") return true;
  std::string names = rule.names;
  if (atom.size() == 3 && names.find(atom) != std::string::npos) return true;
  std::string_view number = atom;
  std::string extra = rule.extra;
  // Forms like L, 3L, 15W, LW, 6#3 in the day fields.
  if (!extra.empty()) {
    if (atom == "L" || atom == "LW") return extra.find('L') != std::string::npos;
    std::size_t hash = atom.find('#');
    if (hash != std::string_view::npos) {
      if (extra.find('#') == std::string::npos) return false;
      return valid_atom(atom.substr(0, hash), rule) && atom.size() - hash == 2 && atom[hash + 1] >= '1' &&
             atom[hash + 1] <= '5';
    }
    if (atom.back() == 'L' || atom.back() == 'W') {
      char c = atom.back();
      if (extra.find(c) == std::string::npos) return false;
      number = atom.substr(0, atom.size() - 1);
    }
  }
  int v = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
  return ec == std::errc() && ptr == number.data() + number.size() && v >= rule.low && v <= rule.high;
}

bool valid_field(std::string_view field, const FieldRule& rule) {
  if (field == "?") return std::string(rule.extra).find('?') != std::string::npos;
  for (std::string_view item : split(field, ',')) {
    std::string_view range = item;
    std::size_t slash = item.find('/');
    if (slash != std::string_view::npos) {
      std::string_view step = item.substr(slash + 1);
      int s = 0;
      auto [ptr, ec] = std::from_chars(step.data(), step.data() + step.size(), s);
      if (ec != std::errc() || ptr != step.data() + step.size() || s <= 0) return false;
      range = item.substr(0, slash);
    }
    std::size_t dash = range.find('-');
    if (dash != std::string_view::npos && dash != 0) {
      if (!valid_atom(range.substr(0, dash), rule) || !valid_atom(range.substr(dash + 1), rule)) return false;
    } else if (!valid_atom(range, rule)) {
      return false;
    }
  }
  return true;
}

ScheduleError validate_rate(std::string_view body) {
  auto parts = split(body, ' ');
  if (parts.size() != 2) {
    return {"`rate()` takes a value and a unit", "such as `rate(12 hours)`"};
  }
  int value = 0;
  auto [ptr, ec] = std::from_chars(parts[0].data(), parts[0].data() + parts[0].size(), value);
  if (ec != std::errc() || ptr != parts[0].data() + parts[0].size() || value <= 0) {
    return {fmt::format("rate value `{}` is not a positive whole number", parts[0]), "such as `rate(12 hours)`"};
  }
  std::string_view unit = parts[1];
  bool singular = unit == "minute" || unit == "hour" || unit == "day";
  bool plural = unit == "minutes" || unit == "hours" || unit == "days";
  if (!singular && !plural) {
    return {fmt::format("unknown rate unit `{}`", unit), "use minutes, hours or days"};
  }
  if (value == 1 && plural) {
    return {fmt::format("a rate of 1 takes the singular unit, not `{}`", unit),
            fmt::format("write `rate(1 {})`", unit.substr(0, unit.size() - 1))};
  }
  if (value != 1 && singular) {
    return {fmt::format("a rate of {} takes the plural unit, not `{}`", value, unit),
            fmt::format("write `rate({} {}s)`", value, unit)};
  }
  return {};
}

}  // namespace

ScheduleError validate_schedule(std::string_view e) {
  auto body_of = [&](std::string_view prefix) -> std::optional<std::string_view> {
    if (e.substr(0, prefix.size()) != prefix || e.empty() || e.back() != ')') return std::nullopt;
    return e.substr(prefix.size(), e.size() - prefix.size() - 1);
  };
  if (auto body = body_of("rate(")) return validate_rate(*body);
  auto body = body_of("cron(");
  if (!body) {
    return {fmt::format("`{}` is not a schedule expression", e),
            "write `cron(minutes hours day-of-month month day-of-week year)` or `rate(value unit)`, "
            "such as `cron(0 3 * * ? *)`"};
  }
  std::vector<std::string_view> fields;
  for (std::string_view f : split(*body, ' ')) {
    if (!f.empty()) fields.push_back(f);
  }
  if (fields.size() != 6) {
    return {fmt::format("cron expression has {} fields; AWS takes 6", fields.size()),
            "minutes hours day-of-month month day-of-week year, such as `cron(0 3 * * ? *)`"};
  }
  for (std::size_t i = 0; i < 6; ++i) {
    if (!valid_field(fields[i], kFields[i])) {
      return {fmt::format("invalid {} field `{}` in cron expression", kFields[i].name, fields[i]),
              fmt::format("{} takes values {}-{}{}", kFields[i].name, kFields[i].low, kFields[i].high,
                          std::string(kFields[i].extra).find('?') != std::string::npos ? " or `?`" : "")};
    }
  }
  bool dom_any = fields[2] == "?";
  bool dow_any = fields[4] == "?";
  if (dom_any == dow_any) {
    return {"cron expression must set exactly one of day-of-month and day-of-week to `?`",
            "such as `cron(0 3 * * ? *)` for every day at 03:00 UTC"};
  }
  return {};
}

}  // namespace paydrc::check
