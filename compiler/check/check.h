// The check phase: AST -> IR. Validates the spec against the schema table and
// AWS's rules, reporting every error in one run.
#pragma once

#include <filesystem>
#include <optional>

#include "diagnostics/diagnostic.h"
#include "ir/ir.h"
#include "parse/ast.h"

namespace paydrc::check {

struct Options {
  ir::Date today;                      // for date-dependent checks
  std::filesystem::path spec_dir;      // directory of the spec (function sources are relative to it)
  std::filesystem::path project_root;  // sources must stay inside it
};

// Returns the IR when the spec has no errors.
std::optional<ir::System> check(const ast::File& file, const Options& options, diag::Sink& sink);

}  // namespace paydrc::check
