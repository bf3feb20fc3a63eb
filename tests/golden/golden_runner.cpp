// The golden runner. Three sets of cases, each input beside its expectation:
//  - golden/*.pdr: the front end. `fail_` cases must have errors and expect
//    `<name>.diag` (the text diagnostics); the others expect `<name>.ir`.
//  - golden/compile/*.pdr: a whole compile to Terraform, in memory, after the
//    model-level validation (compiler/validate); golden/compile/cloudformation/
//    compiles to CloudFormation. Every case expects `<name>.diag` (what the
//    validation and the backend report; a passing case may show warnings), and
//    `fail_` cases must have errors.
//  - golden/policies/<RULE-ID>/{pass,fail}*.pdr: `paydrc check` with the
//    spec's packs; expect `<name>.findings`. A `fail` case must raise the
//    directory's rule, a `pass` case must not raise it unwaived.
// `--update` rewrites every expectation, so a reviewer reads changes as a git
// diff. `--coverage` fails when a diagnostic kind has no failing case or a rule
// lacks a passing and a failing case; `--reference` compares docs/language.md
// with the schema table.
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

#include "backends/backend.h"
#include "check/reference_doc.h"
#include "check/values.h"
#include "diagnostics/render.h"
#include "engine/engine.h"
#include "engine/environments.h"
#include "frontend.h"
#include "ir/dump.h"
#include "lower/lower.h"
#include "validate/validate.h"

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
      // A spec with environments: each environment's IR, overrides applied.
      std::string irs;
      for (const ir::System& system : loaded.systems) irs += dump::ir_text(system);
      compare_or_update(expected.replace_extension(".ir"), irs, update, failures);
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

std::string render(const std::vector<diag::Diagnostic>& diags, const diag::FileMap& files) {
  std::ostringstream out;
  for (const auto& d : diags) diag::render_text(out, d, files, {false});
  return out.str();
}

std::vector<fs::path> specs_under(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".pdr") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct PolicyRun {
  std::string text;
  std::set<std::string> raised;     // rule ids raised and not waived
  std::set<std::string> mentioned;  // every id in the output, waived or not
  bool front_end_ok = false;
};

// The day policy goldens are judged on, so a waiver's expiry or a runtime's
// deprecation window gives the same bytes on any day (`paydrc check` uses today).
constexpr ir::Date kPolicyGoldenToday{2026, 12, 1};

PolicyRun run_policy_case(const std::string& rel) {
  PolicyRun out;
  frontend::Loaded loaded = frontend::load(rel);
  diag::FileMap files;
  if (loaded.source) files[loaded.source->path()] = loaded.source.get();
  std::vector<diag::Diagnostic> shown = loaded.sink.diagnostics();
  policies::Report report;
  if (!loaded.systems.empty()) {
    // As `paydrc check` does: every environment judged, findings merged.
    out.front_end_ok = true;
    diag::Sink pack_sink(rel);
    policies::RunOptions options{fs::path(rel).parent_path().string(), kPolicyGoldenToday, {}};
    report = policies::run_each(loaded.systems, options, pack_sink);
    for (const auto& src : report.pack_sources) files[src->path()] = src.get();
    for (const auto& d : pack_sink.diagnostics()) shown.push_back(d);
    for (const policies::Finding& f : report.findings) {
      if (!f.waived) out.raised.insert(f.diagnostic.id);
      shown.push_back(policies::presented(f));
    }
  }
  for (const auto& d : shown) out.mentioned.insert(d.id);
  out.text = render(shown, files);
  return out;
}

int run_policy_goldens(bool update) {
  int failures = 0;
  int cases = 0;
  for (const fs::path& spec : specs_under("golden/policies")) {
    ++cases;
    std::string rel = spec.generic_string();
    std::string rule = spec.parent_path().filename().string();
    std::string name = spec.stem().string();
    PolicyRun run = run_policy_case(rel);
    bool expect_fire = name.starts_with("fail");
    // Directories named after a rule test that rule; others (golden/policies/packs)
    // test the pack machinery: there, failing means any error at all.
    bool fired = policies::find_rule(rule) != nullptr
                     ? run.raised.contains(rule) || (expect_fire && run.mentioned.contains(rule))
                     : run.text.find(": error: ") != std::string::npos;
    if (!name.starts_with("fail") && !name.starts_with("pass")) {
      std::cout << "FAIL " << rel << ": policy cases are named pass*.pdr or fail*.pdr\n";
      ++failures;
    } else if (expect_fire != fired) {
      std::cout << "FAIL " << rel << ": expected `" << rule << "` " << (expect_fire ? "to fire" : "not to fire") << "\n"
                << run.text;
      ++failures;
    }
    compare_or_update(fs::path(spec).replace_extension(".findings"), run.text, update, failures);
  }
  std::cout << cases << " policy cases, " << failures << " failures\n";
  return failures == 0 ? 0 : 1;
}

int run_compile_goldens(bool update) {
  int failures = 0;
  int cases = 0;
  for (const fs::path& spec : specs_under("golden/compile")) {
    ++cases;
    std::string rel = spec.generic_string();
    const bool to_cloudformation = spec.parent_path().filename() == "cloudformation";
    const backends::Backend* backend = backends::find_backend(to_cloudformation ? "cloudformation" : "terraform");
    frontend::Loaded loaded = frontend::load(rel);
    diag::FileMap files;
    if (loaded.source) files[loaded.source->path()] = loaded.source.get();
    std::vector<diag::Diagnostic> shown = loaded.sink.diagnostics();
    bool ok = false;
    if (loaded.ir && backend != nullptr && backend->emit != nullptr) {
      backends::EmitOptions options;
      options.spec_dir = fs::absolute(spec.parent_path()).lexically_normal();
      options.project_root = frontend::project_root_for(spec.parent_path());
      diag::Sink sink(rel);
      validate::validate_model(lower::lower(*loaded.ir, {}), {options.environment_suffix}, sink);
      if (!sink.has_errors()) {
        auto out = backend->emit(*loaded.ir, options, sink);
        ok = out.has_value() && !sink.has_errors();
      }
      sink.sort();
      for (const auto& d : sink.diagnostics()) shown.push_back(d);
    }
    bool expect_errors = spec.stem().string().starts_with("fail_");
    if (expect_errors == ok) {
      std::cout << "FAIL " << rel << ": " << (expect_errors ? "expected errors" : "unexpected errors") << "\n"
                << render(shown, files);
      ++failures;
    }
    compare_or_update(fs::path(spec).replace_extension(".diag"), render(shown, files), update, failures);
  }
  std::cout << cases << " compile cases, " << failures << " failures\n";
  return failures == 0 ? 0 : 1;
}

int run_coverage() {
  std::set<std::string> seen;
  auto collect = [&](const fs::path& expectation) {
    std::string text = read_file(expectation);
    for (std::size_t pos = text.find(" ["); pos != std::string::npos; pos = text.find(" [", pos + 2)) {
      std::size_t end = text.find("]\n", pos);
      if (end != std::string::npos) seen.insert(text.substr(pos + 2, end - pos - 2));
    }
  };
  for (const fs::path& spec : golden_specs("golden")) {
    if (spec.stem().string().starts_with("fail_")) collect(fs::path(spec).replace_extension(".diag"));
  }
  // Passing compile cases count too: they are where warnings are shown.
  for (const fs::path& spec : specs_under("golden/compile")) collect(fs::path(spec).replace_extension(".diag"));
  for (const fs::path& spec : specs_under("golden/policies")) {
    if (spec.stem().string().starts_with("fail")) collect(fs::path(spec).replace_extension(".findings"));
  }
  int missing = 0;
  for (const auto& k : diag::all_kinds()) {
    if (!seen.contains(std::string(k.id))) {
      std::cout << "FAIL diagnostic `" << k.id << "` has no failing golden case\n";
      ++missing;
    }
  }
  for (const policies::Rule& r : policies::all_rules()) {
    fs::path dir = fs::path("golden/policies") / std::string(r.info.id);
    bool pass = false, fail = false;
    for (const fs::path& spec : specs_under(dir)) {
      pass |= spec.stem().string().starts_with("pass");
      fail |= spec.stem().string().starts_with("fail");
    }
    // Some defects cannot be written in a spec at all (lowering always encrypts,
    // rotates keys, scopes IAM...). Their failing case is a test that breaks the
    // infra model directly, named in `fail.model`.
    if (!fail && fs::exists(dir / "fail.model")) {
      std::string name = read_file(dir / "fail.model");
      while (!name.empty() && (name.back() == '\n' || name.back() == ' ')) name.pop_back();
      std::string needle = "TEST_CASE(\"" + name + "\")";
      for (const auto& e : fs::directory_iterator("tests/policies")) {
        if (e.path().extension() == ".cpp" && read_file(e.path()).find(needle) != std::string::npos) fail = true;
      }
      if (!fail) std::cout << "FAIL " << (dir / "fail.model").generic_string() << ": no test case `" << name << "`\n";
    }
    if (!pass || !fail) {
      std::cout << "FAIL rule `" << r.info.id << "` needs " << dir.generic_string()
                << "/pass.pdr and fail.pdr (or fail.model naming a model test)\n";
      ++missing;
    }
  }
  std::cout << diag::all_kinds().size() << " diagnostic kinds and " << policies::all_rules().size() << " rules; "
            << missing << " without their golden cases\n";
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
  bool update =
      std::find(args.begin(), args.end(), "--update") != args.end() ||
      (std::getenv("PAYDRC_UPDATE_GOLDENS") != nullptr && std::string(std::getenv("PAYDRC_UPDATE_GOLDENS")) == "1");
  if (std::find(args.begin(), args.end(), "--coverage") != args.end()) return run_coverage();
  if (std::find(args.begin(), args.end(), "--reference") != args.end()) return run_reference(update);
  int status = run_goldens(update);
  status |= run_compile_goldens(update);
  status |= run_policy_goldens(update);
  if (update) {
    run_reference(true);
    return 0;
  }
  return status;
}
