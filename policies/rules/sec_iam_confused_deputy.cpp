// SEC-IAM-CONFUSED-DEPUTY: what lets an AWS service act in this account names the
// account or the resource the service acts for, so that the service acting for
// someone else's resource cannot use it (IAM User Guide, "The confused deputy
// problem").
#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {
namespace {

// Services whose documentation says they send aws:SourceAccount and aws:SourceArn
// when they assume a customer's role, and recommends the condition. A role trusted
// by a service not listed (Lambda, AWS Backup) is not judged: a condition the
// service does not send would make every assumption fail.
struct ScopedService {
  std::string_view principal;
  std::string_view source;
};
constexpr std::array kScopedServices = {
    ScopedService{"vpc-flow-logs.amazonaws.com", "VPC User Guide, \"IAM role for publishing flow logs\""},
    ScopedService{"events.amazonaws.com", "EventBridge User Guide, \"Cross-service confused deputy prevention\""},
    ScopedService{"monitoring.rds.amazonaws.com", "RDS User Guide, \"Setting up and enabling Enhanced Monitoring\""},
};

// A condition that ties a service's request to this account or one resource:
// the global source keys, or KMS's encryption context (CloudWatch Logs sends the
// log group's ARN there; KMS Developer Guide, "Encryption context").
bool scopes(const infra::Condition& c) {
  if (c.variable != "aws:SourceAccount" && c.variable != "aws:SourceArn" && c.variable != "aws:SourceOrgID" &&
      !c.variable.starts_with("kms:EncryptionContext:"))
    return false;
  // "*" alone matches every account and resource.
  return !c.values.empty() && std::none_of(c.values.begin(), c.values.end(), [](const infra::Text& v) {
    return render_text(v) == "*";
  });
}

bool scoped(const std::vector<infra::Condition>& conditions) {
  return std::any_of(conditions.begin(), conditions.end(), scopes);
}

void check_role(const Context& ctx, Findings& out, const infra::Role& role) {
  for (const std::string& service : role.trusted_services) {
    auto known = std::find_if(kScopedServices.begin(), kScopedServices.end(),
                              [&](const ScopedService& s) { return s.principal == service; });
    if (known == kScopedServices.end() || scoped(role.trust_conditions)) continue;
    sec::report(ctx, out, role,
                fmt::format("role `{}` may be assumed by `{}` acting for any account: its trust policy has no "
                            "`aws:SourceAccount` or `aws:SourceArn` condition",
                            role.id, service),
                fmt::format("the lowering should scope the trust to this account's resources ({})", known->source));
  }
}

// A resource policy's Allow to a service principal.
void check_document(const Context& ctx, Findings& out, const infra::Base& owner, std::string_view what,
                    const infra::PolicyDocument& doc) {
  for (const infra::Statement& s : doc.statements) {
    if (s.effect != infra::Effect::Allow || scoped(s.conditions)) continue;
    for (const infra::Principal& p : s.principals) {
      if (p.type != "Service") continue;
      for (const infra::Text& id : p.identifiers) {
        sec::report(ctx, out, owner,
                    fmt::format("{} `{}`: statement `{}` lets `{}` act for any account: no `aws:SourceAccount`, "
                                "`aws:SourceArn` or encryption-context condition",
                                what, owner.id, s.sid, render_text(id)),
                    "add the condition naming this account or the resource the service acts for");
      }
    }
  }
}

void check(const Context& ctx, Findings& out) {
  const infra::Model& m = ctx.model;
  for (const infra::Role& r : m.roles) check_role(ctx, out, r);
  for (const infra::Key& k : m.keys) check_document(ctx, out, k, "key policy of", k.policy);
  for (const infra::Queue& q : m.queues) check_document(ctx, out, q, "policy of queue", q.policy);
  for (const infra::Topic& t : m.topics) check_document(ctx, out, t, "policy of topic", t.policy);
  for (const infra::BackupVault& v : m.backup_vaults) check_document(ctx, out, v, "access policy of vault", v.policy);
  for (const infra::FunctionPermission& p : m.function_permissions) {
    if (!p.source_arn.parts.empty() && render_text(p.source_arn) != "*") continue;
    sec::report(ctx, out, p,
                fmt::format("permission `{}` lets `{}` invoke function `{}` for any source", p.id, p.principal,
                            p.function),
                "set the permission's source ARN to the API or rule that invokes the function");
  }
}

}  // namespace

const Rule& sec_iam_confused_deputy() {
  static const Rule rule{
      {"SEC-IAM-CONFUSED-DEPUTY", "services act in this account only for this account's resources",
       Category::Security, diag::Severity::Error,
       "a role, key, queue, topic or function that trusts a service without naming the account or resource can be "
       "used through that service by anyone who points their own resource at it",
       "IAM User Guide, 'The confused deputy problem'; Checkov CKV_AWS_364; PCI DSS v4.0 7.2.1"},
      check};
  return rule;
}

}  // namespace paydrc::policies::rules
