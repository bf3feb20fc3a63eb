// The golden runner: every golden/*.pdr is checked and its output compared with
// the expectation beside it — `<name>.diag` (the text diagnostics) for `fail_`
// cases, which must have errors, and `<name>.ir` (the IR dump) for the others,
// which must not. `--update` rewrites every expectation, so a reviewer reads
// changes as a git diff. `--coverage` fails when a diagnostic kind has no
// failing case; `--reference` compares docs/language.md with the schema table.
//
// Run from the repository root (ctest does). "Today" is pinned through
// SOURCE_DATE_EPOCH so date-dependent checks give the same answer every day.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "check/reference_doc.h"
#include "diagnostics/render.h"
#include "frontend.h"
#include "ir/dump.h"

namespace fs = std::filesystem;
using namespace paydrc;

namespace {

constexpr const char* kPinnedToday = "1795478400";  // 2026-11-24T00:00:00Z

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

std::vector<fs::path> golden_specs(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".pdr") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string diagnostics_text(const frontend::Loaded& loaded) {
  std::ostringstream out;
  diag::FileMap files;
  if (loaded.source) files[loaded.source->path()] = loaded.source.get();
  for (const auto& d : loaded.sink.diagnostics()) diag::render_text(out, d, files, {false});
  return out.str();
}

bool compare_or_update(const fs::path& expected_path, const std::string& actual, bool update, int& failures) {
  if (update) {
    if (!fs::exists(expected_path) || read_file(expected_path) != actual) {
      write_file(expected_path, actual);
      std::cout << "updated " << expected_path.generic_string() << '\n';
    }
    return true;
  }
  if (!fs::exists(expected_path)) {
    std::cout << "FAIL " << expected_path.generic_string() << ": missing (run with --update)\n";
    ++failures;
    return false;
  }
  std::string expected = read_file(expected_path);
  if (expected != actual) {
    std::cout << "FAIL " << expected_path.generic_string() << ": output differs\n--- expected\n"
              << expected << "--- actual\n"
              << actual << "---\n";
    ++failures;
    return false;
  }
  return true;
}

int run_goldens(bool update) {
  int failures = 0;
  int cases = 0;
  for (const fs::path& spec : golden_specs("golden")) {
    ++cases;
    std::string name = spec.stem().string();
    bool expect_errors = name.starts_with("fail_");
    std::string rel = spec.generic_string();
    frontend::Loaded loaded = frontend::load(rel);
    bool has_errors = !loaded.source || loaded.sink.has_errors();
    if (has_errors != expect_errors) {
      std::cout << "FAIL " << rel << ": " << (expect_errors ? "expected errors, got none" : "unexpected errors:\n")
                << diagnostics_text(loaded) << '\n';
      ++failures;
      continue;
    }
    fs::path expected = spec;
    if (expect_errors) {
      compare_or_update(expected.replace_extension(".diag"), diagnostics_text(loaded), update, failures);
    } else {
      compare_or_update(expected.replace_extension(".ir"), dump::ir_text(*loaded.ir), update, failures);
    }
  }
  // Expectations whose spec is gone would silently rot.
  for (const auto& e : fs::directory_iterator("golden")) {
    auto ext = e.path().extension();
    if ((ext == ".diag" || ext == ".ir") && !fs::exists(fs::path(e.path()).replace_extension(".pdr"))) {
      std::cout << "FAIL " << e.path().generic_string() << ": no matching .pdr\n";
      ++failures;
    }
  }
  std::cout << cases << " golden cases, " << failures << " failures\n";
  return failures == 0 ? 0 : 1;
}

int run_coverage() {
  std::set<std::string> seen;
  for (const fs::path& spec : golden_specs("golden")) {
    if (!spec.stem().string().starts_with("fail_")) continue;
    std::string text = read_file(fs::path(spec).replace_extension(".diag"));
    for (std::size_t pos = text.find(" ["); pos != std::string::npos; pos = text.find(" [", pos + 2)) {
      std::size_t end = text.find("]\n", pos);
      if (end != std::string::npos) seen.insert(text.substr(pos + 2, end - pos - 2));
    }
  }
  int missing = 0;
  for (const auto& k : diag::all_kinds()) {
    if (!seen.contains(std::string(k.id))) {
      std::cout << "FAIL diagnostic `" << k.id << "` has no failing golden case (golden/fail_*.pdr)\n";
      ++missing;
    }
  }
  std::cout << diag::all_kinds().size() << " diagnostic kinds, " << missing << " without a golden case\n";
  return missing == 0 ? 0 : 1;
}

int run_reference(bool update) {
  int failures = 0;
  compare_or_update("docs/language.md", check::language_reference(), update, failures);
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  setenv("SOURCE_DATE_EPOCH", kPinnedToday, 1);
  std::vector<std::string> args(argv + 1, argv + argc);
  bool update = std::find(args.begin(), args.end(), "--update") != args.end() ||
                (std::getenv("PAYDRC_UPDATE_GOLDENS") != nullptr && std::string(std::getenv("PAYDRC_UPDATE_GOLDENS")) == "1");
  if (std::find(args.begin(), args.end(), "--coverage") != args.end()) return run_coverage();
  if (std::find(args.begin(), args.end(), "--reference") != args.end()) return run_reference(update);
  int status = run_goldens(update);
  if (update) {
    run_reference(true);
    return 0;
  }
  return status;
}
