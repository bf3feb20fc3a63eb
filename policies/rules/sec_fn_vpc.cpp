// SEC-FN-VPC: functions run in the VPC's private subnets behind a security group.
#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {

const Rule& sec_fn_vpc() {
  static const Rule rule{
      {"SEC-FN-VPC", "functions run in private subnets of the VPC", Category::Security, diag::Severity::Error,
       "inside the VPC a function reaches the database privately and its traffic is filtered by its security group "
       "and recorded by the flow logs; outside it the database would have to be reachable from the internet",
       "Checkov CKV_AWS_117"},
      [](const Context& ctx, Findings& out) {
        const std::string hint = "the lowering should attach the function to the region's private subnets";
        for (const infra::Function& f : ctx.model.functions) {
          // paydrc's own functions may run outside when the model says why (its JWT
          // authorizer fetches public keys from the internet and reaches nothing
          // private); a spec's functions always run inside.
          if (f.subnets.empty() && f.builtin && !f.outside_vpc_reason.empty()) continue;
          if (f.subnets.empty()) {
            sec::report(ctx, out, f, fmt::format("function `{}` runs outside the VPC", f.id), hint);
            continue;
          }
          for (const std::string& id : f.subnets) {
            const infra::Subnet* subnet = sec::find(ctx.model.subnets, id);
            if (subnet == nullptr) {
              sec::report(ctx, out, f,
                          fmt::format("function `{}` names subnet `{}`, which the model does not define", f.id, id),
                          hint);
            } else if (subnet->tier != infra::SubnetTier::Private) {
              sec::report(ctx, out, f, fmt::format("function `{}` runs in public subnet `{}`", f.id, id), hint);
            }
          }
          if (f.security_groups.empty()) {
            sec::report(ctx, out, f, fmt::format("function `{}` has no security group", f.id),
                        "the lowering should give each function its own security group");
          }
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
