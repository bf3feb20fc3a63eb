// DR-LAG-ALARM: every replicated data tier has a replication-lag alarm at or below the RPO.
#include <fmt/format.h>

#include <algorithm>

#include "check/values.h"
#include "rules/rules.h"

namespace paydrc::policies::rules {

const Rule& dr_lag_alarm() {
  static const Rule rule{
      {"DR-LAG-ALARM", "replication lag is alarmed at or below the region-outage RPO", Category::DisasterRecovery,
       diag::Severity::Error,
       "Aurora global databases and DynamoDB global tables replicate asynchronously with no SLA on lag; only an "
       "alarm below the RPO turns the objective into something someone is paged for",
       "AWS Aurora User Guide, 'Monitoring an Amazon Aurora global database' (AuroraGlobalDBReplicationLag); "
       "DynamoDB Developer Guide, 'ReplicationLatency'"},
      [](const Context& ctx, Findings& out) {
        const ir::Objective& objective = ctx.system.objectives.for_scenario(ir::Scenario::RegionOutage);
        auto check_tier = [&](const std::string& name, const char* kind, const ir::Origin& origin) {
          const ir::Alarm* found = nullptr;
          for (const ir::Alarm& a : ctx.system.monitor.alarms) {
            if (a.metric == ir::Metric::ReplicationLag && a.target == name) {
              found = &a;
              // The alarm fires only after the lag has stayed above the threshold for
              // period x evaluation_periods: the lag it lets through is both.
              const ir::Seconds threshold = static_cast<ir::Seconds>(a.threshold);
              const ir::Seconds delay = a.period * std::max(1, a.evaluation_periods);
              if (threshold + delay > objective.rpo) {
                auto& d = out.add(
                    a.origin.at("threshold"),
                    fmt::format("alarm `{}` lets `{}` lag {} plus {} to fire ({} x {}) before paging, above the RPO "
                                "of {}",
                                a.name, name, check::format_duration(threshold), check::format_duration(delay),
                                a.evaluation_periods, check::format_duration(a.period),
                                check::format_duration(objective.rpo)),
                    fmt::format("keep `threshold` + `period` x `evaluation_periods` at or below {}",
                                check::format_duration(objective.rpo)),
                    name);
                d.notes.push_back({"the objective", objective.origin.at("rpo")});
              }
            }
          }
          if (found == nullptr) {
            out.add(origin.range,
                    fmt::format("{} `{}` replicates across regions with no `replication_lag` alarm", kind, name),
                    fmt::format("add `alarm {}_lag {{ metric = replication_lag  target = {}  threshold = 60s }}` in "
                                "`monitor`",
                                name, name),
                    name);
          }
        };
        for (const ir::Database& d : ctx.system.databases) check_tier(d.name, "database", d.origin);
        for (const ir::Table& t : ctx.system.tables) {
          if (t.replicas.size() > 1) check_tier(t.name, "table", t.origin);
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
