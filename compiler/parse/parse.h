// The parse phase: .pdr bytes -> ast::File. ANTLR is used here and nowhere else.
#pragma once

#include <optional>

#include "diagnostics/diagnostic.h"
#include "parse/ast.h"
#include "support/source.h"

namespace paydrc::parse {

// Limits that keep hostile input from exhausting the stack or the terminal.
inline constexpr int kMaxNesting = 64;
inline constexpr std::size_t kMaxSyntaxErrors = 20;

// Returns the tree, or nothing when the input is not valid UTF-8 or has syntax
// errors (all reported to `sink`).
std::optional<ast::File> parse(const SourceFile& source, diag::Sink& sink);

}  // namespace paydrc::parse
