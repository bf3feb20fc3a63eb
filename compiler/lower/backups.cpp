// AWS Backup. A plan and its selection act only in their own region, so after a
// failover only a plan in the new writer's region keeps backing it up. Every
// region that can hold a covered tier's writer (a database's writer and readers,
// each replica region of a table) therefore gets its own vault, plan and
// selection; the selection picks resources by a tag lowering puts on every
// cluster and table replica, so it works whichever role the region has. Each
// plan copies to another region's vault; vaults are locked.
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

// Nobody, the account's administrators included, deletes a recovery point or
// shortens its life through the Backup API: the plan's lifecycle expires them
// (AWS Backup Developer Guide, "Vault access policies"; AWS Config rule
// backup-recovery-point-manual-deletion-disabled, which wants Principal and
// Resource "*"). That rule's third action, backup:PutBackupVaultAccessPolicy, is
// not denied: the next apply of a changed policy would be refused, and the vault
// lock is what holds recovery points for their retention whatever the policy says.
infra::PolicyDocument vault_policy() {
  infra::Statement deny;
  deny.sid = "DenyRecoveryPointDeletion";
  deny.effect = infra::Effect::Deny;
  deny.actions = {"backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"};
  deny.resources = {Text("*")};
  deny.principals = {{"AWS", {Text("*")}}};
  deny.wildcard_reason = "in a vault access policy \"*\" means this vault's recovery points";
  return {{deny}};
}

infra::BackupVault& ensure_vault(Context& cx, const ir::Backup& b, const std::string& role) {
  for (infra::BackupVault& v : cx.model.backup_vaults) {
    if (v.id == vault_id(b, role)) return v;
  }
  infra::BackupVault vault;
  vault.id = vault_id(b, role);
  vault.region = role;
  vault.origin = b.origin.range;
  vault.name = cx.name({b.name, role});
  vault.key = ensure_backup_key(cx, role).id;
  vault.policy = vault_policy();
  cx.model.backup_vaults.push_back(std::move(vault));
  return cx.model.backup_vaults.back();
}

// The vault lock's minimum retention may not exceed what any recovery point
// stored there keeps, or AWS Backup refuses to store it.
void lock_for(infra::BackupVault& vault, int retention_days) {
  vault.lock_min_retention_days =
      vault.lock_min_retention_days == 0 ? retention_days : std::min(vault.lock_min_retention_days, retention_days);
}

// Regions that can hold a covered tier's writer, in the spec's region order.
std::vector<std::string> writer_regions(const Context& cx, const ir::Backup& b) {
  std::vector<std::string> candidates;
  for (const std::string& name : b.covers) {
    if (const ir::Database* db = cx.system.database(name)) {
      for (const std::string& role : cx.database_regions(*db)) candidates.push_back(role);
    } else if (const ir::Table* table = cx.system.table(name)) {
      for (const std::string& role : table->replicas) candidates.push_back(role);
    }
  }
  std::vector<std::string> out;
  for (const ir::Region& region : cx.system.regions) {
    if (std::find(candidates.begin(), candidates.end(), region.role) != candidates.end()) out.push_back(region.role);
  }
  return out;
}

// Where a plan in `role` copies to: `copy_to`, or, for the plan in `copy_to`
// itself, the first other region holding a writer (else the first other region).
std::optional<std::string> copy_region(const Context& cx, const ir::Backup& b, const std::string& role,
                                       const std::vector<std::string>& regions) {
  if (!b.copy_to || !cx.has_region(*b.copy_to)) return std::nullopt;
  if (*b.copy_to != role) return *b.copy_to;
  for (const std::string& other : regions) {
    if (other != role) return other;
  }
  for (const ir::Region& other : cx.system.regions) {
    if (other.role != role) return other.role;
  }
  return std::nullopt;
}

std::string tag_key(const ir::Backup& b) {
  // One key per plan, so a tier covered by two plans keeps both tags.
  return "paydrc-backup-" + b.name;
}

// Tags every resource a selection picks: each regional cluster of a covered
// database (writer and readers alike, since either can be promoted) and the
// table, whose replicas carry its tags.
//
// Aurora global secondaries: the sources searched for this change (Aurora User
// Guide, AWS Backup Developer Guide pages available offline) do not state whether
// AWS Backup snapshots a secondary cluster of a global database. Tagging every
// cluster makes the plan of whichever region holds the writer back it up after a
// failover; while a region holds a secondary, its plan's job either snapshots the
// secondary (a redundant copy) or fails and shows in AWS Backup's job status.
void tag_covered(Context& cx, const ir::Backup& b) {
  const std::pair<std::string, std::string> tag{tag_key(b), "true"};
  for (const std::string& name : b.covers) {
    if (const ir::Database* db = cx.system.database(name)) {
      for (const std::string& role : cx.database_regions(*db)) {
        for (infra::DbCluster& c : cx.model.db_clusters) {
          if (c.id == Context::cluster_id(db->name, role)) c.tags.push_back(tag);
        }
      }
    } else if (cx.system.table(name)) {
      for (infra::Table& t : cx.model.tables) {
        if (t.id == Context::table_id(name)) t.tags.push_back(tag);
      }
    }
  }
}

}  // namespace

void lower_backups(Context& cx) {
  infra::Model& m = cx.model;
  for (const ir::Backup& b : cx.system.backups) {
    const std::vector<std::string> regions = writer_regions(cx, b);
    if (regions.empty()) continue;
    tag_covered(cx, b);

    // IAM is global: one role serves the plans of every region.
    infra::Role role;
    role.id = b.name + "_backup";
    role.region = cx.home_region();
    role.origin = b.origin.range;
    role.name = cx.name({b.name, "backup"});
    role.description = fmt::format("AWS Backup plan {}", b.name);
    role.trusted_services = {"backup.amazonaws.com"};
    // AWS maintains these two for the services Backup supports; a hand-written
    // copy would fall behind them.
    role.managed_policies = {"arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
                             "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"};
    m.roles.push_back(role);

    for (const std::string& region : regions) {
      lock_for(ensure_vault(cx, b, region), days(b.retention));
      const std::optional<std::string> copy = copy_region(cx, b, region, regions);
      if (copy) lock_for(ensure_vault(cx, b, *copy), days(b.copy_retention));

      infra::BackupPlan plan;
      plan.id = fmt::format("{}_{}", b.name, region);
      plan.backup = b.name;
      plan.region = region;
      plan.origin = b.origin.range;
      plan.name = cx.name({b.name, region});
      infra::BackupRule rule;
      rule.name = b.name;
      rule.schedule = b.schedule;
      rule.vault = vault_id(b, region);
      rule.delete_after_days = days(b.retention);
      if (copy) rule.copies.push_back({vault_id(b, *copy), days(b.copy_retention)});
      plan.rules.push_back(std::move(rule));
      m.backup_plans.push_back(plan);

      infra::BackupSelection selection;
      selection.id = plan.id;
      selection.backup = b.name;
      selection.region = region;
      selection.origin = b.origin.at("covers");
      selection.name = cx.name({b.name, region});
      selection.plan = plan.id;
      selection.role = role.id;
      selection.tags.emplace_back(tag_key(b), "true");
      m.backup_selections.push_back(std::move(selection));
    }
  }
}

}  // namespace paydrc::lower
