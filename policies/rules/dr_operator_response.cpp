// DR-FAILOVER-OPERATOR: a manual failover needs the time an operator takes to act.
#include <fmt/format.h>

#include "rules/rules.h"

namespace paydrc::policies::rules {

const Rule& dr_operator_response() {
  static const Rule rule{
      {"DR-FAILOVER-OPERATOR", "manual database failover declares the operator response time",
       Category::DisasterRecovery, diag::Severity::Error,
       "with `failover = manual`, a person must be paged and run `failover-global-cluster --allow-data-loss`; "
       "without that time the region-outage RTO cannot be computed",
       "AWS Aurora User Guide, 'Using failover in an Amazon Aurora global database'"},
      [](const Context& ctx, Findings& out) {
        for (const ir::Database& d : ctx.system.databases) {
          if (d.failover != ir::FailoverMode::Manual || d.operator_response) continue;
          out.add(d.origin.at("failover"),
                  fmt::format("database `{}` fails over by hand but declares no `operator_response`", d.name),
                  "add `operator_response = 5m` (paged to runbook started), or `failover = managed`", d.name);
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
