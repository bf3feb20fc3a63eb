// Packaging: entries, skipped files, fixed metadata, determinism across time
// zones, and sources that leave the project.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <zip.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>

#include "package/package.h"

namespace fs = std::filesystem;
using namespace paydrc;

namespace {

struct TempTree {
  fs::path root;
  TempTree() {
    std::random_device rd;
    root = fs::temp_directory_path() / ("paydrc-package-test-" + std::to_string(rd()));
    fs::create_directories(root / "project/lambda/pkg/__pycache__");
    fs::create_directories(root / "outside");
    write("project/lambda/index.py", "def handler(event, context):\n    return {}\n");
    write("project/lambda/pkg/util.py", "X = 1\n");
    write("project/lambda/pkg/util.pyc", "compiled");
    write("project/lambda/pkg/__pycache__/util.cpython-312.pyc", "compiled");
    write("project/lambda/.env", "SECRET=1");
    write("outside/secret.txt", "secret");
  }
  ~TempTree() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  void write(const std::string& relative, const std::string& text) const {
    std::ofstream(root / relative, std::ios::binary) << text;
  }
};

struct Entry {
  std::string name;
  zip_uint32_t attributes;
  zip_uint16_t dos_date;
};

std::vector<Entry> entries(const std::string& bytes) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &err);
  zip_t* z = zip_open_from_source(src, ZIP_RDONLY, &err);
  REQUIRE(z != nullptr);
  std::vector<Entry> out;
  for (zip_int64_t i = 0; i < zip_get_num_entries(z, 0); ++i) {
    zip_uint8_t opsys = 0;
    zip_uint32_t attributes = 0;
    zip_file_get_external_attributes(z, static_cast<zip_uint64_t>(i), 0, &opsys, &attributes);
    zip_stat_t st;
    zip_stat_index(z, static_cast<zip_uint64_t>(i), 0, &st);
    // The raw DOS date is not exposed; 1980-01-01 local midnight is what mtime decodes to.
    std::tm tm{};
    const std::time_t t = st.mtime;
    localtime_r(&t, &tm);
    out.push_back({zip_get_name(z, static_cast<zip_uint64_t>(i), 0), attributes >> 16,
                   static_cast<zip_uint16_t>(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday)});
  }
  zip_close(z);
  return out;
}

}  // namespace

TEST_CASE("zips sorted entries with fixed times and 0644, skipping caches and dotfiles") {
  TempTree tree;
  package::ZipError error;
  auto bytes = package::zip_directory(tree.root / "project/lambda", tree.root / "project", error);
  INFO(error.message);
  REQUIRE(bytes);
  const auto list = entries(*bytes);
  REQUIRE(list.size() == 2);
  CHECK(list[0].name == "index.py");
  CHECK(list[1].name == "pkg/util.py");
  for (const Entry& e : list) {
    CHECK(e.attributes == 0100644);
    CHECK(e.dos_date == ((0 << 9) | (1 << 5) | 1));
  }
}

TEST_CASE("the same tree gives the same bytes in any time zone") {
  TempTree tree;
  package::ZipError error;
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  auto a = package::zip_directory(tree.root / "project/lambda", tree.root / "project", error);
  ::setenv("TZ", "Pacific/Kiritimati", 1);
  ::tzset();
  auto b = package::zip_directory(tree.root / "project/lambda", tree.root / "project", error);
  ::unsetenv("TZ");
  ::tzset();
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*a == *b);
  CHECK(package::sha256_base64(*a) == package::sha256_base64(*b));
}

TEST_CASE("sha256_base64 is what filebase64sha256 gives") {
  CHECK(package::sha256_base64("") == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  CHECK(package::sha256_base64("abc") == "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
}

TEST_CASE("a source outside the project is an error, also through a symbolic link") {
  TempTree tree;
  package::ZipError error;
  CHECK_FALSE(package::zip_directory(tree.root / "outside", tree.root / "project", error));
  CHECK(error.outside_root);

  fs::create_symlink(tree.root / "outside/secret.txt", tree.root / "project/lambda/leak.txt");
  error = {};
  CHECK_FALSE(package::zip_directory(tree.root / "project/lambda", tree.root / "project", error));
  CHECK(error.outside_root);
}

TEST_CASE("package_function reports at the function's source attribute") {
  TempTree tree;
  ir::Function fn;
  fn.name = "processor";
  fn.source = "../outside";
  fn.origin.attributes["source"] = SourceRange{{7, 5}, {7, 27}};
  diag::Sink sink("spec.pdr");
  CHECK_FALSE(package::package_function(fn, tree.root / "project", tree.root / "project", sink));
  REQUIRE(sink.diagnostics().size() == 1);
  CHECK(sink.diagnostics()[0].id == "source-outside-project");
  CHECK(sink.diagnostics()[0].range.begin.line == 7);

  fn.source = "lambda";
  diag::Sink ok("spec.pdr");
  auto archive = package::package_function(fn, tree.root / "project", tree.root / "project", ok);
  REQUIRE(archive);
  CHECK(archive->file_name == "processor.zip");
  CHECK(archive->sha256_base64 == package::sha256_base64(archive->bytes));
}
