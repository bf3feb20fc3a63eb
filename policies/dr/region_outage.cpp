// Region outage: the primary region is lost. RTO: the health check notices, DNS
// answers with the secondary, an operator paged by an alarm that survives the
// outage promotes the database, and the pre-deployed compute serves. RPO: the
// replication lag each data tier's alarm bounds. Every term names the resources
// that deliver it; a term whose resources lowering did not generate is not claimed.
#include <fmt/format.h>

#include <algorithm>

#include "check/values.h"
#include "dr/terms.h"

namespace paydrc::policies::dr {
namespace {

using check::format_duration;
using infra::Kind;

// The front door of failover `f` in region `role`, as evidence; empty when
// lowering generated none (the function does not run there).
std::vector<Evidence> front_door(const infra::Model& m, const ir::Failover& f, const std::string& role,
                                 const std::string& what) {
  const std::string id = f.name + "_" + role;
  std::vector<Evidence> out;
  const infra::FailoverRecord* record = find_id(m.failover_records, id);
  if (record != nullptr && record->rest) {
    // A REST front door: the failover name's domain, the API, and the region's own
    // health name (its alias record and domain), which the health check probes
    // since the execute-api endpoint is disabled; with a JWT, the authorizer.
    const infra::RestApiDomain* rest_domain = find_id(m.rest_api_domains, id);
    const infra::RestApi* rest = find_id(m.rest_apis, id);
    const infra::ApiRecord* health_name = find_id(m.api_records, id + "_health");
    const infra::RestApiDomain* health_domain = find_id(m.rest_api_domains, id + "_health");
    if (rest_domain == nullptr || rest == nullptr || health_name == nullptr || health_domain == nullptr) return out;
    const infra::Function* authorizer = rest->authorizer.empty() ? nullptr : find_id(m.functions, rest->authorizer);
    if (!rest->authorizer.empty() && authorizer == nullptr) return out;
    out.push_back(evidence(Kind::FailoverRecord, *record, what));
    out.push_back(evidence(Kind::RestApiDomain, *rest_domain, "serves the custom domain in " + role));
    out.push_back(evidence(Kind::RestApi, *rest, "front door in " + role));
    if (authorizer != nullptr) out.push_back(evidence(Kind::Function, *authorizer, "checks tokens in " + role));
    out.push_back(evidence(Kind::ApiRecord, *health_name, "the name the health check of " + role + " probes"));
    return out;
  }
  const infra::ApiDomain* domain = find_id(m.api_domains, id);
  const infra::HttpApi* api = find_id(m.http_apis, id);
  if (record == nullptr || domain == nullptr || api == nullptr) return out;
  out.push_back(evidence(Kind::FailoverRecord, *record, what));
  out.push_back(evidence(Kind::ApiDomain, *domain, "serves the custom domain in " + role));
  out.push_back(evidence(Kind::HttpApi, *api, "front door in " + role));
  return out;
}

// How the operator of a manual failover learns that `lost` is gone: the fastest
// alarm that lives outside the lost region, fires when it is lost, and notifies
// someone. Returns the paging term, or nothing.
std::optional<Contributor> paging(const Inputs& in, const ir::Database& db, const std::string& lost) {
  std::optional<Contributor> best;
  auto consider = [&](Contributor c) {
    if (!best || c.seconds < best->seconds) best = std::move(c);
  };
  // The secondary's replication-lag alarm: the lag grows past the threshold, or
  // the metric stops, which the alarm treats as breaching.
  for (const ir::Alarm& spec : in.system.monitor.alarms) {
    if (spec.metric != ir::Metric::ReplicationLag || spec.target != db.name) continue;
    for (const infra::Alarm* a : alarms_from(in.model, spec.name)) {
      if (a->region == lost) continue;
      std::vector<Evidence> pages = paging_evidence(in.model, *a);
      if (pages.empty()) continue;
      ir::Seconds threshold = static_cast<ir::Seconds>(spec.threshold);
      bool missing_breaches = a->treat_missing_data == "breaching";
      Contributor c{fmt::format("paging: alarm `{}` in `{}` fires when the lag stays above {}{} for {} x {}, and "
                                "notifies its topic's subscribers",
                                spec.name, a->region, format_duration(threshold),
                                missing_breaches ? " (or goes unreported)" : "", a->evaluation_periods,
                                format_duration(a->period)),
                    threshold + alarm_delay(*a),
                    spec.origin.at("threshold"),
                    "",
                    Basis::Deployed,
                    {}};
      c.evidence.push_back(evidence(Kind::Alarm, *a, "pages the operator"));
      c.evidence.insert(c.evidence.end(), pages.begin(), pages.end());
      consider(std::move(c));
    }
  }
  // The primary's health-check alarm, where it lives outside the lost region
  // (Route 53 publishes health-check metrics in us-east-1 only).
  for (const ir::Failover& f : in.system.failovers) {
    const infra::HealthCheck* hc = find_id(in.model.health_checks, f.name + "_" + lost);
    if (hc == nullptr) continue;
    const infra::Alarm* a = health_check_alarm(in.model, hc->id);
    if (a == nullptr || a->region == lost) continue;
    std::vector<Evidence> pages = paging_evidence(in.model, *a);
    if (pages.empty()) continue;
    ir::Seconds detect = static_cast<ir::Seconds>(hc->interval_seconds) * hc->failure_threshold;
    Contributor c{fmt::format("paging: health-check alarm in `{}` fires {} after the check fails", a->region,
                              format_duration(alarm_delay(*a))),
                  detect + alarm_delay(*a),
                  f.health_check.origin.range.valid() ? f.health_check.origin.range : f.origin.range,
                  "",
                  Basis::Deployed,
                  {}};
    c.evidence.push_back(evidence(Kind::Alarm, *a, "pages the operator"));
    c.evidence.insert(c.evidence.end(), pages.begin(), pages.end());
    consider(std::move(c));
  }
  return best;
}

void dns_terms(const Inputs& in, Bound& b, const std::string& lost) {
  if (in.system.failovers.empty()) return;
  // The slowest failover to move: detection plus what resolvers cache.
  const ir::Failover* slowest = nullptr;
  ir::Seconds slowest_total = -1;
  const ir::Seconds alias_ttl = fact_term(in, "alias_target_ttl", "", {}).seconds;
  for (const ir::Failover& f : in.system.failovers) {
    ir::Seconds total = f.health_check.interval * f.health_check.failure_threshold + std::max(f.ttl, alias_ttl);
    if (total > slowest_total) {
      slowest_total = total;
      slowest = &f;
    }
  }
  const ir::Failover& f = *slowest;
  const infra::HealthCheck* hc = find_id(in.model.health_checks, f.name + "_" + lost);
  std::vector<Evidence> standby = front_door(in.model, f, f.secondary, "answers once the primary is unhealthy");
  const infra::FailoverRecord* primary_record = find_id(in.model.failover_records, f.name + "_" + lost);
  if (hc == nullptr || primary_record == nullptr || standby.empty()) {
    mark_unbounded(b,
                   fmt::format("failover `{}` has no health-checked record in `{}` and a front door in `{}` to fail "
                               "over to (does `{}` run in both regions?)",
                               f.name, lost, f.secondary, f.target),
                   f.origin.range);
    return;
  }
  const ir::HealthCheck& spec_hc = f.health_check;
  Contributor detect{fmt::format("detection: Route 53 health check every {} x {} failures", format_duration(spec_hc.interval),
                                 spec_hc.failure_threshold),
                     static_cast<ir::Seconds>(hc->interval_seconds) * hc->failure_threshold,
                     spec_hc.origin.at("interval"),
                     "",
                     Basis::Deployed,
                     {}};
  detect.evidence.push_back(evidence(Kind::HealthCheck, *hc, "probes " + lost));
  detect.evidence.push_back(evidence(Kind::FailoverRecord, *primary_record, "withdrawn when the check fails"));
  add_sum(b, std::move(detect));

  // Failover records are aliases: Route 53 answers with the target's TTL, and the
  // spec's `ttl` deploys nothing. It only counts as an assumption about clients
  // that cache longer than that.
  Contributor dns = fact_term(in, "alias_target_ttl",
                              fmt::format("DNS: the failover alias answers with its target's TTL ({})",
                                          format_duration(alias_ttl)),
                              f.origin.at("ttl"));
  if (f.ttl > dns.seconds) {
    dns = {fmt::format("DNS: clients assumed to re-resolve within the spec's `ttl` ({}); the alias itself answers "
                       "with its target's TTL ({})",
                       format_duration(f.ttl), format_duration(alias_ttl)),
           f.ttl,
           f.origin.at("ttl"),
           "an assumption about client resolvers: nothing deploys it",
           Basis::Assumption,
           {}};
  }
  dns.evidence = standby;
  add_sum(b, std::move(dns));
}

}  // namespace

Bound region_outage_rto(const Inputs& in) {
  const ir::System& s = in.system;
  Bound b;
  const std::string lost = lost_region(s);
  dns_terms(in, b, lost);

  // The slowest data tier to take writes outside the lost region: its operator,
  // paged by an alarm that survives the outage, and its promotion, one after
  // the other.
  struct Plan {
    const ir::Database* db;
    Contributor paged, response, promotion;
  };
  std::optional<Plan> slowest;
  for (const ir::Database& d : s.databases) {
    // The writer now: after a recorded failover (`promoted`), the promoted region's.
    if (d.active_writer() != lost) continue;  // its writer survives: nothing to promote
    const infra::GlobalCluster* global = find_id(in.model.global_clusters, d.name);
    const infra::DbCluster* target = nullptr;
    for (const infra::DbCluster& c : in.model.db_clusters) {
      if (c.global_cluster == d.name && c.region != lost) {
        target = &c;
        break;
      }
    }
    if (global == nullptr || target == nullptr) {
      mark_unbounded(b, fmt::format("database `{}` has no secondary cluster outside `{}` to promote", d.name, lost),
                     d.origin.at("readers"));
      continue;
    }
    if (!d.operator_response) {
      mark_unbounded(b, fmt::format("database `{}` fails over by hand and has no `operator_response`", d.name),
                     d.origin.at("failover"));
      continue;
    }
    std::optional<Contributor> paged = paging(in, d, lost);
    if (!paged) {
      mark_unbounded(b,
                     fmt::format("nobody is paged when `{}` is lost: no alarm outside that region that fires on "
                                 "its loss notifies anyone, yet promoting `{}` needs an operator",
                                 lost, d.name),
                     s.monitor.origin.range.valid() ? s.monitor.origin.range : d.origin.at("failover"),
                     "name who is paged in `monitor`: `notify = [\"oncall@example.com\"]`, an https incident endpoint, or an existing SNS topic ARN");
      continue;
    }
    Contributor response{fmt::format("operator: starts the failover of `{}` once paged", d.name),
                         *d.operator_response,
                         d.origin.at("operator_response"),
                         "the spec's `operator_response`: a commitment nothing deploys",
                         Basis::Declared,
                         {}};
    Contributor promotion = fact_term(
        in, "aurora_global_unplanned_failover",
        fmt::format("promotion: `{}` in `{}` promoted with `failover-global-cluster --allow-data-loss`", d.name,
                    target->region),
        d.origin.at("kind"));
    promotion.evidence = {evidence(Kind::GlobalCluster, *global, "global database"),
                          evidence(Kind::DbCluster, *target, "promoted to writer")};
    ir::Seconds total = paged->seconds + response.seconds + promotion.seconds;
    if (!slowest ||
        total > slowest->paged.seconds + slowest->response.seconds + slowest->promotion.seconds) {
      slowest = Plan{&d, *paged, response, promotion};
    }
  }
  if (slowest) {
    add_sum(b, slowest->paged);
    add_sum(b, slowest->response);
    add_sum(b, slowest->promotion);
  } else if (!s.tables.empty() && s.databases.empty()) {
    const ir::Table& t = s.tables.front();
    Contributor c = fact_term(in, "dynamodb_global_table_failover",
                              fmt::format("promotion: `{}` replicas already accept writes", t.name), t.origin.at("kind"));
    if (const infra::Table* table = find_id(in.model.tables, t.name)) {
      c.evidence.push_back(evidence(Kind::Table, *table, "global table with a replica outside " + lost));
    }
    add_sum(b, std::move(c));
  }

  // Compute: functions already deployed outside the lost region.
  for (const ir::Function& f : s.functions) {
    std::vector<Evidence> deployed;
    for (const infra::Function& fn : in.model.functions) {
      if (fn.region != lost && fn.id == f.name + "_" + fn.region) {
        deployed.push_back(evidence(Kind::Function, fn, "already deployed in " + fn.region));
      }
    }
    if (deployed.empty()) {
      mark_unbounded(b, fmt::format("function `{}` runs only in `{}`: nothing serves once it is lost", f.name, lost),
                     f.origin.at("regions"));
      continue;
    }
    Contributor c = fact_term(in, "lambda_predeployed",
                              fmt::format("compute: `{}` already deployed outside `{}`", f.name, lost),
                              f.origin.at("regions"));
    c.evidence = std::move(deployed);
    add_sum(b, std::move(c));
    break;  // they start together: one term
  }
  return b;
}

Bound region_outage_rpo(const Inputs& in) {
  const ir::System& s = in.system;
  Bound b;
  b.combine = Bound::Combine::Max;
  auto tier = [&](const std::string& name, const std::string& kind, const ir::Origin& origin) {
    // The tightest lag alarm on the tier that was generated and pages someone.
    std::optional<Contributor> best;
    std::string problem;
    for (const ir::Alarm& spec : s.monitor.alarms) {
      if (spec.metric != ir::Metric::ReplicationLag || spec.target != name) continue;
      std::vector<const infra::Alarm*> generated = alarms_from(in.model, spec.name);
      if (generated.empty()) {
        problem = fmt::format("alarm `{}` on {} `{}` was not generated", spec.name, kind, name);
        continue;
      }
      std::vector<Evidence> ev;
      ir::Seconds delay = 0;
      for (const infra::Alarm* a : generated) {
        std::vector<Evidence> pages = paging_evidence(in.model, *a);
        if (pages.empty()) {
          problem = fmt::format("alarm `{}` on {} `{}` notifies nobody: its topic in `{}` has no subscriber", spec.name,
                                kind, name, a->region);
          ev.clear();
          break;
        }
        ev.push_back(evidence(Kind::Alarm, *a, "pages when the lag passes the threshold"));
        ev.insert(ev.end(), pages.begin(), pages.end());
        delay = std::max(delay, alarm_delay(*a));
      }
      if (ev.empty()) continue;
      ir::Seconds threshold = static_cast<ir::Seconds>(spec.threshold);
      Contributor c{fmt::format("replication: `{}` lag is bounded only by alarm `{}` ({} plus {} to fire)", name,
                                spec.name, format_duration(threshold), format_duration(delay)),
                    threshold + delay,
                    spec.origin.at("threshold"),
                    "",
                    Basis::Deployed,
                    std::move(ev)};
      if (!best || c.seconds < best->seconds) best = std::move(c);
    }
    if (best) {
      add_max(b, std::move(*best));
      return;
    }
    mark_unbounded(b,
                   problem.empty()
                       ? fmt::format("{} `{}` replicates asynchronously with no engine-enforced bound, and no "
                                     "`replication_lag` alarm pages anyone before its lag grows",
                                     kind, name)
                       : fmt::format("{} `{}` replicates asynchronously with no engine-enforced bound: {}", kind, name,
                                     problem),
                   origin.range,
                   problem.empty() ? fmt::format("add `alarm {}_lag {{ metric = replication_lag  target = {}  "
                                                 "threshold = 60s }}` to `monitor`, and `notify`",
                                                 name, name)
                                   : "name who is paged in `monitor`: `notify = [\"oncall@example.com\"]`, an https incident endpoint, or an existing SNS topic ARN");
  };
  for (const ir::Database& d : s.databases) tier(d.name, "database", d.origin);
  for (const ir::Table& t : s.tables) tier(t.name, "table", t.origin);

  // Events: forwarding is asynchronous with no published bound, and an archive
  // replays only to its own bus. Say what is true; the bound covers the data tiers.
  for (const ir::EventReplication& e : s.events) {
    Caveat c{fmt::format("events on `{}` published in `{}` and not yet forwarded are lost with it: EventBridge "
                         "publishes no bound for cross-region delivery, and an archive replays only to its own bus",
                         e.name, e.from),
             e.origin.range,
             {}};
    for (const infra::EventBus& bus : in.model.event_buses) {
      if (bus.region != e.from && bus.archive_retention_days > 0 && bus.id == e.name + "_" + bus.region) {
        c.evidence.push_back(evidence(Kind::EventBus, bus, "archives what arrived in " + bus.region));
      }
    }
    if (!c.evidence.empty()) c.what += "; what arrived can be replayed from the receiving bus's archive";
    b.caveats.push_back(std::move(c));
  }
  return b;
}

}  // namespace paydrc::policies::dr
