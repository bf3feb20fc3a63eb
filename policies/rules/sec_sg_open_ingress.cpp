// SEC-SG-OPEN-INGRESS: no security group admits traffic from the whole internet.
#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {

const Rule& sec_sg_open_ingress() {
  static const Rule rule{
      {"SEC-SG-OPEN-INGRESS", "no security group admits traffic from 0.0.0.0/0 or ::/0", Category::Security,
       diag::Severity::Error,
       "the public entry point is the API front door; a security group open to the internet exposes whatever it "
       "protects to scanning and brute force",
       "Checkov CKV_AWS_24, CKV_AWS_25, CKV_AWS_260, CKV_AWS_277; PCI DSS v4.0 1.3.1"},
      [](const Context& ctx, Findings& out) {
        for (const infra::SecurityGroup& sg : ctx.model.security_groups) {
          for (const infra::SecurityRule& r : sg.rules) {
            if (r.direction != infra::Direction::Ingress || !r.cidr) continue;
            if (*r.cidr != "0.0.0.0/0" && *r.cidr != "::/0") continue;
            sec::report(ctx, out, sg,
                        fmt::format("security group `{}` admits {} on ports {}-{} from {}", sg.id, r.protocol,
                                    r.from_port, r.to_port, *r.cidr),
                        "admit peers by security group, or the narrowest CIDR that needs access");
          }
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
