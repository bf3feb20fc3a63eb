// A REST front door: the regional REST API (execute-api endpoint disabled), its
// resources, methods with Lambda proxy integrations and the JWT authorizer, a
// deployment and stage with access logs, the AWS WAF web ACL on the stage with its
// logging, and the custom domains (the failover name and the region's own health
// name) with their base path mappings.
#include <cctype>
#include <string>

#include <openssl/evp.h>

#include "cloudformation/builder.h"
#include "common/aws_formats.h"

namespace paydrc::backends::cloudformation {

using infra::Attr;
using infra::Kind;

namespace {

std::string camel_part(const std::string& snake) {
  std::string out;
  bool upper = true;
  for (char c : snake) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                 : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    upper = false;
  }
  return out;
}

// The first 8 hex digits of the SHA-256 of `text`.
std::string short_hash(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < 4 && i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

json visibility(const std::string& metric) {
  return {{"CloudWatchMetricsEnabled", true}, {"MetricName", metric}, {"SampledRequestsEnabled", true}};
}

void emit_web_acl(Builder& b, const infra::WebAcl& w) {
  b.begin(Kind::WebAcl, w.id);
  const std::string acl = Builder::logical(Kind::WebAcl, w.id);
  json rules = json::array();
  int priority = 0;
  for (const std::string& group : w.managed_rule_groups) {
    rules.push_back({{"Name", group},
                     {"Priority", priority++},
                     {"OverrideAction", {{"None", json::object()}}},
                     {"Statement", {{"ManagedRuleGroupStatement", {{"Name", group}, {"VendorName", "AWS"}}}}},
                     {"VisibilityConfig", visibility(group)}});
  }
  rules.push_back({{"Name", "rate-limit-per-ip"},
                   {"Priority", priority},
                   {"Action", {{"Block", json::object()}}},
                   {"Statement", {{"RateBasedStatement", {{"Limit", w.rate_limit}, {"AggregateKeyType", "IP"}}}}},
                   {"VisibilityConfig", visibility("rate-limit-per-ip")}});
  b.resource(acl, "AWS::WAFv2::WebACL")["Properties"] = {
      {"Name", b.text(w.name)},
      {"Description", "paydrc front door: AWS managed rules and a rate limit per client IP"},
      {"Scope", "REGIONAL"},
      {"DefaultAction", {{"Allow", json::object()}}},
      {"Rules", rules},
      {"VisibilityConfig", visibility("paydrc-front-door")},
      {"Tags", b.name_tags(w.name)}};
  // Bearer tokens are credentials: the Authorization header never reaches the logs.
  b.resource(acl + "Logging", "AWS::WAFv2::LoggingConfiguration")["Properties"] = {
      {"ResourceArn", b.ref(Kind::WebAcl, w.id, Attr::Arn)},
      {"LogDestinationConfigs", json::array({b.ref(Kind::LogGroup, w.log_group, Attr::Arn)})},
      {"RedactedFields", json::array({{{"SingleHeader", {{"Name", "authorization"}}}}})}};
}

void emit_rest_api(Builder& b, const infra::RestApi& a) {
  b.begin(Kind::RestApi, a.id);
  const std::string api = Builder::logical(Kind::RestApi, a.id);
  b.resource(api, "AWS::ApiGateway::RestApi")["Properties"] = {
      {"Name", b.text(a.name)},
      {"Description", "paydrc front door; only its custom domains answer"},
      {"DisableExecuteApiEndpoint", true},
      {"EndpointConfiguration", {{"Types", json::array({"REGIONAL"})}}},
      {"Tags", b.name_tags(a.name)}};
  for (const RestResource& r : rest_resources(a)) {
    json parent = r.parent.empty() ? json{{"Fn::GetAtt", json::array({api, "RootResourceId"})}}
                                   : json{{"Ref", api + camel_part(r.parent) + "Resource"}};
    b.resource(api + camel_part(r.name) + "Resource", "AWS::ApiGateway::Resource")["Properties"] = {
        {"RestApiId", json{{"Ref", api}}}, {"ParentId", parent}, {"PathPart", r.path_part}};
  }
  const std::string authorizer = api + "Authorizer";
  if (!a.authorizer.empty()) {
    // A TOKEN authorizer: paydrc's function checks the bearer token as an HTTP
    // API's JWT authorizer would; API Gateway caches its answer per token.
    b.resource(authorizer, "AWS::ApiGateway::Authorizer")["Properties"] = {
        {"RestApiId", json{{"Ref", api}}},
        {"Name", "jwt"},
        {"Type", "TOKEN"},
        {"IdentitySource", "method.request.header.Authorization"},
        {"IdentityValidationExpression", kBearerTokenPattern},
        {"AuthorizerUri",
         {{"Fn::Sub",
           json::array({"arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn}/"
                        "invocations",
                        {{"Fn", b.ref(Kind::Function, a.authorizer, Attr::Arn)}}})}}},
        {"AuthorizerResultTtlInSeconds", a.authorizer_cache_seconds}};
  }
  const std::string validator = api + "RequestValidator";
  if (!a.authorizer.empty()) {
    // Requests without the token are refused with 400 before the authorizer runs.
    b.resource(validator, "AWS::ApiGateway::RequestValidator")["Properties"] = {
        {"RestApiId", json{{"Ref", api}}},
        {"Name", "authorization-header"},
        {"ValidateRequestParameters", true},
        {"ValidateRequestBody", false}};
  }
  const json integration_uri = {
      {"Fn::Sub",
       json::array({"arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn}/invocations",
                    {{"Fn", b.ref(Kind::Function, a.function, Attr::Arn)}}})}};
  json methods = json::array();
  std::string shape;  // what a deployment snapshots: a new one when it changes
  for (const infra::ApiRoute& r : a.routes) {
    const std::string resource = rest_resource_name(r.key);
    const std::string method_name = rest_method(r.key);
    const std::string logical = api + (resource.empty() ? "Root" : camel_part(resource)) + camel_part(method_name) +
                                "Method";
    json resource_id = resource.empty() ? json{{"Fn::GetAtt", json::array({api, "RootResourceId"})}}
                                        : json{{"Ref", api + camel_part(resource) + "Resource"}};
    json& props = b.resource(logical, "AWS::ApiGateway::Method")["Properties"];
    props = {{"RestApiId", json{{"Ref", api}}},
             {"ResourceId", resource_id},
             {"HttpMethod", method_name},
             {"AuthorizationType", rest_authorization_type(r.auth)},
             {"Integration",
              {{"Type", "AWS_PROXY"}, {"IntegrationHttpMethod", "POST"}, {"Uri", integration_uri}}}};
    if (r.auth == infra::RouteAuth::Jwt) {
      props["AuthorizerId"] = {{"Ref", authorizer}};
      props["RequestParameters"] = {{"method.request.header.Authorization", true}};
      props["RequestValidatorId"] = {{"Ref", validator}};
    }
    methods.push_back(logical);
    shape += r.key + "|" + rest_authorization_type(r.auth) + "|" + a.function + "|validated;";
  }
  if (!a.authorizer.empty()) shape += "authorizer:" + a.authorizer + ":" + std::to_string(a.authorizer_cache_seconds);
  // A deployment is a snapshot CloudFormation never redeploys in place: its
  // logical id carries a hash of the methods, so a change creates a new one.
  const std::string deployment = api + "Deployment" + short_hash(shape);
  json& dep = b.resource(deployment, "AWS::ApiGateway::Deployment");
  dep["Properties"] = {{"RestApiId", json{{"Ref", api}}}, {"Description", "managed by paydrc"}};
  dep["DependsOn"] = methods;
  const std::string stage = api + "Stage";
  // Metrics, throttling and execution logs for every method. Execution logs at
  // ERROR level without request or response data (no body, no header values: the
  // access log says who and what), into the group created beforehand with the
  // region's key and a retention.
  json settings = {{"HttpMethod", "*"},
                   {"ResourcePath", "/*"},
                   {"MetricsEnabled", true},
                   {"ThrottlingBurstLimit", a.throttle_burst},
                   {"ThrottlingRateLimit", a.throttle_rate}};
  if (!a.execution_log_group.empty()) {
    settings["LoggingLevel"] = "ERROR";
    settings["DataTraceEnabled"] = false;
  }
  json& stage_resource = b.resource(stage, "AWS::ApiGateway::Stage");
  if (!a.execution_log_group.empty()) b.depends_on(stage_resource, Kind::LogGroup, a.execution_log_group);
  stage_resource["Properties"] = {
      {"RestApiId", json{{"Ref", api}}},
      {"DeploymentId", json{{"Ref", deployment}}},
      {"StageName", a.stage},
      {"TracingEnabled", a.tracing},
      {"AccessLogSetting",
       {{"DestinationArn", b.ref(Kind::LogGroup, a.access_log_group, Attr::Arn)},
        {"Format", kRestApiAccessLogFormat}}},
      {"MethodSettings", json::array({settings})},
      {"Tags", b.name_tags(a.name)}};
  b.resource(api + "WebAclAssociation", "AWS::WAFv2::WebACLAssociation")["Properties"] = {
      {"ResourceArn", {{"Fn::Sub", "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${" + api +
                                       "}/stages/${" + stage + "}"}}},
      {"WebACLArn", b.ref(Kind::WebAcl, a.web_acl, Attr::Arn)}};
}

}  // namespace

void emit_rest_front_door(Builder& b) {
  const infra::Model& m = b.model();
  for (const infra::WebAcl& w : m.web_acls) emit_web_acl(b, w);
  for (const infra::RestApi& a : m.rest_apis) emit_rest_api(b, a);
  for (const infra::RestApiDomain& d : m.rest_api_domains) {
    b.begin(Kind::RestApiDomain, d.id);
    const std::string domain = Builder::logical(Kind::RestApiDomain, d.id);
    b.resource(domain, "AWS::ApiGateway::DomainName")["Properties"] = {
        {"DomainName", b.text(d.domain)},
        {"RegionalCertificateArn", b.ref(Kind::Certificate, d.certificate, Attr::Arn)},
        {"EndpointConfiguration", {{"Types", json::array({"REGIONAL"})}}},
        {"SecurityPolicy", "TLS_1_2"},
        {"Tags", b.name_tags(d.domain)}};
    // Ref of a stage is its name.
    json stage = b.ref(Kind::RestApi, d.api);
    if (stage.contains("Ref")) stage["Ref"] = stage["Ref"].get<std::string>() + "Stage";
    b.resource(domain + "Mapping", "AWS::ApiGateway::BasePathMapping")["Properties"] = {
        {"DomainName", b.ref(Kind::RestApiDomain, d.id)}, {"RestApiId", b.ref(Kind::RestApi, d.api)}, {"Stage", stage}};
  }
}

}  // namespace paydrc::backends::cloudformation
