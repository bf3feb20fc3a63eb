#include "lower/test_system.h"

namespace paydrc::lower::testing {

namespace {
ir::Cidr cidr(std::uint32_t a, std::uint32_t b, int prefix) {
  return {(a << 24) | (b << 16), prefix};
}
}  // namespace

ir::System payment_system() {
  ir::System s;
  s.name = "payment";
  s.objectives.base.rpo = 300;
  s.objectives.base.rto = 900;

  s.regions.push_back({"primary", "us-east-1", cidr(10, 0, 16), 3, 1, true, {}});
  s.regions.push_back({"secondary", "us-west-2", cidr(10, 1, 16), 3, 1, true, {}});

  ir::Database ledger;
  ledger.name = "ledger";
  ledger.kind = "aurora_global";
  ledger.engine = "aurora-mysql";
  ledger.engine_version = "8.0";
  ledger.instance_class = "db.r5.large";
  ledger.instances = 2;
  ledger.database_name = "payments";
  ledger.writer = "primary";
  ledger.readers = {"secondary"};
  ledger.operator_response = 300;
  s.databases.push_back(ledger);

  for (const char* name : {"sessions", "transactions"}) {
    ir::Table t;
    t.name = name;
    t.kind = "dynamodb_global";
    t.hash_key = std::string(name) == "sessions" ? "session_id" : "transaction_id";
    t.replicas = {"primary", "secondary"};
    s.tables.push_back(t);
  }

  ir::Function fn;
  fn.name = "processor";
  fn.runtime = "python3.12";
  fn.memory_mb = 1024;
  fn.timeout = 30;
  fn.source = "../lambda";
  fn.source_resolved = "lambda";
  fn.handler = "index.handler";
  fn.regions = {"primary", "secondary"};
  fn.access = {{"sessions", ir::TargetKind::Table, ir::AccessLevel::Write, {}},
               {"transactions", ir::TargetKind::Table, ir::AccessLevel::ReadWrite, {}},
               {"ledger", ir::TargetKind::Database, ir::AccessLevel::Connect, {}},
               {"parameters", ir::TargetKind::Parameters, ir::AccessLevel::Read, {}},
               {"payments", ir::TargetKind::Events, ir::AccessLevel::Publish, {}}};
  s.functions.push_back(fn);

  ir::Failover api;
  api.name = "api";
  api.zone = "payments.example.com";
  api.record = "api";
  api.target = "processor";
  api.primary = "primary";
  api.secondary = "secondary";
  api.jwt_issuer = "https://auth.example.com/";
  api.jwt_audience = {"payments"};
  s.failovers.push_back(api);

  ir::EventReplication events;
  events.name = "payments";
  events.from = "primary";
  events.to = {"secondary"};
  s.events.push_back(events);

  ir::Backup daily;
  daily.name = "daily";
  daily.schedule = "cron(0 3 * * ? *)";
  daily.copy_to = "secondary";
  daily.covers = {"ledger", "sessions", "transactions"};
  s.backups.push_back(daily);

  s.monitor.dashboards = {{"primary", {}}, {"secondary", {}}};
  s.monitor.alarms = {{"replication_lag", ir::Metric::ReplicationLag, "ledger", 60, 60, 1, {}},
                      {"processor_errors", ir::Metric::Errors, "processor", 0, 60, 1, {}},
                      {"sessions_throttles", ir::Metric::Throttles, "sessions", 0, 60, 1, {}},
                      {"transactions_throttles", ir::Metric::Throttles, "transactions", 0, 60, 1, {}}};

  s.parameters = {
      {"db_primary_endpoint", "/payment/{env}/db/primary/endpoint", {"ledger", "endpoint", "primary"}, false, {}},
      {"db_secondary_endpoint", "/payment/{env}/db/secondary/endpoint", {"ledger", "endpoint", "secondary"}, false, {}},
      {"dynamodb_table", "/payment/{env}/db/dynamodb/table", {"sessions", "name", std::nullopt}, false, {}}};
  return s;
}

}  // namespace paydrc::lower::testing
