#include "dr/analysis.h"

#include <fmt/format.h>

#include <algorithm>

#include "check/values.h"
#include "dr/terms.h"

namespace paydrc::policies {

using check::format_duration;

std::string_view basis_name(Basis b) {
  switch (b) {
    case Basis::Deployed:
      return "deployed";
    case Basis::Published:
      return "published";
    case Basis::Planning:
      return "planning figure";
    case Basis::Measured:
      return "measured";
    case Basis::Declared:
      return "declared";
    case Basis::Assumption:
      return "assumption";
  }
  return "deployed";
}

const Contributor* Bound::largest() const {
  const Contributor* best = nullptr;
  for (const Contributor& c : contributors) {
    if (best == nullptr || c.seconds > best->seconds) best = &c;
  }
  return best;
}

std::string describe(ir::Scenario s) {
  switch (s) {
    case ir::Scenario::RegionOutage:
      return "region outage";
    case ir::Scenario::AzOutage:
      return "zone outage";
    case ir::Scenario::LogicalCorruption:
      return "logical corruption";
  }
  return "outage";
}

std::vector<ScenarioResult> analyse(const ir::System& s, const infra::Model& model, const RecoveryFacts& facts) {
  const dr::Inputs in{s, model, facts};
  std::vector<ScenarioResult> out;
  ScenarioResult region{ir::Scenario::RegionOutage, dr::region_outage_rto(in), dr::region_outage_rpo(in),
                        &s.objectives.for_scenario(ir::Scenario::RegionOutage)};
  ScenarioResult az{ir::Scenario::AzOutage, dr::az_outage_rto(in, region.rto), dr::az_outage_rpo(in),
                    &s.objectives.for_scenario(ir::Scenario::AzOutage)};
  ScenarioResult corruption{ir::Scenario::LogicalCorruption, dr::logical_corruption_rto(in),
                            dr::logical_corruption_rpo(in),
                            &s.objectives.for_scenario(ir::Scenario::LogicalCorruption)};
  out.push_back(std::move(region));
  out.push_back(std::move(az));
  out.push_back(std::move(corruption));
  return out;
}

std::string render_budget(const std::vector<ScenarioResult>& results, const Cite& cite) {
  std::string out;
  auto line = [&](const char* what, const Bound& b, ir::Seconds objective) {
    std::string achieved = b.unbounded ? std::string("unbounded") : format_duration(b.total);
    bool ok = !b.unbounded && b.total <= objective;
    out += fmt::format("  {}  {:>10} of {:>6}  {}  ({})\n", what, achieved, format_duration(objective),
                       ok ? fmt::format("ok, {} spare", format_duration(objective - b.total)) : "NOT MET",
                       b.combine == Bound::Combine::Sum ? "the sum of the steps" : "the slowest part");
    for (const Contributor& c : b.contributors) {
      out += fmt::format("        {:>8}  {}  [{}]\n", format_duration(c.seconds), c.what, basis_name(c.basis));
      if (!c.source.empty() && c.basis != Basis::Deployed) out += fmt::format("{:>18}source: {}\n", "", c.source);
      if (cite) {
        for (const Evidence& e : c.evidence) out += fmt::format("{:>18}by {} ({})\n", "", cite(e), e.role);
      }
    }
    if (b.unbounded) out += fmt::format("        {:>8}  {}\n", "?", b.unbounded_reason);
    for (const Caveat& c : b.caveats) {
      out += fmt::format("        {:>8}  {}\n", "not in", c.what);
      if (cite) {
        for (const Evidence& e : c.evidence) out += fmt::format("{:>18}by {} ({})\n", "", cite(e), e.role);
      }
    }
  };
  for (const ScenarioResult& r : results) {
    out += fmt::format("{}\n", describe(r.scenario));
    line("RTO", r.rto, r.objective->rto);
    line("RPO", r.rpo, r.objective->rpo);
  }
  return out;
}

}  // namespace paydrc::policies
