#include "support/environment.h"

#include <regex>
#include <string>

namespace paydrc {

bool valid_environment_suffix(std::string_view suffix) {
  static const std::regex rule{std::string(kEnvironmentSuffixPattern)};
  return std::regex_match(suffix.begin(), suffix.end(), rule);
}

}  // namespace paydrc
