// The front end in one call: read a spec, parse it, check it. Used by the
// driver, the golden runner and the backends' tests.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

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
  std::optional<ir::System> ir;
};

// Files larger than this are refused before parsing (a spec is a few KB).
inline constexpr std::uintmax_t kMaxSpecBytes = 64u * 1024 * 1024;

// Reads `path`, parses and (when `check` is set) checks it.
Loaded load(const std::string& path, bool check = true);

// The project root for a spec: the nearest ancestor of its directory holding
// `.git`, else the spec's own directory.
std::filesystem::path project_root_for(const std::filesystem::path& spec_dir);

}  // namespace paydrc::frontend
