// The scenarios that move the writer between regions: a region outage (failover
// with data loss, nothing in the lost region called), a planned switchover (both
// regions up), and the failback once the lost region returns.
//
// AWS CLI references (each command and flag also checked against the CLI's
// service models by tests/runbook/runbook_test.py):
//  - rds failover-global-cluster: the target is the secondary cluster's ARN;
//    `--allow-data-loss` makes it a failover, without it a switchover that needs
//    a healthy primary:
//    https://docs.aws.amazon.com/cli/latest/reference/rds/failover-global-cluster.html
//  - rds switchover-global-cluster (planned, no data loss, both regions up; AWS
//    recommends it to fall back after a failover):
//    https://docs.aws.amazon.com/cli/latest/reference/rds/switchover-global-cluster.html
//  - after a failover, Aurora adds the old primary back as a secondary once its
//    region is available again (Aurora User Guide, "Recovering an Amazon Aurora
//    global database from an unplanned outage",
//    https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html)
//  - route53 get-health-check-status, test-dns-answer (Route 53 is global: no
//    region's endpoint is involved):
//    https://docs.aws.amazon.com/cli/latest/reference/route53/get-health-check-status.html,
//    https://docs.aws.amazon.com/cli/latest/reference/route53/test-dns-answer.html
//  - cloudwatch describe-alarms, dynamodb describe-table, lambda get-function.
#include <fmt/format.h>

#include "dr/terms.h"
#include "lower/lower.h"
#include "runbook/context.h"

namespace paydrc::runbook {
namespace {

// Where the writer goes when `lost` is gone: the failover's standby, else a
// database's reader, else the next region.
std::string survivor(const ir::System& s, const std::string& lost) {
  for (const ir::Failover& f : s.failovers) {
    if (f.primary == lost) return f.secondary;
  }
  for (const ir::Database& d : s.databases) {
    for (const std::string& r : d.readers) {
      if (r != lost) return r;
    }
  }
  for (const ir::Region& r : s.regions) {
    if (r.role != lost) return r.role;
  }
  return {};
}

Step automatic(std::string id, std::string title, std::string does, Verify verify) {
  Step s;
  s.id = std::move(id);
  s.title = std::move(title);
  s.does = std::move(does);
  s.kind = StepKind::Automatic;
  s.verify = std::move(verify);
  return s;
}

// The failover `f`'s health check on `role`: every Route 53 checker reports
// failure (a check is healthy while more than 18% of checkers say so).
// Route 53 is a global service: its API (route53.amazonaws.com) signs requests
// for us-east-1 (AWS General Reference, "Amazon Route 53 endpoints and quotas"),
// so each Route 53 command names that region rather than relying on the
// operator's CLI configuration; reads only, never a change, during an outage.
Verify checkers_reporting_success(Context& cx, const ir::Failover& f, const std::string& role) {
  const std::string var =
      cx.output_var(upper_id(f.name + "_" + role) + "_HEALTH_CHECK_ID", f.name + "_" + role + "_health_check_id",
                    fmt::format("Route 53 health check of the `{}` front door in {}", f.name, role));
  return {fmt::format("aws route53 get-health-check-status --region us-east-1 --health-check-id {} --query "
                      "'length(HealthCheckObservations[?starts_with(StatusReport.Status, `\"Success\"`)])' --output text",
                      var),
          std::nullopt};
}

Verify dns_answers(Context& cx, const ir::Failover& f, const std::string& role) {
  const std::string zone =
      cx.output_var(upper_id(f.name) + "_ZONE_ID", f.name + "_zone_id", "hosted zone of the failover records");
  const std::string target = cx.output_var(upper_id(f.name + "_" + role) + "_TARGET_DOMAIN",
                                           f.name + "_" + role + "_target_domain",
                                           fmt::format("regional domain name of the `{}` front door in {}", f.name, role));
  return {fmt::format("aws route53 test-dns-answer --region us-east-1 --hosted-zone-id {} --record-name {} --record-type A --query "
                      "'RecordData[0]' --output text",
                      zone, shell_word(cx.name(lower::failover_name(f)))),
          target.substr(1, target.size() - 2)};
}

// The spec edits that record where the writer is: `promoted` on each database
// (null removes it) and the failover's roles.
void spec_edits(Context& cx, Scenario& sc, const std::string& writer_role, bool moved) {
  for (const ir::Database& d : cx.system().databases) {
    Step s;
    s.id = "edit_" + d.name;
    s.kind = StepKind::SpecEdit;
    s.edit_block = "database " + d.name;
    if (moved) {
      s.title = fmt::format("Record in the spec that `{}` writes in `{}`", d.name, writer_role);
      s.does = fmt::format("Sets `promoted = {}` in `database {}`: the global database stays as created (nothing is "
                           "replaced or renamed), and functions, parameters and alarms follow the writer.",
                           writer_role, d.name);
      s.edit_set.emplace_back("promoted", writer_role);
    } else {
      s.title = fmt::format("Remove `promoted` from `database {}`", d.name);
      s.does = fmt::format("The writer is `{}` again, as `writer` says.", d.writer);
      s.edit_set.emplace_back("promoted", std::nullopt);
    }
    sc.steps.push_back(std::move(s));
  }
  for (const ir::Failover& f : cx.system().failovers) {
    Step s;
    s.id = "edit_" + f.name;
    s.kind = StepKind::SpecEdit;
    s.edit_block = "failover " + f.name;
    const std::string& first = moved ? f.secondary : f.primary;
    const std::string& second = moved ? f.primary : f.secondary;
    s.title = fmt::format("Make `{}` the primary of failover `{}`", first, f.name);
    s.does = fmt::format("DNS prefers `{}` from now on, so the returning region takes no traffic before the writer "
                         "moves back.",
                         first);
    s.edit_set.emplace_back("primary", first);
    s.edit_set.emplace_back("secondary", second);
    sc.steps.push_back(std::move(s));
  }
}

void region_outage(Context& cx, Runbook& rb, const std::string& lost, const std::string& to) {
  const ir::System& sys = cx.system();
  const policies::ScenarioResult* result = cx.result(ir::Scenario::RegionOutage);
  Scenario sc;
  sc.id = "region_outage";
  sc.title = fmt::format("Region `{}` ({}) is lost", lost, cx.aws_region(lost));
  sc.from_region = lost;
  sc.to_region = to;
  sc.objective = result ? result->objective : nullptr;
  if (result && !result->rto.unbounded) sc.budget = result->rto.total;
  Charges charges(result ? &result->rto : nullptr);
  const std::string to_region = cx.aws_region(to);

  for (const ir::Failover& f : sys.failovers) {
    if (f.primary != lost) continue;
    Step detect = automatic("detect_" + f.name, fmt::format("Route 53 marks `{}` in `{}` unhealthy", f.name, lost),
                            fmt::format("The health check probes the `{}` API every {}s; after {} failures it is "
                                        "unhealthy and the primary failover record is withdrawn.",
                                        lost, f.health_check.interval, f.health_check.failure_threshold),
                            checkers_reporting_success(cx, f, lost));
    detect.verify->expect = "0";
    charges.charge(detect, charges.term("detection", f.name + "_" + lost));
    sc.steps.push_back(std::move(detect));
    Step dns = automatic("dns_" + f.name, fmt::format("DNS answers `{}` with `{}`", cx.name(lower::failover_name(f)), to),
                         fmt::format("Route 53 answers the failover name with the `{}` front door; clients follow "
                                     "once their cached answer expires.",
                                     to),
                         dns_answers(cx, f, to));
    charges.charge(dns, charges.term("DNS", f.name + "_" + to));
    sc.steps.push_back(std::move(dns));
  }

  if (const policies::Contributor* paged = charges.term("paging")) {
    const infra::Alarm* alarm = nullptr;
    for (const policies::Evidence& e : paged->evidence) {
      if (e.kind == infra::Kind::Alarm) alarm = policies::dr::find_id(cx.model().alarms, e.id);
    }
    Step page;
    page.id = "page_operator";
    page.title = "The on-call operator is paged";
    page.does = paged->what + ".";
    page.kind = StepKind::Automatic;
    if (alarm != nullptr) {
      page.verify = Verify{fmt::format("aws cloudwatch describe-alarms --region {} --alarm-names {} --query "
                                       "'MetricAlarms[0].StateValue' --output text",
                                       cx.aws_region(alarm->region), shell_word(cx.name(alarm->name))),
                           std::nullopt};
      page.does += fmt::format(" The alarm's state is `ALARM` once it fired.");
    }
    charges.charge(page, paged);
    sc.steps.push_back(std::move(page));
  }
  if (const policies::Contributor* response = charges.term("operator")) {
    Step decide;
    decide.id = "decide_failover";
    decide.title = "Confirm the outage and decide to fail over";
    decide.does = fmt::format("Check the AWS Health Dashboard and the last `replication_lag` values (the data a "
                              "failover loses), then run the next steps. {}.",
                              response->what);
    decide.kind = StepKind::Manual;
    charges.charge(decide, response);
    sc.steps.push_back(std::move(decide));
  }

  const policies::Contributor* promotion = charges.term("promotion");
  for (const infra::GlobalCluster& g : cx.model().global_clusters) {
    const infra::DbCluster* target = cx.cluster_in(g, to);
    if (g.region != lost || target == nullptr) continue;
    const std::string arn = cx.cluster_arn_var(*target);
    Step promote;
    promote.id = "promote_" + g.id;
    promote.title = fmt::format("Promote `{}` in `{}`", cx.name(target->identifier), to);
    promote.does = fmt::format("Fails the `{}` global database over to {} accepting the replication lag as lost "
                               "data: the primary is unreachable, so a switchover (or `failover-global-cluster` "
                               "without `--allow-data-loss`) cannot run.",
                               g.id, to_region);
    promote.kind = StepKind::Command;
    promote.command =
        fmt::format("aws rds failover-global-cluster --region {} --global-cluster-identifier {} "
                    "--target-db-cluster-identifier {} --allow-data-loss",
                    to_region, shell_word(cx.name(g.identifier)), arn);
    promote.verify = cx.writer_is(g, to_region, arn);
    const policies::Contributor* term = charges.term("promotion", target->id);
    if (term) promote.budget_term = term->what;
    sc.steps.push_back(std::move(promote));
    Step wait = cx.wait_cluster(*target, "wait_" + g.id);
    charges.charge(wait, term);
    sc.steps.push_back(std::move(wait));
  }
  for (const infra::Table& t : cx.model().tables) {
    bool elsewhere = false;
    for (const infra::TableReplica& r : t.replicas) elsewhere = elsewhere || r.aws_region == to_region;
    if (t.region != to && !elsewhere) continue;
    Step table = automatic(
        "check_" + t.id, fmt::format("Check the `{}` replica in `{}`", t.id, to),
        "A DynamoDB global table replica accepts writes in every region: nothing to promote, only to check.",
        {fmt::format("aws dynamodb describe-table --region {} --table-name {} --query 'Table.TableStatus' --output text",
                     to_region, shell_word(cx.name(t.name))),
         "ACTIVE"});
    charges.charge(table, promotion ? promotion : charges.term("promotion", t.id));
    sc.steps.push_back(std::move(table));
  }
  const policies::Contributor* compute = charges.term("compute");
  for (const infra::Function& fn : cx.model().functions) {
    if (fn.region != to || fn.builtin) continue;
    Step serve = automatic("check_" + fn.id, fmt::format("Check the function `{}` in `{}`", cx.name(fn.name), to),
                           "Deployed in advance: it serves as soon as DNS and the data tiers do.",
                           {fmt::format("aws lambda get-function --region {} --function-name {} --query "
                                        "'Configuration.State' --output text",
                                        to_region, shell_word(cx.name(fn.name))),
                            "Active"});
    charges.charge(serve, compute);
    sc.steps.push_back(std::move(serve));
  }
  charges.settle(sc.steps);
  spec_edits(cx, sc, to, true);
  cx.apply(sc.steps, cx.stacks_in(to),
           fmt::format("only `{}`'s roots: they plan and apply without `{}`", to, lost));
  if (!sys.failovers.empty() && !cx.stacks_in(lost).empty()) {
    Step wait;
    wait.id = "defer_" + lost;
    wait.kind = StepKind::Manual;
    wait.title = fmt::format("Leave `{}`'s {} until the region answers again", lost,
                             cx.in().target == "cloudformation" ? "stacks" : "roots");
    wait.does = fmt::format("They hold the DNS records and cannot be changed without {}'s API, so the new failover "
                            "roles are not live yet: when `{}` returns, its health check passes and DNS prefers it "
                            "again while the writer is in `{}`. Start the failback scenario with its first steps, which "
                            "apply this spec to `{}` before anything else.",
                            cx.aws_region(lost), lost, to, lost);
    sc.steps.push_back(std::move(wait));
  }
  rb.scenarios.push_back(std::move(sc));
}

// Switchover (planned) and failback share their shape: check both members, switch
// over, wait, record it in the spec, apply everywhere.
void switch_writer(Context& cx, Runbook& rb, const std::string& id, const std::string& from, const std::string& to,
                   bool failback) {
  Scenario sc;
  sc.id = id;
  sc.from_region = from;
  sc.to_region = to;
  sc.title = failback ? fmt::format("Fail back to `{}` once it is available again", to)
                      : fmt::format("Planned switchover from `{}` to `{}` (both regions up)", from, to);
  const std::string to_region = cx.aws_region(to);
  if (failback) {
    // The region outage left the returning region's roots on the spec before the
    // failover; apply the spec as it stands (writer and DNS roles in `from`) there
    // first, so DNS stops preferring the returning region before anything else.
    std::vector<Step> back;
    cx.apply(back, cx.stacks_in(to),
             fmt::format("the spec as edited during the outage reaches `{}`: DNS keeps preferring `{}`", to, from));
    for (Step& s : back) {
      s.id = "return_" + s.id;
      sc.steps.push_back(std::move(s));
    }
    for (const ir::Failover& f : cx.system().failovers) {
      if (f.primary != to) continue;
      sc.steps.push_back(automatic("dns_" + f.name, fmt::format("DNS still answers `{}` with `{}`",
                                                                cx.name(lower::failover_name(f)), from),
                                   fmt::format("`{}` answers its health check again, but its record is the secondary "
                                               "one now.",
                                               to),
                                   dns_answers(cx, f, from)));
    }
  }
  for (const infra::GlobalCluster& g : cx.model().global_clusters) {
    const infra::DbCluster* target = cx.cluster_in(g, to);
    const infra::DbCluster* source = cx.cluster_in(g, from);
    if (target == nullptr || source == nullptr) continue;
    const std::string arn = cx.cluster_arn_var(*target);
    const std::string from_arn = cx.cluster_arn_var(*source);
    Step check;
    check.id = "check_" + g.id;
    check.kind = StepKind::Automatic;
    check.title = failback ? fmt::format("Check that `{}` rejoined `{}` as a secondary", cx.name(target->identifier), g.id)
                           : fmt::format("Check that `{}` writes before the switchover", cx.name(source->identifier));
    check.does = failback ? "Once its region is back, Aurora adds the old primary to the global database as a "
                            "secondary; a switchover needs it replicating."
                          : "A switchover synchronizes the secondary first and loses no data; both regions must answer.";
    check.verify = cx.writer_is(g, to_region, from_arn);
    sc.steps.push_back(std::move(check));
    Step wait_target = cx.wait_cluster(*target, "ready_" + target->id);
    sc.steps.push_back(std::move(wait_target));
    Step sw;
    sw.id = "switchover_" + g.id;
    sw.title = fmt::format("Switch the writer of `{}` over to `{}`", g.id, to);
    sw.does = "Synchronizes, demotes the current writer to a secondary and promotes the target: no data loss, a short "
              "write outage.";
    sw.kind = StepKind::Command;
    sw.command = fmt::format(
        "aws rds switchover-global-cluster --region {} --global-cluster-identifier {} --target-db-cluster-identifier {}",
        to_region, shell_word(cx.name(g.identifier)), arn);
    sw.verify = cx.writer_is(g, to_region, arn);
    sc.steps.push_back(std::move(sw));
    sc.steps.push_back(cx.wait_cluster(*target, "wait_" + g.id));
  }
  spec_edits(cx, sc, to, !failback);
  cx.apply(sc.steps, cx.stacks_in(""), "every root, in deploy order: both regions are up");
  rb.scenarios.push_back(std::move(sc));
}

}  // namespace

void region_scenarios(Context& cx, Runbook& rb) {
  const ir::System& s = cx.system();
  if (s.regions.size() < 2) return;
  const std::string lost = policies::dr::lost_region(s);
  const std::string to = survivor(s, lost);
  if (to.empty()) return;
  region_outage(cx, rb, lost, to);
  if (cx.model().global_clusters.empty()) return;
  switch_writer(cx, rb, "switchover", lost, to, false);
  switch_writer(cx, rb, "failback", to, lost, true);
}

}  // namespace paydrc::runbook
