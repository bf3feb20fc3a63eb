// Each function in each of its regions: the function in the private subnets with
// X-Ray, reserved concurrency and an encrypted environment; its log group; and its
// role, whose statements name the exact resources the spec's `access` grants.
// Once every invoker is known, an encrypted dead-letter queue for each function
// something invokes asynchronously.
#include <algorithm>
#include <cctype>
#include <map>

#include <fmt/format.h>

#include "lower/context.h"
#include "lower/naming.h"

namespace paydrc::lower {
namespace {

using infra::Kind;
using infra::Ref;
using infra::Text;

std::string upper(std::string_view name) {
  std::string out;
  for (char c : name) out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A statement id from a spec name: IAM takes ASCII letters and digits only
// (IAM User Guide, "IAM JSON policy elements: Sid",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html),
// so `order_items` becomes `OrderItems`, never `ORDER_ITEMS`.
std::string sid_part(std::string_view name) {
  return camel_case(name);
}

// Sids are unique within a policy (the same page): names that differ only in
// punctuation (`order_items`, `order-items`) get a count.
void unique_sids(infra::PolicyDocument& doc) {
  std::map<std::string, int> seen;
  for (infra::Statement& s : doc.statements) {
    int n = ++seen[s.sid];
    if (n > 1) s.sid += std::to_string(n);
  }
}

// Exactly the calls each level names (the language reference lists them): no
// DescribeTable, which no data-plane request needs, and deletes and batch writes
// only where a spec asks for `read_write_delete`.
std::vector<std::string> table_actions(ir::AccessLevel level) {
  std::vector<std::string> actions;
  const bool read = level != ir::AccessLevel::Write;
  const bool write = level != ir::AccessLevel::Read;
  if (read) {
    for (const char* a : {"dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:GetItem", "dynamodb:Query"})
      actions.emplace_back(a);
  }
  if (write) {
    for (const char* a : {"dynamodb:PutItem", "dynamodb:UpdateItem"}) actions.emplace_back(a);
  }
  if (level == ir::AccessLevel::ReadWriteDelete) {
    for (const char* a : {"dynamodb:BatchWriteItem", "dynamodb:DeleteItem"}) actions.emplace_back(a);
  }
  std::sort(actions.begin(), actions.end());
  return actions;
}

// The master secret's ARN in `role`'s region: the secret itself where the
// database was created, its replica elsewhere (lower/databases.cpp replicates it
// to every reader region).
Ref master_secret_arn(const Context& cx, const ir::Database& db, const std::string& role) {
  Ref ref{Kind::Secret, db.name + "_master", infra::Attr::Arn};
  if (role != db.writer) ref.replica_region = cx.aws_region(role);
  return ref;
}

std::vector<infra::Statement> grant_statements(const Context& cx, const ir::Function& fn, const ir::Grant& grant,
                                               const std::string& role) {
  std::vector<infra::Statement> out;
  infra::Statement s;
  switch (grant.target_kind) {
    case ir::TargetKind::Table: {
      if (!cx.system.table(grant.target)) break;
      s.sid = "Table" + sid_part(grant.target);
      s.actions = table_actions(grant.level);
      s.resources = {cx.arn("dynamodb", role, Text("table/") + cx.name({grant.target}))};
      out.push_back(s);
      break;
    }
    case ir::TargetKind::Database: {
      const ir::Database* db = cx.system.database(grant.target);
      if (!db) break;
      const auto roles = cx.database_regions(*db);
      if (std::find(roles.begin(), roles.end(), role) == roles.end()) break;
      if (grant.level == ir::AccessLevel::Write) {
        // SQL through the RDS Data API on this region's cluster only, authenticated
        // with the master secret (or its replica here). The Data API calls
        // ExecuteStatement with the caller's credentials, which must also read that
        // secret ("Authorizing access to the RDS Data API", Aurora User Guide). The
        // secret in this region is encrypted with this region's key, which the role
        // may already decrypt with (UseRegionKey): no further KMS statement.
        s.sid = "DataApi" + sid_part(grant.target);
        s.actions = {"rds-data:ExecuteStatement"};
        s.resources = {Text(Ref{Kind::DbCluster, Context::cluster_id(db->name, role), infra::Attr::Arn})};
        out.push_back(s);
        infra::Statement secret;
        secret.sid = "Read" + sid_part(grant.target) + "Secret";
        secret.actions = {"secretsmanager:GetSecretValue"};
        secret.resources = {Text(master_secret_arn(cx, *db, role))};
        out.push_back(secret);
        break;
      }
      // IAM database authentication as the database user named after the function.
      s.sid = "Connect" + sid_part(grant.target);
      s.actions = {"rds-db:connect"};
      s.resources = {
          cx.arn("rds-db", role,
                 Text("dbuser:") +
                     Text(Ref{Kind::DbCluster, Context::cluster_id(db->name, role), infra::Attr::ClusterResourceId}) +
                     Text("/" + fn.name))};
      out.push_back(s);
      break;
    }
    case ir::TargetKind::Events: {
      const ir::EventReplication* events = cx.system.event_bus(grant.target);
      if (!events) break;
      s.sid = "Publish" + sid_part(grant.target);
      s.actions = {"events:PutEvents"};
      s.resources = {Text(Ref{Kind::EventBus, Context::bus_id(grant.target, role), infra::Attr::Arn})};
      out.push_back(s);
      break;
    }
    case ir::TargetKind::Parameters: {
      if (cx.system.parameters.empty()) break;
      s.sid = "ReadParameters";
      s.actions = {"ssm:GetParameter", "ssm:GetParameters"};
      for (const ir::Parameter& p : cx.system.parameters) {
        s.resources.push_back(cx.arn("ssm", role, Text("parameter") + parameter_path(p.path)));
      }
      out.push_back(s);
      break;
    }
  }
  return out;
}

// The bus a function publishes to in a region, when it has a `publish` grant.
std::vector<std::pair<std::string, Text>> environment(const Context& cx, const ir::Function& fn,
                                                      const std::string& role) {
  std::vector<std::pair<std::string, Text>> env;
  int buses = 0;
  for (const ir::Grant& grant : fn.access) buses += grant.target_kind == ir::TargetKind::Events;
  for (const ir::Grant& grant : fn.access) {
    if (grant.target_kind == ir::TargetKind::Table && cx.system.table(grant.target)) {
      env.emplace_back(upper(grant.target) + "_TABLE", cx.name({grant.target}));
    } else if (grant.target_kind == ir::TargetKind::Database && grant.level == ir::AccessLevel::Write) {
      // The Data API's parameters for this region's cluster: the function never
      // calls another region's cluster (a secondary answers errors until promoted).
      const ir::Database* db = cx.system.database(grant.target);
      const auto roles = db ? cx.database_regions(*db) : std::vector<std::string>{};
      if (std::find(roles.begin(), roles.end(), role) == roles.end()) continue;
      const std::string prefix = upper(grant.target);
      env.emplace_back(prefix + "_CLUSTER_ARN",
                       Text(Ref{Kind::DbCluster, Context::cluster_id(db->name, role), infra::Attr::Arn}));
      env.emplace_back(prefix + "_SECRET_ARN", Text(master_secret_arn(cx, *db, role)));
      env.emplace_back(prefix + "_DATABASE", Text(db->database_name));
      env.emplace_back(prefix + "_ENGINE", Text(db->engine));
    } else if (grant.target_kind == ir::TargetKind::Events && cx.system.event_bus(grant.target)) {
      env.emplace_back(buses == 1 ? "EVENT_BUS_NAME" : upper(grant.target) + "_EVENT_BUS_NAME",
                       Text(Ref{Kind::EventBus, Context::bus_id(grant.target, role), infra::Attr::Name}));
    }
  }
  env.emplace_back("ENVIRONMENT_SUFFIX", Text(infra::EnvSuffix{}));
  for (const auto& [name, value] : fn.environment) env.emplace_back(name, Text(value));
  std::sort(env.begin(), env.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return env;
}

void lower_function(Context& cx, const ir::Function& fn, const ir::Region& region) {
  infra::Model& m = cx.model;
  const std::string& role = region.role;
  const std::string id = Context::function_id(fn.name, role);
  const Text function_name = cx.name({fn.name, role});

  infra::LogGroup logs;
  logs.id = id;
  logs.region = role;
  logs.origin = fn.origin.range;
  logs.name = Text("/aws/lambda/") + function_name;
  logs.retention_days = 365;  // PCI DSS 10.5.1: a year of audit history, as for flow and access logs
  logs.key = Context::key_id(role);
  m.log_groups.push_back(logs);

  infra::Role iam;
  iam.id = id;
  iam.region = role;
  iam.origin = fn.origin.at("access");
  iam.name = function_name;
  iam.description = fmt::format("function {} in {}", fn.name, region.aws_region);
  iam.trusted_services = {"lambda.amazonaws.com"};
  infra::PolicyDocument doc;
  doc.statements = function_runtime_statements(logs.id, fn.tracing);
  for (const ir::Grant& grant : fn.access) {
    for (infra::Statement& s : grant_statements(cx, fn, grant, role)) doc.statements.push_back(std::move(s));
  }
  {
    // The environment, the tables and a dead-letter queue are encrypted with it.
    infra::Statement s;
    s.sid = "UseRegionKey";
    s.actions = {"kms:Decrypt", "kms:GenerateDataKey"};
    s.resources = {Text(Ref{Kind::Key, Context::key_id(role), infra::Attr::Arn})};
    doc.statements.push_back(s);
  }
  unique_sids(doc);
  iam.policies.push_back({"access", std::move(doc)});
  m.roles.push_back(iam);

  infra::Function f;
  f.id = id;
  f.region = role;
  f.origin = fn.origin.range;
  f.name = function_name;
  f.role = iam.id;
  f.runtime = fn.runtime;
  f.handler = fn.handler;
  f.memory_mb = fn.memory_mb;
  f.timeout_seconds = static_cast<int>(fn.timeout);
  if (auto it = cx.options.archives.find(fn.name); it != cx.options.archives.end()) {
    f.archive = it->second.file_name;
    f.archive_sha256 = it->second.sha256_base64;
  } else {
    f.archive = fn.name + ".zip";
  }
  for (int z = 0; z < region.zones; ++z)
    f.subnets.push_back(fmt::format("{}_private_{}", role, static_cast<char>('a' + z)));
  f.security_groups = {Context::function_sg_id(fn.name, role)};
  f.tracing = fn.tracing;
  f.reserved_concurrency = fn.reserved_concurrency;
  f.key = Context::key_id(role);
  f.environment = environment(cx, fn, role);
  f.log_group = logs.id;
  m.functions.push_back(std::move(f));
}

}  // namespace

void set_builtin_archive(const Context& cx, std::string_view key, std::string fallback, infra::Function& f) {
  if (auto it = cx.options.archives.find(std::string(key)); it != cx.options.archives.end()) {
    f.archive = it->second.file_name;
    f.archive_sha256 = it->second.sha256_base64;
  } else {
    f.archive = std::move(fallback);
  }
}

std::vector<infra::Statement> function_runtime_statements(const std::string& log_group, bool tracing,
                                                          bool in_vpc) {
  std::vector<infra::Statement> out;
  {
    infra::Statement s;
    s.sid = "WriteOwnLogs";
    s.actions = {"logs:CreateLogStream", "logs:PutLogEvents"};
    s.resources = {Text(Ref{Kind::LogGroup, log_group, infra::Attr::Arn}) + Text(":*")};
    out.push_back(s);
  }
  if (in_vpc) {
    infra::Statement s;
    s.sid = "AttachToPrivateSubnets";
    s.actions = {"ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
                 "ec2:DescribeNetworkInterfaces", "ec2:UnassignPrivateIpAddresses"};
    s.resources = {Text("*")};
    s.wildcard_reason =
        "Lambda creates the VPC network interfaces under the function's role, and "
        "ec2:DescribeNetworkInterfaces supports no resource-level permissions (the same "
        "statement as AWSLambdaVPCAccessExecutionRole)";
    out.push_back(s);
  }
  if (tracing) {
    infra::Statement s;
    s.sid = "WriteTraces";
    s.actions = {"xray:PutTelemetryRecords", "xray:PutTraceSegments"};
    s.resources = {Text("*")};
    s.wildcard_reason = "X-Ray supports no resource-level permissions for writing traces";
    out.push_back(s);
  }
  return out;
}

std::string camel_case(std::string_view name) {
  std::string out;
  bool start = true;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      start = true;
      continue;
    }
    out += start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    start = false;
  }
  return out;
}

// A dead-letter queue receives only what Lambda could not deliver from its own
// event queue, i.e. asynchronous invocations ("Asynchronous invocation", Lambda
// Developer Guide: "the dead-letter queue ... for events that fail all processing
// attempts"); a synchronous caller such as API Gateway gets the error back and
// nothing is ever queued. So the queue, and the role's right to send to it, exist
// only where a permission lets a service invoke the function asynchronously.
void lower_dead_letters(Context& cx) {
  infra::Model& m = cx.model;
  for (const ir::Function& fn : cx.system.functions) {
    for (const std::string& role : fn.regions) {
      const std::string id = Context::function_id(fn.name, role);
      auto f = std::find_if(m.functions.begin(), m.functions.end(), [&](const infra::Function& x) { return x.id == id; });
      if (f == m.functions.end() || !f->dead_letter_queue.empty() || !infra::invoked_asynchronously(m, *f)) continue;

      infra::Queue dlq;
      dlq.id = id + "_dlq";
      dlq.region = role;
      dlq.origin = fn.origin.range;
      dlq.name = cx.name({fn.name, "dlq", role});
      dlq.key = Context::key_id(role);
      f->dead_letter_queue = dlq.id;
      for (infra::Role& r : m.roles) {
        if (r.id != f->role) continue;
        for (infra::RolePolicy& p : r.policies) {
          if (p.name != "access") continue;
          infra::Statement s;
          s.sid = "SendToDeadLetterQueue";
          s.actions = {"sqs:SendMessage"};
          s.resources = {Text(Ref{Kind::Queue, dlq.id, infra::Attr::Arn})};
          p.document.statements.push_back(std::move(s));
        }
      }
      m.queues.push_back(std::move(dlq));
    }
  }
}

void lower_functions(Context& cx) {
  for (const ir::Function& fn : cx.system.functions) {
    for (const std::string& role : fn.regions) {
      if (const ir::Region* region = cx.system.region(role)) lower_function(cx, fn, *region);
    }
  }
}

}  // namespace paydrc::lower
