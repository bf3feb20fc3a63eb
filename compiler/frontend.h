// The front end in one call: read a spec, parse it, check it. Used by the
// driver, the golden runner and the backends' tests.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostics/diagnostic.h"
#include "ir/ir.h"
#include "parse/ast.h"
#include "support/source.h"

namespace paydrc::frontend {

struct Loaded {
  std::unique_ptr<SourceFile> source;  // null when the file could not be read
  std::string read_error;              // why, when it could not
  diag::Sink sink{""};
  std::optional<ast::File> ast;
  // The selected environment's system (all of them in `systems`), when the
  // spec has no errors and declares the selected environment or none.
  std::optional<ir::System> ir;
  std::vector<std::string> environments;  // declared in the spec; empty: none
  std::vector<ir::System> systems;        // each declared environment's, or the one system
  // Set when the spec declares environments and the selected one is not among
  // them: the driver reports it (a usage error, like a bad ENVIRONMENT_SUFFIX).
  std::optional<std::string> undeclared_environment;
};

// What a compile selects when nothing else does (ENVIRONMENT_SUFFIX unset, no --env).
inline constexpr std::string_view kDefaultEnvironment = "dev";

// Files larger than this are refused before parsing (a spec is a few KB).
inline constexpr std::uintmax_t kMaxSpecBytes = 64u * 1024 * 1024;

// Reads `path`, parses and (when `check` is set) checks it: the base and
// every declared environment; `ir` is the `environment`'s.
Loaded load(const std::string& path, bool check = true, std::string_view environment = kDefaultEnvironment);

// The project root for a spec: the nearest ancestor of its directory holding
// `.git`, else the spec's own directory.
std::filesystem::path project_root_for(const std::filesystem::path& spec_dir);

}  // namespace paydrc::frontend
