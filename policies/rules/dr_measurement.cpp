// DR-MEASUREMENT: a `measured` block replaces one of the recovery figures the DR
// analysis uses; one naming no such figure replaces nothing and would leave the
// planning figure in place while the spec reads as if it were measured.
#include <fmt/format.h>

#include "check/suggest.h"
#include "dr/facts.h"
#include "rules/rules.h"

namespace paydrc::policies::rules {

const Rule& dr_measurement() {
  static const Rule rule{
      {"DR-MEASUREMENT", "a measurement replaces a recovery figure the analysis uses", Category::DisasterRecovery,
       diag::Severity::Error,
       "restore and promotion times are planning figures until a drill measures them; a measurement must name "
       "the figure it replaces (policies/data/recovery.yaml) so `dr` and `explain` show it, with its source, "
       "in place of the planning figure",
       "AWS Well-Architected Reliability Pillar REL13-BP03; policies/data/recovery.yaml"},
      [](const Context& ctx, Findings& out) {
        std::vector<std::string> names;
        for (const auto& [name, fact] : ctx.facts.facts) names.push_back(name);
        for (const ir::Measurement& m : ctx.system.measurements) {
          if (ctx.facts.facts.contains(m.name)) continue;
          std::string hint = check::did_you_mean(m.name, names);
          out.add(m.origin.range, fmt::format("`{}` is not a recovery figure paydrc uses", m.name),
                  hint.empty() ? fmt::format("measurable figures: {}", fmt::join(names, ", ")) : hint);
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
