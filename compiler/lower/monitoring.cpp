// CloudWatch alarms, each in every region that holds what it watches and notifying
// that region's topic, and the dashboards the spec asks for.
#include <algorithm>
#include <cmath>
#include <stdexcept>

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
  std::vector<std::string> suffix;  // name parts telling this placement from the alarm's others
  std::vector<infra::MetricQuery> queries;
  double threshold;
  infra::Ref watches;
};

// Where an alarm goes and what it measures there. The checker rejects every
// metric/target pair placed nowhere, so an empty result is a bug in paydrc.
std::vector<Placement> place(const Context& cx, const ir::Alarm& alarm) {
  std::vector<Placement> out;
  const int period = static_cast<int>(alarm.period);
  if (const ir::Database* db = cx.system.database(alarm.target)) {
    if (alarm.metric != ir::Metric::ReplicationLag) return out;
    // Reported by each secondary cluster, in milliseconds: after a failover, the
    // clusters other than the promoted one (the old writer included).
    for (const std::string& role : cx.database_regions(*db)) {
      if (role == db->active_writer()) continue;
      out.push_back({role,
                     {role},
                     {metric("AWS/RDS", "AuroraGlobalDBReplicationLag", "DBClusterIdentifier",
                             cx.name({db->name, role}), "Maximum", period)},
                     alarm.threshold * 1000,
                     {infra::Kind::DbCluster, Context::cluster_id(db->name, role)}});
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
      out.push_back({role,
                     {role},
                     {metric("AWS/Lambda", name, "FunctionName", cx.name({fn->name, role}), stat, period)},
                     threshold,
                     {infra::Kind::Function, Context::function_id(fn->name, role)}});
    }
  } else if (const ir::Table* table = cx.system.table(alarm.target)) {
    const infra::Ref watches{infra::Kind::Table, Context::table_id(table->name)};
    if (alarm.metric == ir::Metric::ReplicationLag) {
      // ReplicationLatency (milliseconds) is published in the sending replica's
      // region for every (sending, receiving) pair, with dimensions TableName and
      // ReceivingRegion (DynamoDB Developer Guide, "Monitoring global tables",
      // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_monitoring.html).
      for (const std::string& sending : table->replicas) {
        for (const std::string& receiving : table->replicas) {
          if (receiving == sending) continue;
          infra::MetricQuery q = metric("AWS/DynamoDB", "ReplicationLatency", "TableName", cx.name({table->name}),
                                        "Maximum", period);
          q.dimensions.emplace_back("ReceivingRegion", cx.aws_region(receiving));
          out.push_back({sending, {sending, "to", receiving}, {q}, alarm.threshold * 1000, watches});
        }
      }
      return out;
    }
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
      out.push_back({role, {role}, {read, write, sum}, alarm.threshold, watches});
    }
  }
  return out;
}

// The spec's SNS topic ARNs in the region of `role`: CloudWatch publishes only to
// topics in the alarm's own region (the checker rejects ARNs of other regions).
std::vector<std::string> external_topics(const Context& cx, std::string_view role) {
  std::vector<std::string> out;
  const std::string prefix_region = ":sns:" + cx.aws_region(role) + ":";
  for (const ir::NotifyTarget& n : cx.system.monitor.notify) {
    if (n.kind == ir::NotifyKind::SnsTopic && n.endpoint.find(prefix_region) != std::string::npos) {
      out.push_back(n.endpoint);
    }
  }
  return out;
}

// What every alarm of a region shares: where it pages.
infra::Alarm regional_alarm(const Context& cx, const std::string& role) {
  infra::Alarm a;
  a.region = role;
  a.topic = Context::topic_id(role);
  a.external_topics = external_topics(cx, role);
  return a;
}

// Route 53 publishes health-check metrics in us-east-1 only (Route 53 Developer
// Guide, "Monitoring health checks using CloudWatch",
// https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html;
// an alarm elsewhere stays INSUFFICIENT_DATA, hashicorp/terraform#7371). HealthCheckStatus
// is 1 healthy, 0 unhealthy, dimension HealthCheckId. Without a us-east-1 region
// there is nowhere to put the alarm: none is emitted and nothing may credit one.
void lower_health_check_alarms(Context& cx) {
  const ir::Region* virginia = nullptr;
  for (const ir::Region& r : cx.system.regions) {
    if (r.aws_region == "us-east-1") virginia = &r;
  }
  if (virginia == nullptr) return;
  for (const infra::HealthCheck& hc : cx.model.health_checks) {
    infra::Alarm a = regional_alarm(cx, virginia->role);
    a.id = hc.id + "_health";
    a.origin = hc.origin;
    a.name = cx.name({hc.id, "health"});
    a.description = fmt::format("Route 53 health check {} is failing", hc.id);
    a.queries = {metric("AWS/Route53", "HealthCheckStatus", "HealthCheckId",
                        infra::Ref{infra::Kind::HealthCheck, hc.id}, "Minimum", 60)};
    a.comparison = "LessThanThreshold";
    a.threshold = 1;
    a.period = 60;
    a.evaluation_periods = 1;
    a.treat_missing_data = "breaching";
    a.watches = infra::Ref{infra::Kind::HealthCheck, hc.id};
    cx.model.alarms.push_back(std::move(a));
  }
}

// Server errors of each failover API. The function answers 500/503 instead of
// raising, so Lambda `Errors` never counts a failed payment; the API's `5xx` does.
// HTTP APIs publish `5xx` in AWS/ApiGateway with dimensions ApiId and Stage
// (API Gateway Developer Guide, "Monitor CloudWatch metrics for HTTP APIs",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html);
// the front door deploys the `$default` stage.
void lower_api_alarms(Context& cx) {
  for (const infra::HttpApi& api : cx.model.http_apis) {
    infra::Alarm a = regional_alarm(cx, api.region);
    a.id = api.id + "_5xx";
    a.origin = api.origin;
    a.name = cx.name({api.id, "5xx"});
    a.description = fmt::format("API {} answers server errors", api.id);
    infra::MetricQuery q =
        metric("AWS/ApiGateway", "5xx", "ApiId", infra::Ref{infra::Kind::HttpApi, api.id}, "Sum", 60);
    q.dimensions.emplace_back("Stage", "$default");
    a.queries = {q};
    a.threshold = 0;
    a.period = 60;
    a.evaluation_periods = 1;
    a.watches = infra::Ref{infra::Kind::HttpApi, api.id};
    cx.model.alarms.push_back(std::move(a));
  }  // REST APIs publish `5XXError` with dimensions ApiName and Stage (API Gateway
  // Developer Guide, "Amazon API Gateway dimensions and metrics",
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html).
  for (const infra::RestApi& api : cx.model.rest_apis) {
    infra::Alarm a = regional_alarm(cx, api.region);
    a.id = api.id + "_5xx";
    a.origin = api.origin;
    a.name = cx.name({api.id, "5xx"});
    a.description = fmt::format("API {} answers server errors", api.id);
    infra::MetricQuery q = metric("AWS/ApiGateway", "5XXError", "ApiName", api.name, "Sum", 60);
    q.dimensions.emplace_back("Stage", Text(api.stage));
    a.queries = {q};
    a.threshold = 0;
    a.period = 60;
    a.evaluation_periods = 1;
    a.watches = infra::Ref{infra::Kind::RestApi, api.id};
    cx.model.alarms.push_back(std::move(a));
  }
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
    if (role != db.active_writer()) {
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
    if (placements.empty()) {
      throw std::logic_error(fmt::format("internal error: alarm `{}` ({} of `{}`) has no place in the model",
                                         alarm.name, ir::metric_name(alarm.metric), alarm.target));
    }
    for (const Placement& p : placements) {
      infra::Alarm a = regional_alarm(cx, p.role);
      // Always the placement, even where the alarm has only one: its name must
      // not change when its target gains a region.
      a.id = alarm.name;
      for (const std::string& part : p.suffix) a.id += "_" + part;
      a.name = cx.name({a.id});  // kebab-cased: `payment-sessions-replication-lag-primary-to-secondary-dev`
      a.origin = alarm.origin.range;
      a.description = describe(alarm);
      a.queries = p.queries;
      a.threshold = p.threshold;
      a.period = static_cast<int>(alarm.period);
      a.evaluation_periods = alarm.evaluation_periods;
      // An Aurora secondary reports its lag every minute: one that stops reporting
      // is the failure to page on. DynamoDB publishes ReplicationLatency only while
      // items replicate (DynamoDB Developer Guide, 'Monitoring global tables'), so
      // a quiet table has no data and nothing at risk: its alarm keeps its state
      // rather than paging someone every night.
      if (alarm.metric == ir::Metric::ReplicationLag) {
        a.treat_missing_data = cx.system.database(alarm.target) != nullptr ? "breaching" : "ignore";
      }
      a.spec_alarm = alarm.name;
      a.watches = p.watches;
      cx.model.alarms.push_back(std::move(a));
    }
  }
  lower_health_check_alarms(cx);
  lower_api_alarms(cx);
  for (const ir::Dashboard& d : cx.system.monitor.dashboards) lower_dashboard(cx, d);
}

}  // namespace paydrc::lower
