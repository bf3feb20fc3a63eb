// SEC-BACKUP-COVERAGE: every data store is selected, by its ARN, by an AWS Backup
// plan that copies its recovery points to another region. DR-BACKUP-COPY checks
// the spec's intent; this rule checks what the model will deploy.
#include <algorithm>

#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {
namespace {

using infra::Kind;

// Whether a plan has a rule whose copy lands in a vault of another region.
bool copies_across_regions(const infra::Model& m, const infra::BackupPlan& plan) {
  for (const infra::BackupRule& rule : plan.rules) {
    const infra::BackupVault* home = sec::find(m.backup_vaults, rule.vault);
    if (home == nullptr) continue;
    for (const infra::BackupCopy& copy : rule.copies) {
      const infra::BackupVault* target = sec::find(m.backup_vaults, copy.vault);
      if (target != nullptr && sec::aws_region(m, target->region) != sec::aws_region(m, home->region)) return true;
    }
  }
  return false;
}

// Checks the store known to the model by any of `arns`.
void check_store(const Context& ctx, Findings& out, const infra::Base& store, std::string_view what,
                 const std::vector<infra::Text>& arns) {
  const infra::Model& m = ctx.model;
  std::vector<std::string> plans_without_copy;
  for (const infra::BackupSelection& selection : m.backup_selections) {
    const bool selected = std::any_of(arns.begin(), arns.end(), [&](const infra::Text& arn) {
      return std::find(selection.resources.begin(), selection.resources.end(), arn) != selection.resources.end();
    });
    if (!selected) continue;
    const infra::BackupPlan* plan = sec::find(m.backup_plans, selection.plan);
    if (plan != nullptr && copies_across_regions(m, *plan)) return;
    plans_without_copy.push_back(plan != nullptr ? plan->id : selection.plan);
  }
  if (plans_without_copy.empty()) {
    sec::report(ctx, out, store, fmt::format("{} `{}` is in no backup plan's selection", what, store.id),
                "add it to a `backup` block's `covers`, with `copy_to` another region");
  } else {
    sec::report(ctx, out, store,
                fmt::format("{} `{}` is backed up by `{}` without a copy to another region", what, store.id,
                            fmt::join(plans_without_copy, "`, `")),
                "set `copy_to` on the backup, so a region outage does not take the recovery points with it");
  }
}

void check(const Context& ctx, Findings& out) {
  const infra::Model& m = ctx.model;
  for (const infra::GlobalCluster& g : m.global_clusters) {
    std::vector<infra::Text> arns = {infra::Text(infra::Ref{Kind::GlobalCluster, g.id, infra::Attr::Arn})};
    for (const infra::DbCluster& c : m.db_clusters) {
      if (c.global_cluster == g.id) arns.emplace_back(infra::Ref{Kind::DbCluster, c.id, infra::Attr::Arn});
    }
    check_store(ctx, out, g, "database", arns);
  }
  for (const infra::DbCluster& c : m.db_clusters) {
    if (c.global_cluster.empty())
      check_store(ctx, out, c, "database cluster", {infra::Text(infra::Ref{Kind::DbCluster, c.id, infra::Attr::Arn})});
  }
  for (const infra::Table& t : m.tables) {
    check_store(ctx, out, t, "table", {infra::Text(infra::Ref{Kind::Table, t.id, infra::Attr::Arn})});
  }
}

}  // namespace

const Rule& sec_backup_coverage() {
  static const Rule rule{
      {"SEC-BACKUP-COVERAGE", "every data store is in a backup plan that copies to another region", Category::Security,
       diag::Severity::Error,
       "replication copies mistakes and deletions to every region within a second; only backups kept apart, in a "
       "vault of another region, survive both a bad write and the loss of the primary region",
       "Checkov CKV2_AWS_8"},
      check};
  return rule;
}

}  // namespace paydrc::policies::rules
