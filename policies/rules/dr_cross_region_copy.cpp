// DR-BACKUP-COPY: every data tier is in a backup plan that copies to another region.
#include <fmt/format.h>

#include <algorithm>

#include "rules/rules.h"

namespace paydrc::policies::rules {

const Rule& dr_cross_region_copy() {
  static const Rule rule{
      {"DR-BACKUP-COPY", "every data store is backed up with a cross-region copy", Category::DisasterRecovery,
       diag::Severity::Error,
       "replication copies corruption and deletes to every region within a second; only backups held in another "
       "region survive both a bad write and the loss of the primary region",
       "Checkov CKV2_AWS_9 (backup plan covers resources); PCI DSS v4.0 12.10.1; AWS Backup Developer Guide, "
       "'Creating backup copies across AWS Regions'"},
      [](const Context& ctx, Findings& out) {
        auto check = [&](const std::string& name, const ir::Origin& origin) {
          bool covered = false;
          bool copied = false;
          for (const ir::Backup& b : ctx.system.backups) {
            if (std::find(b.covers.begin(), b.covers.end(), name) == b.covers.end()) continue;
            covered = true;
            copied |= b.copy_to.has_value();
          }
          if (!covered) {
            out.add(origin.range, fmt::format("`{}` is in no backup plan", name),
                    fmt::format("add `{}` to a `backup` block's `covers`", name), name);
          } else if (!copied) {
            out.add(origin.range, fmt::format("`{}` is backed up only in its own region", name),
                    "set `copy_to` on its backup plan to another region", name);
          }
        };
        for (const ir::Database& d : ctx.system.databases) check(d.name, d.origin);
        for (const ir::Table& t : ctx.system.tables) check(t.name, t.origin);
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
