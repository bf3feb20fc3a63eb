// The AWS Lambda runtime lifecycle table (data in runtimes.cpp).
#pragma once

#include <string_view>
#include <vector>

namespace paydrc::check {

struct RuntimeLifecycle {
  std::string_view id;              // python3.12
  std::string_view deprecated;      // YYYY-MM-DD
  std::string_view create_blocked;  // from this date no new function may use it
  std::string_view update_blocked;  // from this date existing functions cannot be updated
  std::string_view successor;       // empty for the newest
};

const std::vector<RuntimeLifecycle>& lambda_runtimes();

}  // namespace paydrc::check
