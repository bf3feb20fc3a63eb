// SEC-DB-AUDIT-LOGS: database clusters log connections and changes, and export
// their audit, error and slow-query logs to CloudWatch Logs.
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

struct EngineLogging {
  std::string_view engine;
  std::vector<std::string_view> exports;  // CloudWatch Logs exports
  std::vector<Setting> settings;          // cluster parameters without which an export stays empty
};

// Aurora MySQL: the `audit` export is empty unless the Advanced Auditing plugin logs
// (`server_audit_logging`, `server_audit_events`) and `slowquery` unless
// `slow_query_log` is on (Aurora User Guide, "Using Advanced Auditing with an Amazon
// Aurora MySQL DB cluster"). Aurora PostgreSQL exports one `postgresql` log; its
// audit records come from pgaudit, loaded through `shared_preload_libraries` and
// configured by `pgaudit.log` (Aurora User Guide, "Using pgAudit to log database
// activity").
const std::vector<EngineLogging> kLogging = {
    {"aurora-mysql",
     {"audit", "error", "slowquery"},
     {{"server_audit_logging", "1"}, {"server_audit_events", "*"}, {"slow_query_log", "1"}}},
    {"aurora-postgresql", {"postgresql"}, {{"shared_preload_libraries", "", "pgaudit"}, {"pgaudit.log", "*"}}},
};

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
    if (missing.empty()) continue;
    sec::report(
        ctx, out, c,
        fmt::format("cluster `{}` does not keep a database audit trail: it lacks {}", c.id, fmt::join(missing, ", ")),
        "the lowering should export the engine's logs and turn on the parameters that fill them", "engine");
  }
}

}  // namespace

const Rule& sec_db_audit_logs() {
  static const Rule rule{
      {"SEC-DB-AUDIT-LOGS", "database clusters export audit, error and slow-query logs", Category::Security,
       diag::Severity::Error,
       "who connected and which privileges or schemas changed must be reconstructable after an incident; the logs "
       "leave the database for CloudWatch Logs, where they are encrypted and kept",
       "Checkov CKV_AWS_324; PCI DSS v4.0 10.2.1, 10.2.2"},
      check};
  return rule;
}

}  // namespace paydrc::policies::rules
