// Failures the region survives: a zone outage (Aurora fails over to a replica in
// another zone; a lost NAT gateway fails the region over) and logical corruption
// (point-in-time restores into new names, then the operator's repair).
//
// AWS CLI references (each command and flag also checked against the CLI's
// service models by tests/runbook/runbook_test.py):
//  - rds restore-db-cluster-to-point-in-time restores the cluster only; instances
//    come from create-db-instance once it is available:
//    https://docs.aws.amazon.com/cli/latest/reference/rds/restore-db-cluster-to-point-in-time.html
//  - dynamodb restore-table-to-point-in-time (a new table; `--sse-specification-override`
//    keeps the customer managed key, else the table gets an AWS owned key):
//    https://docs.aws.amazon.com/cli/latest/reference/dynamodb/restore-table-to-point-in-time.html
//  - rds wait db-instance-available, dynamodb wait table-exists.
#include <fmt/format.h>

#include "dr/terms.h"
#include "runbook/context.h"

namespace paydrc::runbook {
namespace {

void zone_outage(Context& cx, Runbook& rb) {
  const policies::ScenarioResult* result = cx.result(ir::Scenario::AzOutage);
  if (result == nullptr || (result->rto.contributors.empty() && !result->rto.unbounded)) return;
  Scenario sc;
  sc.id = "zone_outage";
  sc.title = "An availability zone is lost";
  sc.objective = result->objective;
  if (!result->rto.unbounded) sc.budget = result->rto.total;
  Charges charges(&result->rto);
  for (const ir::Database& d : cx.system().databases) {
    const infra::DbCluster* writer = nullptr;
    for (const infra::DbCluster& c : cx.model().db_clusters) {
      if (c.global_cluster == d.name && c.writer) writer = &c;
    }
    if (writer == nullptr) continue;
    const std::string region = cx.aws_region(writer->region);
    const std::string identifier = shell_word(cx.name(writer->identifier));
    Step s;
    s.id = "zone_failover_" + d.name;
    s.title = fmt::format("Aurora moves the writer of `{}` to another zone", cx.name(writer->identifier));
    s.does = "Aurora promotes a replica in a surviving zone (or replaces a lone instance) by itself; check that "
             "the cluster has a writer again.";
    s.kind = StepKind::Automatic;
    s.verify = Verify{fmt::format("aws rds describe-db-clusters --region {} --db-cluster-identifier {} --query "
                                  "'length(DBClusters[0].DBClusterMembers[?IsClusterWriter])' --output text",
                                  region, identifier),
                      "1"};
    const policies::Contributor* term = nullptr;
    for (const policies::Contributor& c : result->rto.contributors) {
      if (c.what.starts_with("`" + d.name + "`")) term = &c;
    }
    charges.charge(s, term);
    sc.steps.push_back(std::move(s));
  }
  for (const ir::Region& r : cx.system().regions) {
    const policies::Contributor* nat = nullptr;
    for (const policies::Contributor& c : result->rto.contributors) {
      if (c.what.starts_with(fmt::format("region `{}` has", r.role))) nat = &c;
    }
    if (nat == nullptr) continue;
    Step s;
    s.id = "nat_" + r.role;
    s.title = fmt::format("If the lost zone held the NAT gateway of `{}`: run `region_outage`", r.role);
    s.does = nat->what + ". The health check fails and the region fails over as in scenario `region_outage`.";
    s.kind = StepKind::Manual;
    charges.charge(s, nat);
    sc.steps.push_back(std::move(s));
  }
  charges.settle(sc.steps);
  if (!sc.steps.empty()) rb.scenarios.push_back(std::move(sc));
}

void logical_corruption(Context& cx, Runbook& rb) {
  const policies::ScenarioResult* result = cx.result(ir::Scenario::LogicalCorruption);
  if (result == nullptr) return;
  Scenario sc;
  sc.id = "logical_corruption";
  sc.title = "Bad writes or an accidental delete: restore to a point in time";
  sc.objective = result->objective;
  if (!result->rto.unbounded) sc.budget = result->rto.total;
  Charges charges(&result->rto);
  const std::string when =
      cx.operator_var("RESTORE_TIME", "the moment before the corruption, UTC, ISO 8601 (2026-12-01T08:00:00Z)");
  std::vector<std::string> restored;
  for (const ir::Database& d : cx.system().databases) {
    const infra::DbCluster* writer = nullptr;
    for (const infra::DbCluster& c : cx.model().db_clusters) {
      if (c.global_cluster == d.name && c.writer) writer = &c;
    }
    if (writer == nullptr || writer->backup_retention_days == 0) continue;
    const std::string region = cx.aws_region(writer->region);
    const std::string source = cx.name(writer->identifier);
    const std::string target = source + "-restored";
    const infra::DbSubnetGroup* subnets = policies::dr::find_id(cx.model().db_subnet_groups, writer->subnet_group);
    Step restore;
    restore.id = "restore_" + d.name;
    restore.title = fmt::format("Restore `{}` as `{}`", source, target);
    restore.does = fmt::format("Creates a new cluster from `{}`'s continuous backups as of $RESTORE_TIME; the live "
                               "cluster keeps serving.",
                               source);
    restore.kind = StepKind::Command;
    restore.command = fmt::format(
        "aws rds restore-db-cluster-to-point-in-time --region {} --source-db-cluster-identifier {} "
        "--db-cluster-identifier {} --restore-to-time {}{}",
        region, shell_word(source), shell_word(target), when,
        subnets ? " --db-subnet-group-name " + shell_word(cx.name(subnets->name)) : std::string());
    restore.verify = Verify{fmt::format("aws rds describe-db-clusters --region {} --db-cluster-identifier {} --query "
                                        "'DBClusters[0].DBClusterIdentifier' --output text",
                                        region, shell_word(target)),
                            target};
    sc.steps.push_back(std::move(restore));
    infra::DbCluster restored_cluster = *writer;
    restored_cluster.identifier = infra::Text(target);
    Step wait = cx.wait_cluster(restored_cluster, "wait_restore_" + d.name);
    const policies::Contributor* term = nullptr;
    for (const policies::Contributor& c : result->rto.contributors) {
      if (c.what.starts_with("`" + d.name + "`")) term = &c;
    }
    charges.charge(wait, term);
    sc.steps.push_back(std::move(wait));
    Step instance;
    instance.id = "instance_" + d.name;
    instance.title = fmt::format("Add an instance to `{}`", target);
    instance.does = "A restore creates the cluster without instances; one is enough to read the restored data.";
    instance.kind = StepKind::Command;
    instance.command = fmt::format(
        "aws rds create-db-instance --region {} --db-instance-identifier {}-1 --db-cluster-identifier {} "
        "--db-instance-class {} --engine {} && aws rds wait db-instance-available --region {} "
        "--db-instance-identifier {}-1",
        region, shell_word(target), shell_word(target), shell_word(d.instance_class), shell_word(d.engine), region,
        shell_word(target));
    instance.verify = Verify{fmt::format("aws rds describe-db-instances --region {} --db-instance-identifier {}-1 "
                                         "--query 'DBInstances[0].DBInstanceStatus' --output text",
                                         region, shell_word(target)),
                             "available"};
    sc.steps.push_back(std::move(instance));
    restored.push_back(fmt::format("cluster `{}`", target));
  }
  for (const infra::Table& t : cx.model().tables) {
    if (!t.point_in_time_recovery) continue;
    const std::string region = cx.aws_region(t.region);
    const std::string source = cx.name(t.name);
    const std::string target = source + "-restored";
    const infra::Key* key = policies::dr::find_id(cx.model().keys, t.key);
    Step restore;
    restore.id = "restore_" + t.id;
    restore.title = fmt::format("Restore `{}` as `{}`", source, target);
    restore.does = fmt::format("Creates a new table in {} from `{}`'s point-in-time recovery as of $RESTORE_TIME, "
                               "encrypted with the region's key; the live table keeps serving.",
                               region, source);
    restore.kind = StepKind::Command;
    restore.command =
        fmt::format("aws dynamodb restore-table-to-point-in-time --region {} --source-table-name {} "
                    "--target-table-name {} --restore-date-time {}{}",
                    region, shell_word(source), shell_word(target), when,
                    key ? " --sse-specification-override Enabled=true,SSEType=KMS,KMSMasterKeyId=" +
                              shell_word(cx.name(key->alias))
                        : std::string());
    restore.verify = Verify{fmt::format("aws dynamodb wait table-exists --region {} --table-name {} && aws dynamodb "
                                        "describe-table --region {} --table-name {} --query 'Table.TableStatus' "
                                        "--output text",
                                        region, shell_word(target), region, shell_word(target)),
                            "ACTIVE"};
    const policies::Contributor* term = nullptr;
    for (const policies::Contributor& c : result->rto.contributors) {
      if (c.what.starts_with("`" + t.id + "`")) term = &c;
    }
    charges.charge(restore, term);
    sc.steps.push_back(std::move(restore));
    restored.push_back(fmt::format("table `{}`", target));
  }
  if (restored.empty()) return;
  charges.settle(sc.steps);
  Step repair;
  repair.id = "repair";
  repair.title = "Repair the live data from the restored copies";
  repair.does = fmt::format(
      "Compare the restored {} with the live ones, copy back the rows the corruption changed or deleted (or point "
      "the application at the copies and recompile the spec to adopt them), then delete the copies: they are "
      "outside the spec and its backups.",
      fmt::join(restored, ", "));
  repair.kind = StepKind::Manual;
  sc.steps.push_back(std::move(repair));
  rb.scenarios.push_back(std::move(sc));
}

}  // namespace

void local_scenarios(Context& cx, Runbook& rb) {
  zone_outage(cx, rb);
  logical_corruption(cx, rb);
}

}  // namespace paydrc::runbook
