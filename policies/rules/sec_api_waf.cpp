// SEC-API-WAF: every public API sits behind an AWS WAF web ACL with AWS's managed
// rules for common exploits and a rate limit per client IP.
#include <algorithm>

#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {
namespace {

// What the web ACL in front of `api` lacks; "" when it has what the rule asks.
std::string web_acl_problem(const infra::Model& m, const infra::RestApi& api) {
  if (api.web_acl.empty()) return "has no AWS WAF web ACL";
  const infra::WebAcl* acl = sec::find(m.web_acls, api.web_acl);
  if (acl == nullptr) return fmt::format("names web ACL `{}`, which the model does not define", api.web_acl);
  if (acl->region != api.region) return fmt::format("names web ACL `{}` of another region", acl->id);
  const auto& groups = acl->managed_rule_groups;
  if (std::find(groups.begin(), groups.end(), "AWSManagedRulesCommonRuleSet") == groups.end()) {
    return fmt::format("is behind web ACL `{}`, which lacks AWS's common rule set", acl->id);
  }
  if (acl->rate_limit <= 0) return fmt::format("is behind web ACL `{}`, which has no rate limit", acl->id);
  return {};
}

void check(const Context& ctx, Findings& out) {
  for (const infra::HttpApi& api : ctx.model.http_apis) {
    sec::report(ctx, out, api,
                fmt::format("API `{}` is an HTTP API, which AWS WAF cannot protect", api.id),
                "set `front_door = rest_api`: a regional REST API behind an AWS WAF web ACL, with the same "
                "custom domain and DNS failover",
                "front_door");
  }
  for (const infra::RestApi& api : ctx.model.rest_apis) {
    const std::string problem = web_acl_problem(ctx.model, api);
    if (problem.empty()) continue;
    sec::report(ctx, out, api, fmt::format("API `{}` {}", api.id, problem),
                "the lowering should put each REST API's stage behind its region's web ACL", "front_door");
  }
}

}  // namespace

const Rule& sec_api_waf() {
  static const Rule rule{
      {"SEC-API-WAF", "public APIs sit behind AWS WAF", Category::Security, diag::Severity::Warning,
       "a payment API on the internet meets injection attempts, known-bad inputs and floods every day; a web "
       "application firewall in front of it blocks them before they reach the function. AWS WAF attaches to REST "
       "API stages, not to HTTP APIs",
       "PCI DSS v4.0 6.4.2 (mandatory since 2025-03-31); cdk-nag AwsSolutions-APIG3, PCI.DSS.321-APIGWAssociatedWithWAF"},
      check};
  return rule;
}

}  // namespace paydrc::policies::rules
