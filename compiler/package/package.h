// Lambda packaging: a function's source directory as a deterministic zip in memory
// (sorted entries, fixed timestamps and permissions), and the base64 SHA-256 of
// its bytes, which is what `filebase64sha256` gives and what Lambda reports as the
// function's CodeSha256.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// Zips (name, bytes) entries in the given order, with the same fixed timestamps,
// permissions and compression as zip_directory.
std::optional<std::string> zip_entries(const std::vector<std::pair<std::string, std::string>>& entries,
                                       ZipError& error);

std::string sha256_base64(std::string_view bytes);

// paydrc's own functions, from the sources under builtin/ compiled into the binary
// (cmake/embed.cmake). The key is what lowering looks up in LowerOptions::archives:
// "builtin/<directory>" (infra::kSecretRotationArchive).
struct EmbeddedFile {
  std::string_view path;  // secret_rotation/index.py
  std::string_view text;
};
const std::vector<EmbeddedFile>& embedded_files();

struct BuiltinArchive {
  std::string key;  // builtin/secret_rotation
  Archive archive;  // paydrc-secret-rotation.zip
};
// Every built-in function's archive, zipped once per process.
const std::vector<BuiltinArchive>& builtin_archives();

// Packages `fn`'s source, resolved against `spec_dir`, which must stay inside
// `project_root`; reports errors at the function's `source` attribute.
std::optional<Archive> package_function(const ir::Function& fn, const std::filesystem::path& spec_dir,
                                        const std::filesystem::path& project_root, diag::Sink& sink);

}  // namespace paydrc::package
