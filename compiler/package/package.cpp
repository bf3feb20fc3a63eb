#include "package/package.h"

#include <openssl/evp.h>
#include <zip.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <stdexcept>
#include <memory>
#include <sstream>
#include <vector>

#include <fmt/format.h>

namespace paydrc::package {
namespace fs = std::filesystem;

namespace {

// 1980-01-01 00:00:00, the earliest time a zip entry can hold, in MS-DOS format:
// set directly, because zip_file_set_mtime converts through the local time zone.
constexpr zip_uint16_t kDosTime = 0;
constexpr zip_uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;
constexpr zip_uint32_t kRegularFile0644 = 0100644;

bool skipped(const fs::path& relative) {
  for (const fs::path& part : relative) {
    const std::string name = part.string();
    if (name == "__pycache__" || (!name.empty() && name.front() == '.')) return true;
  }
  return relative.extension() == ".pyc";
}

bool inside(const fs::path& path, const fs::path& root) {
  auto [r, p] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return r == root.end();
}

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct SourceFree {
  void operator()(zip_source_t* s) const { zip_source_free(s); }
};

}  // namespace

std::optional<std::string> zip_directory(const fs::path& dir, const fs::path& root, ZipError& error) {
  std::error_code ec;
  const fs::path canonical_root = fs::weakly_canonical(root, ec);
  // Messages name paths relative to the project, never as this machine spells them.
  auto shown = [&](const fs::path& p) {
    fs::path rel = fs::weakly_canonical(p, ec).lexically_relative(canonical_root);
    return rel.empty() ? p.filename().generic_string() : rel.generic_string();
  };
  if (!inside(fs::weakly_canonical(dir, ec), canonical_root)) {
    error = {true, fmt::format("`{}` is outside the project directory", shown(dir))};
    return std::nullopt;
  }
  const fs::path canonical_dir = fs::canonical(dir, ec);
  if (ec || !fs::is_directory(canonical_dir)) {
    error.message = fmt::format("cannot read directory `{}`", shown(dir));
    return std::nullopt;
  }

  // Entry names relative to the directory, '/'-separated, in byte order.
  std::vector<std::pair<std::string, fs::path>> files;
  for (auto it = fs::recursive_directory_iterator(canonical_dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const fs::path relative = it->path().lexically_relative(canonical_dir);
    if (skipped(relative)) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file()) continue;
    const fs::path target = fs::canonical(it->path(), ec);
    if (ec || !inside(target, canonical_root)) {
      error = {true, fmt::format("`{}` leads outside the project directory", shown(it->path()))};
      return std::nullopt;
    }
    files.emplace_back(relative.generic_string(), target);
  }
  if (ec) {
    error.message = fmt::format("cannot read directory `{}`: {}", shown(dir), ec.message());
    return std::nullopt;
  }
  std::sort(files.begin(), files.end());

  std::vector<std::pair<std::string, std::string>> entries;
  entries.reserve(files.size());
  for (const auto& [name, path] : files) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream data;
    data << in.rdbuf();
    if (!in) {
      error.message = fmt::format("cannot read `{}`", shown(path));
      return std::nullopt;
    }
    entries.emplace_back(name, data.str());
  }
  return zip_entries(entries, error);
}

std::optional<std::string> zip_entries(const std::vector<std::pair<std::string, std::string>>& entries,
                                       ZipError& error) {
  zip_error_t zerr;
  zip_error_init(&zerr);
  std::unique_ptr<zip_source_t, SourceFree> buffer(zip_source_buffer_create(nullptr, 0, 0, &zerr));
  if (!buffer) {
    error.message = "cannot create the zip buffer";
    return std::nullopt;
  }
  std::unique_ptr<zip_t, ZipCloser> archive(zip_open_from_source(buffer.get(), ZIP_TRUNCATE, &zerr));
  if (!archive) {
    error.message = "cannot open the zip buffer";
    return std::nullopt;
  }
  zip_source_keep(buffer.get());  // the archive now holds a reference; we read it after closing

  for (const auto& [name, bytes] : entries) {
    zip_source_t* source = zip_source_buffer(archive.get(), bytes.data(), bytes.size(), 0);
    const zip_int64_t index = source ? zip_file_add(archive.get(), name.c_str(), source, ZIP_FL_ENC_UTF_8) : -1;
    if (index < 0) {
      if (source) zip_source_free(source);
      error.message = fmt::format("cannot add `{}` to the zip: {}", name, zip_strerror(archive.get()));
      return std::nullopt;
    }
    const auto i = static_cast<zip_uint64_t>(index);
    if (zip_file_set_dostime(archive.get(), i, kDosTime, kDosDate, 0) != 0 ||
        zip_file_set_external_attributes(archive.get(), i, 0, ZIP_OPSYS_UNIX, kRegularFile0644 << 16) != 0 ||
        zip_set_file_compression(archive.get(), i, ZIP_CM_DEFLATE, 9) != 0) {
      error.message = fmt::format("cannot set the attributes of `{}`: {}", name, zip_strerror(archive.get()));
      return std::nullopt;
    }
  }
  if (zip_close(archive.get()) != 0) {
    error.message = fmt::format("cannot write the zip: {}", zip_strerror(archive.get()));
    return std::nullopt;
  }
  archive.release();  // zip_close freed it

  zip_stat_t st;
  if (zip_source_open(buffer.get()) != 0 || zip_source_stat(buffer.get(), &st) != 0) {
    error.message = "cannot read the zip back";
    return std::nullopt;
  }
  std::string bytes(static_cast<std::size_t>(st.size), '\0');
  const zip_int64_t read = zip_source_read(buffer.get(), bytes.data(), st.size);
  zip_source_close(buffer.get());
  if (read < 0 || static_cast<zip_uint64_t>(read) != st.size) {
    error.message = "cannot read the zip back";
    return std::nullopt;
  }
  return bytes;
}

std::string sha256_base64(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  std::string out(4 * ((length + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest, static_cast<int>(length));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::optional<Archive> package_function(const ir::Function& fn, const fs::path& spec_dir, const fs::path& project_root,
                                        diag::Sink& sink) {
  const fs::path dir = (spec_dir / fn.source).lexically_normal();
  ZipError error;
  std::optional<std::string> bytes = zip_directory(dir, project_root, error);
  if (!bytes) {
    sink.report(error.outside_root ? diag::Kind::SourceOutsideProject : diag::Kind::PackageFailed,
                fn.origin.at("source"), fmt::format("cannot package function `{}`: {}", fn.name, error.message));
    return std::nullopt;
  }
  Archive archive;
  archive.file_name = fn.name + ".zip";
  archive.sha256_base64 = sha256_base64(*bytes);
  archive.bytes = std::move(*bytes);
  return archive;
}

const std::vector<BuiltinArchive>& builtin_archives() {
  static const std::vector<BuiltinArchive> archives = [] {
    // builtin/<function>/<file>: one archive per directory, its files in byte order.
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> by_function;
    for (const EmbeddedFile& f : embedded_files()) {
      const std::size_t slash = f.path.find('/');
      by_function[std::string(f.path.substr(0, slash))].emplace_back(std::string(f.path.substr(slash + 1)),
                                                                   std::string(f.text));
    }
    std::vector<BuiltinArchive> out;
    for (auto& [function, entries] : by_function) {
      std::sort(entries.begin(), entries.end());
      ZipError error;
      std::optional<std::string> bytes = zip_entries(entries, error);
      if (!bytes) throw std::runtime_error("cannot zip the built-in function " + function + ": " + error.message);
      BuiltinArchive b;
      b.key = "builtin/" + function;
      std::string file = function;
      std::replace(file.begin(), file.end(), '_', '-');
      b.archive.file_name = "paydrc-" + file + ".zip";
      b.archive.sha256_base64 = sha256_base64(*bytes);
      b.archive.bytes = std::move(*bytes);
      out.push_back(std::move(b));
    }
    return out;
  }();
  return archives;
}

}  // namespace paydrc::package
