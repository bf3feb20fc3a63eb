// SEC-DB-TLS: database clusters refuse connections without TLS.
#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {
namespace {

struct TlsParameter {
  std::string_view engine;
  std::string_view name;
  std::vector<std::string_view> values;  // any of them enforces TLS
};

// Aurora MySQL 3: `require_secure_transport` (Aurora User Guide, "TLS connections to
// Aurora MySQL DB clusters"); Aurora PostgreSQL: `rds.force_ssl` ("Securing Aurora
// PostgreSQL data with SSL/TLS"). Both are cluster parameters.
const std::vector<TlsParameter> kTlsParameters = {
    {"aurora-mysql", "require_secure_transport", {"ON", "on", "1"}},
    {"aurora-postgresql", "rds.force_ssl", {"1"}},
};

void check(const Context& ctx, Findings& out) {
  for (const infra::DbCluster& c : ctx.model.db_clusters) {
    const TlsParameter* wanted = nullptr;
    for (const TlsParameter& t : kTlsParameters) {
      if (t.engine == c.engine) wanted = &t;
    }
    if (wanted == nullptr) {
      sec::report(ctx, out, c,
                  fmt::format("cluster `{}`: paydrc does not know how engine `{}` enforces TLS", c.id, c.engine),
                  "use `aurora-mysql` or `aurora-postgresql`", "engine");
      continue;
    }
    const infra::DbClusterParameterGroup* group = sec::find(ctx.model.db_parameter_groups, c.parameter_group);
    std::string value;
    if (group != nullptr) {
      for (const auto& [name, v] : group->parameters) {
        if (name == wanted->name) value = v;
      }
    }
    bool enforced = false;
    for (std::string_view v : wanted->values) enforced |= value == v;
    if (enforced) continue;
    sec::report(
        ctx, out, c,
        group == nullptr
            ? fmt::format("cluster `{}` has no cluster parameter group, so it accepts connections without TLS", c.id)
            : fmt::format("cluster `{}` accepts connections without TLS: its parameter group `{}` does not set "
                          "`{}` to `{}`",
                          c.id, group->id, wanted->name, wanted->values.front()),
        fmt::format("the lowering should set `{} = {}` in the cluster parameter group", wanted->name,
                    wanted->values.front()),
        "engine");
  }
}

}  // namespace

const Rule& sec_db_tls() {
  static const Rule rule{
      {"SEC-DB-TLS", "database clusters accept TLS connections only", Category::Security, diag::Severity::Error,
       "without the server-side setting a client that skips TLS sends credentials and card data in clear text "
       "inside the VPC; IAM database authentication tokens also require TLS",
       "Checkov CKV2_AWS_69 (rds.force_ssl); PCI DSS v4.0 2.2.7 (administrative access encrypted); AWS Aurora User "
       "Guide, 'TLS connections to Aurora "
       "MySQL DB clusters' (require_secure_transport)"},
      check};
  return rule;
}

}  // namespace paydrc::policies::rules
