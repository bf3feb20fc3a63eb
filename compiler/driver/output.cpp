#include "driver/output.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <system_error>

namespace paydrc::driver {
namespace fs = std::filesystem;

namespace {

// File name -> the digests paydrc wrote under it. A name has two only in the
// manifest of a run that was interrupted while renaming (see write_output).
using Manifest = std::map<std::string, std::set<std::string>>;

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::optional<std::string> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return std::nullopt;
  return bytes;
}

// Output names are relative paths of plain components (`secondary/main.tf.json`):
// no `.` or `..`, nothing absolute, never the manifest. The directories they
// imply are created as needed and removed only when a stale file leaves one empty.
bool plain_component(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return false;
  return name.find_first_of(std::string_view("\\\n\r\0", 4)) == std::string_view::npos;
}

bool valid_name(std::string_view name) {
  if (name == kManifestName || name.starts_with(std::string(kManifestName) + "/")) return false;
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = name.find('/', start);
    if (!plain_component(name.substr(start, slash == std::string_view::npos ? slash : slash - start))) return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

// The directories between `dir` and the file `name`, outermost first.
std::vector<fs::path> parents_of(const fs::path& dir, const std::string& name) {
  std::vector<fs::path> out;
  fs::path p = dir;
  const fs::path relative(name);
  for (auto it = relative.begin(); it != relative.end(); ++it) {
    if (std::next(it) == relative.end()) break;
    p /= *it;
    out.push_back(p);
  }
  return out;
}

bool is_hex_digest(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Returns the 1-based number of the first malformed line, or 0.
std::size_t parse_manifest(const std::string& text, Manifest& manifest) {
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    ++line_number;
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    if (line.size() < 67 || !is_hex_digest(line.substr(0, 64)) || line.substr(64, 2) != "  ") return line_number;
    std::string name(line.substr(66));
    if (!valid_name(name)) return line_number;
    manifest[name].insert(std::string(line.substr(0, 64)));
  }
  return 0;
}

std::string render_manifest(const Manifest& manifest) {
  std::string text;
  for (const auto& [name, digests] : manifest) {
    for (const std::string& digest : digests) text += fmt::format("{}  {}\n", digest, name);
  }
  return text;
}

fs::path resolved(const fs::path& p, std::error_code& ec) {
  fs::path r = fs::weakly_canonical(fs::absolute(p, ec), ec).lexically_normal();
  if (!r.has_filename() && r.has_relative_path()) r = r.parent_path();  // "out/" -> "out"
  return r;
}

// Whether `inner` is `outer` or lies below it; both resolved.
bool within(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// A new file beside `target`, holding `bytes` and flushed to disk, so the
// rename that follows is the only step left. Its name starts with a dot and
// ends in `.tmp`; on failure nothing is left and `error` says why.
std::optional<fs::path> write_temp(const fs::path& target, std::string_view bytes, std::string& error) {
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    fs::path temp = target.parent_path() /
                    fmt::format(".{}.paydrc-{}-{:08x}.tmp", target.filename().string(), getpid(), rd());
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno == EEXIST) continue;
    if (fd < 0) {
      error = std::strerror(errno);
      return std::nullopt;
    }
    bool ok = write_all(fd, bytes) && ::fsync(fd) == 0;
    int saved = errno;
    if (::close(fd) != 0 && ok) {
      ok = false;
      saved = errno;
    }
    if (ok) return temp;
    error = std::strerror(saved);
    ::unlink(temp.c_str());
    return std::nullopt;
  }
  error = "no free temporary file name";
  return std::nullopt;
}

void sync_directory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

struct Planned {
  const backends::OutputFile* file;
  std::string digest;
  bool unchanged = false;
  fs::path temp;
};

}  // namespace

WriteResult write_output(const fs::path& dir_in, const std::vector<backends::OutputFile>& files, const Inputs& inputs) {
  WriteResult result;
  auto refuse = [&](std::string message, std::string hint = {}) {
    result.error = WriteError{std::move(message), std::move(hint)};
    return result;
  };
  auto shown = [&](std::string_view name) { return (dir_in / name).lexically_normal().string(); };
  const std::string own_dir_hint = "generated files belong in a directory of their own, e.g. `-o out/terraform`";

  // 1. Check everything; change nothing.
  std::error_code ec;
  const fs::path dir = resolved(dir_in, ec);
  if (ec) return refuse(fmt::format("cannot resolve the output directory `{}`: {}", dir_in.string(), ec.message()));
  const fs::file_status dir_status = fs::status(dir, ec);
  if (fs::exists(dir_status) && !fs::is_directory(dir_status)) {
    return refuse(fmt::format("the output directory `{}` exists and is not a directory", dir_in.string()),
                  "`-o` names a directory for the generated files; " + own_dir_hint);
  }
  const fs::path spec = resolved(inputs.spec, ec);
  if (within(spec, dir)) {
    return refuse(
        fmt::format("refusing to write into `{}`: it holds the spec `{}`", dir_in.string(), inputs.spec.string()),
        own_dir_hint);
  }
  for (const fs::path& source_in : inputs.function_sources) {
    const fs::path source = resolved(source_in, ec);
    const std::string source_shown = fs::proximate(source, ec).string();
    if (within(source, dir)) {
      return refuse(
          fmt::format("refusing to write into `{}`: it holds the function source `{}`", dir_in.string(), source_shown),
          own_dir_hint);
    }
    if (within(dir, source)) {
      return refuse(fmt::format("refusing to write into `{}`: it is inside the function source `{}`, which paydrc "
                                "zips into the output",
                                dir_in.string(), source_shown),
                    own_dir_hint);
    }
  }

  const fs::path manifest_path = dir / kManifestName;
  const std::string manifest_shown = shown(kManifestName);
  Manifest previous;
  const fs::file_status manifest_status = fs::symlink_status(manifest_path, ec);
  const bool has_manifest = fs::exists(manifest_status);
  if (has_manifest) {
    std::optional<std::string> text;
    if (fs::is_regular_file(manifest_status)) text = read_bytes(manifest_path);
    if (!text) return refuse(fmt::format("cannot read paydrc's manifest `{}`", manifest_shown));
    if (std::size_t bad = parse_manifest(*text, previous); bad != 0) {
      return refuse(fmt::format("`{}` is not a paydrc manifest (line {})", manifest_shown, bad),
                    fmt::format("it lists the files paydrc wrote here, as `sha256sum` would; restore it, or move "
                                "the generated files and `{}` away and compile again",
                                kManifestName));
    }
  }
  // Whether the file at `path` is one paydrc wrote as `name`: a regular file
  // whose digest the manifest records. Sets `digest` to what is there now.
  auto ours = [&](const std::string& name, const fs::path& path, std::string& digest) {
    auto listed = previous.find(name);
    if (listed == previous.end()) return false;
    std::optional<std::string> bytes = read_bytes(path);
    if (!bytes) return false;
    digest = sha256_hex(*bytes);
    return listed->second.count(digest) != 0;
  };

  std::vector<Planned> planned;
  std::set<std::string> names;
  for (const backends::OutputFile& f : files) {
    if (!valid_name(f.name) || !names.insert(f.name).second) {
      return refuse(
          fmt::format("internal error: the backend produced the output name `{}` twice or as a path", f.name));
    }
    // Every directory on the way must be a real directory (a symbolic link
    // would take the file out of `dir`) or absent (created in step 2).
    for (const fs::path& parent : parents_of(dir, f.name)) {
      const fs::file_status ps = fs::symlink_status(parent, ec);
      if (fs::exists(ps) && !fs::is_directory(ps)) {
        return refuse(fmt::format("`{}` exists and is not a directory paydrc can write `{}` into",
                                  shown(parent.lexically_relative(dir).string()), f.name),
                      "move it away, or choose another output directory with `-o`");
      }
    }
    Planned p{&f, sha256_hex(f.bytes), false, {}};
    const fs::path target = dir / f.name;
    const fs::file_status s = fs::symlink_status(target, ec);
    if (fs::exists(s)) {
      std::string current;
      if (!fs::is_regular_file(s) || previous.count(f.name) == 0) {
        return refuse(fmt::format("`{}` exists and paydrc did not write it (it is not listed in `{}`)", shown(f.name),
                                  manifest_shown),
                      has_manifest
                          ? "paydrc never replaces a file it did not write: move it away, or choose another output "
                            "directory with `-o`"
                          : "paydrc never replaces a file it did not write: move it away, or choose another output "
                            "directory with `-o`; output written by a paydrc without manifests has to be removed once "
                            "by hand");
      }
      if (!ours(f.name, target, current)) {
        return refuse(fmt::format("`{}` was changed since paydrc wrote it", shown(f.name)),
                      fmt::format("paydrc does not overwrite edits: move the file away or restore it (`sha256sum -c "
                                  "{}` in that directory lists what changed), then compile again",
                                  kManifestName));
      }
      p.unchanged = current == p.digest;
    }
    planned.push_back(std::move(p));
  }

  std::vector<std::string> stale;
  for (const auto& entry : previous) {
    const std::string& name = entry.first;
    if (names.count(name) != 0) continue;
    const fs::path target = dir / name;
    const fs::file_status s = fs::symlink_status(target, ec);
    if (!fs::exists(s)) continue;
    std::string current;
    if (!fs::is_regular_file(s) || !ours(name, target, current)) {
      return refuse(fmt::format("`{}` was written by an earlier compile and changed since; this compile no longer "
                                "produces it",
                                shown(name)),
                    "paydrc removes only its own unchanged files: delete or move it yourself, then compile again");
    }
    stale.push_back(name);
  }

  // 2. Write every file to a temp file beside its target. On failure remove the
  // temp files and the directories this run created: nothing has changed.
  std::vector<fs::path> created_dirs;  // innermost first
  for (fs::path p = dir; !fs::exists(p, ec) && p.has_relative_path(); p = p.parent_path()) created_dirs.push_back(p);
  std::vector<fs::path> temps;
  auto undo = [&]() {
    for (const fs::path& t : temps) ::unlink(t.c_str());
    std::error_code ignored;
    for (const fs::path& d : created_dirs) fs::remove(d, ignored);  // only removes an empty directory
  };
  fs::create_directories(dir, ec);
  if (ec) {
    undo();
    return refuse(fmt::format("cannot create the output directory `{}`: {}", dir_in.string(), ec.message()));
  }
  for (const Planned& p : planned) {
    for (const fs::path& parent : parents_of(dir, p.file->name)) {
      if (fs::exists(parent, ec)) continue;
      fs::create_directory(parent, ec);
      if (ec) {
        undo();
        return refuse(fmt::format("cannot create the directory `{}`: {}", shown(parent.lexically_relative(dir).string()),
                                  ec.message()));
      }
      created_dirs.insert(created_dirs.begin(), parent);
    }
  }
  Manifest next;
  for (const Planned& p : planned) next[p.file->name].insert(p.digest);
  // Until the last step the manifest lists the old and the new digests, so
  // whatever point an interruption stops the renames at, every file in the
  // directory is still recognised as paydrc's by the next run.
  Manifest during = previous;
  for (const auto& [name, digests] : next) during[name].insert(digests.begin(), digests.end());

  std::string error;
  for (Planned& p : planned) {
    if (p.unchanged) continue;
    std::optional<fs::path> temp = write_temp(dir / p.file->name, p.file->bytes, error);
    if (!temp) {
      undo();
      return refuse(fmt::format("cannot write `{}`: {}; nothing was changed", shown(p.file->name), error));
    }
    temps.push_back(p.temp = *temp);
  }
  std::optional<fs::path> during_temp = write_temp(manifest_path, render_manifest(during), error);
  if (!during_temp) {
    undo();
    return refuse(fmt::format("cannot write `{}`: {}; nothing was changed", manifest_shown, error));
  }
  temps.push_back(*during_temp);

  // 3. Rename into place, remove the stale files, then record exactly this run.
  fs::rename(*during_temp, manifest_path, ec);
  if (ec) {
    undo();
    return refuse(fmt::format("cannot replace `{}`: {}; nothing was changed", manifest_shown, ec.message()));
  }
  temps.pop_back();
  created_dirs.clear();  // the directory now holds the manifest
  for (std::size_t i = 0; i < planned.size(); ++i) {
    Planned& p = planned[i];
    if (p.unchanged) {
      result.unchanged.push_back(p.file->name);
      continue;
    }
    fs::rename(p.temp, dir / p.file->name, ec);
    if (ec) {
      undo();
      result.partial = true;
      return refuse(fmt::format("cannot replace `{}`: {}", shown(p.file->name), ec.message()),
                    fmt::format("the directory holds some files of this compile and some of the previous one, all "
                                "listed in `{}`; fix the cause and compile again",
                                kManifestName));
    }
    std::erase(temps, p.temp);
  }
  std::vector<std::string> kept;
  for (const std::string& name : stale) {
    if (fs::remove(dir / name, ec) && !ec) {
      result.stale_removed.push_back(name);
      // A directory only this file kept goes too; one holding anything else
      // (terraform's .terraform/, local state) stays: rmdir removes only empty ones.
      const std::vector<fs::path> parents = parents_of(dir, name);
      for (auto it = parents.rbegin(); it != parents.rend(); ++it) {
        if (::rmdir(it->c_str()) != 0) break;
      }
    } else {
      kept.push_back(name);
      next[name] = previous[name];  // still paydrc's: the next run tries again
    }
  }
  std::optional<fs::path> final_temp = write_temp(manifest_path, render_manifest(next), error);
  if (final_temp) fs::rename(*final_temp, manifest_path, ec);
  if (!final_temp || ec) {
    if (final_temp) ::unlink(final_temp->c_str());
    result.partial = true;
    return refuse(fmt::format("cannot update `{}`: {}", manifest_shown, final_temp ? ec.message() : error),
                  "every file is in place; compile again to record it");
  }
  std::set<fs::path> written_dirs;
  for (const Planned& p : planned) written_dirs.insert((dir / p.file->name).parent_path());
  for (const fs::path& d : written_dirs) sync_directory(d);
  if (!kept.empty()) {
    result.partial = true;
    return refuse(fmt::format("cannot remove `{}`, which the previous compile wrote", shown(kept.front())),
                  fmt::format("it stays listed in `{}`; remove it yourself or compile again", kManifestName));
  }
  return result;
}

}  // namespace paydrc::driver
