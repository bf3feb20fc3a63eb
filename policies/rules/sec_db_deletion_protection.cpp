// SEC-DB-DELETION-PROTECTION: data stores refuse to be deleted.
#include <map>
#include <utility>

#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {
namespace {

void check(const Context& ctx, Findings& out) {
  // One finding per spec block, naming every resource of it that can be deleted.
  std::map<std::string, std::pair<const infra::Base*, std::vector<std::string>>> unprotected;
  auto note = [&](const infra::Base& r, bool protection, std::string_view what) {
    if (protection) return;
    auto& [first, names] = unprotected[block_scope(ctx.system, r.origin)];
    if (first == nullptr) first = &r;
    names.push_back(fmt::format("{} `{}`", what, r.id));
  };
  for (const infra::GlobalCluster& g : ctx.model.global_clusters) note(g, g.deletion_protection, "global cluster");
  for (const infra::DbCluster& c : ctx.model.db_clusters) note(c, c.deletion_protection, "cluster");
  for (const infra::Table& t : ctx.model.tables) note(t, t.deletion_protection, "table");
  for (const auto& [scope, entry] : unprotected) {
    const auto& [first, names] = entry;
    sec::report(ctx, out, *first, fmt::format("{} can be deleted", fmt::join(names, ", ")),
                "set `deletion_protection = on`; turn it off only in the change that retires the store",
                "deletion_protection");
  }
}

}  // namespace

const Rule& sec_db_deletion_protection() {
  static const Rule rule{
      {"SEC-DB-DELETION-PROTECTION", "databases and tables refuse deletion", Category::Security, diag::Severity::Error,
       "a mistaken `terraform destroy`, stack deletion or API call would otherwise delete the data store and, for a "
       "global database, every region's copy with it",
       "Checkov CKV_AWS_139; AWS DynamoDB Developer Guide, 'Using deletion protection'"},
      check};
  return rule;
}

}  // namespace paydrc::policies::rules
