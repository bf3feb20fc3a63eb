#include "policy_test_support.h"

#include <catch2/catch.hpp>

#include <filesystem>

#include "cost/estimate.h"
#include "dr/facts.h"
#include "lower/lower.h"

namespace paydrc::policies::testing {

namespace {
// A fixed "today", so date-dependent rules give the same answer every day.
constexpr ir::Date kToday{2026, 6, 1};
}  // namespace

LoadedSpec load_spec(const std::string& path) {
  LoadedSpec spec;
  spec.loaded = frontend::load(path);
  INFO(path << ": " << spec.loaded.read_error);
  for (const auto& d : spec.loaded.sink.diagnostics()) INFO(d.message);
  REQUIRE(spec.loaded.ir.has_value());
  spec.model = lower::lower(*spec.loaded.ir, {});
  return spec;
}

const LoadedSpec& reference() {
  static const LoadedSpec spec = load_spec("specs/payment.pdr");
  return spec;
}

std::vector<Finding> run_rule(std::string_view id, const ir::System& system, const infra::Model& model,
                              const Params& params) {
  static const RecoveryFacts facts = load_recovery_facts();
  static const PriceTable prices = load_prices();
  const Rule* rule = find_rule(id);
  REQUIRE(rule != nullptr);
  REQUIRE(rule->check != nullptr);
  std::vector<Finding> out;
  Context ctx{system, model, facts, prices, kToday, &params};
  Findings findings(rule->info, rule->info.default_severity, out);
  rule->check(ctx, findings);
  return out;
}

Report run_engine(const LoadedSpec& spec, diag::Sink& sink, const std::vector<std::string>& packs) {
  std::string dir = std::filesystem::path(spec.loaded.source->path()).parent_path().string();
  RunOptions options{dir.empty() ? "." : dir, kToday, packs};
  return run(spec.system(), spec.model, options, sink);
}

std::vector<Finding> of(const std::vector<Finding>& findings, std::string_view id, bool waived) {
  std::vector<Finding> out;
  for (const Finding& f : findings) {
    if (f.diagnostic.id == id && f.waived == waived) out.push_back(f);
  }
  return out;
}

}  // namespace paydrc::policies::testing
