#include "driver/output.h"

#include <unistd.h>

#include <fmt/format.h>

#include <fstream>
#include <random>
#include <system_error>

namespace paydrc::driver {
namespace fs = std::filesystem;

namespace {

fs::path unique_sibling(const fs::path& dir, std::string_view tag) {
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    fs::path candidate = dir;
    candidate += fmt::format(".{}-{}-{:08x}", tag, getpid(), rd());
    std::error_code ec;
    if (!fs::exists(candidate, ec)) return candidate;
  }
  return {};
}

bool safe_relative(const std::string& name) {
  fs::path p(name);
  if (name.empty() || p.is_absolute()) return false;
  for (const auto& part : p) {
    if (part == ".." || part == ".") return false;
  }
  return true;
}

}  // namespace

std::string write_output(const fs::path& dir_in, const std::vector<backends::OutputFile>& files) {
  std::error_code ec;
  fs::path dir = fs::absolute(dir_in, ec).lexically_normal();
  if (ec) return fmt::format("cannot resolve `{}`: {}", dir_in.string(), ec.message());
  if (dir.has_filename() == false) dir = dir.parent_path();
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    return fmt::format("`{}` exists and is not a directory", dir_in.string());
  }
  fs::create_directories(dir.parent_path(), ec);
  if (ec) return fmt::format("cannot create `{}`: {}", dir.parent_path().string(), ec.message());

  fs::path temp = unique_sibling(dir, "tmp");
  if (temp.empty() || !fs::create_directory(temp, ec) || ec) {
    return fmt::format("cannot create a temporary directory beside `{}`", dir_in.string());
  }
  auto fail = [&](std::string message) {
    std::error_code ignored;
    fs::remove_all(temp, ignored);
    return message;
  };
  for (const backends::OutputFile& f : files) {
    if (!safe_relative(f.name)) return fail(fmt::format("internal error: unsafe output name `{}`", f.name));
    fs::path target = temp / f.name;
    fs::create_directories(target.parent_path(), ec);
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out.write(f.bytes.data(), static_cast<std::streamsize>(f.bytes.size()));
    out.close();
    if (!out) return fail(fmt::format("cannot write `{}`", (dir_in / f.name).string()));
  }
  fs::path old;
  if (fs::exists(dir, ec)) {
    old = unique_sibling(dir, "old");
    fs::rename(dir, old, ec);
    if (ec) return fail(fmt::format("cannot replace `{}`: {}", dir_in.string(), ec.message()));
  }
  fs::rename(temp, dir, ec);
  if (ec) {
    std::error_code ignored;
    if (!old.empty()) fs::rename(old, dir, ignored);
    return fail(fmt::format("cannot move the output into `{}`: {}", dir_in.string(), ec.message()));
  }
  if (!old.empty()) fs::remove_all(old, ec);
  return {};
}

}  // namespace paydrc::driver
