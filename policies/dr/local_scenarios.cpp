// Zone outage and logical corruption: failures the primary region survives. A
// zone outage is bounded by the slowest tier's in-region failover (and by a NAT
// gateway whose loss fails the region over); logical corruption by what can be
// restored (PITR, backup plans) and how long a restore takes.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "check/values.h"
#include "dr/terms.h"
#include "lower/lower.h"

namespace paydrc::policies::dr {
namespace {

using check::format_duration;
using infra::Kind;

// The cluster taking writes now: the promoted one after a failover. (The model's
// `writer` flag marks the cluster that created the global database.)
const infra::DbCluster* writer_cluster(const infra::Model& m, const ir::Database& d) {
  for (const infra::DbCluster& c : m.db_clusters) {
    if (c.global_cluster == d.name && c.region == d.active_writer()) return &c;
  }
  return nullptr;
}

// The VPC endpoints through which every function of region `role` reaches every AWS
// API it may call, in every private subnet (or route table): then the functions
// need no NAT gateway, and losing its zone cuts nothing. Empty when one is missing.
std::vector<Evidence> endpoints_cover_functions(const Inputs& in, const std::string& role) {
  const infra::Model& m = in.model;
  std::vector<std::string> private_subnets;
  for (const infra::Subnet& s : m.subnets) {
    if (s.region == role && s.tier == infra::SubnetTier::Private) private_subnets.push_back(s.id);
  }
  std::vector<std::string> private_tables;
  for (const infra::RouteTable& rt : m.route_tables) {
    if (rt.region == role && rt.id != role + "_public") private_tables.push_back(rt.id);
  }
  auto covers_all = [](std::vector<std::string> have, std::vector<std::string> need) {
    std::sort(have.begin(), have.end());
    std::sort(need.begin(), need.end());
    return std::includes(have.begin(), have.end(), need.begin(), need.end());
  };
  std::vector<Evidence> out;
  std::set<std::string> used;
  for (const ir::Function& fn : in.system.functions) {
    if (std::find(fn.regions.begin(), fn.regions.end(), role) == fn.regions.end()) continue;
    std::set<std::string> need = lower::interface_services(in.system, fn, role);
    const bool tables = std::any_of(fn.access.begin(), fn.access.end(),
                                    [](const ir::Grant& g) { return g.target_kind == ir::TargetKind::Table; });
    if (tables) need.insert("dynamodb");
    for (const std::string& service : need) {
      const auto e = std::find_if(m.vpc_endpoints.begin(), m.vpc_endpoints.end(), [&](const infra::VpcEndpoint& v) {
        return v.region == role && v.service == service &&
               (v.interface ? covers_all(v.subnets, private_subnets) : covers_all(v.route_tables, private_tables));
      });
      if (e == m.vpc_endpoints.end()) return {};
      if (used.insert(e->id).second) {
        out.push_back(evidence(Kind::VpcEndpoint, *e, (e->interface ? "interface endpoint for " : "gateway endpoint for ") + service));
      }
    }
  }
  return out;
}

// The longest gap between two runs of a backup schedule, conservatively.
std::optional<ir::Seconds> schedule_interval(const std::string& schedule) {
  if (schedule.starts_with("rate(")) {
    std::string body = schedule.substr(5, schedule.size() - 6);
    std::size_t space = body.find(' ');
    if (space == std::string::npos) return std::nullopt;
    long long n = std::atoll(body.substr(0, space).c_str());
    std::string unit = body.substr(space + 1);
    ir::Seconds scale = unit.starts_with("minute") ? 60 : unit.starts_with("hour") ? 3600 : 86400;
    return n * scale;
  }
  // cron(minutes hours dom month dow year): every hour when the hours field is
  // `*`; otherwise at least once a day when both day fields allow every day;
  // anything sparser is treated as weekly.
  std::vector<std::string> fields;
  std::string body = schedule.substr(5, schedule.size() - 6);
  for (std::size_t start = 0; start < body.size();) {
    std::size_t end = body.find(' ', start);
    if (end == std::string::npos) end = body.size();
    if (end > start) fields.push_back(body.substr(start, end - start));
    start = end + 1;
  }
  if (fields.size() != 6) return std::nullopt;
  auto every = [](const std::string& f) { return f == "*" || f == "?"; };
  bool daily = every(fields[2]) && every(fields[3]) && every(fields[4]);
  if (daily && fields[1] == "*") return 3600;
  if (daily) return 86400;
  return 7 * 86400;
}

// The backup plans and selections lowering generated for backup block `b`, in
// every region it protects.
std::vector<Evidence> backup_evidence(const infra::Model& m, const ir::Backup& b) {
  std::vector<Evidence> out;
  for (const infra::BackupPlan& p : m.backup_plans) {
    if (p.backup == b.name) out.push_back(evidence(Kind::BackupPlan, p, "backs up in " + p.region));
  }
  for (const infra::BackupSelection& s : m.backup_selections) {
    if (s.backup == b.name) out.push_back(evidence(Kind::BackupSelection, s, "selects what it protects in " + s.region));
  }
  return out;
}

// What a tier restores from: its continuous backups, else the tightest backup plan.
struct RestoreSource {
  Contributor granularity;
  bool found = false;
};

RestoreSource restore_source(const Inputs& in, const std::string& name, bool pitr, const ir::Origin& origin,
                             std::vector<Evidence> pitr_evidence) {
  RestoreSource out;
  if (pitr && !pitr_evidence.empty()) {
    out.granularity = fact_term(in, "pitr_granularity", fmt::format("`{}`: point-in-time recovery", name),
                                origin.at(origin.attributes.contains("backup_retention") ? "backup_retention"
                                                                                         : "point_in_time_recovery"));
    out.granularity.evidence = std::move(pitr_evidence);
    // Backup plans covering the tier keep restorable copies beyond the PITR window
    // (and in another region): cite them too.
    for (const ir::Backup& bk : in.system.backups) {
      if (std::find(bk.covers.begin(), bk.covers.end(), name) == bk.covers.end()) continue;
      for (Evidence& e : backup_evidence(in.model, bk)) out.granularity.evidence.push_back(std::move(e));
    }
    out.found = true;
    return out;
  }
  const ir::Backup* best = nullptr;
  ir::Seconds best_interval = 0;
  for (const ir::Backup& bk : in.system.backups) {
    if (std::find(bk.covers.begin(), bk.covers.end(), name) == bk.covers.end()) continue;
    auto interval = schedule_interval(bk.schedule);
    if (interval && (best == nullptr || *interval < best_interval) && !backup_evidence(in.model, bk).empty()) {
      best = &bk;
      best_interval = *interval;
    }
  }
  if (best == nullptr) return out;
  out.granularity = {fmt::format("`{}`: no PITR; backups every {} (`{}`)", name, format_duration(best_interval),
                                 best->name),
                     best_interval,
                     best->origin.at("schedule"),
                     "",
                     Basis::Deployed,
                     backup_evidence(in.model, *best)};
  out.found = true;
  return out;
}

RestoreSource database_source(const Inputs& in, const ir::Database& d) {
  std::vector<Evidence> ev;
  if (const infra::DbCluster* w = writer_cluster(in.model, d)) {
    if (w->backup_retention_days > 0) ev.push_back(evidence(Kind::DbCluster, *w, "keeps continuous backups"));
  }
  // Aurora keeps continuous backups for `backup_retention` (at least one day).
  return restore_source(in, d.name, true, d.origin, std::move(ev));
}

RestoreSource table_source(const Inputs& in, const ir::Table& t) {
  std::vector<Evidence> ev;
  if (const infra::Table* table = find_id(in.model.tables, t.name)) {
    if (table->point_in_time_recovery) ev.push_back(evidence(Kind::Table, *table, "keeps continuous backups"));
  }
  return restore_source(in, t.name, t.point_in_time_recovery, t.origin, std::move(ev));
}

}  // namespace

Bound az_outage_rto(const Inputs& in, const Bound& region_rto) {
  const ir::System& s = in.system;
  Bound b;
  b.combine = Bound::Combine::Max;
  for (const ir::Database& d : s.databases) {
    const infra::DbCluster* w = writer_cluster(in.model, d);
    std::vector<Evidence> instances;
    for (const infra::DbInstance& i : in.model.db_instances) {
      if (w != nullptr && i.cluster == w->id) instances.push_back(evidence(Kind::DbInstance, i, "instance"));
    }
    Contributor c = instances.size() >= 2
                        ? fact_term(in, "aurora_in_region_failover",
                                    fmt::format("`{}` fails over to a replica in another zone", d.name),
                                    d.origin.at("instances"))
                        : fact_term(in, "aurora_single_instance_recovery",
                                    fmt::format("`{}` has one instance per region: Aurora must replace it", d.name),
                                    d.origin.at("instances"));
    c.evidence = std::move(instances);
    add_max(b, std::move(c));
  }
  for (const ir::Region& r : s.regions) {
    if (r.nat_gateways >= r.zones || s.functions.empty()) continue;
    // Functions in private subnets reach AWS APIs through the NAT gateways; losing
    // a zone that holds one cuts that path until the region fails over, unless
    // VPC endpoints in every zone carry every API the functions may call.
    if (std::vector<Evidence> endpoints = endpoints_cover_functions(in, r.role); !endpoints.empty()) {
      Contributor c{fmt::format("region `{}`: its functions reach every AWS API they may call through VPC endpoints "
                                "in every zone, so losing the NAT gateway's zone cuts nothing they need",
                                r.role),
                    0,
                    r.origin.at("interface_endpoints").valid() ? r.origin.at("interface_endpoints") : r.origin.range,
                    "",
                    Basis::Deployed,
                    std::move(endpoints)};
      add_max(b, std::move(c));
      continue;
    }
    if (region_rto.unbounded) {
      mark_unbounded(b, "losing the NAT gateway's zone fails the region over, and the region-outage RTO is unbounded",
                     r.origin.at("nat_gateways"));
      continue;
    }
    Contributor c{fmt::format("region `{}` has {} NAT gateway(s) for {} zones: losing a NAT zone fails the region "
                              "over (the region-outage RTO)",
                              r.role, r.nat_gateways, r.zones),
                  region_rto.total,
                  r.origin.at("nat_gateways"),
                  "",
                  Basis::Deployed,
                  {}};
    for (const infra::NatGateway& n : in.model.nat_gateways) {
      if (n.region == r.role) c.evidence.push_back(evidence(Kind::NatGateway, n, "the zone's only path out"));
    }
    add_max(b, std::move(c));
  }
  return b;
}

Bound az_outage_rpo(const Inputs& in) {
  Bound b;
  b.combine = Bound::Combine::Max;
  for (const ir::Database& d : in.system.databases) {
    Contributor c{fmt::format("`{}`: Aurora storage keeps six copies across three zones", d.name), 0, d.origin.range,
                  "Aurora User Guide, 'Amazon Aurora storage'", Basis::Published, {}};
    if (const infra::DbCluster* w = writer_cluster(in.model, d)) c.evidence.push_back(evidence(Kind::DbCluster, *w, "writer"));
    add_max(b, std::move(c));
  }
  for (const ir::Table& t : in.system.tables) {
    Contributor c{fmt::format("`{}`: DynamoDB replicates across zones synchronously", t.name), 0, t.origin.range,
                  "DynamoDB Developer Guide, 'Resilience in Amazon DynamoDB'", Basis::Published, {}};
    if (const infra::Table* table = find_id(in.model.tables, t.name)) c.evidence.push_back(evidence(Kind::Table, *table, "table"));
    add_max(b, std::move(c));
  }
  return b;
}

Bound logical_corruption_rpo(const Inputs& in) {
  Bound b;
  b.combine = Bound::Combine::Max;
  for (const ir::Database& d : in.system.databases) {
    RestoreSource src = database_source(in, d);
    if (src.found)
      add_max(b, std::move(src.granularity));
    else
      mark_unbounded(b, fmt::format("database `{}` has no continuous backups in the model", d.name), d.origin.range);
  }
  for (const ir::Table& t : in.system.tables) {
    RestoreSource src = table_source(in, t);
    if (src.found)
      add_max(b, std::move(src.granularity));
    else
      mark_unbounded(b, fmt::format("table `{}` has neither PITR nor a backup plan: nothing to restore", t.name),
                     t.origin.at("point_in_time_recovery"));
  }
  return b;
}

Bound logical_corruption_rto(const Inputs& in) {
  Bound b;
  b.combine = Bound::Combine::Max;
  for (const ir::Database& d : in.system.databases) {
    Contributor c = fact_term(in, "aurora_restore", fmt::format("`{}`: restore to a new cluster", d.name), d.origin.range);
    RestoreSource src = database_source(in, d);
    if (!src.found) {
      mark_unbounded(b, fmt::format("database `{}` has nothing to restore from", d.name), d.origin.range);
      continue;
    }
    c.evidence = src.granularity.evidence;
    add_max(b, std::move(c));
  }
  for (const ir::Table& t : in.system.tables) {
    Contributor c = fact_term(in, "dynamodb_restore", fmt::format("`{}`: restore to a new table", t.name), t.origin.range);
    RestoreSource src = table_source(in, t);
    if (!src.found) {
      mark_unbounded(b, fmt::format("table `{}` has nothing to restore from", t.name), t.origin.range);
      continue;
    }
    c.evidence = src.granularity.evidence;
    add_max(b, std::move(c));
  }
  return b;
}

}  // namespace paydrc::policies::dr
