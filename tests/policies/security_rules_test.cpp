// Each security rule stays silent on the reference system and fires on a model
// mutated to break exactly what it checks. Most of these mutations cannot be
// written in a spec (the lowering always gets them right), which is why they are
// tested here on the model rather than only as golden specs.
#include <catch2/catch.hpp>

#include <algorithm>

#include "engine/resource_view.h"
#include "policy_test_support.h"

namespace paydrc::policies::testing {
namespace {

using infra::Kind;
using infra::Ref;
using infra::Text;

const std::vector<std::string> kSecurityRules = {
    "SEC-ENCRYPTION-CMK",
    "SEC-KMS-ROTATION",
    "SEC-DB-TLS",
    "SEC-DB-PRIVATE",
    "SEC-DB-DELETION-PROTECTION",
    "SEC-DB-IAM-AUTH",
    "SEC-DB-AUDIT-LOGS",
    "SEC-DB-MONITORING",
    "SEC-NO-LITERAL-SECRET",
    "SEC-IAM-LEAST-PRIVILEGE",
    "SEC-IAM-CONFUSED-DEPUTY",
    "SEC-SG-OPEN-INGRESS",
    "SEC-VPC-FLOW-LOGS",
    "SEC-FN-VPC",
    "SEC-FN-TRACING",
    "SEC-FN-CONCURRENCY",
    "SEC-FN-DEAD-LETTER",
    "SEC-MESSAGING-TLS",
    "SEC-LOG-RETENTION",
    "SEC-TABLE-PITR",
    "SEC-BACKUP-COVERAGE",
    "SEC-API-AUTHORIZATION",
    "SEC-HEALTH-CHECK-HTTPS",
};

// A copy of the reference model to break.
infra::Model model() {
  return reference().model;
}

std::vector<Finding> run(std::string_view id, const infra::Model& m, const Params& params = {}) {
  return run_rule(id, reference().system(), m, params);
}

template <class R>
R& by_id(std::vector<R>& resources, std::string_view id) {
  auto it = std::find_if(resources.begin(), resources.end(), [&](const R& r) { return r.id == id; });
  REQUIRE(it != resources.end());
  return *it;
}

bool mentions(const std::vector<Finding>& findings, std::string_view text) {
  return std::any_of(findings.begin(), findings.end(),
                     [&](const Finding& f) { return f.diagnostic.message.find(text) != std::string::npos; });
}

TEST_CASE("every security rule is in the table with its metadata and is silent on the reference model") {
  for (const std::string& id : kSecurityRules) {
    INFO(id);
    const Rule* rule = find_rule(id);
    REQUIRE(rule != nullptr);
    CHECK(rule->info.category == Category::Security);
    CHECK(!rule->info.title.empty());
    CHECK(!rule->info.rationale.empty());
    CHECK(!rule->info.references.empty());
    for (const Finding& f : run(id, reference().model)) FAIL_CHECK(f.diagnostic.message);
  }
}

TEST_CASE("the reference spec passes every security rule under baseline") {
  diag::Sink sink("packs");
  Report report = run_engine(reference(), sink, {"baseline"});
  REQUIRE(report.packs_ok);
  for (const Finding& f : report.findings) {
    if (f.diagnostic.id.starts_with("SEC-")) FAIL_CHECK(f.diagnostic.message);
  }
}

TEST_CASE("under pci-dss the reference spec fails only for short log retention and its HTTP API front door") {
  diag::Sink sink("packs");
  Report report = run_engine(reference(), sink, {"pci-dss"});
  REQUIRE(report.packs_ok);
  int short_groups = 0;
  for (const infra::LogGroup& g : reference().model.log_groups)
    short_groups += g.retention_days != 0 && g.retention_days < 365;
  for (const Finding& f : report.findings) {
    if (f.diagnostic.id.starts_with("SEC-") && f.diagnostic.id != "SEC-LOG-RETENTION")
      FAIL_CHECK(f.diagnostic.message);
  }
  CHECK(of(report.findings, "SEC-LOG-RETENTION").size() == static_cast<std::size_t>(short_groups));
  // The reference's REST APIs carry AWS WAF.
  CHECK(of(report.findings, "SEC-API-WAF").empty());
  CHECK(reference().model.http_apis.empty());
}

// The reference system with `front_door = rest_api` and the pci-dss pack (a golden
// case of both backends).
const LoadedSpec& rest_front_door() {
  static const LoadedSpec spec = load_spec("golden/terraform/rest_front_door.pdr");
  return spec;
}

// The reference system behind HTTP APIs (SEC-API-WAF's failing golden).
const LoadedSpec& http_front_door() {
  static const LoadedSpec spec = load_spec("golden/policies/SEC-API-WAF/fail.pdr");
  return spec;
}

TEST_CASE("the REST front door passes every security rule under pci-dss") {
  diag::Sink sink("packs");
  Report report = run_engine(rest_front_door(), sink, {"pci-dss"});
  REQUIRE(report.packs_ok);
  REQUIRE(rest_front_door().model.rest_apis.size() == 2);
  CHECK(rest_front_door().model.http_apis.empty());
  for (const Finding& f : report.findings) {
    if (f.diagnostic.id.starts_with("SEC-") && !f.waived) FAIL_CHECK(f.diagnostic.message);
  }
}

TEST_CASE("SEC-API-WAF: each REST API's stage behind its region's web ACL with the common rules") {
  const LoadedSpec& rest = rest_front_door();
  auto judge = [&](const infra::Model& m) { return run_rule("SEC-API-WAF", rest.system(), m); };
  CHECK(judge(rest.model).empty());

  infra::Model none = rest.model;
  none.rest_apis.front().web_acl.clear();
  auto unprotected = judge(none);
  REQUIRE(unprotected.size() == 1);
  CHECK(mentions(unprotected, "has no AWS WAF web ACL"));

  infra::Model elsewhere = rest.model;
  elsewhere.rest_apis.front().web_acl = elsewhere.rest_apis.back().web_acl;
  CHECK(mentions(judge(elsewhere), "of another region"));

  infra::Model no_common = rest.model;
  for (infra::WebAcl& acl : no_common.web_acls) acl.managed_rule_groups = {"AWSManagedRulesAmazonIpReputationList"};
  auto weak = judge(no_common);
  CHECK(weak.size() == 2);
  CHECK(mentions(weak, "lacks AWS's common rule set"));

  infra::Model missing = rest.model;
  missing.web_acls.clear();
  CHECK(mentions(judge(missing), "which the model does not define"));

  // HTTP APIs cannot carry AWS WAF at all.
  auto http = run_rule("SEC-API-WAF", http_front_door().system(), http_front_door().model);
  CHECK(http.size() == 2);
  CHECK(mentions(http, "is an HTTP API, which AWS WAF cannot protect"));
}

TEST_CASE("SEC-FN-VPC: only paydrc's own functions may run outside the VPC, and only with a reason") {
  const LoadedSpec& rest = rest_front_door();
  auto judge = [&](const infra::Model& m) { return run_rule("SEC-FN-VPC", rest.system(), m); };
  CHECK(judge(rest.model).empty());
  infra::Model no_reason = rest.model;
  for (infra::Function& f : no_reason.functions) f.outside_vpc_reason.clear();
  CHECK(judge(no_reason).size() == 2);  // the JWT authorizer in each region
  infra::Model user = rest.model;
  for (infra::Function& f : user.functions) {
    if (!f.outside_vpc_reason.empty()) f.builtin = false;
  }
  CHECK(judge(user).size() == 2);
}

TEST_CASE("SEC-API-AUTHORIZATION: a REST API's health path stays open only where a health check probes it") {
  const LoadedSpec& rest = rest_front_door();
  auto judge = [&](const infra::Model& m) { return run_rule("SEC-API-AUTHORIZATION", rest.system(), m); };
  CHECK(judge(rest.model).empty());
  infra::Model open = rest.model;
  for (auto& route : open.rest_apis.front().routes) route.auth = infra::RouteAuth::None;
  auto findings = judge(open);
  REQUIRE(findings.size() == 1);
  CHECK(mentions(findings, "route `ANY /{proxy+}` requires no authorization"));
  // Without the regional health name, nothing probes `/health`: it must authorize too.
  infra::Model unprobed = rest.model;
  unprobed.api_records.clear();
  CHECK(judge(unprobed).size() == 2);
}

TEST_CASE("SEC-ENCRYPTION-CMK: AWS-owned keys, unknown keys and keys of another region") {
  infra::Model m = model();
  by_id(m.tables, "sessions").key.clear();
  by_id(m.tables, "transactions").replicas.front().key = "primary_key";  // the replica lives in us-west-2
  m.log_groups.front().key = "no_such_key";
  infra::Parameter& p = m.parameters.front();
  p.secure = true;
  p.key.clear();
  auto findings = run("SEC-ENCRYPTION-CMK", m);
  CHECK(findings.size() == 4);
  CHECK(mentions(findings, "table `sessions` is encrypted with an AWS-owned key"));
  CHECK(mentions(findings,
                 "replica in us-west-2 of table `transactions` in us-west-2 names key `primary_key` of us-east-1"));
  CHECK(mentions(findings, "names key `no_such_key`"));
  CHECK(mentions(findings, "SecureString parameter"));
  // Findings carry the spec block as scope, for scoped waivers.
  for (const Finding& f : findings) {
    if (f.diagnostic.message.find("`sessions`") != std::string::npos) CHECK(f.scope == "sessions");
  }
}

TEST_CASE("SEC-KMS-ROTATION") {
  infra::Model m = model();
  m.keys.front().rotation = false;
  auto findings = run("SEC-KMS-ROTATION", m);
  REQUIRE(findings.size() == 1);
  CHECK(findings.front().scope == m.keys.front().region);
}

TEST_CASE("SEC-DB-TLS: the cluster parameter group must enforce TLS") {
  infra::Model m = model();
  for (auto& group : m.db_parameter_groups) {
    std::erase_if(group.parameters, [](const auto& p) { return p.first == "require_secure_transport"; });
  }
  auto findings = run("SEC-DB-TLS", m);
  CHECK(findings.size() == m.db_clusters.size());
  CHECK(mentions(findings, "require_secure_transport"));
  for (const Finding& f : findings) CHECK(f.scope == "ledger");

  infra::Model off = model();
  for (auto& group : off.db_parameter_groups) {
    for (auto& [name, value] : group.parameters) {
      if (name == "require_secure_transport") value = "OFF";
    }
  }
  CHECK(run("SEC-DB-TLS", off).size() == off.db_clusters.size());
}

TEST_CASE("SEC-DB-PRIVATE: public subnets and ingress from outside the VPC") {
  infra::Model m = model();
  by_id(m.db_subnet_groups, "ledger_primary").subnets.push_back("primary_public_a");
  infra::SecurityRule open;
  open.id = "office";
  open.direction = infra::Direction::Ingress;
  open.from_port = open.to_port = 3306;
  open.cidr = "203.0.113.0/24";
  by_id(m.security_groups, "ledger_secondary_sg").rules.push_back(open);
  auto findings = run("SEC-DB-PRIVATE", m);
  CHECK(findings.size() == 2);
  CHECK(mentions(findings, "includes public subnet `primary_public_a`"));
  CHECK(mentions(findings, "admits 203.0.113.0/24"));

  // Ingress by an address inside the VPC is fine.
  infra::Model inside = model();
  open.cidr = "10.1.0.0/19";
  by_id(inside.security_groups, "ledger_secondary_sg").rules.push_back(open);
  CHECK(run("SEC-DB-PRIVATE", inside).empty());

  // A publicly accessible instance fails even in private subnets.
  infra::Model exposed = model();
  exposed.db_instances.front().publicly_accessible = true;
  auto public_findings = run("SEC-DB-PRIVATE", exposed);
  CHECK(public_findings.size() == 1);
  CHECK(mentions(public_findings, "is publicly accessible"));
}

TEST_CASE("SEC-DB-DELETION-PROTECTION names every unprotected store of a block once") {
  infra::Model m = model();
  by_id(m.tables, "sessions").deletion_protection = false;
  for (auto& c : m.db_clusters) c.deletion_protection = false;
  auto findings = run("SEC-DB-DELETION-PROTECTION", m);
  REQUIRE(findings.size() == 2);
  CHECK(mentions(findings, "table `sessions` can be deleted"));
  CHECK(mentions(findings, "cluster `ledger_primary`, cluster `ledger_secondary` can be deleted"));
}

TEST_CASE("SEC-DB-IAM-AUTH") {
  infra::Model m = model();
  m.db_clusters.front().iam_auth = false;
  CHECK(run("SEC-DB-IAM-AUTH", m).size() == 1);
}

TEST_CASE("SEC-DB-AUDIT-LOGS: exports and the parameters that fill them") {
  infra::Model m = model();
  std::erase(by_id(m.db_clusters, "ledger_primary").log_exports, "audit");
  std::erase_if(by_id(m.db_parameter_groups, "ledger_secondary").parameters,
                [](const auto& p) { return p.first == "server_audit_logging"; });
  auto findings = run("SEC-DB-AUDIT-LOGS", m);
  REQUIRE(findings.size() == 2);
  CHECK(mentions(findings, "the `audit` log export"));
  CHECK(mentions(findings, "`server_audit_logging = 1`"));
}

TEST_CASE("SEC-DB-AUDIT-LOGS: data access and privilege changes among the audit events") {
  infra::Model m = model();
  for (auto& [name, value] : by_id(m.db_parameter_groups, "ledger_primary").parameters) {
    if (name == "server_audit_events") value = "CONNECT,QUERY_DDL";
  }
  auto findings = run("SEC-DB-AUDIT-LOGS", m);
  REQUIRE(findings.size() == 1);
  CHECK(mentions(findings, "`QUERY_DCL` in `server_audit_events`"));
  CHECK(mentions(findings, "data-access events in `server_audit_events` (`TABLE` or `QUERY_DML`)"));
  CHECK_FALSE(mentions(findings, "`CONNECT` in"));

  for (auto& [name, value] : by_id(m.db_parameter_groups, "ledger_primary").parameters) {
    if (name == "server_audit_events") value = "QUERY";  // every statement, text and all: complete
  }
  CHECK(run("SEC-DB-AUDIT-LOGS", m).empty());
}

TEST_CASE("SEC-DB-AUDIT-LOGS: each export's log group exists first, with a key") {
  infra::Model m = model();
  std::erase_if(m.log_groups, [](const infra::LogGroup& g) { return g.id == "ledger_primary_audit"; });
  by_id(m.log_groups, "ledger_secondary_error").key.clear();
  std::erase(by_id(m.db_clusters, "ledger_secondary").after, Ref{Kind::LogGroup, "ledger_secondary_slowquery"});
  auto findings = run("SEC-DB-AUDIT-LOGS", m);
  REQUIRE(findings.size() == 2);
  CHECK(mentions(findings, "a log group `/aws/rds/cluster/<cluster>/audit` for the `audit` export"));
  CHECK(mentions(findings, "a KMS key on log group `ledger_secondary_error`"));
  CHECK(mentions(findings, "to be created after log group `ledger_secondary_slowquery`"));

  // A group under another name does not count: RDS would still create its own.
  infra::Model renamed = model();
  by_id(renamed.log_groups, "ledger_primary_error").name = Text("/aws/rds/cluster/ledger/error");
  CHECK(mentions(run("SEC-DB-AUDIT-LOGS", renamed), "for the `error` export"));
}

TEST_CASE("SEC-DB-MONITORING: every instance, a role trusted by RDS monitoring for this account, in its region") {
  SECTION("an instance without Enhanced Monitoring") {
    infra::Model m = model();
    by_id(m.db_instances, "ledger_secondary_2").monitoring_interval = 0;
    auto findings = run("SEC-DB-MONITORING", m);
    REQUIRE(findings.size() == 1);
    CHECK(mentions(findings, "`ledger_secondary_2` has no Enhanced Monitoring"));
  }
  SECTION("a role another service may assume, or any account's RDS") {
    infra::Model m = model();
    by_id(m.roles, "ledger_primary_monitoring").trusted_services = {"rds.amazonaws.com"};
    by_id(m.roles, "ledger_secondary_monitoring").trust_conditions.clear();
    auto findings = run("SEC-DB-MONITORING", m);
    REQUIRE(findings.size() == 4);
    CHECK(mentions(findings, "is not trusted by `monitoring.rds.amazonaws.com`"));
    CHECK(mentions(findings, "has no `aws:SourceAccount` condition"));
  }
  SECTION("the primary's role for a secondary instance") {
    infra::Model m = model();
    by_id(m.db_instances, "ledger_secondary_1").monitoring_role = "ledger_primary_monitoring";
    auto findings = run("SEC-DB-MONITORING", m);
    REQUIRE(findings.size() == 1);
    CHECK(mentions(findings, "is created with region `primary`, not `secondary`"));
  }
  SECTION("a role that is missing, grants nothing, or writes elsewhere") {
    infra::Model m = model();
    by_id(m.db_instances, "ledger_primary_1").monitoring_role = "nothing";
    by_id(m.roles, "ledger_secondary_monitoring").policies.clear();
    auto findings = run("SEC-DB-MONITORING", m);
    REQUIRE(findings.size() == 3);
    CHECK(mentions(findings, "`ledger_primary_1` has no monitoring role"));
    CHECK(mentions(findings, "cannot write to the `RDSOSMetrics` log group"));

    infra::Model elsewhere = model();
    for (infra::RolePolicy& p : by_id(elsewhere.roles, "ledger_primary_monitoring").policies) {
      for (infra::Statement& st : p.document.statements) st.resources = {Text("arn:aws:logs:us-east-1:1:log-group:other:*")};
    }
    CHECK(run("SEC-DB-MONITORING", elsewhere).size() == 2);
  }
  SECTION("AWS's managed policy also serves") {
    infra::Model m = model();
    infra::Role& role = by_id(m.roles, "ledger_primary_monitoring");
    role.policies.clear();
    role.managed_policies = {"arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"};
    CHECK(run("SEC-DB-MONITORING", m).empty());
  }
}

TEST_CASE("SEC-NO-LITERAL-SECRET: patterns anywhere, secret-named variables, the master password") {
  SECTION("an access key id in any string of any resource") {
    infra::Model m = model();
    m.keys.front().description = "rotated with AKIAIOSFODNN7EXAMPLE";
    auto findings = run("SEC-NO-LITERAL-SECRET", m);
    REQUIRE(findings.size() == 1);
    CHECK(mentions(findings, "`description` holds an AWS access key id"));
    CHECK(findings.front().diagnostic.message.find("AKIAIOSFODNN7EXAMPLE") == std::string::npos);
  }
  SECTION("a private key and a URL with a password") {
    infra::Model m = model();
    infra::Function& f = by_id(m.functions, "processor_primary");
    f.environment.emplace_back("SIGNING",
                               Text("-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----"));
    f.environment.emplace_back("LEDGER_URL", Text("mysql://admin:hunter22@ledger.internal/payments"));
    auto findings = run("SEC-NO-LITERAL-SECRET", m);
    CHECK(mentions(findings, "holds a private key"));
    CHECK(mentions(findings, "holds a URL with a password"));
  }
  SECTION("variables named like secrets, unless they locate one") {
    infra::Model m = model();
    infra::Function& f = by_id(m.functions, "processor_primary");
    f.environment.emplace_back("STRIPE_API_KEY", Text("sk_live_51H8x"));
    f.environment.emplace_back("DB_PASSWORD", Text("hunter2"));
    f.environment.emplace_back("DB_SECRET_ARN", Text("arn:aws:secretsmanager:us-east-1:111122223333:secret:x"));
    f.environment.emplace_back("TOKEN_TABLE", Text("payment-tokens"));
    f.environment.emplace_back("PASSWORD_MIN_LENGTH", Text("12"));
    f.environment.emplace_back("API_TOKEN", Text(Ref{Kind::Secret, "ledger_master", infra::Attr::Arn}));
    auto findings = run("SEC-NO-LITERAL-SECRET", m);
    CHECK(findings.size() == 2);
    CHECK(mentions(findings, "`STRIPE_API_KEY` holds a literal secret"));
    CHECK(mentions(findings, "`DB_PASSWORD` holds a literal secret"));
  }
  SECTION("the writer's master password comes from a generated secret") {
    infra::Model m = model();
    for (auto& c : m.db_clusters) {
      if (c.writer) c.master_secret.reset();
    }
    auto findings = run("SEC-NO-LITERAL-SECRET", m);
    REQUIRE(findings.size() == 1);
    CHECK(mentions(findings, "has no generated master secret"));
  }
}

TEST_CASE("SEC-IAM-LEAST-PRIVILEGE: wildcard actions, unexplained wildcard resources, any principal, admin policies") {
  infra::Model m = model();
  infra::Role& role = by_id(m.roles, "processor_primary");
  infra::Statement s;
  s.sid = "Everything";
  s.actions = {"dynamodb:*"};
  s.resources = {Text("*")};
  role.policies.front().document.statements.push_back(s);
  role.managed_policies.push_back("arn:aws:iam::aws:policy/AdministratorAccess");
  m.keys.front().policy.statements.front().principals.push_back({"AWS", {Text("*")}});
  auto findings = run("SEC-IAM-LEAST-PRIVILEGE", m);
  CHECK(findings.size() == 4);
  CHECK(mentions(findings, "wildcard action `dynamodb:*`"));
  CHECK(mentions(findings, "applies to every resource (`*`) without a recorded reason"));
  CHECK(mentions(findings, "AdministratorAccess"));
  CHECK(mentions(findings, "any principal"));
  for (const Finding& f : findings) {
    if (f.diagnostic.message.find("role `processor_primary`") != std::string::npos) CHECK(f.scope == "processor");
  }
}

TEST_CASE("SEC-SG-OPEN-INGRESS: ingress from anywhere, not egress") {
  infra::Model m = model();
  infra::SecurityRule open;
  open.id = "world";
  open.direction = infra::Direction::Ingress;
  open.from_port = open.to_port = 443;
  open.cidr = "::/0";
  m.security_groups.front().rules.push_back(open);
  auto findings = run("SEC-SG-OPEN-INGRESS", m);
  REQUIRE(findings.size() == 1);
  CHECK(mentions(findings, "from ::/0"));
}

TEST_CASE("SEC-VPC-FLOW-LOGS") {
  infra::Model m = model();
  m.flow_logs.erase(m.flow_logs.begin());
  CHECK(run("SEC-VPC-FLOW-LOGS", m).size() == 1);
  infra::Model dangling = model();
  dangling.flow_logs.front().log_group = "gone";
  CHECK(mentions(run("SEC-VPC-FLOW-LOGS", dangling), "which the model does not define"));
}

TEST_CASE("SEC-FN-VPC") {
  infra::Model m = model();
  by_id(m.functions, "processor_primary").subnets.clear();
  by_id(m.functions, "processor_secondary").subnets.front() = "secondary_public_a";
  auto findings = run("SEC-FN-VPC", m);
  CHECK(findings.size() == 2);
  CHECK(mentions(findings, "runs outside the VPC"));
  CHECK(mentions(findings, "runs in public subnet `secondary_public_a`"));
}

TEST_CASE("SEC-FN-TRACING and SEC-FN-CONCURRENCY") {
  infra::Model m = model();
  by_id(m.functions, "processor_primary").tracing = false;
  by_id(m.functions, "processor_primary").reserved_concurrency = 0;
  CHECK(run("SEC-FN-TRACING", m).size() == 1);
  auto findings = run("SEC-FN-CONCURRENCY", m);
  REQUIRE(findings.size() == 1);
  CHECK(mentions(findings, "every invocation is throttled"));
}

TEST_CASE("SEC-FN-DEAD-LETTER: a queue only where something invokes the function asynchronously") {
  // The reference processor is invoked by API Gateway only: synchronously, no queue.
  infra::Model reference_model = model();
  REQUIRE_FALSE(infra::invoked_asynchronously(reference_model, by_id(reference_model.functions, "processor_primary")));

  // A queue on a synchronously invoked function can never receive.
  infra::Model sync = model();
  by_id(sync.functions, "processor_primary").dead_letter_queue = "payments_to_secondary_dlq";
  auto useless = run("SEC-FN-DEAD-LETTER", sync);
  REQUIRE(useless.size() == 1);
  CHECK(mentions(useless, "nothing invokes it asynchronously, so the queue can never receive"));

  // SNS invokes asynchronously: now the function needs a queue its role may send to.
  infra::Model async = model();
  infra::FunctionPermission sns;
  sns.id = "processor_primary_sns";
  sns.region = "primary";
  sns.function = "processor_primary";
  sns.principal = "sns.amazonaws.com";
  async.function_permissions.push_back(sns);
  CHECK(mentions(run("SEC-FN-DEAD-LETTER", async), "is invoked asynchronously and has no dead-letter target"));

  by_id(async.functions, "processor_primary").dead_letter_queue = "payments_to_secondary_dlq";
  CHECK(mentions(run("SEC-FN-DEAD-LETTER", async), "may not send to dead-letter queue"));

  infra::Statement send;
  send.sid = "SendToDeadLetterQueue";
  send.actions = {"sqs:SendMessage"};
  send.resources = {Text(Ref{Kind::Queue, "payments_to_secondary_dlq", infra::Attr::Arn})};
  by_id(async.roles, "processor_primary").policies.front().document.statements.push_back(send);
  CHECK(run("SEC-FN-DEAD-LETTER", async).empty());

  by_id(async.queues, "payments_to_secondary_dlq").region = "secondary";
  CHECK(mentions(run("SEC-FN-DEAD-LETTER", async), "sends failures to queue `payments_to_secondary_dlq` in secondary"));
}

TEST_CASE("SEC-ENCRYPTION-CMK: backup vaults have a key apart from the data's") {
  infra::Model m = model();
  REQUIRE_FALSE(m.backup_vaults.empty());
  for (const infra::BackupVault& v : m.backup_vaults) CHECK(v.key == v.region + "_backup_key");
  CHECK(run("SEC-ENCRYPTION-CMK", m).empty());
  by_id(m.backup_vaults, m.backup_vaults.front().id).key = m.backup_vaults.front().region + "_key";
  auto findings = run("SEC-ENCRYPTION-CMK", m);
  REQUIRE(findings.size() == 1);
  CHECK(mentions(findings, "which also encrypts the data it backs up"));
}

TEST_CASE("SEC-IAM-CONFUSED-DEPUTY: service trusts and service grants name the account or the resource") {
  CHECK(run("SEC-IAM-CONFUSED-DEPUTY", model()).empty());
  SECTION("a flow-logs or EventBridge role without its source conditions") {
    infra::Model m = model();
    by_id(m.roles, "primary_flow_logs").trust_conditions.clear();
    // "*" scopes nothing.
    for (infra::Condition& c : by_id(m.roles, "payments_to_secondary").trust_conditions) c.values = {Text("*")};
    auto findings = run("SEC-IAM-CONFUSED-DEPUTY", m);
    REQUIRE(findings.size() == 2);
    CHECK(mentions(findings, "role `primary_flow_logs` may be assumed by `vpc-flow-logs.amazonaws.com`"));
    CHECK(mentions(findings, "role `payments_to_secondary` may be assumed by `events.amazonaws.com`"));
  }
  SECTION("a service that sends no source keys is not judged") {
    infra::Model m = model();
    for (infra::Role& r : m.roles) {
      if (r.trusted_services == std::vector<std::string>{"lambda.amazonaws.com"}) CHECK(r.trust_conditions.empty());
    }
    CHECK(run("SEC-IAM-CONFUSED-DEPUTY", m).empty());
  }
  SECTION("a key, queue or topic grant to a service without a condition, and an unscoped invoke permission") {
    infra::Model m = model();
    for (infra::Statement& s : m.keys.front().policy.statements) {
      if (s.sid == "CloudWatchAlarmsPublishToEncryptedTopic") s.conditions.clear();
    }
    for (infra::Statement& s : by_id(m.queues, "payments_to_secondary_dlq").policy.statements) s.conditions.clear();
    m.function_permissions.front().source_arn = Text("*");
    auto findings = run("SEC-IAM-CONFUSED-DEPUTY", m);
    CHECK(mentions(findings, "statement `CloudWatchAlarmsPublishToEncryptedTopic` lets `cloudwatch.amazonaws.com` act "
                             "for any account"));
    CHECK(mentions(findings, "policy of queue `payments_to_secondary_dlq`: statement `EventBridgeRuleSendsUndelivered`"));
    CHECK(mentions(findings, "invoke function"));
    CHECK(findings.size() == 3);
  }
}

TEST_CASE("SEC-MESSAGING-TLS: every queue and topic denies requests without TLS") {
  // Without the statement: the queue and the topic are each reported once.
  infra::Model bare = model();
  for (auto& q : bare.queues) {
    if (q.id == "payments_to_secondary_dlq")
      std::erase_if(q.policy.statements, [](const infra::Statement& s) { return s.effect == infra::Effect::Deny; });
  }
  bare.topics.front().policy.statements.clear();
  auto findings = run("SEC-MESSAGING-TLS", bare);
  REQUIRE(findings.size() == 2);
  CHECK(mentions(findings, "queue `payments_to_secondary_dlq` accepts requests without TLS"));
  CHECK(mentions(findings, "topic `primary_alarms` accepts requests without TLS"));

  // A Deny that misses a part does not count: an Allow, a named principal, another
  // condition value, too narrow an action.
  auto deny_of = [](infra::Model& m) -> infra::Statement& {
    for (auto& s : by_id(m.queues, "payments_to_secondary_dlq").policy.statements) {
      if (s.effect == infra::Effect::Deny) return s;
    }
    FAIL("no Deny statement");
    throw;
  };
  infra::Model allow = model();
  deny_of(allow).effect = infra::Effect::Allow;
  infra::Model named = model();
  deny_of(named).principals = {{"Service", {Text("events.amazonaws.com")}}};
  infra::Model secure = model();
  deny_of(secure).conditions.front().values = {Text("true")};
  infra::Model narrow = model();
  deny_of(narrow).actions = {"sqs:SendMessage"};
  for (infra::Model* m : {&allow, &named, &secure, &narrow}) {
    CHECK(mentions(run("SEC-MESSAGING-TLS", *m), "queue `payments_to_secondary_dlq` accepts requests without TLS"));
  }
}

TEST_CASE("SEC-LOG-RETENTION: the pack's minimum; 0 never expires") {
  infra::Model m = model();
  m.log_groups.front().retention_days = 7;
  m.log_groups.back().retention_days = 0;
  auto findings = run("SEC-LOG-RETENTION", m, {{"min_days", "30"}});
  REQUIRE(findings.size() == 1);
  CHECK(mentions(findings, "keeps logs 7 days; the pack requires at least 30"));

  int under_a_year = 0;
  for (const auto& g : reference().model.log_groups) under_a_year += g.retention_days != 0 && g.retention_days < 365;
  CHECK(run("SEC-LOG-RETENTION", reference().model, {{"min_days", "365"}}).size() ==
        static_cast<std::size_t>(under_a_year));
}

TEST_CASE("SEC-TABLE-PITR") {
  infra::Model m = model();
  by_id(m.tables, "transactions").point_in_time_recovery = false;
  auto findings = run("SEC-TABLE-PITR", m);
  REQUIRE(findings.size() == 1);
  CHECK(findings.front().scope == "transactions");
}

TEST_CASE("SEC-BACKUP-COVERAGE: selected by tag in every region holding it, copied to another region") {
  infra::Model missing = model();
  std::erase_if(by_id(missing.tables, "sessions").tags,
                [](const auto& tag) { return tag.first.starts_with("paydrc-backup"); });
  auto findings = run("SEC-BACKUP-COVERAGE", missing);
  REQUIRE(findings.size() == 1);
  CHECK(mentions(findings, "table `sessions` is in no backup plan's selection"));

  // Only the home region's plan: after a failover nobody backs up the new writer.
  infra::Model home_only = model();
  std::erase_if(home_only.backup_selections,
                [&](const infra::BackupSelection& s) { return s.region != home_only.regions.front().role; });
  auto one_region = run("SEC-BACKUP-COVERAGE", home_only);
  CHECK(one_region.size() == 3);  // ledger, sessions, transactions
  CHECK(mentions(one_region, "backed up in no plan of `secondary`"));

  infra::Model no_copy = model();
  for (auto& plan : no_copy.backup_plans)
    for (auto& rule : plan.rules) rule.copies.clear();
  auto uncopied = run("SEC-BACKUP-COVERAGE", no_copy);
  CHECK(uncopied.size() == 3);  // ledger, sessions, transactions
  CHECK(mentions(uncopied, "without a copy to another region"));
}

TEST_CASE("SEC-API-AUTHORIZATION: every route but the health check") {
  infra::Model m = http_front_door().model;
  for (auto& route : m.http_apis.front().routes) route.auth = infra::RouteAuth::None;
  auto findings = run_rule("SEC-API-AUTHORIZATION", http_front_door().system(), m);
  REQUIRE(findings.size() == 1);
  CHECK(mentions(findings, "route `ANY /{proxy+}` requires no authorization"));
  CHECK(findings.front().scope == "api");
}

TEST_CASE("SEC-HEALTH-CHECK-HTTPS") {
  infra::Model m = model();
  m.health_checks.front().protocol = "TCP";
  auto findings = run("SEC-HEALTH-CHECK-HTTPS", m);
  REQUIRE(findings.size() == 1);
  CHECK(mentions(findings, "probes over TCP"));
}

}  // namespace
}  // namespace paydrc::policies::testing
