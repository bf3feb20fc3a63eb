// Writing a compile's files: all of them or none, never a partial directory.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "backends/backend.h"

namespace paydrc::driver {

// Writes `files` into a fresh sibling temp directory and renames it to `dir`
// (replacing an earlier output). Returns an error message, or "" on success.
std::string write_output(const std::filesystem::path& dir, const std::vector<backends::OutputFile>& files);

}  // namespace paydrc::driver
