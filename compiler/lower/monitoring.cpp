// CloudWatch alarms, each in every region that holds what it watches and notifying
// that region's topic, and the dashboards the spec asks for.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "lower/context.h"

namespace paydrc::lower {
namespace {

using infra::Text;

infra::MetricQuery metric(std::string ns, std::string name, std::string dimension, Text value, std::string stat,
                          int period) {
  infra::MetricQuery q;
  q.id = "m1";
  q.metric_namespace = std::move(ns);
  q.metric_name = std::move(name);
  q.dimensions = {{std::move(dimension), std::move(value)}};
  q.statistic = std::move(stat);
  q.period = period;
  q.return_data = true;
  return q;
}

struct Placement {
  std::string role;
  std::vector<infra::MetricQuery> queries;
  double threshold;
};

// Where an alarm goes and what it measures there; empty when the target has no
// such metric (the checker reports those).
std::vector<Placement> place(const Context& cx, const ir::Alarm& alarm) {
  std::vector<Placement> out;
  const int period = static_cast<int>(alarm.period);
  if (const ir::Database* db = cx.system.database(alarm.target)) {
    if (alarm.metric != ir::Metric::ReplicationLag) return out;
    // Reported by each secondary cluster, in milliseconds.
    for (const std::string& role : cx.database_regions(*db)) {
      if (role == db->writer) continue;
      out.push_back({role,
                     {metric("AWS/RDS", "AuroraGlobalDBReplicationLag", "DBClusterIdentifier",
                             cx.name({db->name, role}), "Maximum", period)},
                     alarm.threshold * 1000});
    }
  } else if (const ir::Function* fn = cx.system.function(alarm.target)) {
    std::string name, stat = "Sum";
    double threshold = alarm.threshold;
    switch (alarm.metric) {
      case ir::Metric::Errors:
        name = "Errors";
        break;
      case ir::Metric::Throttles:
        name = "Throttles";
        break;
      case ir::Metric::Duration:
        name = "Duration";
        stat = "Maximum";
        threshold *= 1000;
        break;
      case ir::Metric::ConcurrentExecutions:
        name = "ConcurrentExecutions";
        stat = "Maximum";
        break;
      case ir::Metric::ReplicationLag:
        return out;
    }
    for (const std::string& role : fn->regions) {
      out.push_back(
          {role, {metric("AWS/Lambda", name, "FunctionName", cx.name({fn->name, role}), stat, period)}, threshold});
    }
  } else if (const ir::Table* table = cx.system.table(alarm.target)) {
    if (alarm.metric != ir::Metric::Throttles) return out;
    // Read and write throttle events together: ThrottledRequests needs an
    // Operation dimension per API call.
    std::vector<std::string> roles = table->replicas;
    if (roles.empty()) roles.push_back(table_home(cx, *table));
    for (const std::string& role : roles) {
      auto read = metric("AWS/DynamoDB", "ReadThrottleEvents", "TableName", cx.name({table->name}), "Sum", period);
      read.id = "reads";
      read.return_data = false;
      auto write = read;
      write.id = "writes";
      write.metric_name = "WriteThrottleEvents";
      infra::MetricQuery sum;
      sum.id = "throttles";
      sum.expression = "reads + writes";
      sum.return_data = true;
      out.push_back({role, {read, write, sum}, alarm.threshold});
    }
  }
  return out;
}

std::string describe(const ir::Alarm& alarm) {
  return fmt::format("{} of {} above {}", ir::metric_name(alarm.metric), alarm.target, alarm.threshold);
}

void lower_dashboard(Context& cx, const ir::Dashboard& spec) {
  const ir::Region* region = cx.system.region(spec.region);
  if (!region) return;
  const std::string& role = region->role;
  infra::Dashboard d;
  d.id = role;
  d.region = role;
  d.origin = spec.origin.range.valid() ? spec.origin.range : cx.system.monitor.origin.range;
  d.name = cx.name({role});

  infra::Widget functions{"Functions", region->aws_region, {}};
  for (const ir::Function& fn : cx.system.functions) {
    if (!runs_in(fn, role)) continue;
    for (const char* name : {"Invocations", "Errors", "Throttles"}) {
      functions.metrics.push_back({"AWS/Lambda", name, {{"FunctionName", cx.name({fn.name, role})}}, "Sum"});
    }
  }
  infra::Widget latency{"Function duration (ms, p99)", region->aws_region, {}};
  for (const ir::Function& fn : cx.system.functions) {
    if (runs_in(fn, role))
      latency.metrics.push_back({"AWS/Lambda", "Duration", {{"FunctionName", cx.name({fn.name, role})}}, "p99"});
  }
  infra::Widget tables{"Table throttles", region->aws_region, {}};
  for (const ir::Table& t : cx.system.tables) {
    if (std::find(t.replicas.begin(), t.replicas.end(), role) == t.replicas.end()) continue;
    for (const char* name : {"ReadThrottleEvents", "WriteThrottleEvents"}) {
      tables.metrics.push_back({"AWS/DynamoDB", name, {{"TableName", cx.name({t.name})}}, "Sum"});
    }
  }
  infra::Widget databases{"Databases", region->aws_region, {}};
  for (const ir::Database& db : cx.system.databases) {
    const auto roles = cx.database_regions(db);
    if (std::find(roles.begin(), roles.end(), role) == roles.end()) continue;
    const Text cluster = cx.name({db.name, role});
    databases.metrics.push_back({"AWS/RDS", "CPUUtilization", {{"DBClusterIdentifier", cluster}}, "Maximum"});
    if (role != db.writer) {
      databases.metrics.push_back(
          {"AWS/RDS", "AuroraGlobalDBReplicationLag", {{"DBClusterIdentifier", cluster}}, "Maximum"});
    }
  }
  for (infra::Widget* w : {&functions, &latency, &tables, &databases}) {
    if (!w->metrics.empty()) d.widgets.push_back(std::move(*w));
  }
  cx.model.dashboards.push_back(std::move(d));
}

}  // namespace

void lower_monitoring(Context& cx) {
  for (const ir::Alarm& alarm : cx.system.monitor.alarms) {
    const std::vector<Placement> placements = place(cx, alarm);
    for (const Placement& p : placements) {
      infra::Alarm a;
      a.id = placements.size() == 1 ? alarm.name : alarm.name + "_" + p.role;
      a.region = p.role;
      a.origin = alarm.origin.range;
      // DESIGN.md's `payment-replication-lag-<env>`: the region only where the
      // alarm exists in more than one.
      a.name = placements.size() == 1 ? cx.name({alarm.name}) : cx.name({alarm.name, p.role});
      a.description = describe(alarm);
      a.queries = p.queries;
      a.threshold = p.threshold;
      a.evaluation_periods = alarm.evaluation_periods;
      a.topic = Context::topic_id(p.role);
      a.spec_alarm = alarm.name;
      cx.model.alarms.push_back(std::move(a));
    }
  }
  for (const ir::Dashboard& d : cx.system.monitor.dashboards) lower_dashboard(cx, d);
}

}  // namespace paydrc::lower
