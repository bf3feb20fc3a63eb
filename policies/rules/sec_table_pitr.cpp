// SEC-TABLE-PITR: tables have point-in-time recovery.
#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {

const Rule& sec_table_pitr() {
  static const Rule rule{
      {"SEC-TABLE-PITR", "tables have point-in-time recovery", Category::Security, diag::Severity::Error,
       "after a bad deployment, a deleted item or ransomware writing over the table, PITR restores any second of "
       "the window; replicas do not help, they replicate the damage",
       "Checkov CKV_AWS_28"},
      [](const Context& ctx, Findings& out) {
        for (const infra::Table& t : ctx.model.tables) {
          if (t.point_in_time_recovery) continue;
          sec::report(ctx, out, t, fmt::format("table `{}` has no point-in-time recovery", t.id),
                      "set `point_in_time_recovery = on`", "point_in_time_recovery");
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
