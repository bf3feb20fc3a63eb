// DR-RPO: the achievable data loss of each failure scenario must fit its objective.
#include "rules/objective_common.h"
#include "rules/rules.h"

namespace paydrc::policies::rules {

const Rule& dr_rpo() {
  static const Rule rule{
      {"DR-RPO", "achievable RPO meets the objective in every failure scenario", Category::DisasterRecovery,
       diag::Severity::Error,
       "asynchronous replication (Aurora global database, DynamoDB global tables) has no engine-enforced lag bound: "
       "the bound is the replication-lag alarm that pages someone; restore granularity bounds logical corruption",
       "AWS Well-Architected Reliability Pillar REL13-BP01; PCI DSS v4.0 12.10.1"},
      [](const Context& ctx, Findings& out) { check_objective(ctx, out, Measure::Rpo); }};
  return rule;
}

}  // namespace paydrc::policies::rules
