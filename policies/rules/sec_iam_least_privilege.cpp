// SEC-IAM-LEAST-PRIVILEGE: IAM and key policies name actions one by one, resources
// exactly (or "*" with a recorded reason), no anonymous principal and no
// administrator managed policy.
#include <algorithm>

#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {
namespace {

// AWS-managed policies that grant administration of the account or of IAM.
const std::vector<std::string_view> kAdminPolicies = {
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::aws:policy/PowerUserAccess",
    "arn:aws:iam::aws:policy/IAMFullAccess",
};

void check_document(const Context& ctx, Findings& out, const infra::Base& owner, std::string_view what,
                    const infra::PolicyDocument& doc) {
  for (const infra::Statement& s : doc.statements) {
    const std::string statement = s.sid.empty() ? std::string("a statement") : fmt::format("statement `{}`", s.sid);
    for (const std::string& action : s.actions) {
      if (action.find('*') == std::string::npos && action.find('?') == std::string::npos) continue;
      sec::report(ctx, out, owner,
                  fmt::format("{} `{}`: {} allows the wildcard action `{}`", what, owner.id, statement, action),
                  "list the actions the workload calls; a wildcard also grants every action AWS adds later");
    }
    for (const infra::Text& resource : s.resources) {
      if (render_text(resource) != "*" || !s.wildcard_reason.empty()) continue;
      sec::report(ctx, out, owner,
                  fmt::format("{} `{}`: {} applies to every resource (`*`) without a recorded reason", what, owner.id,
                              statement),
                  "name the resources, or record why the actions support no narrower resource");
    }
    for (const infra::Principal& p : s.principals) {
      for (const infra::Text& id : p.identifiers) {
        if (render_text(id) != "*") continue;
        sec::report(ctx, out, owner,
                    fmt::format("{} `{}`: {} grants access to any principal (`*`)", what, owner.id, statement),
                    "name the account, role or service principal");
      }
    }
  }
}

void check(const Context& ctx, Findings& out) {
  for (const infra::Role& role : ctx.model.roles) {
    for (const infra::RolePolicy& policy : role.policies) check_document(ctx, out, role, "role", policy.document);
    for (const std::string& managed : role.managed_policies) {
      if (std::find(kAdminPolicies.begin(), kAdminPolicies.end(), managed) == kAdminPolicies.end()) continue;
      sec::report(ctx, out, role, fmt::format("role `{}` has the administrator policy `{}`", role.id, managed),
                  "grant the role's own actions in a policy of its own");
    }
  }
  for (const infra::Key& key : ctx.model.keys) check_document(ctx, out, key, "key policy of", key.policy);
}

}  // namespace

const Rule& sec_iam_least_privilege() {
  static const Rule rule{
      {"SEC-IAM-LEAST-PRIVILEGE", "IAM policies grant named actions on named resources", Category::Security,
       diag::Severity::Error,
       "a compromised function or a confused deputy can do exactly what its policy allows; wildcards turn a bug in "
       "one function into access to the account",
       "Checkov CKV_AWS_63, CKV_AWS_355, CKV_AWS_274; PCI DSS v4.0 7.2.5"},
      check};
  return rule;
}

}  // namespace paydrc::policies::rules
