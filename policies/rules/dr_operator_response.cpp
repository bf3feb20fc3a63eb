// DR-FAILOVER-OPERATOR: a manual failover needs the time an operator takes to act,
// and that time cannot be shorter than a person can manage (the pack's floor).
#include <fmt/format.h>

#include "check/values.h"
#include "rules/rules.h"

namespace paydrc::policies::rules {

const Rule& dr_operator_response() {
  static const Rule rule{
      {"DR-FAILOVER-OPERATOR", "manual database failover declares a credible operator response time",
       Category::DisasterRecovery, diag::Severity::Error,
       "with `failover = manual`, a person must be paged and run `failover-global-cluster --allow-data-loss`; "
       "without that time the region-outage RTO cannot be computed, and a time shorter than anyone can be "
       "paged, wake, log in and start the runbook (the pack's `min_operator_response`, 5m unless set) "
       "makes the RTO a wish",
       "AWS Aurora User Guide, 'Using failover in an Amazon Aurora global database'; AWS Well-Architected "
       "Reliability Pillar REL13-BP03 (test disaster recovery implementation to validate it)"},
      [](const Context& ctx, Findings& out) {
        const std::string floor_text = ctx.param("min_operator_response", "5m");
        auto parsed = check::parse_duration(floor_text);
        const ir::Seconds floor = parsed.value ? *parsed.value : 300;
        for (const ir::Database& d : ctx.system.databases) {
          if (d.failover != ir::FailoverMode::Manual) continue;
          if (!d.operator_response) {
            out.add(d.origin.at("failover"),
                    fmt::format("database `{}` fails over by hand but declares no `operator_response`", d.name),
                    "add `operator_response = 5m` (paged to runbook started), measured in a drill", d.name);
            continue;
          }
          if (*d.operator_response < floor) {
            out.add(d.origin.at("operator_response"),
                    fmt::format("`operator_response = {}` for `{}` is below the pack's floor of {}: nobody is paged, "
                                "awake and running the runbook that fast",
                                check::format_duration(*d.operator_response), d.name,
                                check::format_duration(floor)),
                    "use what your last failover drill measured, at least the floor", d.name);
          }
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
