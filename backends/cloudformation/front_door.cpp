// The hosted zone, ACM certificates validated through it, HTTP APIs with their
// stage, routes and custom domain, Route 53 health checks and failover records.
#include <cctype>
#include <string>

#include "common/aws_formats.h"
#include "cloudformation/builder.h"

namespace paydrc::backends::cloudformation {

using infra::Attr;
using infra::Kind;

namespace {

// "ANY /{proxy+}" -> "AnyProxy": a logical id part for a route.
std::string route_name(const std::string& key) {
  std::string out;
  bool upper = true;
  for (char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : lower;
    upper = false;
  }
  return out;
}


void emit_api(Builder& b, const infra::HttpApi& a) {
  b.begin(Kind::HttpApi, a.id);
  const std::string api = Builder::logical(Kind::HttpApi, a.id);
  b.resource(api, "AWS::ApiGatewayV2::Api")["Properties"] = {
      {"Name", b.text(a.name)}, {"ProtocolType", "HTTP"}, {"Tags", {{"Name", b.text(a.name)}}}};
  b.resource(api + "Integration", "AWS::ApiGatewayV2::Integration")["Properties"] = {
      {"ApiId", b.ref(Kind::HttpApi, a.id)},
      {"IntegrationType", "AWS_PROXY"},
      {"IntegrationUri", b.ref(Kind::Function, a.function, Attr::Arn)},
      {"PayloadFormatVersion", "2.0"}};
  if (a.jwt) {
    // Tokens are checked against the issuer's keys in whichever region answers.
    b.resource(api + "Authorizer", "AWS::ApiGatewayV2::Authorizer")["Properties"] = {
        {"ApiId", b.ref(Kind::HttpApi, a.id)},
        {"Name", "jwt"},
        {"AuthorizerType", "JWT"},
        {"IdentitySource", json::array({"$request.header.Authorization"})},
        {"JwtConfiguration", {{"Issuer", a.jwt->issuer}, {"Audience", a.jwt->audience}}}};
  }
  for (const infra::ApiRoute& r : a.routes) {
    json& route = b.resource(api + "Route" + route_name(r.key), "AWS::ApiGatewayV2::Route")["Properties"];
    route = {{"ApiId", b.ref(Kind::HttpApi, a.id)},
             {"RouteKey", r.key},
             {"AuthorizationType", route_authorization_type(r.auth)},
             {"Target", {{"Fn::Sub", "integrations/${" + api + "Integration}"}}}};
    // Ref of an authorizer is its id.
    if (r.auth == infra::RouteAuth::Jwt) route["AuthorizerId"] = {{"Ref", api + "Authorizer"}};
  }
  b.resource(api + "Stage", "AWS::ApiGatewayV2::Stage")["Properties"] = {
      {"ApiId", b.ref(Kind::HttpApi, a.id)},
      {"StageName", "$default"},
      {"AutoDeploy", true},
      {"AccessLogSettings",
       {{"DestinationArn", b.ref(Kind::LogGroup, a.access_log_group, Attr::Arn)}, {"Format", kHttpApiAccessLogFormat}}},
      {"DefaultRouteSettings",
       {{"DetailedMetricsEnabled", true},
        {"ThrottlingBurstLimit", a.throttle_burst},
        {"ThrottlingRateLimit", a.throttle_rate}}},
      {"Tags", {{"Name", b.text(a.name)}}}};
}

const infra::HostedZone* find_zone(const infra::Model& m, const std::string& id) {
  for (const infra::HostedZone& z : m.hosted_zones) {
    if (z.id == id) return &z;
  }
  return nullptr;
}

// The zone's id: the created zone's Ref, or the parameter naming the existing one.
// Record sets also accept `HostedZoneName`, but a certificate's
// DomainValidationOptions only `HostedZoneId` (CloudFormation reference,
// AWS::CertificateManager::Certificate DomainValidationOption), so one id
// parameter serves both.
json zone_value(Builder& b, const std::string& id) {
  const infra::HostedZone* z = find_zone(b.model(), id);
  if (z != nullptr && !z->created) return b.parameter(zone_parameter(*z));
  return b.ref(Kind::HostedZone, id);
}

}  // namespace

std::string zone_parameter(const infra::HostedZone& z) {
  return Builder::camel(z.id) + "Id";
}

void emit_front_door(Builder& b) {
  const infra::Model& m = b.model();
  for (const infra::HostedZone& z : m.hosted_zones) {
    if (!z.created) continue;  // an existing zone is a parameter, never a resource of the stack
    b.begin(Kind::HostedZone, z.id);
    json& zone = b.resource(Builder::logical(Kind::HostedZone, z.id), "AWS::Route53::HostedZone");
    zone["Properties"] = {{"Name", z.domain}, {"HostedZoneConfig", {{"Comment", "managed by paydrc"}}}};
    // The stack owns the zone, but its parent's NS records point at it once
    // delegated: keep it when the stack goes or replaces it. A failed first create
    // (usually certificates waiting on a delegation that never came) removes it,
    // so retries do not leave same-named zones behind.
    zone["DeletionPolicy"] = "RetainExceptOnCreate";
    zone["UpdateReplacePolicy"] = "Retain";
  }
  for (const infra::Certificate& c : m.certificates) {
    b.begin(Kind::Certificate, c.id);
    // CloudFormation writes the validation record into the zone and waits for
    // the certificate; a zone in another stack's region is read from that stack.
    json validation = json::array({{{"DomainName", b.text(c.domain)}, {"HostedZoneId", zone_value(b, c.zone)}}});
    for (const infra::Text& name : c.alternative_names)
      validation.push_back({{"DomainName", b.text(name)}, {"HostedZoneId", zone_value(b, c.zone)}});
    json& cert =
        b.resource(Builder::logical(Kind::Certificate, c.id), "AWS::CertificateManager::Certificate")["Properties"];
    cert = {{"DomainName", b.text(c.domain)},
            {"ValidationMethod", "DNS"},
            {"DomainValidationOptions", validation},
            {"Tags", b.name_tags(c.domain)}};
    if (!c.alternative_names.empty()) cert["SubjectAlternativeNames"] = b.texts(c.alternative_names);
  }
  for (const infra::HttpApi& a : m.http_apis) emit_api(b, a);
  for (const infra::ApiDomain& d : m.api_domains) {
    b.begin(Kind::ApiDomain, d.id);
    const std::string domain = Builder::logical(Kind::ApiDomain, d.id);
    b.resource(domain, "AWS::ApiGatewayV2::DomainName")["Properties"] = {
        {"DomainName", b.text(d.domain)},
        {"DomainNameConfigurations",
         json::array({{{"CertificateArn", b.ref(Kind::Certificate, d.certificate, Attr::Arn)},
                       {"EndpointType", "REGIONAL"},
                       {"SecurityPolicy", "TLS_1_2"}}})},
        {"Tags", {{"Name", b.text(d.domain)}}}};
    // Ref of a stage is its name.
    json stage = b.ref(Kind::HttpApi, d.api);
    if (stage.contains("Ref")) stage["Ref"] = stage["Ref"].get<std::string>() + "Stage";
    b.resource(domain + "Mapping", "AWS::ApiGatewayV2::ApiMapping")["Properties"] = {
        {"ApiId", b.ref(Kind::HttpApi, d.api)}, {"DomainName", b.ref(Kind::ApiDomain, d.id)}, {"Stage", stage}};
  }
  emit_rest_front_door(b);
  for (const infra::ApiRecord& r : m.api_records) {
    b.begin(Kind::ApiRecord, r.id);
    b.resource(Builder::logical(Kind::ApiRecord, r.id), "AWS::Route53::RecordSet")["Properties"] = {
        {"HostedZoneId", zone_value(b, r.zone)},
        {"Name", b.text(r.fqdn)},
        {"Type", "A"},
        {"AliasTarget",
         {{"DNSName", b.ref(Kind::RestApiDomain, r.domain, Attr::TargetDomain)},
          {"HostedZoneId", b.ref(Kind::RestApiDomain, r.domain, Attr::TargetZoneId)},
          {"EvaluateTargetHealth", false}}}};
  }
  for (const infra::HealthCheck& h : m.health_checks) {
    b.begin(Kind::HealthCheck, h.id);
    json config = {{"Type", h.protocol},
                   {"FullyQualifiedDomainName", b.text(h.fqdn)},
                   {"Port", h.port},
                   {"RequestInterval", h.interval_seconds},
                   {"FailureThreshold", h.failure_threshold}};
    if (h.protocol != "TCP") config["ResourcePath"] = h.path;
    if (h.protocol == "HTTPS") config["EnableSNI"] = true;
    b.resource(Builder::logical(Kind::HealthCheck, h.id), "AWS::Route53::HealthCheck")["Properties"] = {
        {"HealthCheckConfig", config}, {"HealthCheckTags", b.name_tags(h.name)}};
  }
  for (const infra::FailoverRecord& r : m.failover_records) {
    b.begin(Kind::FailoverRecord, r.id);
    // An alias record has no TTL of its own: Route 53 answers with the target's
    // (the spec's intended TTL is r.intended_ttl_seconds).
    b.resource(Builder::logical(Kind::FailoverRecord, r.id), "AWS::Route53::RecordSet")["Properties"] = {
        {"HostedZoneId", zone_value(b, r.zone)},
        {"Name", b.text(r.fqdn)},
        {"Type", "A"},
        {"SetIdentifier", r.set_identifier},
        {"Failover", r.primary ? "PRIMARY" : "SECONDARY"},
        {"HealthCheckId", b.ref(Kind::HealthCheck, r.health_check)},
        {"AliasTarget",
         {{"DNSName", b.ref(r.rest ? Kind::RestApiDomain : Kind::ApiDomain, r.api_domain, Attr::TargetDomain)},
          {"HostedZoneId", b.ref(r.rest ? Kind::RestApiDomain : Kind::ApiDomain, r.api_domain, Attr::TargetZoneId)},
          {"EvaluateTargetHealth", true}}}};
  }
}

}  // namespace paydrc::backends::cloudformation
