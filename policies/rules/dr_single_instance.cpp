// DR-SINGLE-INSTANCE: a database cluster has a replica in another zone.
#include <fmt/format.h>

#include "rules/rules.h"

namespace paydrc::policies::rules {

const Rule& dr_single_instance() {
  static const Rule rule{
      {"DR-SINGLE-INSTANCE", "database clusters keep a replica in another zone", Category::DisasterRecovery,
       diag::Severity::Error,
       "with one instance, a zone outage means Aurora must create a new instance (minutes); with a replica it "
       "promotes it (about a minute)",
       "Checkov CKV_AWS_157 (Multi-AZ); AWS Aurora User Guide, 'High availability for Amazon Aurora'"},
      [](const Context& ctx, Findings& out) {
        for (const ir::Database& d : ctx.system.databases) {
          if (d.instances >= 2) continue;
          out.add(
              d.origin.at("instances"),
              fmt::format("database `{}` has a single instance per region: a zone outage waits for a new one", d.name),
              "set `instances = 2` or more", d.name);
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
