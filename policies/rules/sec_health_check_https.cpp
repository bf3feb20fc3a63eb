// SEC-HEALTH-CHECK-HTTPS: failover health checks use HTTPS.
#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {

const Rule& sec_health_check_https() {
  static const Rule rule{
      {"SEC-HEALTH-CHECK-HTTPS", "failover health checks probe over HTTPS", Category::Security, diag::Severity::Error,
       "the checks cross the internet and decide where payments go: over HTTPS they verify the endpoint's "
       "certificate and see what clients see (API Gateway serves HTTPS only); HTTP or TCP checks can report a "
       "region healthy that clients cannot use",
       "PCI DSS v4.0 4.2.1; AWS Route 53 Developer Guide, 'Values that you specify when you create or update health "
       "checks'"},
      [](const Context& ctx, Findings& out) {
        for (const infra::HealthCheck& hc : ctx.model.health_checks) {
          if (hc.protocol == "HTTPS") continue;
          // At the health_check block's `protocol`, when the spec wrote it.
          SourceRange at = hc.origin;
          const std::string scope = block_scope(ctx.system, hc.origin);
          for (const ir::Failover& f : ctx.system.failovers) {
            if (f.name == scope) at = f.health_check.origin.at("protocol");
          }
          if (!at.valid()) at = hc.origin;
          out.add(at, fmt::format("health check `{}` probes over {}, not HTTPS", hc.id, hc.protocol),
                  "set `protocol = https` in the `health_check` block", scope);
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
