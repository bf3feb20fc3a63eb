// DR-FAILOVER-PATH: the blocks of a spec agree on where recovery goes. Traffic
// fails over to a region that holds every tier the serving function uses, the
// writers are where traffic is served, and every region a function runs in has
// the replicas, clusters and buses it calls. Each check is one cross-block
// contradiction that the first outage would expose.
#include <fmt/format.h>

#include <algorithm>

#include "rules/rules.h"

namespace paydrc::policies::rules {
namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::vector<std::string> database_regions(const ir::Database& d) {
  std::vector<std::string> out{d.writer};
  for (const std::string& r : d.readers) {
    if (!contains(out, r)) out.push_back(r);
  }
  return out;
}

void check_failover(const Context& ctx, Findings& out, const ir::Failover& f) {
  const ir::System& s = ctx.system;
  if (f.primary == f.secondary) {
    out.add(f.origin.at("secondary"),
            fmt::format("failover `{}` fails over from `{}` to itself: losing that region leaves nothing to answer",
                        f.name, f.primary),
            "name another region as `secondary`", f.name);
    return;
  }
  const ir::Function* fn = s.function(f.target);
  if (fn == nullptr) return;
  for (const ir::Grant& g : fn->access) {
    if (g.target_kind != ir::TargetKind::Database) continue;
    const ir::Database* d = s.database(g.target);
    if (d == nullptr) continue;
    // After a failover the promoted region writes: traffic must be served there.
    const std::string& writer = d->active_writer();
    if (writer != f.primary) {
      auto& diag = out.add(
          f.origin.at("primary"),
          fmt::format("failover `{}` serves from `{}` while database `{}` writes in `{}`: every payment crosses "
                      "regions, and losing either region stops writes",
                      f.name, f.primary, d->name, writer),
          d->promoted ? fmt::format("serve from the promoted writer's region: swap the failover's regions "
                                    "(`primary = {}`, `secondary = {}`)",
                                    writer, f.primary)
                      : fmt::format("serve from the writer's region (`primary = {}`) or move the writer", writer),
          f.name);
      diag.notes.push_back({d->promoted ? "the database's promoted writer" : "the database's writer",
                            d->origin.at(d->promoted ? "promoted" : "writer")});
    }
    // Traffic moving to the writer's own region is the swap reported above.
    if (f.secondary != writer && !contains(database_regions(*d), f.secondary)) {
      auto& diag =
          out.add(f.origin.at("secondary"),
                  fmt::format("failover `{}` moves traffic to `{}`, which holds no cluster of database `{}` to "
                              "promote",
                              f.name, f.secondary, d->name),
                  fmt::format("add `{}` to the database's `readers`", f.secondary), f.name);
      diag.notes.push_back({"the database's readers", d->origin.at("readers")});
    }
  }
}

void check_function(const Context& ctx, Findings& out, const ir::Function& fn) {
  const ir::System& s = ctx.system;
  for (const std::string& role : fn.regions) {
    for (const ir::Grant& g : fn.access) {
      std::string problem, hint;
      SourceRange where;
      if (g.target_kind == ir::TargetKind::Table) {
        const ir::Table* t = s.table(g.target);
        if (t == nullptr || contains(t->replicas, role)) continue;
        problem = fmt::format("table `{}` has no replica in `{}`", t->name, role);
        hint = fmt::format("add `{}` to the table's `replicas`", role);
        where = t->origin.at("replicas");
      } else if (g.target_kind == ir::TargetKind::Database) {
        const ir::Database* d = s.database(g.target);
        if (d == nullptr || contains(database_regions(*d), role)) continue;
        problem = fmt::format("database `{}` has no cluster in `{}`", d->name, role);
        hint = fmt::format("add `{}` to the database's `readers`", role);
        where = d->origin.at("readers");
      } else if (g.target_kind == ir::TargetKind::Events) {
        const ir::EventReplication* e = s.event_bus(g.target);
        if (e == nullptr || e->from == role || contains(e->to, role)) continue;
        problem = fmt::format("events `{}` have no bus in `{}`", e->name, role);
        hint = fmt::format("add `{}` to the events' `to`", role);
        where = e->origin.at("to");
      } else {
        continue;
      }
      auto& diag = out.add(g.range.valid() ? g.range : fn.origin.at("access"),
                           fmt::format("function `{}` runs in `{}` and uses `{}`, but {}: every call there fails",
                                       fn.name, role, g.target, problem),
                           hint, fn.name);
      diag.notes.push_back({"declared here", where});
    }
  }
}

}  // namespace

const Rule& dr_failover_path() {
  static const Rule rule{
      {"DR-FAILOVER-PATH", "the failover path holds every tier the serving function needs", Category::DisasterRecovery,
       diag::Severity::Error,
       "a region outage is survived only if the region traffic fails over to has the function, a cluster to "
       "promote, a replica of every table and a bus for every event the function uses, and if the writers are "
       "where traffic is served; a spec whose blocks disagree passes every single-block check and fails in the "
       "outage",
       "AWS Well-Architected Reliability Pillar REL10-BP01 (deploy the workload to multiple locations); Aurora User "
       "Guide, 'Using failover in an Amazon Aurora global database'"},
      [](const Context& ctx, Findings& out) {
        for (const ir::Failover& f : ctx.system.failovers) check_failover(ctx, out, f);
        for (const ir::Function& fn : ctx.system.functions) check_function(ctx, out, fn);
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
