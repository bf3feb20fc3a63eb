// COST-NAT-SINGLE: fewer NAT gateways than zones saves money and costs resilience.
#include <fmt/format.h>

#include "rules/rules.h"

namespace paydrc::policies::rules {

const Rule& cost_nat_single() {
  static const Rule rule{
      {"COST-NAT-SINGLE", "each zone has its own NAT gateway", Category::Cost, diag::Severity::Warning,
       "one NAT gateway per region is cheaper, but the functions in every other zone lose their path to AWS APIs "
       "when its zone fails, which turns a zone outage into a region failover",
       "AWS VPC User Guide, 'NAT gateways' (create a NAT gateway in each Availability Zone)"},
      [](const Context& ctx, Findings& out) {
        for (const ir::Region& r : ctx.system.regions) {
          if (r.nat_gateways >= r.zones) continue;
          out.add(r.origin.at("nat_gateways"),
                  fmt::format("region `{}` has {} NAT gateway(s) for {} zones", r.role, r.nat_gateways, r.zones),
                  fmt::format("set `nat_gateways = {}`, or waive this rule with a reason", r.zones), r.role);
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
