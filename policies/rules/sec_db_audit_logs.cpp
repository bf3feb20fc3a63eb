// SEC-DB-AUDIT-LOGS: database clusters log connections, changes and data access,
// and export their audit, error and slow-query logs to CloudWatch Logs, into log
// groups the deployment creates first, kept and encrypted.
#include <algorithm>

#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {
namespace {

struct Setting {
  std::string_view name;
  std::string_view value;          // the value that turns it on; "*" = any non-empty value
  std::string_view contains = {};  // or: a value containing this
};

// The audit plugin's list of event classes: each of `required` and at least one
// of `data_access` (who read or wrote which data, PCI DSS 10.2.1.1), unless the
// list holds `everything`.
struct AuditEvents {
  std::string_view parameter;
  std::vector<std::string_view> required;
  std::vector<std::string_view> data_access;
  std::string_view everything;
};

struct EngineLogging {
  std::string_view engine;
  std::vector<std::string_view> exports;  // CloudWatch Logs exports
  std::vector<Setting> settings;          // cluster parameters without which an export stays empty
  AuditEvents events;
};

// Aurora MySQL: the `audit` export is empty unless the Advanced Auditing plugin logs
// (`server_audit_logging`, `server_audit_events`) and `slowquery` unless
// `slow_query_log` is on (Aurora User Guide, "Using Advanced Auditing with an Amazon
// Aurora MySQL DB cluster"). Aurora PostgreSQL exports one `postgresql` log; its
// audit records come from pgaudit, loaded through `shared_preload_libraries` and
// configured by `pgaudit.log` (Aurora User Guide, "Using pgAudit to log database
// activity").
// Events: Aurora MySQL's `server_audit_events` takes CONNECT, QUERY, QUERY_DCL,
// QUERY_DDL, QUERY_DML, QUERY_DML_NO_SELECT and TABLE, in capitals (same guide,
// "Using Advanced Auditing"); TABLE, QUERY_DML or QUERY record reads and writes
// (QUERY_DML_NO_SELECT misses reads). pgaudit's `pgaudit.log` classes: READ
// (SELECT, COPY from), WRITE, DDL, ROLE, ALL.
const std::vector<EngineLogging> kLogging = {
    {"aurora-mysql",
     {"audit", "error", "slowquery"},
     {{"server_audit_logging", "1"}, {"slow_query_log", "1"}},
     {"server_audit_events", {"CONNECT", "QUERY_DCL", "QUERY_DDL"}, {"TABLE", "QUERY_DML"}, "QUERY"}},
    {"aurora-postgresql",
     {"postgresql"},
     {{"shared_preload_libraries", "", "pgaudit"}},
     {"pgaudit.log", {"ddl", "role", "write"}, {"read"}, "all"}},
};

std::vector<std::string> listed(const std::string& value) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t end = value.find(',', start);
    if (end == std::string::npos) end = value.size();
    std::string item = value.substr(start, end - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

// What the event list lacks, in words; nothing when it is complete.
std::vector<std::string> missing_events(const AuditEvents& e, const std::string& value) {
  const std::vector<std::string> have = listed(value);
  auto has = [&](std::string_view item) { return std::find(have.begin(), have.end(), item) != have.end(); };
  std::vector<std::string> out;
  if (has(e.everything)) return out;
  for (std::string_view item : e.required) {
    if (!has(item)) out.push_back(fmt::format("`{}` in `{}`", item, e.parameter));
  }
  if (std::none_of(e.data_access.begin(), e.data_access.end(), has)) {
    out.push_back(fmt::format("data-access events in `{}` (`{}`)", e.parameter, fmt::join(e.data_access, "` or `")));
  }
  return out;
}

// What the log groups of the cluster's exports lack: each created by the
// deployment under the name RDS writes to, encrypted, and before the cluster.
std::vector<std::string> missing_log_groups(const Context& ctx, const infra::DbCluster& c) {
  std::vector<std::string> out;
  for (const std::string& log : c.log_exports) {
    const infra::Text name = infra::Text("/aws/rds/cluster/") + c.identifier + infra::Text("/" + log);
    const infra::LogGroup* group = nullptr;
    for (const infra::LogGroup& g : ctx.model.log_groups) {
      if (g.region == c.region && g.name == name) group = &g;
    }
    if (group == nullptr) {
      out.push_back(fmt::format("a log group `/aws/rds/cluster/<cluster>/{}` for the `{}` export (RDS would create "
                                "it with no retention and no key)",
                                log, log));
      continue;
    }
    if (group->key.empty()) out.push_back(fmt::format("a KMS key on log group `{}`", group->id));
    const infra::Ref ref{infra::Kind::LogGroup, group->id};
    if (std::find(c.after.begin(), c.after.end(), ref) == c.after.end()) {
      out.push_back(fmt::format("to be created after log group `{}`", group->id));
    }
  }
  return out;
}

bool satisfied(const Setting& s, const std::string& value) {
  if (!s.contains.empty()) return value.find(s.contains) != std::string::npos;
  if (s.value == "*") return !value.empty() && value != "none";
  return value == s.value;
}

std::string wanted(const Setting& s) {
  if (!s.contains.empty()) return fmt::format("`{}` to include `{}`", s.name, s.contains);
  if (s.value == "*") return fmt::format("`{}`", s.name);
  return fmt::format("`{} = {}`", s.name, s.value);
}

void check(const Context& ctx, Findings& out) {
  for (const infra::DbCluster& c : ctx.model.db_clusters) {
    auto engine =
        std::find_if(kLogging.begin(), kLogging.end(), [&](const EngineLogging& e) { return e.engine == c.engine; });
    if (engine == kLogging.end()) {
      sec::report(ctx, out, c,
                  fmt::format("cluster `{}`: paydrc does not know the audit logs of engine `{}`", c.id, c.engine),
                  "use `aurora-mysql` or `aurora-postgresql`", "engine");
      continue;
    }
    std::vector<std::string> missing;
    for (std::string_view log : engine->exports) {
      if (std::find(c.log_exports.begin(), c.log_exports.end(), log) == c.log_exports.end()) {
        missing.push_back(fmt::format("the `{}` log export", log));
      }
    }
    const infra::DbClusterParameterGroup* group = sec::find(ctx.model.db_parameter_groups, c.parameter_group);
    for (const Setting& s : engine->settings) {
      std::string value;
      if (group != nullptr) {
        for (const auto& [name, v] : group->parameters) {
          if (name == s.name) value = v;
        }
      }
      if (!satisfied(s, value)) missing.push_back(fmt::format("the parameter {}", wanted(s)));
    }
    std::string events;
    if (group != nullptr) {
      for (const auto& [name, v] : group->parameters) {
        if (name == engine->events.parameter) events = v;
      }
    }
    for (std::string& m : missing_events(engine->events, events)) missing.push_back(std::move(m));
    for (std::string& m : missing_log_groups(ctx, c)) missing.push_back(std::move(m));
    if (missing.empty()) continue;
    sec::report(
        ctx, out, c,
        fmt::format("cluster `{}` does not keep a database audit trail: it lacks {}", c.id, fmt::join(missing, ", ")),
        "the lowering should export the engine's logs into log groups it creates first, and turn on the parameters "
        "that fill them",
        "engine");
  }
}

}  // namespace

const Rule& sec_db_audit_logs() {
  static const Rule rule{
      {"SEC-DB-AUDIT-LOGS", "database clusters audit connections, changes and data access into kept, encrypted logs",
       Category::Security, diag::Severity::Error,
       "who connected, which privileges or schemas changed and who read or wrote which tables must be "
       "reconstructable after an incident; the logs leave the database for CloudWatch Logs, into log groups the "
       "deployment creates first so they are encrypted and kept (a group RDS creates itself has neither)",
       "Checkov CKV_AWS_324; PCI DSS v4.0 10.2.1, 10.2.1.1, 10.2.2, 10.5.1"},
      check};
  return rule;
}

}  // namespace paydrc::policies::rules
