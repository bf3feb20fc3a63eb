#include "terraform/document.h"

namespace paydrc::backends::terraform {

using infra::Attr;
using infra::Kind;

std::string_view type_name(Kind kind) {
  switch (kind) {
    case Kind::Vpc:
      return "aws_vpc";
    case Kind::Subnet:
      return "aws_subnet";
    case Kind::InternetGateway:
      return "aws_internet_gateway";
    case Kind::ElasticIp:
      return "aws_eip";
    case Kind::NatGateway:
      return "aws_nat_gateway";
    case Kind::RouteTable:
      return "aws_route_table";
    case Kind::SecurityGroup:
      return "aws_security_group";
    case Kind::FlowLog:
      return "aws_flow_log";
    case Kind::Key:
      return "aws_kms_key";
    case Kind::Role:
      return "aws_iam_role";
    case Kind::LogGroup:
      return "aws_cloudwatch_log_group";
    case Kind::Topic:
      return "aws_sns_topic";
    case Kind::TopicSubscription:
      return "aws_sns_topic_subscription";
    case Kind::Queue:
      return "aws_sqs_queue";
    case Kind::Secret:
      return "aws_secretsmanager_secret";
    case Kind::DbSubnetGroup:
      return "aws_db_subnet_group";
    case Kind::DbClusterParameterGroup:
      return "aws_rds_cluster_parameter_group";
    case Kind::GlobalCluster:
      return "aws_rds_global_cluster";
    case Kind::DbCluster:
      return "aws_rds_cluster";
    case Kind::DbInstance:
      return "aws_rds_cluster_instance";
    case Kind::Table:
      return "aws_dynamodb_table";
    case Kind::Function:
      return "aws_lambda_function";
    case Kind::FunctionPermission:
      return "aws_lambda_permission";
    case Kind::HostedZone:
      return "aws_route53_zone";
    case Kind::Certificate:
      return "aws_acm_certificate";
    case Kind::HttpApi:
      return "aws_apigatewayv2_api";
    case Kind::ApiDomain:
      return "aws_apigatewayv2_domain_name";
    case Kind::RestApi:
      return "aws_api_gateway_rest_api";
    case Kind::RestApiDomain:
      return "aws_api_gateway_domain_name";
    case Kind::WebAcl:
      return "aws_wafv2_web_acl";
    case Kind::ApiRecord:
      return "aws_route53_record";
    case Kind::HealthCheck:
      return "aws_route53_health_check";
    case Kind::FailoverRecord:
      return "aws_route53_record";
    case Kind::EventBus:
      return "aws_cloudwatch_event_bus";
    case Kind::EventRule:
      return "aws_cloudwatch_event_rule";
    case Kind::BackupVault:
      return "aws_backup_vault";
    case Kind::BackupPlan:
      return "aws_backup_plan";
    case Kind::BackupSelection:
      return "aws_backup_selection";
    case Kind::Alarm:
      return "aws_cloudwatch_metric_alarm";
    case Kind::Dashboard:
      return "aws_cloudwatch_dashboard";
    case Kind::Parameter:
      return "aws_ssm_parameter";
    case Kind::VpcEndpoint:
      return "aws_vpc_endpoint";
  }
  return "aws_unknown";
}

namespace {

std::string_view attribute(Kind kind, Attr attr) {
  switch (attr) {
    case Attr::Id:
      return kind == Kind::HostedZone ? "zone_id" : "id";
    case Attr::Arn:
      return "arn";
    case Attr::Name:
      if (kind == Kind::RestApiDomain) return "domain_name";
      return kind == Kind::Function ? "function_name" : "name";
    case Attr::Endpoint:
      return "endpoint";
    case Attr::ReaderEndpoint:
      return "reader_endpoint";
    case Attr::ClusterResourceId:
      return "cluster_resource_id";
    case Attr::ExecutionArn:
      return "execution_arn";
    case Attr::ApiEndpoint:
      return "api_endpoint";
    case Attr::TargetDomain:
      return kind == Kind::RestApiDomain ? "regional_domain_name" : "domain_name_configuration[0].target_domain_name";
    case Attr::TargetZoneId:
      return kind == Kind::RestApiDomain ? "regional_zone_id" : "domain_name_configuration[0].hosted_zone_id";
    case Attr::NameServers:
      return "name_servers";
    case Attr::StreamArn:
      return "stream_arn";
  }
  return "id";
}

std::string escape_template(const std::string& literal) {
  std::string out;
  for (std::size_t i = 0; i < literal.size(); ++i) {
    out += literal[i];
    if ((literal[i] == '$' || literal[i] == '%') && i + 1 < literal.size() && literal[i + 1] == '{') out += literal[i];
  }
  return out;
}

// `-${var.environment_suffix}`, or a conditional that leaves it out in the
// environments answering on the plain name: the name follows `-var
// environment_suffix=...` like every other name does.
std::string env_label(const infra::EnvLabel& label) {
  const std::string labelled =
      escape_template(label.before) + "${var.environment_suffix}" + escape_template(label.after);
  if (label.plain_in.empty()) return labelled;
  std::string plain;
  if (label.plain_in.size() == 1) {
    plain = "var.environment_suffix == \"" + label.plain_in.front() + "\"";
  } else {
    plain = "contains([";
    for (std::size_t i = 0; i < label.plain_in.size(); ++i) plain += (i ? ", \"" : "\"") + label.plain_in[i] + "\"";
    plain += "], var.environment_suffix)";
  }
  return "${" + plain + " ? \"\" : \"" + labelled + "\"}";
}

}  // namespace

std::string Document::ref(Kind kind, const std::string& id, Attr attr) {
  return "${" + std::string(type_name(kind)) + "." + id + "." + std::string(attribute(kind, attr)) + "}";
}

std::string Document::ref(const infra::Ref& r) {
  const std::string own = ref(r.kind, r.id, r.attr);
  if (r.replica_region.empty()) return own;
  // A replica's ARN is the resource's own with the region field replaced (Secrets
  // Manager User Guide, "Replicate AWS Secrets Manager secrets across Regions");
  // the provider exposes no replica ARN (aws_secretsmanager_secret `replica` has
  // region, kms_key_id, status and dates only). `$${1}` is the template escape of
  // the regex group reference `${1}`.
  const std::string expression = own.substr(2, own.size() - 3);
  return "${replace(" + expression + ", \"/^(arn:[^:]+:[^:]+:)[^:]+:/\", \"$${1}" + r.replica_region + ":\")}";
}

std::string Document::text(const infra::Text& text) {
  std::string out;
  for (const auto& part : text.parts) {
    if (const auto* literal = std::get_if<std::string>(&part))
      out += escape_template(*literal);
    else if (std::holds_alternative<infra::EnvSuffix>(part))
      out += "${var.environment_suffix}";
    else if (const auto* label = std::get_if<infra::EnvLabel>(&part))
      out += env_label(*label);
    else if (std::holds_alternative<infra::AccountId>(part))
      out += "${data.aws_caller_identity.current.account_id}";
    else
      out += ref(std::get<infra::Ref>(part));
  }
  return out;
}

json Document::texts(const std::vector<infra::Text>& texts) {
  json out = json::array();
  for (const infra::Text& t : texts) out.push_back(text(t));
  return out;
}

json Document::name_tag(const infra::Text& name) {
  return json{{"Name", text(name)}};
}

json& Document::resource(std::string_view type, const std::string& name, const std::string& region) {
  json& body = root_["resource"][std::string(type)][name];
  body["provider"] = "aws." + region;
  return body;
}

json& Document::data(std::string_view type, const std::string& name, const std::string& region) {
  json& body = root_["data"][std::string(type)][name];
  body["provider"] = "aws." + region;
  return body;
}

std::string Document::policy_document(const std::string& name, const std::string& region,
                                      const infra::PolicyDocument& doc) {
  json& body = data("aws_iam_policy_document", name, region);
  json statements = json::array();
  for (const infra::Statement& s : doc.statements) {
    json st = {{"sid", s.sid},
               {"effect", s.effect == infra::Effect::Deny ? "Deny" : "Allow"},
               {"actions", s.actions},
               {"resources", texts(s.resources)}};
    if (!s.wildcard_reason.empty()) st["//"] = "resources \"*\": " + s.wildcard_reason;
    for (const infra::Principal& p : s.principals) {
      st["principals"].push_back({{"type", p.type}, {"identifiers", texts(p.identifiers)}});
    }
    for (const infra::Condition& c : s.conditions) {
      st["condition"].push_back({{"test", c.test}, {"variable", c.variable}, {"values", texts(c.values)}});
    }
    statements.push_back(std::move(st));
  }
  body["statement"] = std::move(statements);
  return expr("data.aws_iam_policy_document." + name + ".json");
}

}  // namespace paydrc::backends::terraform
