// Alarms and paging: every declared alarm reaches the model (or lowering fails
// loudly), each alarm says what it watches and where it pages, and the alarms
// paydrc adds (health checks, API server errors) are where AWS publishes the metric.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "lower/lower.h"
#include "lower/test_system.h"

namespace paydrc::lower {
namespace {

ir::System with_lag_alarms() {
  ir::System s = testing::payment_system();
  s.monitor.alarms.push_back({"sessions_replication_lag", ir::Metric::ReplicationLag, "sessions", 60, 60, 3, {}});
  s.monitor.notify = {{ir::NotifyKind::Email, "oncall@example.com", {}},
                      {ir::NotifyKind::SnsTopic, "arn:aws:sns:us-west-2:123456789012:pager", {}},
                      {ir::NotifyKind::Https, "https://events.example.com/hook", {}}};
  return s;
}

const infra::Alarm* find(const infra::Model& m, std::string_view id) {
  for (const infra::Alarm& a : m.alarms) {
    if (a.id == id) return &a;
  }
  return nullptr;
}

std::string dimension(const infra::MetricQuery& q, std::string_view name) {
  for (const auto& [key, value] : q.dimensions) {
    if (key == name) return value.is_literal() ? value.literal() : "<deployed>";
  }
  return "";
}

}  // namespace

TEST_CASE("a DynamoDB lag alarm is placed per sending region, one per receiving region") {
  const infra::Model m = lower(with_lag_alarms(), {});
  const infra::Alarm* east = find(m, "sessions_replication_lag_primary_to_secondary");
  const infra::Alarm* west = find(m, "sessions_replication_lag_secondary_to_primary");
  REQUIRE(east != nullptr);
  REQUIRE(west != nullptr);
  CHECK(east->region == "primary");
  CHECK(west->region == "secondary");
  REQUIRE(east->queries.size() == 1);
  const infra::MetricQuery& q = east->queries[0];
  CHECK(q.metric_namespace == "AWS/DynamoDB");
  CHECK(q.metric_name == "ReplicationLatency");
  CHECK(q.statistic == "Maximum");
  CHECK(dimension(q, "ReceivingRegion") == "us-west-2");
  CHECK(dimension(west->queries[0], "ReceivingRegion") == "us-east-1");
  CHECK(east->threshold == 60000);  // milliseconds
  CHECK(east->treat_missing_data == "ignore");  // DynamoDB publishes only while items replicate
  CHECK(east->period == 60);
  CHECK(east->evaluation_periods == 3);
  CHECK(east->spec_alarm == "sessions_replication_lag");
  REQUIRE(east->watches.has_value());
  CHECK(east->watches->kind == infra::Kind::Table);
  CHECK(east->watches->id == "sessions");
}

TEST_CASE("every declared alarm is in the model with what it watches") {
  const ir::System s = with_lag_alarms();
  const infra::Model m = lower(s, {});
  for (const ir::Alarm& declared : s.monitor.alarms) {
    INFO(declared.name);
    CHECK(std::any_of(m.alarms.begin(), m.alarms.end(),
                      [&](const infra::Alarm& a) { return a.spec_alarm == declared.name; }));
  }
  for (const infra::Alarm& a : m.alarms) {
    INFO(a.id);
    CHECK(a.watches.has_value());
  }
  const infra::Alarm* aurora = find(m, "replication_lag_secondary");
  REQUIRE(aurora != nullptr);
  CHECK(aurora->treat_missing_data == "breaching");
  CHECK(aurora->watches->kind == infra::Kind::DbCluster);
  CHECK(aurora->watches->id == "ledger_secondary");
}

TEST_CASE("an alarm lowering cannot place is an internal error, never a silent drop") {
  ir::System s = testing::payment_system();
  s.tables[0].replicas.clear();  // the checker rejects this pair; lowering must not guess
  s.monitor.alarms.push_back({"lag", ir::Metric::ReplicationLag, "sessions", 60, 60, 1, {}});
  CHECK_THROWS_AS(lower(s, {}), std::logic_error);
}

TEST_CASE("a subscription's id follows its destination, not its position in `notify`") {
  ir::System s = with_lag_alarms();
  const infra::Model before = lower(s, {});
  s.monitor.notify.insert(s.monitor.notify.begin(), {ir::NotifyKind::Email, "lead@example.com", {}});
  const infra::Model after = lower(s, {});
  REQUIRE(after.topic_subscriptions.size() == before.topic_subscriptions.size() + 2);
  std::set<std::string> ids;
  for (const infra::TopicSubscription& sub : after.topic_subscriptions) ids.insert(sub.id);
  CHECK(ids.size() == after.topic_subscriptions.size());
  for (const infra::TopicSubscription& sub : before.topic_subscriptions) {
    INFO(sub.id);
    const auto same = std::find_if(after.topic_subscriptions.begin(), after.topic_subscriptions.end(),
                                   [&](const infra::TopicSubscription& a) { return a.id == sub.id; });
    REQUIRE(same != after.topic_subscriptions.end());
    CHECK(same->endpoint == sub.endpoint);
    CHECK(same->topic == sub.topic);
  }
}

TEST_CASE("a spec alarm's name keeps its placement when its target gains a region") {
  const infra::Model m = lower(testing::payment_system(), {});
  // One placement (the ledger's only reader) still carries the reader's role.
  CHECK(find(m, "replication_lag") == nullptr);
  REQUIRE(find(m, "replication_lag_secondary") != nullptr);
}

TEST_CASE("e-mail and https destinations subscribe to every region's topic; ARNs are actions in their region") {
  const infra::Model m = lower(with_lag_alarms(), {});
  REQUIRE(m.topic_subscriptions.size() == 4);
  CHECK(m.topic_subscriptions[0].id.starts_with("primary_alarms_email_"));
  CHECK(m.topic_subscriptions[0].topic == "primary_alarms");
  CHECK(m.topic_subscriptions[0].protocol == "email");
  CHECK(m.topic_subscriptions[0].endpoint == "oncall@example.com");
  CHECK(m.topic_subscriptions[1].id.starts_with("primary_alarms_https_"));
  CHECK(m.topic_subscriptions[1].protocol == "https");
  CHECK(m.topic_subscriptions[3].id.starts_with("secondary_alarms_https_"));
  for (const infra::Alarm& a : m.alarms) {
    INFO(a.id);
    CHECK(a.topic == a.region + "_alarms");
    if (a.region == "secondary")
      CHECK(a.external_topics == std::vector<std::string>{"arn:aws:sns:us-west-2:123456789012:pager"});
    else
      CHECK(a.external_topics.empty());
  }
}

TEST_CASE("each health check has a status alarm in us-east-1, where Route 53 publishes it") {
  const infra::Model m = lower(with_lag_alarms(), {});
  for (const infra::HealthCheck& hc : m.health_checks) {
    const infra::Alarm* a = find(m, hc.id + "_health");
    REQUIRE(a != nullptr);
    CHECK(a->region == "primary");  // the role in us-east-1
    CHECK(a->queries[0].metric_namespace == "AWS/Route53");
    CHECK(a->queries[0].metric_name == "HealthCheckStatus");
    CHECK(a->queries[0].statistic == "Minimum");
    CHECK(a->queries[0].dimensions[0].first == "HealthCheckId");
    CHECK(a->comparison == "LessThanThreshold");
    CHECK(a->threshold == 1);
    CHECK(a->period == 60);
    CHECK(a->evaluation_periods == 1);
    CHECK(a->treat_missing_data == "breaching");
    CHECK(a->spec_alarm.empty());
    CHECK(a->watches == infra::Ref{infra::Kind::HealthCheck, hc.id});
  }
  CHECK(m.health_checks.size() == 2);
}

TEST_CASE("without a us-east-1 region no health-check alarm is emitted") {
  ir::System s = with_lag_alarms();
  s.regions[0].aws_region = "us-east-2";
  const infra::Model m = lower(s, {});
  CHECK(m.health_checks.size() == 2);
  CHECK(std::none_of(m.alarms.begin(), m.alarms.end(), [](const infra::Alarm& a) {
    return a.watches && a.watches->kind == infra::Kind::HealthCheck;
  }));
}

TEST_CASE("each failover API has a 5xx alarm in its region, paging that region's topic") {
  const infra::Model m = lower(with_lag_alarms(), {});
  REQUIRE(m.http_apis.size() == 2);
  for (const infra::HttpApi& api : m.http_apis) {
    const infra::Alarm* a = find(m, api.id + "_5xx");
    REQUIRE(a != nullptr);
    CHECK(a->region == api.region);
    CHECK(a->topic == api.region + "_alarms");
    CHECK(a->queries[0].metric_namespace == "AWS/ApiGateway");
    CHECK(a->queries[0].metric_name == "5xx");
    CHECK(a->queries[0].dimensions[0].first == "ApiId");
    CHECK(dimension(a->queries[0], "Stage") == "$default");
    CHECK(a->watches == infra::Ref{infra::Kind::HttpApi, api.id});
  }
}

TEST_CASE("each REST front door API has a 5XXError alarm by name and stage") {
  ir::System sys = with_lag_alarms();
  sys.failovers.at(0).front_door = ir::FrontDoor::RestApi;
  const infra::Model m = lower(sys, {});
  REQUIRE(m.rest_apis.size() == 2);
  for (const infra::RestApi& api : m.rest_apis) {
    const infra::Alarm* a = find(m, api.id + "_5xx");
    REQUIRE(a != nullptr);
    CHECK(a->region == api.region);
    CHECK(a->topic == api.region + "_alarms");
    CHECK(a->queries[0].metric_name == "5XXError");
    CHECK(a->queries[0].dimensions[0].first == "ApiName");
    CHECK(a->queries[0].dimensions[0].second == api.name);
    CHECK(dimension(a->queries[0], "Stage") == "live");
    CHECK(a->watches == infra::Ref{infra::Kind::RestApi, api.id});
  }
}

}  // namespace paydrc::lower
