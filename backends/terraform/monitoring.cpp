// CloudWatch alarms and dashboards, and SSM parameters.
#include <cmath>

#include "common/aws_formats.h"
#include "terraform/document.h"

namespace paydrc::backends::terraform {

using infra::Attr;
using infra::Kind;

namespace {

json dimensions(const std::vector<std::pair<std::string, infra::Text>>& dims) {
  json out = json::object();
  for (const auto& [name, value] : dims) out[name] = Document::text(value);
  return out;
}

void emit_alarm(Document& doc, const infra::Alarm& a) {
  json& body = doc.resource("aws_cloudwatch_metric_alarm", a.id, a.region);
  body["alarm_name"] = Document::text(a.name);
  body["alarm_description"] = a.description;
  body["comparison_operator"] = a.comparison;
  body["threshold"] = json_number(a.threshold);
  body["evaluation_periods"] = a.evaluation_periods;
  body["treat_missing_data"] = a.treat_missing_data;
  json actions = json::array({Document::ref(Kind::Topic, a.topic, Attr::Arn)});
  for (const std::string& arn : a.external_topics) actions.push_back(arn);
  body["alarm_actions"] = actions;
  body["ok_actions"] = actions;
  body["tags"] = Document::name_tag(a.name);
  if (a.queries.size() == 1 && a.queries[0].expression.empty()) {
    const infra::MetricQuery& q = a.queries[0];
    body["namespace"] = q.metric_namespace;
    body["metric_name"] = q.metric_name;
    body["dimensions"] = dimensions(q.dimensions);
    body["statistic"] = q.statistic;
    body["period"] = q.period;
    return;
  }
  json queries = json::array();
  for (const infra::MetricQuery& q : a.queries) {
    json query = {{"id", q.id}, {"return_data", q.return_data}};
    if (!q.expression.empty()) {
      query["expression"] = q.expression;
      query["label"] = q.id;
    } else {
      query["metric"] = json::array({{{"namespace", q.metric_namespace},
                                      {"metric_name", q.metric_name},
                                      {"dimensions", dimensions(q.dimensions)},
                                      {"stat", q.statistic},
                                      {"period", q.period}}});
    }
    queries.push_back(std::move(query));
  }
  body["metric_query"] = queries;
}

std::string dashboard_body(const infra::Dashboard& d) {
  // A template string: the names inside carry the suffix variable.
  return json{{"widgets", dashboard_widgets(d, [](const infra::Text& t) { return Document::text(t); })}}.dump();
}

}  // namespace

void emit_monitoring(Document& doc) {
  const infra::Model& m = doc.model();
  for (const infra::Alarm& a : m.alarms) emit_alarm(doc, a);
  for (const infra::Dashboard& d : m.dashboards) {
    doc.resource("aws_cloudwatch_dashboard", d.id, d.region) = {{"provider", "aws." + d.region},
                                                                {"dashboard_name", Document::text(d.name)},
                                                                {"dashboard_body", dashboard_body(d)}};
  }
  for (const infra::Parameter& p : m.parameters) {
    json& body = doc.resource("aws_ssm_parameter", p.id, p.region);
    body["name"] = Document::text(p.name);
    body["description"] = p.description;
    body["type"] = p.secure ? "SecureString" : "String";
    body["value"] = Document::text(p.value);
    if (p.secure) body["key_id"] = Document::ref(Kind::Key, p.key, Attr::Arn);
    body["tags"] = Document::name_tag(p.name);
  }
}

}  // namespace paydrc::backends::terraform
