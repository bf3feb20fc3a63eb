// SEC-FN-TRACING: functions send X-Ray traces.
#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {

const Rule& sec_fn_tracing() {
  static const Rule rule{
      {"SEC-FN-TRACING", "functions have X-Ray active tracing", Category::Security, diag::Severity::Warning,
       "traces show which downstream call a request made and how long it took; during an incident or a failover "
       "they tell a slow dependency from a compromised one",
       "Checkov CKV_AWS_50"},
      [](const Context& ctx, Findings& out) {
        for (const infra::Function& f : ctx.model.functions) {
          if (f.tracing) continue;
          sec::report(ctx, out, f, fmt::format("function `{}` does not send X-Ray traces", f.id), "set `tracing = on`",
                      "tracing");
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
