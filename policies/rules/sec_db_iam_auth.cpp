// SEC-DB-IAM-AUTH: database clusters accept IAM authentication.
#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {

const Rule& sec_db_iam_auth() {
  static const Rule rule{
      {"SEC-DB-IAM-AUTH", "database clusters accept IAM database authentication", Category::Security,
       diag::Severity::Error,
       "functions connect with short-lived IAM tokens scoped by `rds-db:connect` to one database user, instead of "
       "a long-lived password copied into their configuration",
       "Checkov CKV_AWS_162"},
      [](const Context& ctx, Findings& out) {
        for (const infra::DbCluster& c : ctx.model.db_clusters) {
          if (c.iam_auth) continue;
          sec::report(ctx, out, c, fmt::format("cluster `{}` does not accept IAM database authentication", c.id),
                      "enable IAM database authentication; the functions' `connect` grants rely on it");
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
