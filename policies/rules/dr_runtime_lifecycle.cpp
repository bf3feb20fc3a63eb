// DR-RUNTIME-LIFECYCLE: functions run on a runtime AWS still patches and lets you deploy.
#include <fmt/format.h>

#include "check/runtimes.h"
#include "check/values.h"
#include "engine/resource_view.h"
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
        // `move`: what to do once the runtime is deprecated; `plan`: before.
        auto judge = [&](const std::string& runtime, const SourceRange& at, const std::string& move,
                         const std::string& plan, const std::string& scope) {
          for (const check::RuntimeLifecycle& r : check::lambda_runtimes()) {
            if (r.id != runtime) continue;
            std::int64_t deprecated = check::days_from_civil(date_of(r.deprecated));
            std::int64_t blocked = check::days_from_civil(date_of(r.create_blocked));
            std::string successor =
                r.successor.empty() ? std::string("a supported runtime") : fmt::format("`{}`", r.successor);
            if (today >= blocked) {
              out.add(at, fmt::format("`{}` is blocked for new functions since {}", runtime, r.create_blocked),
                      fmt::format("{} to {}", move, successor), scope);
            } else if (today >= deprecated) {
              out.add(at,
                      fmt::format("`{}` was deprecated on {} and is blocked for new functions from {}", runtime,
                                  r.deprecated, r.create_blocked),
                      fmt::format("{} to {}", move, successor), scope);
            } else if (deprecated - today <= warn_days) {
              auto& d = out.add(
                  at, fmt::format("`{}` is deprecated on {}, in {} days", runtime, r.deprecated, deprecated - today),
                  fmt::format("{} to {}", plan, successor), scope);
              d.severity = diag::Severity::Warning;
            }
          }
        };
        for (const ir::Function& f : ctx.system.functions) {
          judge(f.runtime, f.origin.at("runtime"), fmt::format("move `{}`", f.name),
                fmt::format("plan the move of `{}`", f.name), f.name);
        }
        // paydrc's own functions (a secret's rotation): their runtime is paydrc's
        // choice, and a newer paydrc moves them.
        for (const infra::Function& f : ctx.model.functions) {
          if (!f.builtin) continue;
          const std::string move =
              fmt::format("upgrade paydrc, which moves its built-in function `{}` (`{}`)", f.id, f.runtime);
          judge(f.runtime, f.origin, move, "plan to " + move, block_scope(ctx.system, f.origin));
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
