// Rotation of each global database's master password: paydrc's built-in function
// (builtin/secret_rotation) in the writer's region, allowed to be invoked by Secrets
// Manager for that secret only, and the secret's rotation schedule.
//
// Secrets Manager-managed master passwords are not available to clusters of an
// Aurora global database (lower/databases.cpp), so the rotation is a Lambda
// function. It changes the password with RDS ModifyDBCluster on whichever cluster
// the global cluster names as writer, so it needs no database driver or SQL
// connection and still works after a failover; it reaches the Secrets Manager and
// RDS APIs over HTTPS like the application's functions.
#include <fmt/format.h>

#include "lower/context.h"

namespace paydrc::lower {
namespace {

using infra::Kind;
using infra::Ref;
using infra::Text;

void lower_rotation(Context& cx, const ir::Database& db, const ir::Region& region) {
  infra::Model& m = cx.model;
  const std::string& role = region.role;
  const std::string id = db.name + "_master_rotation";
  const std::string secret_id = db.name + "_master";
  const Text function_name = cx.name({db.name, "rotation"});

  infra::LogGroup logs;
  logs.id = id;
  logs.region = role;
  logs.origin = db.origin.at("secret_rotation");
  if (!logs.origin.valid()) logs.origin = db.origin.range;
  logs.name = Text("/aws/lambda/") + function_name;
  logs.retention_days = 365;  // PCI DSS 10.5.1, as for the application's functions
  logs.key = Context::key_id(role);
  m.log_groups.push_back(logs);

  infra::SecurityGroup sg;
  sg.id = id + "_sg";
  sg.region = role;
  sg.origin = logs.origin;
  sg.name = function_name;
  sg.description = fmt::format("rotation of the master password of database {}: HTTPS to AWS APIs", db.name);
  sg.vpc = Context::vpc_id(role);
  sg.rules.push_back(https_egress("Secrets Manager and RDS APIs over HTTPS, through the NAT gateway"));
  m.security_groups.push_back(sg);

  infra::Role iam;
  iam.id = id;
  iam.region = role;
  iam.origin = logs.origin;
  iam.name = function_name;
  iam.description = fmt::format("rotation of database {}'s master password", db.name);
  iam.trusted_services = {"lambda.amazonaws.com"};
  infra::PolicyDocument doc;
  doc.statements = function_runtime_statements(logs.id, true);
  auto add = [&](std::string sid, std::vector<std::string> actions, std::vector<Text> resources,
                 std::string wildcard_reason = {}) {
    infra::Statement s;
    s.sid = std::move(sid);
    s.actions = std::move(actions);
    s.resources = std::move(resources);
    s.wildcard_reason = std::move(wildcard_reason);
    doc.statements.push_back(std::move(s));
  };
  add("RotateMasterSecret",
      {"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue",
       "secretsmanager:UpdateSecretVersionStage"},
      {Text(Ref{Kind::Secret, secret_id, infra::Attr::Arn})});
  add("GeneratePassword", {"secretsmanager:GetRandomPassword"}, {Text("*")},
      "secretsmanager:GetRandomPassword acts on no resource and supports no resource-level permissions");
  add("FindWriter", {"rds:DescribeGlobalClusters"},
      {Text("arn:aws:rds::") + infra::AccountId{} + Text(":global-cluster:") + cx.name({db.name, "global"})});
  // By name, not by reference: the other region's cluster is another stack's or root's.
  std::vector<Text> clusters;
  for (const std::string& member : cx.database_regions(db)) {
    clusters.push_back(cx.arn("rds", member, Text("cluster:") + cx.name({db.name, member})));
  }
  add("SetPasswordOnWriter", {"rds:DescribeDBClusters", "rds:ModifyDBCluster"}, clusters);
  // The secret is encrypted with this region's key; the environment too.
  add("UseRegionKey", {"kms:Decrypt", "kms:GenerateDataKey"},
      {Text(Ref{Kind::Key, Context::key_id(role), infra::Attr::Arn})});
  iam.policies.push_back({"access", std::move(doc)});
  m.roles.push_back(iam);

  infra::Function f;
  f.id = id;
  f.region = role;
  f.origin = logs.origin;
  f.name = function_name;
  f.role = iam.id;
  f.runtime = "python3.13";  // the code runs on 3.11 and later
  f.handler = "index.handler";
  f.memory_mb = 256;
  f.timeout_seconds = 180;  // testSecret waits up to APPLY_TIMEOUT_SECONDS for the writer
  set_builtin_archive(cx, infra::kSecretRotationArchive, "paydrc-secret-rotation.zip", f);
  for (int z = 0; z < region.zones; ++z)
    f.subnets.push_back(fmt::format("{}_private_{}", role, static_cast<char>('a' + z)));
  f.security_groups = {sg.id};
  f.tracing = true;
  f.reserved_concurrency = 2;  // Secrets Manager runs one rotation of a secret at a time
  f.key = Context::key_id(role);
  f.environment = {
      {"APPLY_TIMEOUT_SECONDS", Text("120")},
      {"EXCLUDE_CHARACTERS", Text("/'\"@")},
      {"GLOBAL_CLUSTER_ID", cx.name({db.name, "global"})},
      {"PASSWORD_LENGTH", Text("32")},
  };
  f.log_group = logs.id;
  f.builtin = true;
  m.functions.push_back(f);

  infra::FunctionPermission permission;
  permission.id = id;
  permission.region = role;
  permission.origin = logs.origin;
  permission.function = f.id;
  permission.principal = "secretsmanager.amazonaws.com";
  permission.source_arn = Text(Ref{Kind::Secret, secret_id, infra::Attr::Arn});
  m.function_permissions.push_back(std::move(permission));

  for (infra::Secret& secret : m.secrets) {
    if (secret.id != secret_id) continue;
    secret.rotation_function = f.id;
    secret.rotation_permission = id;
    secret.rotation_days = db.secret_rotation_days;
  }
}

}  // namespace

void lower_secret_rotation(Context& cx) {
  for (const ir::Database& db : cx.system.databases) {
    if (db.secret_rotation_days <= 0) continue;
    if (const ir::Region* region = cx.system.region(db.writer)) lower_rotation(cx, db, *region);
  }
}

}  // namespace paydrc::lower
