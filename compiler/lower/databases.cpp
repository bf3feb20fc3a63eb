// Aurora global databases: the global cluster, a cluster per region (the writer in
// the spec's `writer` region, readers elsewhere), their instances, subnet and
// parameter groups, and the master credentials in Secrets Manager.
#include <algorithm>

#include <fmt/format.h>

#include "lower/context.h"

namespace paydrc::lower {
namespace {

using infra::Ref;
using infra::Text;

std::string parameter_family(const ir::Database& db) {
  return db.engine == "aurora-mysql" ? "aurora-mysql" + db.engine_version : db.engine + db.engine_version;
}

infra::Secret master_secret(const Context& cx, const ir::Database& db) {
  infra::Secret secret;
  secret.id = db.name + "_master";
  secret.region = db.writer;
  secret.origin = db.origin.range;
  secret.name = Text(cx.model.system + "/") + infra::EnvSuffix{} + Text("/" + db.name + "/master");
  // Secrets Manager-managed master passwords are not supported for clusters in an
  // Aurora global database (Aurora User Guide, "Limitations for Secrets Manager
  // integration"): the password is generated at deployment instead, written to this
  // secret and to the writer cluster, and never stored in configuration or state.
  secret.description = fmt::format("master credentials of the {} global database", db.name);
  secret.key = Context::key_id(db.writer);
  for (const std::string& reader : db.readers) {
    // A copy in each reader region, so a promoted reader can still be administered.
    secret.replicas.emplace_back(cx.aws_region(reader), Context::key_id(reader));
  }
  secret.username = db.name + "_admin";
  // Aurora MySQL master passwords: printable ASCII except /, ', " and @ (RDS API
  // reference, CreateDBCluster MasterUserPassword).
  secret.exclude_characters = "/'\"@";
  return secret;
}

// A function granted `write` runs SQL through the RDS Data API, which needs the
// HTTP endpoint on the cluster it calls. Every member gets it: the Data API only
// answers on a cluster with a writer ("Data API limitations", Aurora User Guide),
// so each region's function writes to its own region's cluster once that one is
// the writer, and a secondary must be ready before its promotion, not after.
bool uses_data_api(const Context& cx, const ir::Database& db) {
  for (const ir::Function& fn : cx.system.functions) {
    for (const ir::Grant& g : fn.access) {
      if (g.target_kind == ir::TargetKind::Database && g.level == ir::AccessLevel::Write && g.target == db.name)
        return true;
    }
  }
  return false;
}

// Enhanced Monitoring's role in one region. IAM is global, but each region's
// stage creates its own (named after the region), so the secondary's root and
// stack plan and apply with the primary region gone. Trusted by
// monitoring.rds.amazonaws.com (RDS User Guide, "Setting up and enabling Enhanced
// Monitoring"); aws:SourceAccount keeps another account's RDS from having the
// service assume it ("Protecting against the confused deputy problem", same page).
// Its policy is AWS's AmazonRDSEnhancedMonitoringRole (AWS Managed Policy
// Reference, version 1) narrowed from `RDS*` log groups in any region and account
// to the one group the agent writes, `RDSOSMetrics` (which RDS keeps per account
// and region, so no deployment creates it), in this region and account. A
// customer-managed copy, because the packs ask for no AWS-managed policy where a
// narrower one is possible (AwsSolutions-IAM4), and this one has not changed since 2015.
infra::Role monitoring_role(const Context& cx, const ir::Database& db, const std::string& role) {
  infra::Role iam;
  iam.id = fmt::format("{}_{}_monitoring", db.name, role);
  iam.region = role;
  iam.origin = db.origin.at("monitoring_interval");  // the block when the spec does not set it
  iam.name = cx.name({db.name, "monitoring", role});
  iam.description = fmt::format("RDS Enhanced Monitoring of the {} instances in {}", db.name, role);
  iam.trusted_services = {"monitoring.rds.amazonaws.com"};
  iam.trust_conditions = {{"StringEquals", "aws:SourceAccount", {Text(infra::AccountId{})}}};
  const Text group = cx.arn("logs", role, Text("log-group:RDSOSMetrics"));
  infra::Statement groups;
  groups.sid = "ManageMetricsLogGroup";
  groups.actions = {"logs:CreateLogGroup", "logs:PutRetentionPolicy"};
  groups.resources = {group};
  infra::Statement streams;
  streams.sid = "WriteMetricsLogStreams";
  streams.actions = {"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:GetLogEvents", "logs:PutLogEvents"};
  streams.resources = {group + Text(":log-stream:*")};
  iam.policies.push_back({"enhanced-monitoring", {{groups, streams}}});
  return iam;
}

// The log groups of a cluster's exports, created before the cluster: RDS writes to
// `/aws/rds/cluster/<cluster>/<log>` and creates a missing one itself, with no
// retention and no key, and a later create of the same name fails (Aurora User
// Guide, "Publishing Aurora MySQL logs to Amazon CloudWatch Logs"). Kept and
// encrypted like every other audit trail here.
void lower_log_groups(Context& cx, infra::DbCluster& cluster) {
  for (const std::string& log : cluster.log_exports) {
    infra::LogGroup group;
    group.id = cluster.id + "_" + log;
    group.region = cluster.region;
    group.origin = cluster.origin;
    group.name = Text("/aws/rds/cluster/") + cluster.identifier + Text("/" + log);
    group.retention_days = 365;  // PCI DSS 10.5.1, as for flow, access and function logs
    group.key = Context::key_id(cluster.region);
    cluster.after.push_back(Ref{infra::Kind::LogGroup, group.id});
    cx.model.log_groups.push_back(std::move(group));
  }
}

}  // namespace

void lower_databases(Context& cx) {
  infra::Model& m = cx.model;
  for (const ir::Database& db : cx.system.databases) {
    const std::string version = aurora_engine_version(db.engine, db.engine_version);

    infra::GlobalCluster global;
    global.id = db.name;
    global.region = db.writer;
    global.origin = db.origin.range;
    // Its own label, whatever else the spec holds: a second database must not
    // rename (and so replace) the first one's global cluster.
    global.identifier = cx.name({db.name, "global"});
    global.engine = db.engine;
    global.engine_version = version;
    global.deletion_protection = db.deletion_protection;
    m.global_clusters.push_back(global);

    m.secrets.push_back(master_secret(cx, db));

    bool writer = true;
    for (const std::string& role : cx.database_regions(db)) {
      const ir::Region* region = cx.system.region(role);
      if (!region) continue;

      infra::DbSubnetGroup subnets;
      subnets.id = Context::cluster_id(db.name, role);
      subnets.region = role;
      subnets.origin = db.origin.range;
      subnets.name = cx.name({db.name, role});
      for (int z = 0; z < region->zones; ++z) {
        subnets.subnets.push_back(fmt::format("{}_private_{}", role, static_cast<char>('a' + z)));
      }
      m.db_subnet_groups.push_back(subnets);

      infra::DbClusterParameterGroup params;
      params.id = Context::cluster_id(db.name, role);
      params.region = role;
      params.origin = db.origin.range;
      params.name = cx.name({db.name, role});
      params.family = parameter_family(db);
      if (db.engine == "aurora-mysql") {
        // The `audit` log export is empty unless the audit plugin logs; TLS only.
        // PCI DSS 10.2.1: connections (10.2.1.4 logons), privilege changes
        // (QUERY_DCL, 10.2.1.5), schema changes (QUERY_DDL) and data access
        // (TABLE, 10.2.1.1): TABLE records who read or wrote which table, without
        // the statement (Aurora User Guide, "Using Advanced Auditing": for TABLE
        // events the object is the table name). QUERY_DML would log the text of
        // every statement, card data included, which the general-log exception in
        // docs/nag-exceptions.md keeps out of CloudWatch Logs.
        params.parameters = {{"require_secure_transport", "ON"},
                             {"server_audit_events", "CONNECT,QUERY_DCL,QUERY_DDL,TABLE"},
                             {"server_audit_logging", "1"},
                             {"slow_query_log", "1"}};
      } else if (db.engine == "aurora-postgresql") {
        // TLS only, and pgaudit so the `postgresql` log export records DDL, role
        // changes and data access (PCI DSS 10.2.1.1). pgaudit has no class that
        // names the table without the statement, so READ and WRITE log statement
        // text; bind parameters stay out (`pgaudit.log_parameter` off, its default),
        // so only literals written into SQL reach the log.
        params.parameters = {{"rds.force_ssl", "1"},
                             {"shared_preload_libraries", "pgaudit"},
                             {"pgaudit.log", "ddl,role,read,write"},
                             {"pgaudit.log_parameter", "0"}};
      }
      m.db_parameter_groups.push_back(params);

      infra::DbCluster cluster;
      cluster.id = Context::cluster_id(db.name, role);
      cluster.region = role;
      cluster.origin = writer ? db.origin.at("writer") : db.origin.at("readers");
      cluster.identifier = cx.name({db.name, role});
      cluster.global_cluster = global.id;
      cluster.writer = writer;
      cluster.engine = db.engine;
      cluster.engine_version = version;
      if (writer) {
        // On the writer cluster rather than the global one: the global cluster's
        // database name is not carried to its members by every implementation.
        if (!db.database_name.empty()) cluster.database_name = db.database_name;
        cluster.master_secret = db.name + "_master";
      }
      cluster.key = Context::key_id(role);
      cluster.subnet_group = subnets.id;
      cluster.parameter_group = params.id;
      cluster.security_groups = {Context::database_sg_id(db.name, role)};
      cluster.port = db.port;
      cluster.backup_retention_days = db.backup_retention_days;
      cluster.deletion_protection = db.deletion_protection;
      cluster.iam_auth = db.iam_auth;
      cluster.data_api = uses_data_api(cx, db);
      cluster.log_exports = db.engine == "aurora-mysql" ? std::vector<std::string>{"audit", "error", "slowquery"}
                                                        : std::vector<std::string>{"postgresql"};
      cluster.final_snapshot_identifier = cx.name({db.name, role, "final"});
      lower_log_groups(cx, cluster);
      std::string monitoring;
      if (db.monitoring_interval_seconds > 0) {
        infra::Role iam = monitoring_role(cx, db, role);
        monitoring = iam.id;
        m.roles.push_back(std::move(iam));
      }
      if (!writer) {
        // A reader joins the global cluster once the writer has an instance.
        for (int i = 1; i <= db.instances; ++i) {
          cluster.after.push_back(Ref{infra::Kind::DbInstance, fmt::format("{}_{}_{}", db.name, db.writer, i)});
        }
      }
      m.db_clusters.push_back(cluster);

      for (int i = 1; i <= db.instances; ++i) {
        infra::DbInstance instance;
        instance.id = fmt::format("{}_{}_{}", db.name, role, i);
        instance.region = role;
        instance.origin = db.origin.at("instances");
        instance.identifier = cx.name({db.name, role, std::to_string(i)});
        instance.cluster = cluster.id;
        instance.instance_class = db.instance_class;
        instance.engine = db.engine;
        instance.engine_version = version;
        instance.promotion_tier = i - 1;
        instance.monitoring_interval = db.monitoring_interval_seconds;
        instance.monitoring_role = monitoring;
        m.db_instances.push_back(std::move(instance));
      }
      writer = false;
    }
  }
}

}  // namespace paydrc::lower
