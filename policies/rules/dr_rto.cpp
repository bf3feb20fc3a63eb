// DR-RTO: the achievable recovery time of each failure scenario must fit its objective.
#include "rules/objective_common.h"
#include "rules/rules.h"

namespace paydrc::policies::rules {

const Rule& dr_rto() {
  static const Rule rule{
      {"DR-RTO", "achievable RTO meets the objective in every failure scenario", Category::DisasterRecovery,
       diag::Severity::Error,
       "paydrc adds up detection, DNS, operator and promotion times for a region outage, zone failover times for "
       "a zone outage, and restore times for logical corruption; a design that cannot recover in time fails "
       "before anything is deployed",
       "AWS Well-Architected Reliability Pillar REL13-BP01; PCI DSS v4.0 12.10.1"},
      [](const Context& ctx, Findings& out) { check_objective(ctx, out, Measure::Rto); }};
  return rule;
}

}  // namespace paydrc::policies::rules
