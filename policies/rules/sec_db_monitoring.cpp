// SEC-DB-MONITORING: every database instance has Enhanced Monitoring, through a
// role of its own region that only the RDS monitoring service of this account
// may assume.
#include <algorithm>

#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {
namespace {

constexpr std::string_view kService = "monitoring.rds.amazonaws.com";

// Whether the role lets the Enhanced Monitoring agent write its streams into
// `RDSOSMetrics` (RDS User Guide, "Setting up and enabling Enhanced Monitoring"):
// AWS's AmazonRDSEnhancedMonitoringRole, or an allow of the two stream writes there.
bool writes_os_metrics(const infra::Role& role) {
  for (const std::string& arn : role.managed_policies) {
    if (arn.ends_with("/AmazonRDSEnhancedMonitoringRole")) return true;
  }
  for (const infra::RolePolicy& p : role.policies) {
    for (const infra::Statement& s : p.document.statements) {
      if (s.effect != infra::Effect::Allow) continue;
      auto allows = [&](std::string_view a) { return std::find(s.actions.begin(), s.actions.end(), a) != s.actions.end(); };
      const bool metrics = std::any_of(s.resources.begin(), s.resources.end(), [](const infra::Text& r) {
        return render_text(r).find(":log-group:RDSOSMetrics:") != std::string::npos;
      });
      if (metrics && allows("logs:CreateLogStream") && allows("logs:PutLogEvents")) return true;
    }
  }
  return false;
}

// Why `role` cannot carry the instance's Enhanced Monitoring; "" when it can.
std::string role_problem(const infra::DbInstance& instance, const infra::Role& role) {
  if (std::find(role.trusted_services.begin(), role.trusted_services.end(), kService) == role.trusted_services.end()) {
    return fmt::format("its monitoring role `{}` is not trusted by `{}`", role.id, kService);
  }
  // Confused deputy: without it, RDS acting for any account could use the role
  // (RDS User Guide, "Setting up and enabling Enhanced Monitoring").
  const bool scoped = std::any_of(role.trust_conditions.begin(), role.trust_conditions.end(), [](const auto& c) {
    return c.variable == "aws:SourceAccount" || c.variable == "aws:SourceArn";
  });
  if (!scoped) {
    return fmt::format("the trust policy of its monitoring role `{}` has no `aws:SourceAccount` condition", role.id);
  }
  // IAM is global, but the role is created by one region's stage: a role of
  // another region's stage would be missing while that region is down.
  if (role.region != instance.region) {
    return fmt::format("its monitoring role `{}` is created with region `{}`, not `{}`", role.id, role.region,
                       instance.region);
  }
  if (!writes_os_metrics(role)) {
    return fmt::format("its monitoring role `{}` cannot write to the `RDSOSMetrics` log group", role.id);
  }
  return {};
}

void check(const Context& ctx, Findings& out) {
  for (const infra::DbInstance& i : ctx.model.db_instances) {
    std::string problem;
    if (i.monitoring_interval <= 0) {
      problem = "has no Enhanced Monitoring";
    } else if (const infra::Role* role = sec::find(ctx.model.roles, i.monitoring_role)) {
      problem = role_problem(i, *role);
    } else {
      problem = "has no monitoring role";
    }
    if (problem.empty()) continue;
    sec::report(ctx, out, i, fmt::format("database instance `{}` {}", i.id, problem),
                "set `monitoring_interval` (such as `60s`); paydrc then creates the role in each region",
                "monitoring_interval");
  }
}

}  // namespace

const Rule& sec_db_monitoring() {
  static const Rule rule{
      {"SEC-DB-MONITORING", "database instances have Enhanced Monitoring through a scoped role", Category::Security,
       diag::Severity::Error,
       "operating-system metrics (CPU steal, memory, processes, I/O) of each instance show an attack or a failure "
       "that the hypervisor-level CloudWatch metrics miss; the role that writes them must be assumable only by RDS "
       "monitoring for this account, and exist in the instance's own region stage",
       "cdk-nag NIST.800.53.R5-RDSEnhancedMonitoringEnabled, HIPAA.Security-RDSEnhancedMonitoringEnabled; Checkov "
       "CKV_AWS_118; PCI DSS v4.0 10.2.1, 10.7.1"},
      check};
  return rule;
}

}  // namespace paydrc::policies::rules
