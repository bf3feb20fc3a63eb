// DR-RUNTIME-LIFECYCLE: functions run on a runtime AWS still patches and lets you deploy.
#include <fmt/format.h>

#include "check/runtimes.h"
#include "check/values.h"
#include "rules/rules.h"

namespace paydrc::policies::rules {

namespace {
ir::Date date_of(std::string_view text) {
  return *check::parse_date(text).value;
}
}  // namespace

const Rule& dr_runtime_lifecycle() {
  static const Rule rule{
      {"DR-RUNTIME-LIFECYCLE", "function runtimes are supported and not close to deprecation",
       Category::DisasterRecovery, diag::Severity::Error,
       "a deprecated runtime gets no security patches, and once AWS blocks updates the secondary region cannot "
       "even be redeployed during an incident; warning starts `warn_days` (default 180) before deprecation",
       "AWS Lambda Developer Guide, 'Runtime deprecation policy'; Checkov CKV_AWS_363; PCI DSS v4.0 6.3.3"},
      [](const Context& ctx, Findings& out) {
        long long warn_days = ctx.int_param("warn_days", 180);
        std::int64_t today = check::days_from_civil(ctx.today);
        for (const ir::Function& f : ctx.system.functions) {
          for (const check::RuntimeLifecycle& r : check::lambda_runtimes()) {
            if (r.id != f.runtime) continue;
            std::int64_t deprecated = check::days_from_civil(date_of(r.deprecated));
            std::int64_t blocked = check::days_from_civil(date_of(r.create_blocked));
            std::string successor =
                r.successor.empty() ? std::string("a supported runtime") : fmt::format("`{}`", r.successor);
            if (today >= blocked) {
              out.add(f.origin.at("runtime"),
                      fmt::format("`{}` is blocked for new functions since {}", f.runtime, r.create_blocked),
                      fmt::format("move `{}` to {}", f.name, successor), f.name);
            } else if (today >= deprecated) {
              out.add(f.origin.at("runtime"),
                      fmt::format("`{}` was deprecated on {} and is blocked for new functions from {}", f.runtime,
                                  r.deprecated, r.create_blocked),
                      fmt::format("move `{}` to {}", f.name, successor), f.name);
            } else if (deprecated - today <= warn_days) {
              auto& d = out.add(
                  f.origin.at("runtime"),
                  fmt::format("`{}` is deprecated on {}, in {} days", f.runtime, r.deprecated, deprecated - today),
                  fmt::format("plan the move of `{}` to {}", f.name, successor), f.name);
              d.severity = diag::Severity::Warning;
            }
          }
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
