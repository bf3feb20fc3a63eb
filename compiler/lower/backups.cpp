// AWS Backup: a KMS-encrypted vault in the plan's region and in each copy region,
// the plan (schedule, retention, cross-region copy) and a selection of exactly the
// resources the spec's `covers` names, with the role AWS Backup assumes.
#include <algorithm>

#include <fmt/format.h>

#include "lower/context.h"

namespace paydrc::lower {

using infra::Kind;
using infra::Ref;
using infra::Text;

namespace {

int days(ir::Seconds seconds) {
  return static_cast<int>((seconds + 86399) / 86400);
}

std::string vault_id(const ir::Backup& b, std::string_view role) {
  return fmt::format("{}_{}", b.name, role);
}

void add_vault(Context& cx, const ir::Backup& b, const std::string& role) {
  infra::BackupVault vault;
  vault.id = vault_id(b, role);
  vault.region = role;
  vault.origin = b.origin.range;
  vault.name = cx.name({b.name, role});
  vault.key = Context::key_id(role);
  cx.model.backup_vaults.push_back(std::move(vault));
}

}  // namespace

void lower_backups(Context& cx) {
  infra::Model& m = cx.model;
  for (const ir::Backup& b : cx.system.backups) {
    // The plan lives with the resources it protects: the home region.
    const std::string home = cx.home_region();
    add_vault(cx, b, home);
    if (b.copy_to && *b.copy_to != home && cx.has_region(*b.copy_to)) add_vault(cx, b, *b.copy_to);

    infra::Role role;
    role.id = b.name + "_backup";
    role.region = home;
    role.origin = b.origin.range;
    role.name = cx.name({b.name, "backup"});
    role.description = fmt::format("AWS Backup plan {}", b.name);
    role.trusted_services = {"backup.amazonaws.com"};
    // AWS maintains these two for the services Backup supports; a hand-written
    // copy would fall behind them.
    role.managed_policies = {"arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
                             "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"};
    m.roles.push_back(role);

    infra::BackupPlan plan;
    plan.id = b.name;
    plan.region = home;
    plan.origin = b.origin.range;
    plan.name = cx.name({b.name});
    infra::BackupRule rule;
    rule.name = b.name;
    rule.schedule = b.schedule;
    rule.vault = vault_id(b, home);
    rule.delete_after_days = days(b.retention);
    if (b.copy_to && *b.copy_to != home && cx.has_region(*b.copy_to)) {
      rule.copies.push_back({vault_id(b, *b.copy_to), days(b.copy_retention)});
    }
    plan.rules.push_back(std::move(rule));
    m.backup_plans.push_back(plan);

    infra::BackupSelection selection;
    selection.id = b.name;
    selection.region = home;
    selection.origin = b.origin.at("covers");
    selection.name = cx.name({b.name});
    selection.plan = plan.id;
    selection.role = role.id;
    for (const std::string& name : b.covers) {
      if (const ir::Database* db = cx.system.database(name)) {
        selection.resources.push_back(
            Text(Ref{Kind::DbCluster, Context::cluster_id(db->name, db->writer), infra::Attr::Arn}));
      } else if (cx.system.table(name)) {
        selection.resources.push_back(Text(Ref{Kind::Table, Context::table_id(name), infra::Attr::Arn}));
      }
    }
    m.backup_selections.push_back(std::move(selection));
  }
}

}  // namespace paydrc::lower
