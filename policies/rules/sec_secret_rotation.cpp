// SEC-SECRET-ROTATION: every secret rotates on a schedule, through a function that
// Secrets Manager may invoke for that secret only.
#include <algorithm>

#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {
namespace {

// Why the secret's rotation would not run; "" when it would.
std::string rotation_problem(const infra::Model& m, const infra::Secret& s) {
  if (s.rotation_function.empty() || s.rotation_days <= 0) return "does not rotate";
  const infra::Function* f = sec::find(m.functions, s.rotation_function);
  if (!f) return fmt::format("names rotation function `{}`, which is not deployed", s.rotation_function);
  if (f->region != s.region) {
    return fmt::format("is rotated by `{}` in region `{}`, not in its own region `{}`", f->id, f->region, s.region);
  }
  // Secrets Manager invokes the function with its own service principal; without
  // a permission scoped to this secret RotateSecret fails, or any secret could
  // use the function (Secrets Manager User Guide, "Permissions for rotation").
  const infra::FunctionPermission* p = sec::find(m.function_permissions, s.rotation_permission);
  const bool scoped = p && p->function == f->id && p->principal == "secretsmanager.amazonaws.com" &&
                      p->source_arn == infra::Text(infra::Ref{infra::Kind::Secret, s.id, infra::Attr::Arn});
  if (!scoped) {
    return fmt::format("is rotated by `{}`, but no permission lets Secrets Manager invoke it for this secret",
                       f->id);
  }
  return {};
}

}  // namespace

const Rule& sec_secret_rotation() {
  static const Rule rule{
      {"SEC-SECRET-ROTATION", "secrets rotate on a schedule", Category::Security, diag::Severity::Warning,
       "a password that never changes stays valid for whoever copied it; rotation bounds that exposure and "
       "proves the rotation path works before it is needed",
       "PCI DSS v4.0 8.3.9 and 8.6.3; cdk-nag AwsSolutions-SMG4; NIST 800-53 R5 IA-5(1)"},
      [](const Context& ctx, Findings& out) {
        for (const infra::Secret& s : ctx.model.secrets) {
          const std::string problem = rotation_problem(ctx.model, s);
          if (problem.empty()) continue;
          sec::report(ctx, out, s, fmt::format("secret `{}` {}", s.id, problem),
                      "set the database's `secret_rotation` (such as `30d`); paydrc then deploys its rotation "
                      "function in the writer's region",
                      "secret_rotation");
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
