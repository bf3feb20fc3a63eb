// The environment suffix rule, written once: the checker applies it to the
// names of `environment` blocks, the driver to ENVIRONMENT_SUFFIX and `--env`,
// and the Terraform variable validation repeats it at plan time for a suffix
// given with `-var`. The pattern is RE2 and ECMAScript alike.
#pragma once

#include <string_view>

namespace paydrc {

inline constexpr std::string_view kEnvironmentSuffixPattern = "^[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?$";
inline constexpr std::string_view kEnvironmentSuffixRule =
    "1 to 16 lowercase letters, digits or hyphens, starting and ending with a letter or digit";

bool valid_environment_suffix(std::string_view suffix);

}  // namespace paydrc
