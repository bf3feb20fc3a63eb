// UTF-8 checks run before the lexer: ANTLR's decoder must only ever see valid
// text, and a bad byte gets a located error instead of an exception.
#pragma once

#include <string_view>

#include "diagnostics/diagnostic.h"

namespace paydrc::parse::utf8 {

// Reports every invalid sequence and disallowed control character (anything
// below U+0020 except tab, LF and CR, and DEL) with its line and column, up to
// a limit. Returns true when the text is clean.
bool validate(std::string_view text, diag::Sink& sink);

std::size_t count_code_points(std::string_view text);

}  // namespace paydrc::parse::utf8
