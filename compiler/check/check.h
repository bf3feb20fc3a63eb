// The check phase: AST -> IR. Validates the spec against the schema table and
// AWS's rules, reporting every error in one run.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "diagnostics/diagnostic.h"
#include "ir/ir.h"
#include "parse/ast.h"

namespace paydrc::check {

struct Options {
  ir::Date today;                      // for date-dependent checks
  std::filesystem::path spec_dir;      // directory of the spec (function sources are relative to it)
  std::filesystem::path project_root;  // sources must stay inside it
  std::string environment;             // check(): the environment to return ("" when the spec declares none)
  std::vector<std::string> environments;  // set by check_all(): the declared ones, for waivers to name
};

// Every configuration of a spec: one system per declared environment (its
// overrides applied), or the one system when it declares none.
struct Checked {
  std::vector<std::string> environments;  // declared, in source order
  std::vector<ir::System> systems;
};

// Checks the base and every environment, reporting each error once (a note
// names the environments an error is only found in). Nothing when there are errors.
std::optional<Checked> check_all(const ast::File& file, const Options& options, diag::Sink& sink);

// The system of `options.environment` when the spec has no errors and
// declares it; with no environment selected, the first (or only) one.
std::optional<ir::System> check(const ast::File& file, const Options& options, diag::Sink& sink);

}  // namespace paydrc::check
