// SEC-LOG-RETENTION: log groups keep their logs at least `min_days` days.
#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {

const Rule& sec_log_retention() {
  static const Rule rule{
      {"SEC-LOG-RETENTION", "log groups keep logs at least the pack's `min_days`", Category::Security,
       diag::Severity::Error,
       "an incident is often found weeks after it began, and its investigation needs the logs from before; the "
       "baseline asks for 30 days (one monthly review), compliance packs for their regime's minimum (pci-dss: 365, "
       "PCI DSS 10.5.1). A retention of 0 (never expire) meets any minimum",
       "Checkov CKV_AWS_66, CKV_AWS_338; PCI DSS v4.0 10.5.1"},
      [](const Context& ctx, Findings& out) {
        const long long min_days = ctx.int_param("min_days", 30);
        for (const infra::LogGroup& g : ctx.model.log_groups) {
          if (g.retention_days == 0 || g.retention_days >= min_days) continue;
          sec::report(
              ctx, out, g,
              fmt::format("log group `{}` keeps logs {} days; the pack requires at least {}", g.id, g.retention_days,
                          min_days),
              fmt::format("the lowering sets log retention: it should keep `{}` at least {} days", g.id, min_days));
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
