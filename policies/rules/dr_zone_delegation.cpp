// DR-ZONE-DELEGATION: a hosted zone paydrc creates answers nothing until its parent
// delegates it, and the first apply waits on certificate validation until then.
#include <fmt/format.h>

#include "rules/rules.h"

namespace paydrc::policies::rules {

const Rule& dr_zone_delegation() {
  static const Rule rule{
      {"DR-ZONE-DELEGATION", "failover names live in a delegated zone", Category::DisasterRecovery,
       diag::Severity::Warning,
       "a new hosted zone gets name servers nobody points at: until the registrar or the parent zone delegates it "
       "with NS records, nothing on the internet resolves the failover name and ACM cannot see the DNS validation "
       "records, so the first apply waits on the certificates (Terraform's certificate validation times out after "
       "75 minutes; a CloudFormation stack waits in CREATE_IN_PROGRESS). Every environment that creates the zone "
       "creates its own, and the parent can delegate only one of them",
       "ACM User Guide, 'DNS validation'; Route 53 Developer Guide, 'Making Route 53 the DNS service for a domain "
       "that's in use'; Terraform AWS provider, aws_acm_certificate_validation timeouts"},
      [](const Context& ctx, Findings& out) {
        for (const infra::HostedZone& z : ctx.model.hosted_zones) {
          if (!z.created) continue;
          std::string scope;  // the failover the zone is for
          for (const ir::Failover& f : ctx.system.failovers) {
            if (f.zone == z.domain && scope.empty()) scope = f.name;
          }
          out.add(z.origin,
                  fmt::format("paydrc creates hosted zone `{}`: the first apply waits on certificate validation "
                              "until the zone is delegated",
                              z.domain),
                  fmt::format("use a zone that is already delegated (`zone_mode = existing`, the default), or "
                              "bootstrap in two steps: apply the zone alone (`terraform apply "
                              "-target=aws_route53_zone.{}`), add its name servers (output `{}_name_servers`) as NS "
                              "records at the registrar or parent zone, then apply everything",
                              z.id, z.id),
                  scope);
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
