// "Did you mean" suggestions by edit distance.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace paydrc::check {

// The closest candidate within a distance that still reads as a typo, or "".
std::string closest(std::string_view word, const std::vector<std::string>& candidates);
// "did you mean `x`?" or "" when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace paydrc::check
