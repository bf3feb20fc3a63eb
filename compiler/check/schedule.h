// AWS schedule expressions (EventBridge / AWS Backup): `cron(m h dom mon dow year)`
// and `rate(n unit)`.
#pragma once

#include <string>
#include <string_view>

namespace paydrc::check {

struct ScheduleError {
  std::string message;  // empty: the expression is valid
  std::string hint;
};

ScheduleError validate_schedule(std::string_view expression);

}  // namespace paydrc::check
