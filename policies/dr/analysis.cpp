#include "dr/analysis.h"

#include <fmt/format.h>

#include <algorithm>

#include "check/values.h"

namespace paydrc::policies {
namespace {

using check::format_duration;

void add_sum(Bound& b, Contributor c) {
  b.total += c.seconds;
  b.contributors.push_back(std::move(c));
}

void add_max(Bound& b, Contributor c) {
  b.total = std::max(b.total, c.seconds);
  b.contributors.push_back(std::move(c));
}

void mark_unbounded(Bound& b, std::string reason, SourceRange range) {
  if (b.unbounded) return;  // the first reason is the one to fix first
  b.unbounded = true;
  b.unbounded_reason = std::move(reason);
  b.unbounded_range = range;
}

Contributor fact(const RecoveryFacts& facts, const std::string& name, std::string what, SourceRange range) {
  const RecoveryFact& f = facts.at(name);
  return {std::move(what), f.seconds, range, f.source};
}

const ir::Alarm* lag_alarm(const ir::System& s, const std::string& target) {
  const ir::Alarm* best = nullptr;
  for (const ir::Alarm& a : s.monitor.alarms) {
    if (a.metric == ir::Metric::ReplicationLag && a.target == target &&
        (best == nullptr || a.threshold < best->threshold)) {
      best = &a;
    }
  }
  return best;
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

Bound region_outage_rto(const ir::System& s, const RecoveryFacts& facts) {
  Bound b;
  // Without a `failover` block nothing public needs repointing: the functions
  // already run in every region, so only the data tiers' promotion counts.
  if (!s.failovers.empty()) {
    const ir::Failover* slowest = &s.failovers.front();
    for (const ir::Failover& f : s.failovers) {
      if (f.health_check.interval * f.health_check.failure_threshold + f.ttl >
          slowest->health_check.interval * slowest->health_check.failure_threshold + slowest->ttl) {
        slowest = &f;
      }
    }
    const ir::HealthCheck& hc = slowest->health_check;
    add_sum(b, {fmt::format("detection: Route 53 health check every {} x {} failures", format_duration(hc.interval),
                            hc.failure_threshold),
                hc.interval * hc.failure_threshold, hc.origin.at("interval"), ""});
    add_sum(b, {fmt::format("DNS: clients keep the old answer for the TTL ({})", format_duration(slowest->ttl)),
                slowest->ttl, slowest->origin.at("ttl"), ""});
  }

  // The slowest data tier to take writes in the secondary region: its operator
  // step (manual failover) and its promotion, one after the other.
  const RecoveryFact& promote = facts.at("aurora_global_unplanned_failover");
  const ir::Database* slowest_db = nullptr;
  ir::Seconds slowest_total = -1;
  for (const ir::Database& d : s.databases) {
    if (d.failover == ir::FailoverMode::Manual && !d.operator_response) {
      mark_unbounded(b, fmt::format("database `{}` fails over by hand and has no `operator_response`", d.name),
                     d.origin.at("failover"));
      continue;
    }
    ir::Seconds total = d.operator_response.value_or(0) + promote.seconds;
    if (d.failover == ir::FailoverMode::Managed) total = promote.seconds;
    if (total > slowest_total) {
      slowest_total = total;
      slowest_db = &d;
    }
  }
  if (slowest_db != nullptr) {
    if (slowest_db->failover == ir::FailoverMode::Manual) {
      add_sum(b, {fmt::format("operator: paged, starts the failover of `{}`", slowest_db->name),
                  *slowest_db->operator_response, slowest_db->origin.at("operator_response"), ""});
    }
    add_sum(b, {fmt::format("promotion: `{}` secondary promoted with `--allow-data-loss`", slowest_db->name),
                promote.seconds, slowest_db->origin.at("kind"), promote.source});
  } else if (!s.tables.empty()) {
    add_sum(b, fact(facts, "dynamodb_global_table_failover",
                    fmt::format("promotion: `{}` replicas already accept writes", s.tables.front().name),
                    s.tables.front().origin.at("kind")));
  }
  for (const ir::Function& f : s.functions) {
    add_sum(b, fact(facts, "lambda_predeployed", fmt::format("compute: `{}` already deployed in every region", f.name),
                    f.origin.at("regions")));
    break;
  }
  return b;
}

Bound region_outage_rpo(const ir::System& s, const RecoveryFacts& facts) {
  Bound b;
  auto tier = [&](const std::string& name, const std::string& kind, const ir::Origin& origin) {
    const ir::Alarm* alarm = lag_alarm(s, name);
    if (alarm == nullptr) {
      mark_unbounded(b,
                     fmt::format("{} `{}` replicates asynchronously with no engine-enforced bound, and no "
                                 "`replication_lag` alarm pages anyone before its lag grows",
                                 kind, name),
                     origin.range);
      return;
    }
    add_max(b, {fmt::format("replication: `{}` lag is bounded only by alarm `{}` ({})", name, alarm->name,
                            format_duration(static_cast<ir::Seconds>(alarm->threshold))),
                static_cast<ir::Seconds>(alarm->threshold), alarm->origin.at("threshold"), ""});
  };
  for (const ir::Database& d : s.databases) tier(d.name, "database", d.origin);
  for (const ir::Table& t : s.tables) tier(t.name, "table", t.origin);
  for (const ir::EventReplication& e : s.events) {
    if (!e.archive) {
      add_max(b, fact(facts, "events_in_flight", fmt::format("events: `{}` events not yet forwarded are lost", e.name),
                      e.origin.range));
    }
  }
  return b;
}

Bound az_outage_rto(const ir::System& s, const RecoveryFacts& facts, const Bound& region_rto) {
  Bound b;
  for (const ir::Database& d : s.databases) {
    if (d.instances >= 2) {
      add_max(b, fact(facts, "aurora_in_region_failover",
                      fmt::format("`{}` fails over to a replica in another zone", d.name), d.origin.at("instances")));
    } else {
      add_max(b, fact(facts, "aurora_single_instance_recovery",
                      fmt::format("`{}` has one instance per region: Aurora must replace it", d.name),
                      d.origin.at("instances")));
    }
  }
  for (const ir::Region& r : s.regions) {
    if (r.nat_gateways >= r.zones || s.functions.empty()) continue;
    // Functions in private subnets reach AWS APIs through the NAT gateways; losing
    // a zone that holds one cuts that path until the region fails over.
    if (region_rto.unbounded) {
      mark_unbounded(b, "losing the NAT gateway's zone fails the region over, and the region-outage RTO is unbounded",
                     r.origin.at("nat_gateways"));
      continue;
    }
    add_max(b, {fmt::format("region `{}` has {} NAT gateway(s) for {} zones: losing a NAT zone fails the region over "
                            "(region-outage RTO)",
                            r.role, r.nat_gateways, r.zones),
                region_rto.total, r.origin.at("nat_gateways"), ""});
  }
  return b;
}

Bound logical_corruption_rpo(const ir::System& s, const RecoveryFacts& facts) {
  Bound b;
  auto backup_interval = [&](const std::string& name) -> std::optional<std::pair<ir::Seconds, const ir::Backup*>> {
    std::optional<std::pair<ir::Seconds, const ir::Backup*>> best;
    for (const ir::Backup& bk : s.backups) {
      if (std::find(bk.covers.begin(), bk.covers.end(), name) == bk.covers.end()) continue;
      auto interval = schedule_interval(bk.schedule);
      if (interval && (!best || *interval < best->first)) best = std::make_pair(*interval, &bk);
    }
    return best;
  };
  for (const ir::Database& d : s.databases) {
    // Aurora keeps continuous backups for `backup_retention` (at least one day).
    add_max(b, fact(facts, "pitr_granularity", fmt::format("`{}`: point-in-time recovery", d.name),
                    d.origin.at("backup_retention")));
  }
  for (const ir::Table& t : s.tables) {
    if (t.point_in_time_recovery) {
      add_max(b, fact(facts, "pitr_granularity", fmt::format("`{}`: point-in-time recovery", t.name),
                      t.origin.at("point_in_time_recovery")));
    } else if (auto interval = backup_interval(t.name)) {
      add_max(b, {fmt::format("`{}`: no PITR; backups every {} (`{}`)", t.name, format_duration(interval->first),
                              interval->second->name),
                  interval->first, interval->second->origin.at("schedule"), ""});
    } else {
      mark_unbounded(b, fmt::format("table `{}` has neither PITR nor a backup plan: nothing to restore", t.name),
                     t.origin.at("point_in_time_recovery"));
    }
  }
  return b;
}

Bound logical_corruption_rto(const ir::System& s, const RecoveryFacts& facts) {
  Bound b;
  for (const ir::Database& d : s.databases) {
    add_max(b, fact(facts, "aurora_restore", fmt::format("`{}`: restore to a new cluster", d.name), d.origin.range));
  }
  for (const ir::Table& t : s.tables) {
    add_max(b, fact(facts, "dynamodb_restore", fmt::format("`{}`: restore to a new table", t.name), t.origin.range));
  }
  return b;
}

Bound az_outage_rpo(const ir::System& s) {
  Bound b;
  for (const ir::Database& d : s.databases) {
    add_max(b, {fmt::format("`{}`: Aurora storage keeps six copies across three zones", d.name), 0, d.origin.range,
                "Aurora User Guide, 'Amazon Aurora storage'"});
  }
  for (const ir::Table& t : s.tables) {
    add_max(b, {fmt::format("`{}`: DynamoDB replicates across zones synchronously", t.name), 0, t.origin.range,
                "DynamoDB Developer Guide, 'Resilience in Amazon DynamoDB'"});
  }
  return b;
}

}  // namespace

const Contributor* Bound::largest() const {
  const Contributor* best = nullptr;
  for (const Contributor& c : contributors) {
    if (best == nullptr || c.seconds > best->seconds) best = &c;
  }
  return best;
}

std::string describe(ir::Scenario s) {
  switch (s) {
    case ir::Scenario::RegionOutage:
      return "region outage";
    case ir::Scenario::AzOutage:
      return "zone outage";
    case ir::Scenario::LogicalCorruption:
      return "logical corruption";
  }
  return "outage";
}

std::vector<ScenarioResult> analyse(const ir::System& s, const RecoveryFacts& facts) {
  std::vector<ScenarioResult> out;
  ScenarioResult region{ir::Scenario::RegionOutage, region_outage_rto(s, facts), region_outage_rpo(s, facts),
                        &s.objectives.for_scenario(ir::Scenario::RegionOutage)};
  ScenarioResult az{ir::Scenario::AzOutage, az_outage_rto(s, facts, region.rto), az_outage_rpo(s),
                    &s.objectives.for_scenario(ir::Scenario::AzOutage)};
  ScenarioResult corruption{ir::Scenario::LogicalCorruption, logical_corruption_rto(s, facts),
                            logical_corruption_rpo(s, facts),
                            &s.objectives.for_scenario(ir::Scenario::LogicalCorruption)};
  out.push_back(std::move(region));
  out.push_back(std::move(az));
  out.push_back(std::move(corruption));
  return out;
}

std::string render_budget(const std::vector<ScenarioResult>& results) {
  std::string out;
  auto line = [&](const char* what, const Bound& b, ir::Seconds objective) {
    std::string achieved = b.unbounded ? std::string("unbounded") : format_duration(b.total);
    bool ok = !b.unbounded && b.total <= objective;
    out += fmt::format("  {}  {:>10} of {:>6}  {}\n", what, achieved, format_duration(objective),
                       ok ? fmt::format("ok, {} spare", format_duration(objective - b.total)) : "NOT MET");
    for (const Contributor& c : b.contributors) {
      out += fmt::format("        {:>8}  {}\n", format_duration(c.seconds), c.what);
    }
    if (b.unbounded) out += fmt::format("        {:>8}  {}\n", "?", b.unbounded_reason);
  };
  for (const ScenarioResult& r : results) {
    out += fmt::format("{}\n", describe(r.scenario));
    line("RTO", r.rto, r.objective->rto);
    line("RPO", r.rpo, r.objective->rpo);
  }
  return out;
}

}  // namespace paydrc::policies
