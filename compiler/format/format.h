// `paydrc fmt`: the one canonical layout of a .pdr file. Comments are kept;
// at most one blank line separates entries; output is idempotent.
#pragma once

#include <string>

#include "parse/ast.h"

namespace paydrc::format {

inline constexpr std::size_t kLineWidth = 100;

std::string format(const ast::File& file);

}  // namespace paydrc::format
