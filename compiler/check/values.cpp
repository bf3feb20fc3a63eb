#include "check/values.h"

#include <fmt/format.h>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <limits>

namespace paydrc::check {
namespace {

constexpr std::int64_t kMaxMagnitude = std::int64_t{1} << 50;  // far beyond any real value

// Splits "30s" into 30 and "s"; fails on fractions ("1.5h") with a hint.
struct Quantity {
  std::int64_t number = 0;
  std::string unit;
  bool fractional = false;
  bool ok = false;
};

Quantity split_quantity(std::string_view text) {
  Quantity q;
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) != 0)) ++i;
  if (i < text.size() && text[i] == '.') {
    q.fractional = true;
    ++i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) != 0)) ++i;
  }
  q.unit = std::string(text.substr(i));
  if (q.fractional) return q;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + i, q.number);
  q.ok = ec == std::errc() && ptr == text.data() + i && q.number <= kMaxMagnitude;
  return q;
}

}  // namespace

Parsed<std::int64_t> parse_duration(std::string_view text) {
  Parsed<std::int64_t> out;
  Quantity q = split_quantity(text);
  if (q.fractional) {
    out.error = fmt::format("`{}` is not a whole number of units", text);
    out.hint = "use a smaller unit, such as `90m` for an hour and a half";
    return out;
  }
  std::int64_t scale = 0;
  if (q.unit == "s")
    scale = 1;
  else if (q.unit == "m")
    scale = 60;
  else if (q.unit == "h")
    scale = 3600;
  else if (q.unit == "d")
    scale = 86400;
  if (scale == 0) {
    out.error = fmt::format("unknown duration unit `{}`", q.unit);
    out.hint = "durations use `s`, `m`, `h` or `d`, such as `30s`, `5m`, `72h`, `7d`";
    out.unknown_unit = true;
    return out;
  }
  if (!q.ok) {
    out.error = fmt::format("duration `{}` is too large", text);
    return out;
  }
  out.value = q.number * scale;
  return out;
}

Parsed<std::int64_t> parse_size(std::string_view text) {
  Parsed<std::int64_t> out;
  Quantity q = split_quantity(text);
  if (q.fractional) {
    out.error = fmt::format("`{}` is not a whole number of units", text);
    out.hint = "use a smaller unit, such as `1536MB`";
    return out;
  }
  std::int64_t scale = 0;
  if (q.unit == "MB")
    scale = 1;
  else if (q.unit == "GB")
    scale = 1024;
  else if (q.unit == "TB")
    scale = 1024 * 1024;
  if (scale == 0) {
    out.error = fmt::format("unknown size unit `{}`", q.unit);
    out.hint = "sizes use `MB`, `GB` or `TB` (binary: 1GB = 1024MB), such as `1GB`";
    out.unknown_unit = true;
    return out;
  }
  if (!q.ok) {
    out.error = fmt::format("size `{}` is too large", text);
    return out;
  }
  out.value = q.number * scale;
  return out;
}

Parsed<std::int64_t> parse_integer(std::string_view text) {
  Parsed<std::int64_t> out;
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    out.error = fmt::format("`{}` is not a whole number", text);
    return out;
  }
  if (v > kMaxMagnitude || v < -kMaxMagnitude) {
    out.error = fmt::format("`{}` is too large", text);
    return out;
  }
  out.value = v;
  return out;
}

Parsed<std::int64_t> parse_money(std::string_view text) {
  Parsed<std::int64_t> out;
  std::string_view digits = text.substr(1);  // after '$'
  std::size_t dot = digits.find('.');
  std::string_view whole = digits.substr(0, dot);
  std::string_view cents = dot == std::string_view::npos ? std::string_view() : digits.substr(dot + 1);
  if (cents.size() > 2) {
    out.error = fmt::format("amount `{}` has more than two decimal places", text);
    return out;
  }
  std::int64_t w = 0, c = 0;
  auto r1 = std::from_chars(whole.data(), whole.data() + whole.size(), w);
  if (r1.ec != std::errc() || w > kMaxMagnitude / 100) {
    out.error = fmt::format("amount `{}` is too large", text);
    return out;
  }
  if (!cents.empty()) {
    std::from_chars(cents.data(), cents.data() + cents.size(), c);
    if (cents.size() == 1) c *= 10;
  }
  out.value = w * 100 + c;
  return out;
}

Parsed<ir::Cidr> parse_cidr(std::string_view text) {
  Parsed<ir::Cidr> out;
  unsigned parts[5] = {};
  std::size_t pos = 0;
  for (int i = 0; i < 5; ++i) {
    std::size_t end = text.find_first_of("./", pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view part = text.substr(pos, end - pos);
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), parts[i]);
    if (ec != std::errc() || part.size() > 3) parts[i] = 999;
    pos = end + 1;
  }
  for (int i = 0; i < 4; ++i) {
    if (parts[i] > 255) {
      out.error = fmt::format("`{}` is not a valid IPv4 address range: octet {} is above 255", text, i + 1);
      return out;
    }
  }
  if (parts[4] > 32) {
    out.error = fmt::format("`{}` has prefix length {}, above 32", text, parts[4]);
    return out;
  }
  ir::Cidr c;
  c.address = (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3];
  c.prefix = static_cast<int>(parts[4]);
  std::uint32_t mask = c.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - c.prefix);
  if ((c.address & mask) != c.address) {
    ir::Cidr fixed{c.address & mask, c.prefix};
    out.error = fmt::format("`{}` has host bits set", text);
    out.hint = fmt::format("did you mean `{}`?", fixed.text());
    return out;
  }
  out.value = c;
  return out;
}

std::int64_t days_from_civil(const ir::Date& d) {
  std::int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  std::int64_t yoe = y - era * 400;
  std::int64_t mp = (d.month + 9) % 12;
  std::int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

ir::Date civil_from_days(std::int64_t z) {
  z += 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  std::int64_t doe = z - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = yoe + era * 400;
  std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153;
  std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return ir::Date{static_cast<int>(y + (m <= 2 ? 1 : 0)), static_cast<int>(m), static_cast<int>(d)};
}

Parsed<ir::Date> parse_date(std::string_view text) {
  Parsed<ir::Date> out;
  ir::Date d;
  std::from_chars(text.data(), text.data() + 4, d.year);
  std::from_chars(text.data() + 5, text.data() + 7, d.month);
  std::from_chars(text.data() + 8, text.data() + 10, d.day);
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
  if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > kDays[d.month - 1] ||
      (d.month == 2 && d.day == 29 && !leap)) {
    out.error = fmt::format("`{}` is not a calendar date", text);
    out.hint = "dates are written YYYY-MM-DD";
    return out;
  }
  out.value = d;
  return out;
}

ir::Date today_utc() {
  std::int64_t seconds = 0;
  const char* epoch = std::getenv("SOURCE_DATE_EPOCH");
  bool from_env = false;
  if (epoch != nullptr && epoch[0] != '\0') {
    std::string_view s(epoch);
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), seconds);
    from_env = ec == std::errc() && ptr == s.data() + s.size() && seconds >= 0;
  }
  if (!from_env) {
    seconds =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  }
  return civil_from_days(seconds / 86400);
}

std::string format_duration(std::int64_t s) {
  if (s == 0) return "0s";
  std::string out;
  if (s < 0) {
    out = "-";
    s = -s;
  }
  const std::pair<std::int64_t, const char*> units[] = {{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}};
  for (auto [size, name] : units) {
    if (s >= size) {
      out += fmt::format("{}{}", s / size, name);
      s %= size;
    }
  }
  return out;
}

}  // namespace paydrc::check
