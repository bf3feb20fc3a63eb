// paydrc's command line: compile, check, fmt, dump, reference.
// Exit status: 0 ok; 1 the spec has errors; 2 usage errors (including bad
// ENVIRONMENT_SUFFIX / --env / TERRAFORM_STATE_BUCKET values, an environment the spec does not
// declare), unreadable files, or an
// output directory paydrc refuses to write into.
#include <unistd.h>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <fstream>
#include <set>
#include <iostream>
#include <stdexcept>
#include <nlohmann/json.hpp>

#include "backends/backend.h"
#include "check/reference_doc.h"
#include "check/suggest.h"
#include "check/values.h"
#include "cost/estimate.h"
#include "diagnostics/render.h"
#include "dr/analysis.h"
#include "dr/facts.h"
#include "driver/explain.h"
#include "driver/output.h"
#include "driver/recovery.h"
#include "driver/runbook.h"
#include "engine/engine.h"
#include "engine/environments.h"
#include "engine/sarif.h"
#include "format/format.h"
#include "frontend.h"
#include "ir/dump.h"
#include "lower/lower.h"
#include "validate/validate.h"

namespace {

using namespace paydrc;

constexpr int kOk = 0;
constexpr int kSpecErrors = 1;
constexpr int kUsage = 2;
constexpr int kInternalError = 3;  // a bug in paydrc (a broken invariant between phases)

int report_read_error(const frontend::Loaded& loaded, const std::string& path) {
  std::cerr << fmt::format("paydrc: error: `{}` {}\n", path, loaded.read_error);
  return kUsage;
}

void print_diagnostics(const frontend::Loaded& loaded) {
  diag::FileMap files;
  if (loaded.source) files[loaded.source->path()] = loaded.source.get();
  diag::TextOptions opts{diag::want_color(STDERR_FILENO)};
  for (const diag::Diagnostic& d : loaded.sink.diagnostics()) diag::render_text(std::cerr, d, files, opts);
  std::size_t errors = loaded.sink.error_count();
  if (errors != 0) std::cerr << fmt::format("{} error{} generated.\n", errors, errors == 1 ? "" : "s");
}

std::string spec_dir_of(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  return dir.empty() ? std::string(".") : dir.string();
}

// Runs the packs over a checked spec. Pack errors go to `loaded.sink`.
policies::Report run_policies(frontend::Loaded& loaded, const std::vector<std::string>& packs) {
  infra::Model model = lower::lower(*loaded.ir, {});
  policies::RunOptions options{spec_dir_of(loaded.source->path()), check::today_utc(), packs};
  return policies::run(*loaded.ir, model, options, loaded.sink);
}

void print_findings(const frontend::Loaded& loaded, const policies::Report& report) {
  diag::FileMap files;
  files[loaded.source->path()] = loaded.source.get();
  for (const auto& s : report.pack_sources) files[s->path()] = s.get();
  diag::TextOptions opts{diag::want_color(STDERR_FILENO)};
  for (const policies::Finding& f : report.findings)
    diag::render_text(std::cerr, policies::presented(f), files, opts);
}

// Pack errors are in `loaded.sink`, located in the pack files.
void print_pack_errors(const frontend::Loaded& loaded, const policies::Report& report) {
  diag::FileMap files;
  files[loaded.source->path()] = loaded.source.get();
  for (const auto& s : report.pack_sources) files[s->path()] = s.get();
  diag::TextOptions opts{diag::want_color(STDERR_FILENO)};
  for (const diag::Diagnostic& d : loaded.sink.diagnostics()) diag::render_text(std::cerr, d, files, opts);
}

std::string summary(const policies::Report& report) {
  return fmt::format("{} error(s), {} warning(s), {} waived", report.unwaived_errors(),
                     report.count(diag::Severity::Warning, false),
                     report.count(diag::Severity::Error, true) + report.count(diag::Severity::Warning, true));
}

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return (v != nullptr && v[0] != '\0') ? std::string(v) : fallback;
}

// S3's bucket naming rule (general purpose buckets): 3 to 63 lowercase letters,
// digits, dots or hyphens, starting and ending with a letter or digit.
bool valid_bucket_name(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  for (char c : name) {
    if (!alnum(c) && c != '.' && c != '-') return false;
  }
  return alnum(name.front()) && alnum(name.back());
}

// A value from the environment, quoted for an error message; control bytes escaped.
std::string escaped(std::string_view value) {
  std::string out;
  for (unsigned char c : value) out += (c < 0x20 || c == 0x7f) ? fmt::format("\\x{:02x}", c) : std::string(1, c);
  return out;
}

// The environment a command is about: `--env NAME`, else ENVIRONMENT_SUFFIX,
// else `dev`. When both are given they must agree: a CI job exporting
// ENVIRONMENT_SUFFIX=prod and a command line saying `--env dev` is a mistake
// either way. A bad value is a usage error (exit 2), reported with the rule the
// generated Terraform repeats at plan time. Returns nothing after printing why.
std::optional<std::string> selected_environment(const std::string& cli_env) {
  std::string from_env = env_or("ENVIRONMENT_SUFFIX", "");
  if (!cli_env.empty() && !from_env.empty() && cli_env != from_env) {
    std::cerr << fmt::format(
        "paydrc: error: `--env {}` and `ENVIRONMENT_SUFFIX={}` disagree\n"
        "hint: give one of them, or the same environment in both\n",
        escaped(cli_env), escaped(from_env));
    return std::nullopt;
  }
  std::string selected = !cli_env.empty() ? cli_env : !from_env.empty() ? from_env : std::string(frontend::kDefaultEnvironment);
  if (!backends::valid_environment_suffix(selected)) {
    std::cerr << fmt::format(
        "paydrc: error: `{}` is `{}`: it must be {}\n"
        "hint: it ends every resource name and the state key, e.g. `ENVIRONMENT_SUFFIX=prod`; unset, it is `dev`\n",
        cli_env.empty() ? "ENVIRONMENT_SUFFIX" : "--env", escaped(selected), backends::kEnvironmentSuffixRule);
    return std::nullopt;
  }
  return selected;
}

// A spec that declares environments compiles only those: a typo (`prd`) must
// not silently get the base settings. A usage error, like a bad suffix.
bool report_undeclared_environment(const frontend::Loaded& loaded, const std::string& path) {
  if (!loaded.undeclared_environment) return false;
  const std::string& name = *loaded.undeclared_environment;
  std::string hint = check::did_you_mean(name, loaded.environments);
  std::cerr << fmt::format(
      "paydrc: error: `{}` declares the environments {}, not `{}`\n"
      "hint: {}select one with `--env NAME` or `ENVIRONMENT_SUFFIX`, or add `environment {} {{}}` to the spec\n",
      path, fmt::join(loaded.environments, ", "), name, hint.empty() ? "" : hint + "; ", name);
  return true;
}

// The environment variables that shape the output, checked before anything is
// generated. Returns nothing after printing why.
std::optional<backends::EmitOptions> emit_options(const std::string& path, const std::string& environment) {
  backends::EmitOptions options;
  options.environment_suffix = environment;
  bool ok = true;
  if (const char* bucket = std::getenv("TERRAFORM_STATE_BUCKET"); bucket != nullptr && bucket[0] != '\0') {
    options.state_bucket = bucket;
    options.state_bucket_region = env_or("TERRAFORM_STATE_BUCKET_REGION", "us-east-1");
    if (!valid_bucket_name(*options.state_bucket)) {
      std::cerr << fmt::format(
          "paydrc: error: `TERRAFORM_STATE_BUCKET` is `{}`, not an S3 bucket name\n"
          "hint: bucket names are 3 to 63 lowercase letters, digits, dots or hyphens, starting and ending with a "
          "letter or digit\n",
          escaped(*options.state_bucket));
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  std::filesystem::path spec_dir = spec_dir_of(path);
  options.spec_dir = std::filesystem::absolute(spec_dir).lexically_normal();
  options.project_root = frontend::project_root_for(spec_dir);
  return options;
}

// What the compile read: the output directory must stay clear of it.
driver::Inputs inputs_of(const ir::System& system, const backends::EmitOptions& options, const std::string& path) {
  driver::Inputs inputs{path, {}};
  for (const ir::Function& fn : system.functions)
    inputs.function_sources.push_back(options.project_root / fn.source_resolved);
  return inputs;
}

void print_written(const driver::WriteResult& written, std::size_t count, const std::string& out_dir) {
  std::string details;
  if (!written.unchanged.empty()) details += fmt::format("; {} unchanged", written.unchanged.size());
  if (!written.stale_removed.empty()) {
    details += fmt::format("; removed {} the previous compile wrote: {}", written.stale_removed.size(),
                           fmt::join(written.stale_removed, ", "));
  }
  std::cerr << fmt::format("paydrc: wrote {} file{} to {}{}\n", count, count == 1 ? "" : "s", out_dir, details);
}

int compile(const std::string& path, const std::string& target, const std::string& out_dir,
            const std::string& cli_env) {
  const backends::Backend* backend = backends::find_backend(target);
  if (backend == nullptr) {
    std::cerr << fmt::format("paydrc: error: unknown target `{}`\n", target);
    return kUsage;
  }
  std::optional<std::string> environment = selected_environment(cli_env);
  if (!environment) return kUsage;
  std::optional<backends::EmitOptions> options = emit_options(path, *environment);
  if (!options) return kUsage;
  frontend::Loaded loaded = frontend::load(path, true, *environment);
  if (!loaded.source) return report_read_error(loaded, path);
  print_diagnostics(loaded);
  if (report_undeclared_environment(loaded, path)) return kUsage;
  if (!loaded.ir) return kSpecErrors;
  policies::Report report = run_policies(loaded, {});
  if (!report.packs_ok) {
    print_pack_errors(loaded, report);
    return kSpecErrors;
  }
  print_findings(loaded, report);
  // What AWS would refuse in the lowered model, before any backend runs, shown
  // with the policy findings (every error in one run); the backend adds what only
  // its output shows (CloudFormation's template limits).
  diag::Sink validation(path);
  validate::validate_model(lower::lower(*loaded.ir, {}), {options->environment_suffix}, validation);
  validation.sort();
  diag::FileMap source_map{{loaded.source->path(), loaded.source.get()}};
  for (const diag::Diagnostic& d : validation.diagnostics())
    diag::render_text(std::cerr, d, source_map, {diag::want_color(STDERR_FILENO)});
  if (report.unwaived_errors() != 0 || validation.has_errors()) {
    std::cerr << fmt::format("paydrc: policy findings: {}; {} error{} AWS would refuse; nothing written\n",
                             summary(report), validation.error_count(), validation.error_count() == 1 ? "" : "s");
    return kSpecErrors;
  }
  if (backend->emit == nullptr) {
    std::cerr << fmt::format("paydrc: error: the `{}` backend is not implemented yet\n", target);
    return kUsage;
  }
  diag::Sink emit_sink(path);
  auto files = backend->emit(*loaded.ir, *options, emit_sink);
  diag::FileMap map{{loaded.source->path(), loaded.source.get()}};
  for (const diag::Diagnostic& d : emit_sink.diagnostics()) {
    diag::render_text(std::cerr, d, map, {diag::want_color(STDERR_FILENO)});
  }
  if (!files || emit_sink.has_errors()) return kSpecErrors;
  driver::WriteResult written = driver::write_output(out_dir, *files, inputs_of(*loaded.ir, *options, path));
  if (written.error) {
    std::cerr << fmt::format("paydrc: error: {}\n", written.error->message);
    if (!written.error->hint.empty()) std::cerr << fmt::format("hint: {}\n", written.error->hint);
    return kUsage;
  }
  print_written(written, files->size(), out_dir);
  return kOk;
}

// The model-level checks and, for each target asked for (every one when none
// is), what only that target's output shows; into `loaded.sink`, so `check`
// fails on everything a compile would.
// What AWS would refuse, for every environment the spec declares (each one's
// overrides lower to its own model); an error found in several is reported once.
void validate_for_check(frontend::Loaded& loaded, const std::string& target) {
  std::set<std::string> seen;
  for (const ir::System& system : loaded.systems) {
    backends::EmitOptions options;
    if (!system.environment.empty()) {
      options.environment_suffix = system.environment;
    } else {
      std::string suffix = env_or("ENVIRONMENT_SUFFIX", "dev");
      if (backends::valid_environment_suffix(suffix)) options.environment_suffix = suffix;
    }
    diag::Sink sink(loaded.source->path());
    validate::validate_model(lower::lower(system, {}), {options.environment_suffix}, sink);
    for (const backends::Backend& b : backends::all_backends()) {
      if (b.validate != nullptr && (target.empty() || target == b.name)) b.validate(system, options, sink);
    }
    sink.sort();
    for (const diag::Diagnostic& d : sink.diagnostics()) {
      if (seen.insert(diag::to_json(d).dump()).second) loaded.sink.add(d);
    }
  }
}

int check_files(const std::vector<std::string>& paths, const std::string& format,
                const std::vector<std::string>& packs, const std::string& target) {
  int status = kOk;
  nlohmann::ordered_json json_files = nlohmann::ordered_json::array();
  std::vector<policies::SarifFile> sarif_files;
  for (const std::string& path : paths) {
    frontend::Loaded loaded = frontend::load(path);
    if (!loaded.source) {
      report_read_error(loaded, path);
      status = kUsage;
      continue;
    }
    // Every environment is judged, whichever one a compile would select.
    bool checked = !loaded.systems.empty();
    policies::Report report;
    if (checked) {
      policies::RunOptions options{spec_dir_of(path), check::today_utc(), packs};
      report = policies::run_each(loaded.systems, options, loaded.sink);
      validate_for_check(loaded, target);
    }
    bool ok = checked && report.packs_ok && report.unwaived_errors() == 0 && !loaded.sink.has_errors();
    if (format == "json") {
      nlohmann::ordered_json diags = nlohmann::ordered_json::array();
      for (const auto& d : loaded.sink.diagnostics()) diags.push_back(diag::to_json(d));
      nlohmann::ordered_json findings = nlohmann::ordered_json::array();
      for (const auto& f : report.findings) {
        auto j = diag::to_json(f.diagnostic);
        j["waived"] = f.waived;
        if (f.waived) j["waiver"] = {{"reason", f.waiver_reason}, {"until", f.waiver_until}};
        if (!f.scope.empty()) j["scope"] = f.scope;
        if (!f.environments.empty()) j["environments"] = f.environments;
        findings.push_back(std::move(j));
      }
      json_files.push_back(
          {{"file", path}, {"ok", ok}, {"packs", report.packs}, {"diagnostics", diags}, {"findings", findings}});
      if (!loaded.environments.empty()) json_files.back()["environments"] = loaded.environments;
    } else if (format == "sarif") {
      sarif_files.push_back({path, loaded.sink.diagnostics(), report.findings, report.custom_rules});
    } else {
      if (checked)
        print_pack_errors(loaded, report);
      else
        print_diagnostics(loaded);
      if (checked && report.packs_ok) {
        print_findings(loaded, report);
        std::string environments =
            loaded.environments.empty() ? "" : fmt::format("; environments: {}", fmt::join(loaded.environments, ", "));
        std::cerr << fmt::format("{}: {} ({}; packs: {}{})\n", path, ok ? "ok" : "failed", summary(report),
                                 fmt::join(report.packs, ", "), environments);
      }
    }
    if (!ok && status == kOk) status = kSpecErrors;
  }
  if (format == "json") {
    std::cout << nlohmann::ordered_json{{"files", json_files}}.dump(2, ' ', false,
                                                                    nlohmann::ordered_json::error_handler_t::replace)
              << '\n';
  } else if (format == "sarif") {
    std::cout << policies::to_sarif(sarif_files, PAYDRC_VERSION)
                     .dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
              << '\n';
  }
  return status;
}

// `paydrc dr`: exit 1 when an objective is not met, so CI can gate on it.
int explain_recovery(const std::string& path, const std::string& format, const std::string& cli_env) {
  std::optional<std::string> environment = selected_environment(cli_env);
  if (!environment) return kUsage;
  frontend::Loaded loaded = frontend::load(path, true, *environment);
  if (!loaded.source) return report_read_error(loaded, path);
  print_diagnostics(loaded);
  if (report_undeclared_environment(loaded, path)) return kUsage;
  if (!loaded.ir) return kSpecErrors;
  static const policies::RecoveryFacts facts = policies::load_recovery_facts();
  static const policies::PriceTable prices = policies::load_prices();
  infra::Model model = lower::lower(*loaded.ir, {});
  auto recovery = policies::analyse(*loaded.ir, model, facts);
  if (format == "json") {
    std::cout << driver::recovery_json(*loaded.ir, recovery).dump(2, ' ', false,
                                                                   nlohmann::ordered_json::error_handler_t::replace)
              << '\n';
  } else {
    std::string environment_note =
        loaded.ir->environment.empty() ? "" : fmt::format(" in environment `{}`", loaded.ir->environment);
    std::cout << fmt::format("Recovery budget for `{}`{} (achieved of objective; each term with what delivers it:\n"
                             "Terraform address / CloudFormation logical id in region)\n\n",
                             loaded.ir->name, environment_note)
              << policies::render_budget(recovery, driver::cite) << "\nMonthly cost estimate\n\n"
              << policies::render_estimate(policies::estimate_cost(*loaded.ir, model, prices));
  }
  return driver::objectives_met(recovery) ? kOk : kSpecErrors;
}

int explain(const std::string& path, const std::string& target, const std::string& cli_env) {
  std::optional<std::string> environment = selected_environment(cli_env);
  if (!environment) return kUsage;
  frontend::Loaded loaded = frontend::load(path, true, *environment);
  if (!loaded.source) return report_read_error(loaded, path);
  print_diagnostics(loaded);
  if (report_undeclared_environment(loaded, path)) return kUsage;
  if (!loaded.ir) return kSpecErrors;
  infra::Model model = lower::lower(*loaded.ir, {});
  policies::RunOptions options{spec_dir_of(path), check::today_utc(), {}};
  policies::Report report = policies::run(*loaded.ir, model, options, loaded.sink);
  if (!report.packs_ok) {
    print_pack_errors(loaded, report);
    return kSpecErrors;
  }
  static const policies::RecoveryFacts facts = policies::load_recovery_facts();
  static const policies::PriceTable prices = policies::load_prices();
  auto recovery = policies::analyse(*loaded.ir, model, facts);
  auto estimate = policies::estimate_cost(*loaded.ir, model, prices);
  std::optional<backends::EmitOptions> emit = emit_options(path, *environment);
  if (!emit) return kUsage;
  std::optional<std::vector<backends::OutputFile>> files;
  if (!target.empty()) {
    const backends::Backend* backend = backends::find_backend(target);
    diag::Sink emit_sink(path);
    if (backend != nullptr && backend->emit != nullptr) files = backend->emit(*loaded.ir, *emit, emit_sink);
    if (!files || emit_sink.has_errors()) {
      diag::FileMap map{{loaded.source->path(), loaded.source.get()}};
      for (const auto& d : emit_sink.diagnostics())
        diag::render_text(std::cerr, d, map, {diag::want_color(STDERR_FILENO)});
      return kSpecErrors;
    }
  }
  std::string error;
  std::optional<runbook::Runbook> rb =
      driver::make_runbook(*loaded.ir, recovery, *emit, target.empty() ? "terraform" : target, error);
  std::cout << driver::explain_markdown({*loaded.ir, model, report, recovery, estimate, emit->environment_suffix, target,
                                         files ? &*files : nullptr, rb ? runbook::to_markdown(*rb) : std::string()});
  return report.unwaived_errors() == 0 ? kOk : kSpecErrors;
}

// `paydrc runbook`: the recovery procedure, Markdown or JSON.
int print_runbook(const std::string& path, const std::string& format, const std::string& target,
                  const std::string& cli_env) {
  std::optional<std::string> environment = selected_environment(cli_env);
  if (!environment) return kUsage;
  frontend::Loaded loaded = frontend::load(path, true, *environment);
  if (!loaded.source) return report_read_error(loaded, path);
  print_diagnostics(loaded);
  if (report_undeclared_environment(loaded, path)) return kUsage;
  if (!loaded.ir) return kSpecErrors;
  std::optional<backends::EmitOptions> options = emit_options(path, *environment);
  if (!options) return kUsage;
  static const policies::RecoveryFacts facts = policies::load_recovery_facts();
  auto recovery = policies::analyse(*loaded.ir, lower::lower(*loaded.ir, {}), facts);
  std::string error;
  std::optional<runbook::Runbook> rb = driver::make_runbook(*loaded.ir, recovery, *options, target, error);
  if (!rb) {
    std::cerr << fmt::format("paydrc: error: {}\n", error);
    return kSpecErrors;
  }
  if (format == "json")
    std::cout << runbook::to_json(*rb).dump(2) << '\n';
  else
    std::cout << runbook::to_markdown(*rb);
  return kOk;
}

int format_files(const std::vector<std::string>& paths, bool check_only) {
  int status = kOk;
  for (const std::string& path : paths) {
    frontend::Loaded loaded = frontend::load(path, /*check=*/false);
    if (!loaded.source) {
      report_read_error(loaded, path);
      status = kUsage;
      continue;
    }
    if (!loaded.ast) {
      print_diagnostics(loaded);
      if (status == kOk) status = kSpecErrors;
      continue;
    }
    std::string formatted = format::format(*loaded.ast);
    if (formatted == loaded.source->text()) continue;
    if (check_only) {
      std::cerr << fmt::format("{}: not formatted; run `paydrc fmt {}`\n", path, path);
      if (status == kOk) status = kSpecErrors;
      continue;
    }
    std::string temp = path + ".paydrc-fmt.tmp";
    {
      std::ofstream out(temp, std::ios::binary | std::ios::trunc);
      out << formatted;
      if (!out) {
        std::cerr << fmt::format("paydrc: error: cannot write `{}`\n", path);
        std::remove(temp.c_str());
        status = kUsage;
        continue;
      }
    }
    std::error_code ec;
    std::filesystem::rename(temp, path, ec);
    if (ec) {
      std::remove(temp.c_str());
      std::cerr << fmt::format("paydrc: error: cannot write `{}`: {}\n", path, ec.message());
      status = kUsage;
    }
  }
  return status;
}

int dump_spec(const std::string& what, const std::string& path) {
  frontend::Loaded loaded = frontend::load(path, what == "ir");
  if (!loaded.source) return report_read_error(loaded, path);
  print_diagnostics(loaded);
  if (what == "ast") {
    if (!loaded.ast) return kSpecErrors;
    std::cout << dump::ast_text(*loaded.ast);
    return kOk;
  }
  // Every environment's IR (its overrides applied), whichever one a compile selects.
  if (loaded.systems.empty()) return kSpecErrors;
  for (const ir::System& system : loaded.systems) std::cout << dump::ir_text(system);
  return kOk;
}

}  // namespace

int run_command(int argc, char** argv);

int main(int argc, char** argv) {
  try {
    return run_command(argc, argv);
  } catch (const std::logic_error& e) {
    std::cerr << "paydrc: " << e.what() << "\nhint: this is a bug in paydrc; please report it with the spec\n";
    return kInternalError;
  }
}

int run_command(int argc, char** argv) {
  CLI::App app{"paydrc: compiles a disaster-recovery spec (.pdr) into policy-checked Terraform JSON or CloudFormation"};
  app.set_version_flag("--version", std::string("paydrc ") + PAYDRC_VERSION);
  app.require_subcommand(0, 1);

  std::string file;
  std::string target;
  std::string out_dir = "out";
  std::vector<std::string> targets;
  for (const auto& b : paydrc::backends::all_backends()) targets.emplace_back(b.name);
  app.add_option("file", file, "the spec to compile");
  app.add_option("-t,--target", target, "what to generate")->check(CLI::IsMember(targets));
  app.add_option("-o,--output", out_dir,
                 "output directory; paydrc replaces only files it wrote there (listed in DIR/.paydrc-files)")
      ->capture_default_str();
  const char* env_help =
      "the environment to compile (its `environment` block applied); default ENVIRONMENT_SUFFIX, else dev; both "
      "given must agree";
  std::string env_name;
  app.add_option("-e,--env", env_name, env_help);

  auto* check_cmd =
      app.add_subcommand("check", "check specs: syntax, schema, AWS rules and policy packs; exit 1 on unwaived errors");
  std::vector<std::string> check_paths;
  std::string check_format = "text";
  check_cmd->add_option("files", check_paths, "specs to check")->required();
  check_cmd->add_option("--format", check_format, "text, json or sarif")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json", "sarif"}));
  std::vector<std::string> check_packs;
  check_cmd->add_option("--pack", check_packs, "policy packs to use instead of the spec's `packs`");
  std::string check_target;
  check_cmd
      ->add_option("-t,--target", check_target,
                   "check only what this target would have AWS refuse (default: every target)")
      ->check(CLI::IsMember(targets));

  auto* fmt_cmd = app.add_subcommand("fmt", "rewrite specs in the canonical layout");
  std::vector<std::string> fmt_paths;
  bool fmt_check = false;
  fmt_cmd->add_option("files", fmt_paths, "specs to format")->required();
  fmt_cmd->add_flag("--check", fmt_check, "change nothing; exit 1 if a file is not formatted");

  auto* dump_cmd = app.add_subcommand("dump", "print the AST or the IR of a spec as stable text");
  std::string dump_what;
  std::string dump_path;
  dump_cmd->add_option("what", dump_what, "ast or ir")->required()->check(CLI::IsMember({"ast", "ir"}));
  dump_cmd->add_option("file", dump_path, "the spec")->required();

  auto* dr_cmd = app.add_subcommand("dr", "print the recovery budget per failure scenario and the cost estimate");
  std::string dr_path;
  dr_cmd->add_option("file", dr_path, "the spec")->required();
  std::string dr_format = "text";
  dr_cmd->add_option("--format", dr_format, "text or json")->check(CLI::IsMember({"text", "json"}));
  std::string dr_env;
  dr_cmd->add_option("-e,--env", dr_env, env_help);

  auto* explain_cmd =
      app.add_subcommand("explain", "print a Markdown review summary: recovery budget, findings, cost, runbook");
  std::string explain_path;
  explain_cmd->add_option("file", explain_path, "the spec")->required();
  std::string explain_target;
  explain_cmd->add_option("-t,--target", explain_target, "also describe deploying this target")
      ->check(CLI::IsMember(targets));
  std::string explain_env;
  explain_cmd->add_option("-e,--env", explain_env, env_help);

  auto* runbook_cmd = app.add_subcommand(
      "runbook", "print the recovery runbook: each scenario's steps, commands, checks and budgeted durations");
  std::string runbook_path;
  runbook_cmd->add_option("file", runbook_path, "the spec")->required();
  std::string runbook_format = "markdown";
  runbook_cmd->add_option("--format", runbook_format, "markdown or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"markdown", "json"}));
  std::string runbook_target = "terraform";
  runbook_cmd->add_option("-t,--target", runbook_target, "whose commands apply the spec after a failover")
      ->capture_default_str()
      ->check(CLI::IsMember(targets));
  std::string runbook_env;
  runbook_cmd->add_option("-e,--env", runbook_env, env_help);

  app.add_subcommand("reference", "print the language reference generated from the schema table");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kUsage;
  }

  if (check_cmd->parsed()) return check_files(check_paths, check_format, check_packs, check_target);
  if (dr_cmd->parsed()) return explain_recovery(dr_path, dr_format, dr_env.empty() ? env_name : dr_env);
  if (explain_cmd->parsed())
    return explain(explain_path, explain_target, explain_env.empty() ? env_name : explain_env);
  if (runbook_cmd->parsed())
    return print_runbook(runbook_path, runbook_format, runbook_target, runbook_env.empty() ? env_name : runbook_env);
  if (fmt_cmd->parsed()) return format_files(fmt_paths, fmt_check);
  if (dump_cmd->parsed()) return dump_spec(dump_what, dump_path);
  if (app.got_subcommand("reference")) {
    std::cout << paydrc::check::language_reference();
    return kOk;
  }
  if (file.empty()) {
    std::cerr << app.help();
    return kUsage;
  }
  if (target.empty()) {
    std::cerr << "paydrc: error: `--target` is required to compile (terraform or cloudformation)\n"
                 "hint: use `paydrc check FILE` to check without generating\n";
    return kUsage;
  }
  return compile(file, target, out_dir, env_name);
}
