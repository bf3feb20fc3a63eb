// Lowering of the reference system: subnet carving, names, IAM least privilege,
// security groups.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "lower/context.h"
#include "lower/lower.h"
#include "lower/test_system.h"

namespace paydrc::lower {
namespace {

// A readable form of a Text: {env}, {account}, {id.attr}.
std::string show(const infra::Text& text) {
  std::string out;
  for (const auto& part : text.parts) {
    if (const auto* s = std::get_if<std::string>(&part))
      out += *s;
    else if (std::holds_alternative<infra::EnvSuffix>(part))
      out += "{env}";
    else if (std::holds_alternative<infra::AccountId>(part))
      out += "{account}";
    else
      out += "{" + std::get<infra::Ref>(part).id + "}";
  }
  return out;
}

ir::Cidr parse(std::uint32_t a, std::uint32_t b, std::uint32_t c, int prefix) {
  return {(a << 24) | (b << 16) | (c << 8), prefix};
}

const infra::Model& model() {
  static const infra::Model m = lower(testing::payment_system(), {});
  return m;
}

std::vector<const infra::PolicyDocument*> all_documents(const infra::Model& m) {
  std::vector<const infra::PolicyDocument*> docs;
  for (const infra::Role& role : m.roles) {
    for (const infra::RolePolicy& p : role.policies) docs.push_back(&p.document);
  }
  for (const infra::Key& key : m.keys) docs.push_back(&key.policy);
  return docs;
}

}  // namespace

TEST_CASE("subnets are carved into equal blocks, private first, inside the VPC") {
  const auto subnets = carve_subnets(parse(10, 0, 0, 16), 3);
  REQUIRE(subnets.size() == 6);
  std::vector<std::string> cidrs;
  for (const auto& s : subnets) cidrs.push_back(s.cidr.text());
  CHECK(cidrs == std::vector<std::string>{"10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19", "10.0.96.0/19",
                                          "10.0.128.0/19", "10.0.160.0/19"});
  CHECK(subnets[0].tier == infra::SubnetTier::Private);
  CHECK(subnets[3].tier == infra::SubnetTier::Public);
  CHECK(subnets[3].zone_index == 0);
  for (std::size_t i = 0; i < subnets.size(); ++i) {
    CHECK(subnets[i].cidr.overlaps(parse(10, 0, 0, 16)));
    for (std::size_t j = i + 1; j < subnets.size(); ++j) CHECK_FALSE(subnets[i].cidr.overlaps(subnets[j].cidr));
  }
}

TEST_CASE("carving adapts to the zone count and refuses blocks below /28") {
  CHECK(carve_subnets(parse(10, 1, 0, 16), 2).front().cidr.prefix == 18);
  CHECK(carve_subnets(parse(10, 1, 0, 24), 4).front().cidr.prefix == 27);
  CHECK(carve_subnets(parse(10, 1, 0, 27), 3).empty());
  CHECK(carve_subnets(parse(10, 1, 0, 16), 0).empty());
}

TEST_CASE("each region gets public and private subnets in every zone, and the spec's NAT count") {
  const infra::Model& m = model();
  CHECK(m.vpcs.size() == 2);
  CHECK(m.subnets.size() == 12);
  std::set<std::string> zones;
  for (const auto& s : m.subnets) zones.insert(s.zone);
  CHECK(zones ==
        std::set<std::string>{"us-east-1a", "us-east-1b", "us-east-1c", "us-west-2a", "us-west-2b", "us-west-2c"});
  CHECK(m.nat_gateways.size() == 2);
  CHECK(m.elastic_ips.size() == 2);
  for (const auto& rt : m.route_tables) {
    for (const auto& route : rt.routes) CHECK(route.destination == "0.0.0.0/0");
  }
}

TEST_CASE("names follow payment-<role>-<env>") {
  const infra::Model& m = model();
  CHECK(show(m.global_clusters.at(0).identifier) == "payment-ledger-global-{env}");
  CHECK(show(m.functions.at(0).name) == "payment-processor-primary-{env}");
  CHECK(show(m.functions.at(1).name) == "payment-processor-secondary-{env}");
  CHECK(show(m.dashboards.at(0).name) == "payment-primary-{env}");
  CHECK(show(m.dashboards.at(1).name) == "payment-secondary-{env}");
  const auto lag =
      std::find_if(m.alarms.begin(), m.alarms.end(), [](const auto& a) { return a.id == "replication_lag_secondary"; });
  REQUIRE(lag != m.alarms.end());
  CHECK(show(lag->name) == "payment-replication-lag-secondary-{env}");
  CHECK(lag->region == "secondary");
  CHECK(lag->threshold == 60000);  // milliseconds
  CHECK(show(m.tables.at(0).name) == "payment-sessions-{env}");
  CHECK(show(m.parameters.at(0).name) == "/payment/{env}/db/primary/endpoint");
}

TEST_CASE("IAM statements name actions exactly; wildcard resources say why") {
  for (const infra::PolicyDocument* doc : all_documents(model())) {
    for (const infra::Statement& s : doc->statements) {
      INFO(s.sid);
      CHECK_FALSE(s.actions.empty());
      for (const std::string& action : s.actions) CHECK(action.find('*') == std::string::npos);
      for (const infra::Text& resource : s.resources) {
        if (show(resource) == "*") CHECK_FALSE(s.wildcard_reason.empty());
      }
    }
  }
}

TEST_CASE("the function's role names its tables, bus, parameters and database user") {
  const infra::Model& m = model();
  const auto role =
      std::find_if(m.roles.begin(), m.roles.end(), [](const auto& r) { return r.id == "processor_primary"; });
  REQUIRE(role != m.roles.end());
  std::map<std::string, std::vector<std::string>> resources;
  for (const auto& s : role->policies.at(0).document.statements) {
    for (const auto& r : s.resources) resources[s.sid].push_back(show(r));
  }
  CHECK(resources["TableSessions"] ==
        std::vector<std::string>{"arn:aws:dynamodb:us-east-1:{account}:table/payment-sessions-{env}"});
  CHECK(resources["PublishPayments"] == std::vector<std::string>{"{payments_primary}"});
  CHECK(resources["ConnectLedger"] ==
        std::vector<std::string>{"arn:aws:rds-db:us-east-1:{account}:dbuser:{ledger_primary}/processor"});
  CHECK(resources["ReadParameters"].size() == 3);
  CHECK(resources["ReadParameters"][0] ==
        "arn:aws:ssm:us-east-1:{account}:parameter/payment/{env}/db/primary/endpoint");
}

TEST_CASE("no security group admits 0.0.0.0/0; the database port is open to the function only") {
  const infra::Model& m = model();
  for (const auto& sg : m.security_groups) {
    for (const auto& rule : sg.rules) {
      if (rule.direction != infra::Direction::Ingress || !rule.cidr) continue;
      // Only the interface endpoints admit by address: HTTPS from a private subnet.
      INFO(sg.id << " " << *rule.cidr);
      CHECK(sg.id.ends_with("_endpoints_sg"));
      CHECK(rule.from_port == 443);
      CHECK(std::any_of(m.subnets.begin(), m.subnets.end(), [&](const infra::Subnet& s) {
        return s.cidr == *rule.cidr && s.tier == infra::SubnetTier::Private && s.region == sg.region;
      }));
    }
  }
  const auto db = std::find_if(m.security_groups.begin(), m.security_groups.end(),
                               [](const auto& sg) { return sg.id == "ledger_primary_sg"; });
  REQUIRE(db != m.security_groups.end());
  REQUIRE(db->rules.size() == 1);
  CHECK(db->rules[0].direction == infra::Direction::Ingress);
  CHECK(db->rules[0].from_port == 3306);
  CHECK(db->rules[0].peer_group == "processor_primary_sg");
}

TEST_CASE("the function's environment is its contract") {
  const auto& env = model().functions.at(0).environment;
  std::vector<std::string> names;
  for (const auto& [name, value] : env) names.push_back(name);
  CHECK(names ==
        std::vector<std::string>{"ENVIRONMENT_SUFFIX", "EVENT_BUS_NAME", "SESSIONS_TABLE", "TRANSACTIONS_TABLE"});
}

TEST_CASE("the global database: writer with credentials from the secret, reader after it, no Backtrack") {
  const infra::Model& m = model();
  REQUIRE(m.db_clusters.size() == 2);
  CHECK(m.db_clusters[0].writer);
  CHECK(m.db_clusters[0].master_secret == "ledger_master");
  CHECK(m.db_clusters[0].engine_version == "8.0.mysql_aurora.3.10.0");
  CHECK_FALSE(m.db_clusters[1].master_secret.has_value());
  CHECK(m.db_clusters[1].after.size() == 5);  // three log groups, the writer's two instances
  CHECK(m.db_clusters[1].key == "secondary_key");
  CHECK(m.db_instances.size() == 4);
  CHECK(m.tables.at(0).replicas.size() == 1);
  CHECK(m.tables.at(0).replicas[0].key == "secondary_key");
}

TEST_CASE("the failover front door: HTTP API, certificate, health check and record per region") {
  const infra::Model& m = model();
  CHECK(m.http_apis.size() == 2);
  CHECK(m.certificates.size() == 2);
  REQUIRE(m.health_checks.size() == 2);
  CHECK(m.health_checks[0].interval_seconds == 30);
  CHECK(m.health_checks[0].failure_threshold == 3);
  CHECK(m.health_checks[0].path == "/health");
  REQUIRE(m.failover_records.size() == 2);
  CHECK(m.failover_records[0].primary);
  CHECK_FALSE(m.failover_records[1].primary);
}

TEST_CASE("table access levels grant exactly their calls: no deletes or batch writes unless asked") {
  const infra::Model& m = model();
  const auto role =
      std::find_if(m.roles.begin(), m.roles.end(), [](const auto& r) { return r.id == "processor_primary"; });
  REQUIRE(role != m.roles.end());
  std::map<std::string, std::vector<std::string>> actions;
  for (const auto& s : role->policies.at(0).document.statements) actions[s.sid] = s.actions;
  CHECK(actions["TableSessions"] == std::vector<std::string>{"dynamodb:PutItem", "dynamodb:UpdateItem"});
  CHECK(actions["TableTransactions"] ==
        std::vector<std::string>{"dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:GetItem",
                                 "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"});

  ir::System full = testing::payment_system();
  full.functions.front().access.front().level = ir::AccessLevel::ReadWriteDelete;
  const infra::Model f = lower(full, {});
  for (const auto& r : f.roles) {
    if (r.id != "processor_primary") continue;
    for (const auto& s : r.policies.at(0).document.statements) {
      if (s.sid == "TableSessions") {
        CHECK(std::find(s.actions.begin(), s.actions.end(), "dynamodb:DeleteItem") != s.actions.end());
        CHECK(std::find(s.actions.begin(), s.actions.end(), "dynamodb:BatchWriteItem") != s.actions.end());
      }
    }
  }
}

TEST_CASE("`write` on a database: the Data API on every member, this region's cluster and secret only") {
  ir::System sys = testing::payment_system();
  for (ir::Grant& g : sys.functions.front().access) {
    if (g.target == "ledger") g.level = ir::AccessLevel::Write;
  }
  const infra::Model m = lower(sys, {});
  for (const auto& c : m.db_clusters) CHECK(c.data_api);
  for (const auto& sg : m.security_groups) {
    for (const auto& rule : sg.rules) CHECK(rule.from_port != 3306);  // no database port: HTTPS only
  }
  for (const std::string role : {"primary", "secondary"}) {
    const infra::Role* fn_role = nullptr;
    for (const auto& r : m.roles) fn_role = r.id == "processor_" + role ? &r : fn_role;
    REQUIRE(fn_role != nullptr);
    std::map<std::string, const infra::Statement*> by_sid;
    for (const auto& s : fn_role->policies.at(0).document.statements) by_sid[s.sid] = &s;
    CHECK(by_sid.count("ConnectLedger") == 0);
    REQUIRE(by_sid.count("DataApiLedger") == 1);
    CHECK(by_sid["DataApiLedger"]->actions == std::vector<std::string>{"rds-data:ExecuteStatement"});
    REQUIRE(by_sid["DataApiLedger"]->resources.size() == 1);
    const auto& cluster = std::get<infra::Ref>(by_sid["DataApiLedger"]->resources[0].parts.at(0));
    CHECK(cluster.id == "ledger_" + role);
    REQUIRE(by_sid.count("ReadLedgerSecret") == 1);
    CHECK(by_sid["ReadLedgerSecret"]->actions == std::vector<std::string>{"secretsmanager:GetSecretValue"});
    const auto& secret = std::get<infra::Ref>(by_sid["ReadLedgerSecret"]->resources.at(0).parts.at(0));
    CHECK(secret.id == "ledger_master");
    CHECK(secret.replica_region == (role == "primary" ? "" : "us-west-2"));
    const infra::Function* fn = nullptr;
    for (const auto& f : m.functions) fn = f.id == "processor_" + role ? &f : fn;
    REQUIRE(fn != nullptr);
    std::map<std::string, infra::Text> env(fn->environment.begin(), fn->environment.end());
    CHECK(std::get<infra::Ref>(env.at("LEDGER_CLUSTER_ARN").parts.at(0)).id == "ledger_" + role);
    CHECK(std::get<infra::Ref>(env.at("LEDGER_SECRET_ARN").parts.at(0)) == secret);
    CHECK(show(env.at("LEDGER_ENGINE")) == "aurora-mysql");
  }
}

TEST_CASE("the failover API authorizes with JWT in every region; the health path stays open") {
  const infra::Model& m = model();
  REQUIRE(m.http_apis.size() == 2);
  for (const auto& api : m.http_apis) {
    REQUIRE(api.jwt.has_value());
    CHECK(api.jwt->issuer == "https://auth.example.com/");
    CHECK(api.jwt->audience == std::vector<std::string>{"payments"});
    REQUIRE(api.routes.size() == 2);
    CHECK(api.routes[0].auth == infra::RouteAuth::Jwt);
    CHECK(api.routes[1].key == "GET /health");
    CHECK(api.routes[1].auth == infra::RouteAuth::None);
  }
}

TEST_CASE("the REST front door: WAF per region, execute-api bypass closed, JWT authorizer, regional health names") {
  ir::System sys = testing::payment_system();
  sys.failovers.at(0).front_door = ir::FrontDoor::RestApi;
  sys.failovers.at(0).waf_rate_limit = 1500;
  const infra::Model m = lower(sys, {});
  CHECK(m.http_apis.empty());
  CHECK(m.api_domains.empty());
  REQUIRE(m.rest_apis.size() == 2);
  REQUIRE(m.web_acls.size() == 2);
  for (const infra::RestApi& api : m.rest_apis) {
    const std::string& role = api.region;
    // Its region's web ACL, with AWS's common rules and the spec's rate limit.
    const auto acl = std::find_if(m.web_acls.begin(), m.web_acls.end(),
                                  [&](const infra::WebAcl& w) { return w.id == api.web_acl; });
    REQUIRE(acl != m.web_acls.end());
    CHECK(acl->region == role);
    CHECK(acl->rate_limit == 1500);
    CHECK(std::count(acl->managed_rule_groups.begin(), acl->managed_rule_groups.end(),
                     "AWSManagedRulesCommonRuleSet") == 1);
    // The JWT authorizer: paydrc's function in the same region, outside the VPC
    // with its reason, invoked by API Gateway for this API's authorizers only.
    const auto fn = std::find_if(m.functions.begin(), m.functions.end(),
                                 [&](const infra::Function& f) { return f.id == api.authorizer; });
    REQUIRE(fn != m.functions.end());
    CHECK(fn->region == role);
    CHECK(fn->builtin);
    CHECK(fn->subnets.empty());
    CHECK(!fn->outside_vpc_reason.empty());
    CHECK(fn->archive == "paydrc-jwt-authorizer.zip");
    const auto env = std::map<std::string, infra::Text>(fn->environment.begin(), fn->environment.end());
    CHECK(show(env.at("ISSUER")) == "https://auth.example.com/");
    CHECK(show(env.at("AUDIENCE")) == "payments");
    const auto permission = std::find_if(m.function_permissions.begin(), m.function_permissions.end(),
                                         [&](const infra::FunctionPermission& p) { return p.function == fn->id; });
    REQUIRE(permission != m.function_permissions.end());
    CHECK(permission->principal == "apigateway.amazonaws.com");
    CHECK(show(permission->source_arn) == "{" + api.id + "}/authorizers/*");
    // Its role: its own log streams, X-Ray and the environment's key; nothing else.
    const auto role_it = std::find_if(m.roles.begin(), m.roles.end(),
                                      [&](const infra::Role& r) { return r.id == fn->role; });
    REQUIRE(role_it != m.roles.end());
    std::set<std::string> actions;
    for (const auto& policy : role_it->policies)
      for (const auto& st : policy.document.statements) actions.insert(st.actions.begin(), st.actions.end());
    CHECK(actions == std::set<std::string>{"kms:Decrypt", "logs:CreateLogStream", "logs:PutLogEvents",
                                           "xray:PutTelemetryRecords", "xray:PutTraceSegments"});
    REQUIRE(api.routes.size() == 2);
    CHECK(api.routes[0].auth == infra::RouteAuth::Jwt);
    CHECK(api.routes[1].auth == infra::RouteAuth::None);
  }
  // Each region's health check probes that region's own name, which an alias
  // record leads to that region's domain; no execute-api host anywhere.
  REQUIRE(m.health_checks.size() == 2);
  for (const infra::HealthCheck& hc : m.health_checks) {
    for (const auto& part : hc.fqdn.parts) {
      if (const auto* text = std::get_if<std::string>(&part)) CHECK(text->find("execute-api") == std::string::npos);
      CHECK(!std::holds_alternative<infra::Ref>(part));  // a name of the zone, not an API's endpoint
    }
    const auto record = std::find_if(m.api_records.begin(), m.api_records.end(),
                                     [&](const infra::ApiRecord& r) { return r.fqdn == hc.fqdn; });
    REQUIRE(record != m.api_records.end());
    const auto domain = std::find_if(m.rest_api_domains.begin(), m.rest_api_domains.end(),
                                     [&](const infra::RestApiDomain& d) { return d.id == record->domain; });
    REQUIRE(domain != m.rest_api_domains.end());
    CHECK(hc.id == domain->api);  // api_<role>: the check and the API of one region
  }
  // One certificate per region names both the failover name and the health name.
  for (const infra::Certificate& c : m.certificates) CHECK(c.alternative_names.size() == 1);
  for (const infra::FailoverRecord& r : m.failover_records) CHECK(r.rest);
}

TEST_CASE("backups: a plan and tag selection in every region that can hold a writer, copying across, locked") {
  const infra::Model& m = model();
  std::vector<std::string> plans, selections;
  for (const auto& p : m.backup_plans) plans.push_back(p.id + "@" + p.region);
  for (const auto& s : m.backup_selections) selections.push_back(s.id + "@" + s.region);
  CHECK(plans == std::vector<std::string>{"daily_primary@primary", "daily_secondary@secondary"});
  CHECK(selections == plans);
  REQUIRE(m.backup_plans.size() == 2);
  CHECK(m.backup_plans[0].rules.at(0).copies.at(0).vault == "daily_secondary");
  CHECK(m.backup_plans[1].rules.at(0).copies.at(0).vault == "daily_primary");
  for (const auto& s : m.backup_selections) {
    CHECK(s.resources.empty());
    CHECK(s.tags == std::vector<std::pair<std::string, std::string>>{{"paydrc-backup-daily", "true"}});
  }
  for (const auto& c : m.db_clusters) CHECK(c.tags.size() == 1);
  for (const auto& t : m.tables) CHECK(t.tags.size() == 1);
  for (const auto& v : m.backup_vaults) CHECK(v.lock_min_retention_days == 7);
}

TEST_CASE("each cross-region event rule has a retry policy and an encrypted dead-letter queue only it may use") {
  const infra::Model& m = model();
  REQUIRE(m.event_rules.size() == 1);
  const auto& rule = m.event_rules.front();
  CHECK(rule.retry_attempts == 185);
  CHECK(rule.max_event_age_seconds == 86400);
  const auto dlq = std::find_if(m.queues.begin(), m.queues.end(), [&](const auto& q) { return q.id == rule.dead_letter_queue; });
  REQUIRE(dlq != m.queues.end());
  CHECK(dlq->region == rule.region);
  CHECK(dlq->key == rule.region + "_key");
  // Its one policy: EventBridge's right to send, then the TLS-only Deny.
  REQUIRE(dlq->policy.statements.size() == 2);
  const auto& send = dlq->policy.statements.front();
  CHECK(send.effect == infra::Effect::Allow);
  CHECK(send.actions == std::vector<std::string>{"sqs:SendMessage"});
  CHECK(show(send.principals.at(0).identifiers.at(0)) == "events.amazonaws.com");
  CHECK(send.conditions.at(0).variable == "aws:SourceArn");
  CHECK(show(send.conditions.at(0).values.at(0)) == "{" + rule.id + "}");
}

TEST_CASE("every queue and topic has one policy that denies requests without TLS") {
  const infra::Model& m = model();
  REQUIRE(!m.queues.empty());
  REQUIRE(m.topics.size() == 2);
  for (const auto& q : m.queues) {
    INFO(q.id);
    CHECK(infra::denies_insecure_transport(q.policy, "sqs:*", infra::Ref{infra::Kind::Queue, q.id, infra::Attr::Arn}));
    const auto& deny = q.policy.statements.back();
    CHECK(deny.effect == infra::Effect::Deny);
    CHECK(deny.actions == std::vector<std::string>{"sqs:*"});
    CHECK(deny.principals.at(0).type == "*");
    CHECK(deny.conditions.at(0).test == "Bool");
    CHECK(deny.conditions.at(0).variable == "aws:SecureTransport");
    CHECK(show(deny.conditions.at(0).values.at(0)) == "false");
    CHECK(show(deny.resources.at(0)) == "{" + q.id + "}");
  }
  for (const auto& t : m.topics) {
    INFO(t.id);
    CHECK(infra::denies_insecure_transport(t.policy, "sns:Publish", infra::Ref{infra::Kind::Topic, t.id, infra::Attr::Arn}));
    // The policy replaces SNS's default one: this region's alarms keep the right to publish.
    REQUIRE(t.policy.statements.size() == 2);
    const auto& alarms = t.policy.statements.front();
    CHECK(alarms.effect == infra::Effect::Allow);
    CHECK(alarms.actions == std::vector<std::string>{"sns:Publish"});
    CHECK(show(alarms.principals.at(0).identifiers.at(0)) == "cloudwatch.amazonaws.com");
    CHECK(show(alarms.conditions.at(0).values.at(0)) ==
          "arn:aws:cloudwatch:" + m.region(t.region)->aws_region + ":{account}:alarm:*");
  }
  // A Deny of only some actions, or for one principal, is not the TLS-only statement.
  infra::PolicyDocument narrow = m.queues.front().policy;
  narrow.statements.back().actions = {"sqs:SendMessage"};
  const infra::Ref queue{infra::Kind::Queue, m.queues.front().id, infra::Attr::Arn};
  CHECK_FALSE(infra::denies_insecure_transport(narrow, "sqs:*", queue));
  CHECK(infra::denies_insecure_transport(narrow, "sqs:SendMessage", queue));
  narrow.statements.back().principals = {{"Service", {infra::Text("events.amazonaws.com")}}};
  CHECK_FALSE(infra::denies_insecure_transport(narrow, "sqs:SendMessage", queue));
}

TEST_CASE("a function invoked only synchronously (API Gateway) has no dead-letter queue and no right to one") {
  const infra::Model& m = model();
  REQUIRE(!m.functions.empty());
  for (const auto& f : m.functions) {
    INFO(f.id);
    CHECK_FALSE(infra::invoked_asynchronously(m, f));
    CHECK(f.dead_letter_queue.empty());
  }
  // API Gateway, and Secrets Manager for the rotation function: both invoke
  // synchronously (Lambda Developer Guide, "Using Lambda with Secrets Manager").
  for (const auto& p : m.function_permissions) {
    CHECK((p.principal == "apigateway.amazonaws.com" || p.principal == "secretsmanager.amazonaws.com"));
  }
  // The only queues are the event rules' dead-letter queues.
  CHECK(m.queues.size() == m.event_rules.size());
  for (const auto* doc : all_documents(m)) {
    for (const auto& s : doc->statements) CHECK(s.sid != "SendToDeadLetterQueue");
  }
}

TEST_CASE("each global database's master secret rotates through paydrc's function in the writer's region") {
  const infra::Model& m = model();
  const ir::System system = testing::payment_system();
  REQUIRE(!system.databases.empty());
  for (const ir::Database& db : system.databases) {
    INFO(db.name);
    const infra::Secret* secret = nullptr;
    for (const auto& s : m.secrets) {
      if (s.id == db.name + "_master") secret = &s;
    }
    REQUIRE(secret != nullptr);
    CHECK(secret->rotation_days == 30);
    const infra::Function* f = nullptr;
    for (const auto& x : m.functions) {
      if (x.id == secret->rotation_function) f = &x;
    }
    REQUIRE(f != nullptr);
    CHECK(f->builtin);
    CHECK(f->region == db.writer);
    CHECK(f->archive == "paydrc-secret-rotation.zip");
    CHECK(f->dead_letter_queue.empty());
    const infra::FunctionPermission* p = nullptr;
    for (const auto& x : m.function_permissions) {
      if (x.id == secret->rotation_permission) p = &x;
    }
    REQUIRE(p != nullptr);
    CHECK(p->function == f->id);
    CHECK(p->principal == "secretsmanager.amazonaws.com");
    CHECK(p->source_arn == infra::Text(infra::Ref{infra::Kind::Secret, secret->id, infra::Attr::Arn}));
    // The role may change the password on every member cluster (the writer moves),
    // and touch no other secret.
    const infra::Role* role = nullptr;
    for (const auto& r : m.roles) {
      if (r.id == f->role) role = &r;
    }
    REQUIRE(role != nullptr);
    std::size_t clusters = 0;
    for (const auto& policy : role->policies) {
      for (const auto& st : policy.document.statements) {
        if (std::find(st.actions.begin(), st.actions.end(), "rds:ModifyDBCluster") != st.actions.end())
          clusters = st.resources.size();
        if (std::find(st.actions.begin(), st.actions.end(), "secretsmanager:PutSecretValue") != st.actions.end()) {
          CHECK(st.resources == std::vector<infra::Text>{
                                    infra::Text(infra::Ref{infra::Kind::Secret, secret->id, infra::Attr::Arn})});
        }
      }
    }
    CHECK(clusters == 1 + db.readers.size());
  }

  ir::System off = testing::payment_system();
  for (ir::Database& db : off.databases) db.secret_rotation_days = 0;
  const infra::Model without = lower(off, {});
  for (const auto& s : without.secrets) CHECK(s.rotation_function.empty());
  for (const auto& f : without.functions) CHECK_FALSE(f.builtin);
  CHECK(without.functions.size() + off.databases.size() == m.functions.size());
}

TEST_CASE("interface endpoints for what the region's functions call, in every private subnet") {
  const infra::Model& m = model();
  for (const std::string role : {"primary", "secondary"}) {
    INFO(role);
    std::vector<std::string> services;
    for (const auto& e : m.vpc_endpoints) {
      if (e.region != role || !e.interface) continue;
      services.push_back(e.service);
      CHECK(e.subnets.size() == 3);
      CHECK(e.security_groups == std::vector<std::string>{role + "_endpoints_sg"});
    }
    std::sort(services.begin(), services.end());
    // The test system's function connects to the ledger on its port (no Data API),
    // publishes events, reads parameters and traces.
    CHECK(services == std::vector<std::string>{"events", "ssm", "xray"});
  }
  ir::System off = testing::payment_system();
  for (ir::Region& r : off.regions) r.interface_endpoints = false;
  const infra::Model without = lower(off, {});
  for (const auto& e : without.vpc_endpoints) CHECK_FALSE(e.interface);
  for (const auto& sg : without.security_groups) CHECK_FALSE(sg.id.ends_with("_endpoints_sg"));
}

TEST_CASE("which service principals invoke asynchronously") {
  for (const char* p : {"events.amazonaws.com", "sns.amazonaws.com", "s3.amazonaws.com", "logs.us-east-1.amazonaws.com"})
    CHECK(infra::invokes_asynchronously(p));
  for (const char* p : {"apigateway.amazonaws.com", "elasticloadbalancing.amazonaws.com", "cognito-idp.amazonaws.com",
                        "secretsmanager.amazonaws.com"})
    CHECK_FALSE(infra::invokes_asynchronously(p));
}

TEST_CASE("a function something invokes asynchronously gets an encrypted, TLS-only dead-letter queue it may send to") {
  const ir::System system = testing::payment_system();
  const LowerOptions options;
  Context cx{system, options, lower(system, options)};
  infra::FunctionPermission sns;
  sns.id = "processor_primary_sns";
  sns.region = "primary";
  sns.function = "processor_primary";
  sns.principal = "sns.amazonaws.com";
  cx.model.function_permissions.push_back(sns);
  const std::size_t queues = cx.model.queues.size();
  lower_dead_letters(cx);
  lower_transport_security(cx);
  lower_transport_security(cx);  // once per policy, however often it runs

  const infra::Model& m = cx.model;
  REQUIRE(m.queues.size() == queues + 1);
  const auto& dlq = m.queues.back();
  CHECK(dlq.id == "processor_primary_dlq");
  CHECK(dlq.region == "primary");
  CHECK(dlq.key == "primary_key");
  CHECK(show(dlq.name) == "payment-processor-dlq-primary-{env}");
  REQUIRE(dlq.policy.statements.size() == 1);
  CHECK(infra::denies_insecure_transport(dlq.policy, "sqs:*", infra::Ref{infra::Kind::Queue, dlq.id, infra::Attr::Arn}));
  for (const auto& q : m.queues) CHECK(q.policy.statements.back().sid == "DenyRequestsWithoutTls");
  for (const auto& q : m.queues) {
    CHECK(std::count_if(q.policy.statements.begin(), q.policy.statements.end(),
                        [](const auto& s) { return s.effect == infra::Effect::Deny; }) == 1);
  }

  for (const auto& f : m.functions) {
    INFO(f.id);
    CHECK(f.dead_letter_queue == (f.id == "processor_primary" ? "processor_primary_dlq" : ""));
  }
  bool may_send = false;
  for (const auto& r : m.roles) {
    for (const auto& p : r.policies) {
      for (const auto& s : p.document.statements) {
        if (s.sid != "SendToDeadLetterQueue") continue;
        CHECK(r.id == "processor_primary");
        CHECK(s.actions == std::vector<std::string>{"sqs:SendMessage"});
        may_send = show(s.resources.at(0)) == "{processor_primary_dlq}";
      }
    }
  }
  CHECK(may_send);
}

TEST_CASE("lowering is a function of its input") {
  const infra::Model a = lower(testing::payment_system(), {});
  const infra::Model b = lower(testing::payment_system(), {});
  REQUIRE(a.roles.size() == b.roles.size());
  for (std::size_t i = 0; i < a.roles.size(); ++i) CHECK(a.roles[i].name == b.roles[i].name);
  CHECK(a.subnets.size() == b.subnets.size());
}

}  // namespace paydrc::lower

namespace paydrc::lower {
namespace {

TEST_CASE("each environment gets its own API name unless it answers on the plain name") {
  ir::Failover f;
  f.zone = "payments.example.com";
  f.record = "api";
  CHECK(infra::evaluate(failover_name(f), "dev") == "api-dev.payments.example.com");
  CHECK(infra::evaluate(failover_name(f), "prod") == "api-prod.payments.example.com");
  f.plain_name_environments = {"prod", "production", "prod"};
  CHECK(infra::evaluate(failover_name(f), "prod") == "api.payments.example.com");
  CHECK(infra::evaluate(failover_name(f), "production") == "api.payments.example.com");
  CHECK(infra::evaluate(failover_name(f), "prod-eu") == "api-prod-eu.payments.example.com");
  f.record = "";  // the zone apex
  CHECK(infra::evaluate(failover_name(f), "prod") == "payments.example.com");
  CHECK(infra::evaluate(failover_name(f), "qa") == "qa.payments.example.com");
}

TEST_CASE("the front door uses the environment's name everywhere and an existing zone") {
  ir::System s = testing::payment_system();
  s.failovers.front().plain_name_environments = {"prod"};
  const infra::Model m = lower(s, {});
  REQUIRE(m.hosted_zones.size() == 1);
  CHECK_FALSE(m.hosted_zones.front().created);
  for (const char* env : {"dev", "prod"}) {
    const std::string expected = std::string(env) == "prod" ? "api.payments.example.com"
                                                            : "api-dev.payments.example.com";
    for (const auto& c : m.certificates) CHECK(infra::evaluate(c.domain, env) == expected);
    for (const auto& d : m.api_domains) CHECK(infra::evaluate(d.domain, env) == expected);
    for (const auto& r : m.failover_records) CHECK(infra::evaluate(r.fqdn, env) == expected);
    bool url = false;
    for (const auto& o : m.outputs) {
      if (o.name == "api_url") url = infra::evaluate(o.value, env) == "https://" + expected;
      CHECK(o.name.find("name_servers") == std::string::npos);  // nothing to delegate
    }
    CHECK(url);
  }
  s.failovers.front().zone_mode = ir::ZoneMode::Create;
  const infra::Model created = lower(s, {});
  REQUIRE(created.hosted_zones.size() == 1);
  CHECK(created.hosted_zones.front().created);
  CHECK(std::any_of(created.outputs.begin(), created.outputs.end(),
                    [](const infra::Output& o) { return o.name == "api_zone_name_servers"; }));
}

}  // namespace

TEST_CASE("each exported database log has a log group created before its cluster, kept and encrypted") {
  const infra::Model& m = model();
  for (const infra::DbCluster& c : m.db_clusters) {
    INFO(c.id);
    REQUIRE(c.log_exports == std::vector<std::string>{"audit", "error", "slowquery"});
    for (const std::string& log : c.log_exports) {
      const auto g = std::find_if(m.log_groups.begin(), m.log_groups.end(),
                                  [&](const infra::LogGroup& lg) { return lg.id == c.id + "_" + log; });
      REQUIRE(g != m.log_groups.end());
      CHECK(g->region == c.region);
      // The name RDS writes to: /aws/rds/cluster/<cluster identifier>/<log>.
      CHECK(show(g->name) == "/aws/rds/cluster/payment-ledger-" + c.region + "-{env}/" + log);
      CHECK(g->retention_days == 365);
      CHECK(g->key == c.region + "_key");
      CHECK(std::find(c.after.begin(), c.after.end(), infra::Ref{infra::Kind::LogGroup, g->id}) != c.after.end());
    }
  }
}

TEST_CASE("audit events cover connections, privilege and schema changes and table access, not statement text") {
  for (const infra::DbClusterParameterGroup& g : model().db_parameter_groups) {
    const auto events = std::find_if(g.parameters.begin(), g.parameters.end(),
                                     [](const auto& p) { return p.first == "server_audit_events"; });
    REQUIRE(events != g.parameters.end());
    CHECK(events->second == "CONNECT,QUERY_DCL,QUERY_DDL,TABLE");
  }
}

TEST_CASE("Enhanced Monitoring: every instance, through a role of its own region trusted by RDS monitoring") {
  const infra::Model& m = model();
  REQUIRE(m.db_instances.size() == 4);
  std::set<std::string> roles;
  for (const infra::DbInstance& i : m.db_instances) {
    INFO(i.id);
    CHECK(i.monitoring_interval == 60);
    const auto role = std::find_if(m.roles.begin(), m.roles.end(),
                                   [&](const infra::Role& r) { return r.id == i.monitoring_role; });
    REQUIRE(role != m.roles.end());
    roles.insert(role->id);
    // Each region stage creates its own: the secondary's must not need the primary's stage.
    CHECK(role->region == i.region);
    CHECK(show(role->name) == "payment-ledger-monitoring-" + i.region + "-{env}");
    CHECK(role->trusted_services == std::vector<std::string>{"monitoring.rds.amazonaws.com"});
    REQUIRE(role->trust_conditions.size() == 1);
    CHECK(role->trust_conditions[0].test == "StringEquals");
    CHECK(role->trust_conditions[0].variable == "aws:SourceAccount");
    CHECK(show(role->trust_conditions[0].values.at(0)) == "{account}");
    // AmazonRDSEnhancedMonitoringRole narrowed to `RDSOSMetrics` in this region and account.
    CHECK(role->managed_policies.empty());
    REQUIRE(role->policies.size() == 1);
    const infra::PolicyDocument& doc = role->policies[0].document;
    REQUIRE(doc.statements.size() == 2);
    const std::string aws_region = i.region == "primary" ? "us-east-1" : "us-west-2";
    CHECK(doc.statements[0].actions == std::vector<std::string>{"logs:CreateLogGroup", "logs:PutRetentionPolicy"});
    CHECK(show(doc.statements[0].resources.at(0)) ==
          "arn:aws:logs:" + aws_region + ":{account}:log-group:RDSOSMetrics");
    CHECK(doc.statements[1].actions == std::vector<std::string>{"logs:CreateLogStream", "logs:DescribeLogStreams",
                                                                "logs:GetLogEvents", "logs:PutLogEvents"});
    CHECK(show(doc.statements[1].resources.at(0)) ==
          "arn:aws:logs:" + aws_region + ":{account}:log-group:RDSOSMetrics:log-stream:*");
    CHECK(show(infra::policy_name(*role, role->policies[0])) ==
          "payment-ledger-monitoring-" + i.region + "-{env}-enhanced-monitoring");
  }
  CHECK(roles == std::set<std::string>{"ledger_primary_monitoring", "ledger_secondary_monitoring"});
}

TEST_CASE("the database port: the spec's, on the cluster and both sides of the security groups") {
  ir::System system = testing::payment_system();
  system.databases.at(0).port = 3307;
  const infra::Model m = lower(system, {});
  for (const infra::DbCluster& c : m.db_clusters) CHECK(c.port == 3307);
  int rules = 0;
  for (const infra::SecurityGroup& sg : m.security_groups) {
    for (const infra::SecurityRule& r : sg.rules) {
      if (r.peer_group && (r.peer_group->find("ledger") != std::string::npos || sg.id.find("ledger") == 0)) {
        CHECK(r.from_port == 3307);
        CHECK(r.to_port == 3307);
        ++rules;
      }
    }
  }
  CHECK(rules == 4);  // ingress and egress, in each region
}

TEST_CASE("monitoring_interval 0: no Enhanced Monitoring and no role") {
  ir::System system = testing::payment_system();
  system.databases.at(0).monitoring_interval_seconds = 0;
  const infra::Model m = lower(system, {});
  for (const infra::DbInstance& i : m.db_instances) {
    CHECK(i.monitoring_interval == 0);
    CHECK(i.monitoring_role.empty());
  }
  CHECK(std::none_of(m.roles.begin(), m.roles.end(),
                     [](const infra::Role& r) { return r.id.find("monitoring") != std::string::npos; }));
}

}  // namespace paydrc::lower
