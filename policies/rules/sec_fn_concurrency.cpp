// SEC-FN-CONCURRENCY: functions reserve their concurrency.
#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {

const Rule& sec_fn_concurrency() {
  static const Rule rule{
      {"SEC-FN-CONCURRENCY", "functions reserve a positive concurrency", Category::Security, diag::Severity::Error,
       "a reservation caps what a flood of requests can cost and how many database connections it can open, and "
       "keeps other functions of the account from starving this one; zero throttles every invocation",
       "Checkov CKV_AWS_115"},
      [](const Context& ctx, Findings& out) {
        for (const infra::Function& f : ctx.model.functions) {
          if (f.reserved_concurrency > 0) continue;
          sec::report(
              ctx, out, f,
              f.reserved_concurrency == 0
                  ? fmt::format("function `{}` reserves a concurrency of 0: every invocation is throttled", f.id)
                  : fmt::format("function `{}` reserves no concurrency", f.id),
              "set `reserved_concurrency` to the peak concurrent requests the function must serve",
              "reserved_concurrency");
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
