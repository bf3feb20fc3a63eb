// Writing a compile's files into a directory paydrc shares with others
// (`terraform init`'s .terraform/ and lock file, local state, a repository):
// paydrc only creates, replaces or removes files it wrote itself, recorded with
// their SHA-256 in the directory's manifest, and leaves everything else alone.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.h"

namespace paydrc::driver {

// The manifest inside the output directory: `sha256sum` format (hex digest,
// two spaces, file name; one line per file paydrc wrote), so
// `sha256sum -c .paydrc-files` tells whether anyone changed the output.
inline constexpr std::string_view kManifestName = ".paydrc-files";

// What a compile reads. The output directory may not hold any of them, nor be
// the spec's directory, nor lie inside a function source (it would be zipped).
struct Inputs {
  std::filesystem::path spec;
  std::vector<std::filesystem::path> function_sources;
};

struct WriteError {
  std::string message;
  std::string hint;
};

struct WriteResult {
  std::optional<WriteError> error;  // set: refused or failed; see `partial`
  bool partial = false;             // the failure came after some files were replaced
  std::vector<std::string> stale_removed;
  std::vector<std::string> unchanged;  // same bytes as before: left untouched
};

// Writes `files` into `dir`: checks everything first and refuses, changing
// nothing, when a file to replace or remove is not one paydrc wrote (absent
// from the manifest, or changed since); then writes every file to a temp file
// beside it, renames them all into place, removes the previous compile's files
// this one no longer produces, and updates the manifest.
WriteResult write_output(const std::filesystem::path& dir, const std::vector<backends::OutputFile>& files,
                         const Inputs& inputs);

}  // namespace paydrc::driver
