// SEC-BACKUP-COVERAGE: every data store is selected, in every region that holds
// it (by ARN, or by tag in that region), by an AWS Backup plan that copies its
// recovery points to another region. DR-BACKUP-COPY checks
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

// One regional copy of a store: a cluster, or a table replica, with its tags.
struct Piece {
  std::string region;  // region role
  std::vector<std::pair<std::string, std::string>> tags;
};

// Whether `selection` picks the piece: by one of the store's ARNs, or, in the
// piece's own region, by one of its tags (AWS Backup ORs a selection's tags).
bool selects(const infra::BackupSelection& selection, const std::vector<infra::Text>& arns, const Piece& piece) {
  for (const infra::Text& arn : arns) {
    if (std::find(selection.resources.begin(), selection.resources.end(), arn) != selection.resources.end())
      return true;
  }
  if (selection.region != piece.region) return false;
  return std::any_of(selection.tags.begin(), selection.tags.end(), [&](const auto& tag) {
    return std::find(piece.tags.begin(), piece.tags.end(), tag) != piece.tags.end();
  });
}

// Checks the store known to the model by any of `arns`, held in each of `pieces`'
// regions. A plan and its selection act in their own region only, so every region
// that can hold the writer needs one: after a failover, the new writer's region is
// the one whose backups matter.
void check_store(const Context& ctx, Findings& out, const infra::Base& store, std::string_view what,
                 const std::vector<infra::Text>& arns, const std::vector<Piece>& pieces) {
  const infra::Model& m = ctx.model;
  std::vector<std::string> plans_without_copy;
  std::vector<std::string> uncovered;
  bool selected_anywhere = false;
  for (const Piece& piece : pieces) {
    bool covered = false;
    for (const infra::BackupSelection& selection : m.backup_selections) {
      if (!selects(selection, arns, piece)) continue;
      selected_anywhere = true;
      const infra::BackupPlan* plan = sec::find(m.backup_plans, selection.plan);
      if (plan != nullptr && copies_across_regions(m, *plan)) {
        covered = true;
        break;
      }
      plans_without_copy.push_back(plan != nullptr ? plan->id : selection.plan);
    }
    if (!covered) uncovered.push_back(piece.region);
  }
  if (uncovered.empty()) return;
  if (!selected_anywhere) {
    sec::report(ctx, out, store, fmt::format("{} `{}` is in no backup plan's selection", what, store.id),
                "add it to a `backup` block's `covers`, with `copy_to` another region");
  } else if (!plans_without_copy.empty()) {
    std::sort(plans_without_copy.begin(), plans_without_copy.end());
    plans_without_copy.erase(std::unique(plans_without_copy.begin(), plans_without_copy.end()),
                             plans_without_copy.end());
    sec::report(ctx, out, store,
                fmt::format("{} `{}` is backed up by `{}` without a copy to another region", what, store.id,
                            fmt::join(plans_without_copy, "`, `")),
                "set `copy_to` on the backup, so a region outage does not take the recovery points with it");
  } else {
    sec::report(ctx, out, store,
                fmt::format("{} `{}` is backed up in no plan of `{}`, where its writer runs after a failover", what,
                            store.id, fmt::join(uncovered, "`, `")),
                "a backup plan acts only in its own region: give every region holding the store a plan that "
                "selects it");
  }
}

// The region role whose AWS region is `aws_region`.
std::string role_of(const infra::Model& m, const std::string& aws_region) {
  for (const infra::RegionInfo& r : m.regions) {
    if (r.aws_region == aws_region) return r.role;
  }
  return aws_region;
}

void check(const Context& ctx, Findings& out) {
  const infra::Model& m = ctx.model;
  for (const infra::GlobalCluster& g : m.global_clusters) {
    std::vector<infra::Text> arns = {infra::Text(infra::Ref{Kind::GlobalCluster, g.id, infra::Attr::Arn})};
    std::vector<Piece> pieces;
    for (const infra::DbCluster& c : m.db_clusters) {
      if (c.global_cluster != g.id) continue;
      arns.emplace_back(infra::Ref{Kind::DbCluster, c.id, infra::Attr::Arn});
      pieces.push_back({c.region, c.tags});
    }
    check_store(ctx, out, g, "database", arns, pieces);
  }
  for (const infra::DbCluster& c : m.db_clusters) {
    if (c.global_cluster.empty())
      check_store(ctx, out, c, "database cluster", {infra::Text(infra::Ref{Kind::DbCluster, c.id, infra::Attr::Arn})},
                  {{c.region, c.tags}});
  }
  for (const infra::Table& t : m.tables) {
    std::vector<Piece> pieces = {{t.region, t.tags}};
    for (const infra::TableReplica& r : t.replicas) pieces.push_back({role_of(m, r.aws_region), t.tags});
    check_store(ctx, out, t, "table", {infra::Text(infra::Ref{Kind::Table, t.id, infra::Attr::Arn})}, pieces);
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
