// CloudWatch alarms and dashboards, and SSM parameters.
#include <cmath>
#include <cstdint>

#include "cloudformation/builder.h"
#include "common/aws_formats.h"

namespace paydrc::backends::cloudformation {

using infra::Attr;
using infra::Kind;

namespace {

json dimensions(Builder& b, const std::vector<std::pair<std::string, infra::Text>>& dims) {
  json out = json::array();
  for (const auto& [name, value] : dims) out.push_back({{"Name", name}, {"Value", b.text(value)}});
  return out;
}

void emit_alarm(Builder& b, const infra::Alarm& a) {
  b.begin(Kind::Alarm, a.id);
  json actions = json::array({b.ref(Kind::Topic, a.topic, Attr::Arn)});
  for (const std::string& arn : a.external_topics) actions.push_back(arn);
  json props = {{"AlarmName", b.text(a.name)},
                {"AlarmDescription", a.description},
                {"ComparisonOperator", a.comparison},
                {"Threshold", json_number(a.threshold)},
                {"EvaluationPeriods", a.evaluation_periods},
                {"TreatMissingData", a.treat_missing_data},
                {"AlarmActions", actions},
                {"OKActions", actions},
                {"Tags", b.name_tags(a.name)}};
  if (a.queries.size() == 1 && a.queries[0].expression.empty()) {
    const infra::MetricQuery& q = a.queries[0];
    props["Namespace"] = q.metric_namespace;
    props["MetricName"] = q.metric_name;
    props["Dimensions"] = dimensions(b, q.dimensions);
    props["Statistic"] = q.statistic;
    props["Period"] = q.period;
  } else {
    json metrics = json::array();
    for (const infra::MetricQuery& q : a.queries) {
      json query = {{"Id", q.id}, {"ReturnData", q.return_data}};
      if (!q.expression.empty()) {
        query["Expression"] = q.expression;
        query["Label"] = q.id;
      } else {
        query["MetricStat"] = {{"Metric",
                                {{"Namespace", q.metric_namespace},
                                 {"MetricName", q.metric_name},
                                 {"Dimensions", dimensions(b, q.dimensions)}}},
                               {"Stat", q.statistic},
                               {"Period", q.period}};
      }
      metrics.push_back(std::move(query));
    }
    props["Metrics"] = metrics;
  }
  b.resource(Builder::logical(Kind::Alarm, a.id), "AWS::CloudWatch::Alarm")["Properties"] = std::move(props);
}

// The body as one Fn::Sub string: the names inside carry the suffix parameter.
json dashboard_body(Builder& b, const infra::Dashboard& d) {
  json widgets = dashboard_widgets(d, [&b](const infra::Text& t) { return b.fragment(t); });
  return json{{"Fn::Sub", json{{"widgets", widgets}}.dump()}};
}

}  // namespace

void emit_monitoring(Builder& b) {
  const infra::Model& m = b.model();
  for (const infra::Alarm& a : m.alarms) emit_alarm(b, a);
  for (const infra::Dashboard& d : m.dashboards) {
    b.begin(Kind::Dashboard, d.id);
    b.resource(Builder::logical(Kind::Dashboard, d.id), "AWS::CloudWatch::Dashboard")["Properties"] = {
        {"DashboardName", b.text(d.name)}, {"DashboardBody", dashboard_body(b, d)}};
  }
  for (const infra::Parameter& p : m.parameters) {
    // AWS::SSM::Parameter creates String parameters only; emit() rejects
    // `secure` parameters for this target before rendering.
    b.begin(Kind::Parameter, p.id);
    b.resource(Builder::logical(Kind::Parameter, p.id), "AWS::SSM::Parameter")["Properties"] = {
        {"Name", b.text(p.name)},
        {"Description", p.description},
        {"Type", "String"},
        {"Value", b.text(p.value)},
        {"Tags", {{"Name", b.text(p.name)}}}};
  }
}

}  // namespace paydrc::backends::cloudformation
