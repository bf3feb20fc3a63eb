// Lambda packaging: a function's source directory as a deterministic zip in memory
// (sorted entries, fixed timestamps and permissions), and the base64 SHA-256 of
// its bytes, which is what `filebase64sha256` gives and what Lambda reports as the
// function's CodeSha256.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "diagnostics/diagnostic.h"
#include "ir/ir.h"

namespace paydrc::package {

struct Archive {
  std::string file_name;  // processor.zip
  std::string bytes;
  std::string sha256_base64;
};

struct ZipError {
  bool outside_root = false;  // else the directory could not be read or zipped
  std::string message;
};

// Zips every regular file below `dir` except `__pycache__` directories, `*.pyc`
// and dotfiles. Returns nothing and sets `error` when the directory cannot be read
// or it, a file in it or a symbolic link's target lies outside `root`.
std::optional<std::string> zip_directory(const std::filesystem::path& dir, const std::filesystem::path& root,
                                         ZipError& error);

std::string sha256_base64(std::string_view bytes);

// Packages `fn`'s source, resolved against `spec_dir`, which must stay inside
// `project_root`; reports errors at the function's `source` attribute.
std::optional<Archive> package_function(const ir::Function& fn, const std::filesystem::path& spec_dir,
                                        const std::filesystem::path& project_root, diag::Sink& sink);

}  // namespace paydrc::package
