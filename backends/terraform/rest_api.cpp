// A REST front door: the regional REST API (execute-api endpoint disabled), its
// resources, methods, Lambda proxy integrations and JWT authorizer, a deployment
// and stage with access logs, the AWS WAF web ACL on the stage with its logging,
// and the custom domains (the failover name and the region's own health name)
// with the health name's alias record.
#include <cctype>

#include "common/aws_formats.h"
#include "terraform/document.h"

namespace paydrc::backends::terraform {

using infra::Attr;
using infra::Kind;

namespace {

json visibility(const std::string& metric) {
  return json::array(
      {{{"cloudwatch_metrics_enabled", true}, {"metric_name", metric}, {"sampled_requests_enabled", true}}});
}

void emit_web_acl(Document& doc, const infra::WebAcl& w) {
  json rules = json::array();
  int priority = 0;
  for (const std::string& group : w.managed_rule_groups) {
    rules.push_back({{"name", group},
                     {"priority", priority++},
                     {"override_action", json::array({{{"none", json::array({json::object()})}}})},
                     {"statement", json::array({{{"managed_rule_group_statement",
                                                  json::array({{{"name", group}, {"vendor_name", "AWS"}}})}}})},
                     {"visibility_config", visibility(group)}});
  }
  rules.push_back(
      {{"name", "rate-limit-per-ip"},
       {"priority", priority},
       {"action", json::array({{{"block", json::array({json::object()})}}})},
       {"statement", json::array({{{"rate_based_statement",
                                    json::array({{{"limit", w.rate_limit}, {"aggregate_key_type", "IP"}}})}}})},
       {"visibility_config", visibility("rate-limit-per-ip")}});
  doc.resource("aws_wafv2_web_acl", w.id, w.region) = {
      {"provider", "aws." + w.region},
      {"name", Document::text(w.name)},
      {"description", "paydrc front door: AWS managed rules and a rate limit per client IP"},
      {"scope", "REGIONAL"},
      {"default_action", json::array({{{"allow", json::array({json::object()})}}})},
      {"rule", rules},
      {"visibility_config", visibility("paydrc-front-door")},
      {"tags", Document::name_tag(w.name)}};
  // Bearer tokens are credentials: the Authorization header never reaches the logs.
  doc.resource("aws_wafv2_web_acl_logging_configuration", w.id, w.region) = {
      {"provider", "aws." + w.region},
      {"resource_arn", Document::ref(Kind::WebAcl, w.id, Attr::Arn)},
      {"log_destination_configs", json::array({Document::ref(Kind::LogGroup, w.log_group, Attr::Arn)})},
      {"redacted_fields", json::array({{{"single_header", json::array({{{"name", "authorization"}}})}}})}};
}

void emit_rest_api(Document& doc, const infra::RestApi& a) {
  const std::string api = Document::ref(Kind::RestApi, a.id);
  doc.resource("aws_api_gateway_rest_api", a.id, a.region) = {
      {"provider", "aws." + a.region},
      {"name", Document::text(a.name)},
      {"description", "paydrc front door; only its custom domains answer"},
      {"disable_execute_api_endpoint", true},
      {"endpoint_configuration", json::array({{{"types", json::array({"REGIONAL"})}}})},
      {"tags", Document::name_tag(a.name)}};
  for (const RestResource& r : rest_resources(a)) {
    doc.resource("aws_api_gateway_resource", a.id + "_" + r.name, a.region) = {
        {"provider", "aws." + a.region},
        {"rest_api_id", api},
        {"parent_id", r.parent.empty() ? "${aws_api_gateway_rest_api." + a.id + ".root_resource_id}"
                                       : "${aws_api_gateway_resource." + a.id + "_" + r.parent + ".id}"},
        {"path_part", r.path_part}};
  }
  if (!a.authorizer.empty()) {
    // A TOKEN authorizer: paydrc's function checks the bearer token as an HTTP
    // API's JWT authorizer would; API Gateway caches its answer per token.
    doc.resource("aws_api_gateway_authorizer", a.id, a.region) = {
        {"provider", "aws." + a.region},
        {"rest_api_id", api},
        {"name", "jwt"},
        {"type", "TOKEN"},
        {"identity_source", "method.request.header.Authorization"},
        {"identity_validation_expression", kBearerTokenPattern},
        {"authorizer_uri", "${aws_lambda_function." + a.authorizer + ".invoke_arn}"},
        {"authorizer_result_ttl_in_seconds", a.authorizer_cache_seconds}};
  }
  if (!a.authorizer.empty()) {
    // Requests without the token are refused with 400 before the authorizer runs.
    doc.resource("aws_api_gateway_request_validator", a.id, a.region) = {
        {"provider", "aws." + a.region},
        {"rest_api_id", api},
        {"name", "authorization-header"},
        {"validate_request_parameters", true},
        {"validate_request_body", false}};
  }
  json redeploy = json::array();
  json after = json::array();
  for (const infra::ApiRoute& r : a.routes) {
    const std::string resource = rest_resource_name(r.key);
    const std::string name = a.id + "_" + (resource.empty() ? "root" : resource) + "_" +
                             [&] {
                               std::string m = rest_method(r.key);
                               for (char& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                               return m;
                             }();
    const std::string resource_id = resource.empty() ? "${aws_api_gateway_rest_api." + a.id + ".root_resource_id}"
                                                     : "${aws_api_gateway_resource." + a.id + "_" + resource + ".id}";
    json& method = doc.resource("aws_api_gateway_method", name, a.region);
    method = {{"provider", "aws." + a.region},
              {"rest_api_id", api},
              {"resource_id", resource_id},
              {"http_method", rest_method(r.key)},
              {"authorization", rest_authorization_type(r.auth)}};
    if (r.auth == infra::RouteAuth::Jwt) {
      method["authorizer_id"] = "${aws_api_gateway_authorizer." + a.id + ".id}";
      method["request_parameters"] = {{"method.request.header.Authorization", true}};
      method["request_validator_id"] = "${aws_api_gateway_request_validator." + a.id + ".id}";
    }
    doc.resource("aws_api_gateway_integration", name, a.region) = {
        {"provider", "aws." + a.region},
        {"rest_api_id", api},
        {"resource_id", resource_id},
        {"http_method", "${aws_api_gateway_method." + name + ".http_method}"},
        {"integration_http_method", "POST"},
        {"type", "AWS_PROXY"},
        {"uri", "${aws_lambda_function." + a.function + ".invoke_arn}"}};
    after.push_back("aws_api_gateway_method." + name);
    after.push_back("aws_api_gateway_integration." + name);
    // Only what paydrc sets: the provider reads unset attributes back as empty
    // values (`authorizer_id = ""`, `request_models = {}`) after the first refresh,
    // so hashing whole objects would replace the deployment on every plan.
    std::string fields = "aws_api_gateway_method." + name + ".id, aws_api_gateway_method." + name +
                         ".authorization, aws_api_gateway_integration." + name +
                         ".id, aws_api_gateway_integration." + name + ".type, aws_api_gateway_integration." +
                         name + ".uri";
    if (r.auth == infra::RouteAuth::Jwt) {
      fields += ", aws_api_gateway_method." + name + ".authorizer_id, aws_api_gateway_method." + name +
                ".request_validator_id, aws_api_gateway_method." + name + ".request_parameters";
    }
    redeploy.push_back(fields);
  }
  if (!a.authorizer.empty()) {
    const std::string auth = "aws_api_gateway_authorizer." + a.id;
    after.push_back(auth);
    redeploy.push_back(auth + ".id, " + auth + ".authorizer_uri, " + auth + ".identity_source, " + auth +
                       ".identity_validation_expression, " + auth + ".authorizer_result_ttl_in_seconds");
  }
  // A deployment is a snapshot: a new one whenever a method, integration or the
  // authorizer changes, created before the old one goes so the stage never points
  // at nothing.
  std::string triggers = "${sha1(jsonencode([";
  for (std::size_t i = 0; i < redeploy.size(); ++i) triggers += (i ? ", " : "") + redeploy[i].get<std::string>();
  triggers += "]))}";
  doc.resource("aws_api_gateway_deployment", a.id, a.region) = {
      {"provider", "aws." + a.region},
      {"rest_api_id", api},
      {"description", "managed by paydrc"},
      {"triggers", {{"redeployment", triggers}}},
      {"lifecycle", json::array({{{"create_before_destroy", true}}})},
      {"depends_on", after}};
  doc.resource("aws_api_gateway_stage", a.id, a.region) = {
      {"provider", "aws." + a.region},
      {"rest_api_id", api},
      {"deployment_id", "${aws_api_gateway_deployment." + a.id + ".id}"},
      {"stage_name", a.stage},
      {"xray_tracing_enabled", a.tracing},
      {"access_log_settings",
       json::array({{{"destination_arn", Document::ref(Kind::LogGroup, a.access_log_group, Attr::Arn)},
                     {"format", kRestApiAccessLogFormat}}})},
      {"tags", Document::name_tag(a.name)}};
  // Metrics, throttling and execution logs for every method. Execution logs at
  // ERROR level without request or response data (no body, no header values: the
  // access log says who and what), into the group created beforehand with the
  // region's key and a retention.
  json settings = {{"metrics_enabled", true},
                   {"throttling_burst_limit", a.throttle_burst},
                   {"throttling_rate_limit", a.throttle_rate}};
  json& method_settings = doc.resource("aws_api_gateway_method_settings", a.id, a.region);
  method_settings = {{"provider", "aws." + a.region},
                     {"rest_api_id", api},
                     {"stage_name", "${aws_api_gateway_stage." + a.id + ".stage_name}"},
                     {"method_path", "*/*"}};
  if (!a.execution_log_group.empty()) {
    settings["logging_level"] = "ERROR";
    settings["data_trace_enabled"] = false;
    method_settings["depends_on"] = json::array({"aws_cloudwatch_log_group." + a.execution_log_group});
  }
  method_settings["settings"] = json::array({settings});
  doc.resource("aws_wafv2_web_acl_association", a.id, a.region) = {
      {"provider", "aws." + a.region},
      {"resource_arn", "${aws_api_gateway_stage." + a.id + ".arn}"},
      {"web_acl_arn", Document::ref(Kind::WebAcl, a.web_acl, Attr::Arn)}};
}

}  // namespace

void emit_rest_front_door(Document& doc) {
  const infra::Model& m = doc.model();
  for (const infra::WebAcl& w : m.web_acls) emit_web_acl(doc, w);
  for (const infra::RestApi& a : m.rest_apis) emit_rest_api(doc, a);
  for (const infra::RestApiDomain& d : m.rest_api_domains) {
    doc.resource("aws_api_gateway_domain_name", d.id, d.region) = {
        {"provider", "aws." + d.region},
        {"domain_name", Document::text(d.domain)},
        {"regional_certificate_arn", "${aws_acm_certificate_validation." + d.certificate + ".certificate_arn}"},
        {"endpoint_configuration", json::array({{{"types", json::array({"REGIONAL"})}}})},
        {"security_policy", "TLS_1_2"},
        {"tags", Document::name_tag(d.domain)}};
    doc.resource("aws_api_gateway_base_path_mapping", d.id, d.region) = {
        {"provider", "aws." + d.region},
        {"api_id", Document::ref(Kind::RestApi, d.api)},
        {"stage_name", "${aws_api_gateway_stage." + d.api + ".stage_name}"},
        {"domain_name", Document::ref(Kind::RestApiDomain, d.id, Attr::Name)}};
  }
}

}  // namespace paydrc::backends::terraform
