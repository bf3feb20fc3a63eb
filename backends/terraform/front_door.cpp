// The hosted zone, ACM certificates with DNS validation, HTTP APIs with their
// stage, routes and custom domain, Route 53 health checks and failover records.
#include <cctype>

#include "common/aws_formats.h"
#include "terraform/document.h"

namespace paydrc::backends::terraform {

using infra::Attr;
using infra::Kind;

namespace {

// "ANY /{proxy+}" -> "any_proxy": a resource name for a route.
std::string route_name(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (!out.empty() && out.back() != '_')
      out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

const infra::HostedZone* zone(const infra::Model& m, const std::string& id) {
  for (const infra::HostedZone& z : m.hosted_zones) {
    if (z.id == id) return &z;
  }
  return nullptr;
}

// The zone's id: the zone paydrc creates, or the existing one it looked up.
std::string zone_ref(const infra::Model& m, const std::string& id) {
  const infra::HostedZone* z = zone(m, id);
  if (z != nullptr && !z->created) return "${data.aws_route53_zone." + id + ".zone_id}";
  return Document::ref(Kind::HostedZone, id);
}

// An existing zone is read, never managed: every environment shares it and its
// delegation is someone else's. By id when the spec gives one (checked to be the
// zone the spec names), else the public zone of that name.
void emit_zone(Document& doc, const infra::HostedZone& z) {
  if (z.created) {
    doc.resource("aws_route53_zone", z.id, z.region) = {
        {"provider", "aws." + z.region}, {"name", z.domain}, {"comment", "managed by paydrc"}};
    return;
  }
  json& body = doc.data("aws_route53_zone", z.id, z.region);
  if (z.existing_id.empty()) {
    body["name"] = z.domain;
    body["private_zone"] = false;
    return;
  }
  body["zone_id"] = z.existing_id;
  body["lifecycle"] = json::array({{{"postcondition",
                                     json::array({{{"condition", "${trimsuffix(self.name, \".\") == \"" + z.domain +
                                                                     "\" && !self.private_zone}"},
                                                   {"error_message", "zone " + z.existing_id +
                                                                         " is not the public zone " + z.domain +
                                                                         ": fix `zone_id` in the spec"}}})}}});
}


}  // namespace

void emit_front_door(Document& doc) {
  const infra::Model& m = doc.model();
  for (const infra::HostedZone& z : m.hosted_zones) emit_zone(doc, z);
  for (const infra::Certificate& c : m.certificates) {
    // The validation record goes with its certificate, through that region's
    // provider (Route 53 is one global API whichever region a provider names):
    // the certificate's root then validates without the zone region's root.
    const std::string dns_region = c.region;
    doc.resource("aws_acm_certificate", c.id, c.region) = {
        {"provider", "aws." + c.region},
        {"domain_name", Document::text(c.domain)},
        {"validation_method", "DNS"},
        {"lifecycle", json::array({{{"create_before_destroy", true}}})},
        {"tags", Document::name_tag(c.domain)}};
    if (!c.alternative_names.empty()) {
      doc.root()["resource"]["aws_acm_certificate"][c.id]["subject_alternative_names"] =
          Document::texts(c.alternative_names);
    }
    // Both regions' certificates for one name ask for the same validation record.
    json& record = doc.resource("aws_route53_record", c.id + "_validation", dns_region);
    record["for_each"] = Document::expr("{for option in aws_acm_certificate." + c.id +
                                        ".domain_validation_options : option.domain_name => option}");
    record["allow_overwrite"] = true;
    record["zone_id"] = zone_ref(m, c.zone);
    record["name"] = "${each.value.resource_record_name}";
    record["type"] = "${each.value.resource_record_type}";
    record["records"] = json::array({"${each.value.resource_record_value}"});
    record["ttl"] = 60;
    doc.resource("aws_acm_certificate_validation", c.id, c.region) = {
        {"provider", "aws." + c.region},
        {"certificate_arn", Document::ref(Kind::Certificate, c.id, Attr::Arn)},
        {"validation_record_fqdns",
         Document::expr("[for record in aws_route53_record." + c.id + "_validation : record.fqdn]")}};
  }
  for (const infra::HttpApi& a : m.http_apis) {
    doc.resource("aws_apigatewayv2_api", a.id, a.region) = {{"provider", "aws." + a.region},
                                                            {"name", Document::text(a.name)},
                                                            {"protocol_type", "HTTP"},
                                                            {"tags", Document::name_tag(a.name)}};
    doc.resource("aws_apigatewayv2_integration", a.id, a.region) = {
        {"provider", "aws." + a.region},
        {"api_id", Document::ref(Kind::HttpApi, a.id)},
        {"integration_type", "AWS_PROXY"},
        {"integration_uri", Document::ref(Kind::Function, a.function, Attr::Arn)},
        {"payload_format_version", "2.0"}};
    if (a.jwt) {
      // Tokens are checked against the issuer's keys in whichever region answers.
      doc.resource("aws_apigatewayv2_authorizer", a.id, a.region) = {
          {"provider", "aws." + a.region},
          {"api_id", Document::ref(Kind::HttpApi, a.id)},
          {"name", "jwt"},
          {"authorizer_type", "JWT"},
          {"identity_sources", json::array({"$request.header.Authorization"})},
          {"jwt_configuration", json::array({{{"issuer", a.jwt->issuer}, {"audience", a.jwt->audience}}})}};
    }
    for (const infra::ApiRoute& r : a.routes) {
      json& route = doc.resource("aws_apigatewayv2_route", a.id + "_" + route_name(r.key), a.region);
      route = {{"provider", "aws." + a.region},
               {"api_id", Document::ref(Kind::HttpApi, a.id)},
               {"route_key", r.key},
               {"authorization_type", route_authorization_type(r.auth)},
               {"target", "integrations/${aws_apigatewayv2_integration." + a.id + ".id}"}};
      if (r.auth == infra::RouteAuth::Jwt) route["authorizer_id"] = "${aws_apigatewayv2_authorizer." + a.id + ".id}";
    }
    doc.resource("aws_apigatewayv2_stage", a.id, a.region) = {
        {"provider", "aws." + a.region},
        {"api_id", Document::ref(Kind::HttpApi, a.id)},
        {"name", "$default"},
        {"auto_deploy", true},
        {"access_log_settings",
         json::array({{{"destination_arn", Document::ref(Kind::LogGroup, a.access_log_group, Attr::Arn)},
                       {"format", kHttpApiAccessLogFormat}}})},
        {"default_route_settings", json::array({{{"detailed_metrics_enabled", true},
                                                 {"throttling_burst_limit", a.throttle_burst},
                                                 {"throttling_rate_limit", a.throttle_rate}}})},
        {"tags", Document::name_tag(a.name)}};
  }
  for (const infra::ApiDomain& d : m.api_domains) {
    doc.resource("aws_apigatewayv2_domain_name", d.id, d.region) = {
        {"provider", "aws." + d.region},
        {"domain_name", Document::text(d.domain)},
        {"domain_name_configuration",
         json::array({{{"certificate_arn", "${aws_acm_certificate_validation." + d.certificate + ".certificate_arn}"},
                       {"endpoint_type", "REGIONAL"},
                       {"security_policy", "TLS_1_2"}}})},
        {"tags", Document::name_tag(d.domain)}};
    doc.resource("aws_apigatewayv2_api_mapping", d.id, d.region) = {
        {"provider", "aws." + d.region},
        {"api_id", Document::ref(Kind::HttpApi, d.api)},
        {"domain_name", Document::ref(Kind::ApiDomain, d.id)},
        {"stage", "${aws_apigatewayv2_stage." + d.api + ".id}"}};
  }
  emit_rest_front_door(doc);
  for (const infra::ApiRecord& r : m.api_records) {
    json& body = doc.resource("aws_route53_record", r.id, r.region);
    body["zone_id"] = zone_ref(m, r.zone);
    body["name"] = Document::text(r.fqdn);
    body["type"] = "A";
    body["alias"] = json::array({{{"name", Document::ref(Kind::RestApiDomain, r.domain, Attr::TargetDomain)},
                                  {"zone_id", Document::ref(Kind::RestApiDomain, r.domain, Attr::TargetZoneId)},
                                  {"evaluate_target_health", false}}});
  }
  for (const infra::HealthCheck& h : m.health_checks) {
    json& body = doc.resource("aws_route53_health_check", h.id, h.region);
    body["fqdn"] = Document::text(h.fqdn);
    body["type"] = h.protocol;
    body["port"] = h.port;
    if (h.protocol != "TCP") body["resource_path"] = h.path;
    if (h.protocol == "HTTPS") body["enable_sni"] = true;
    body["request_interval"] = h.interval_seconds;
    body["failure_threshold"] = h.failure_threshold;
    body["tags"] = Document::name_tag(h.name);
  }
  for (const infra::FailoverRecord& r : m.failover_records) {
    json& body = doc.resource("aws_route53_record", r.id, r.region);
    body["//"] = "an alias record has no TTL of its own: Route 53 answers with the target's; the spec asks for " +
                 std::to_string(r.intended_ttl_seconds) + " s";
    body["zone_id"] = zone_ref(m, r.zone);
    body["name"] = Document::text(r.fqdn);
    body["type"] = "A";
    body["set_identifier"] = r.set_identifier;
    body["health_check_id"] = Document::ref(Kind::HealthCheck, r.health_check);
    body["failover_routing_policy"] = json::array({{{"type", r.primary ? "PRIMARY" : "SECONDARY"}}});
    const Kind domain = r.rest ? Kind::RestApiDomain : Kind::ApiDomain;
    body["alias"] = json::array({{{"name", Document::ref(domain, r.api_domain, Attr::TargetDomain)},
                                  {"zone_id", Document::ref(domain, r.api_domain, Attr::TargetZoneId)},
                                  {"evaluate_target_health", true}}});
  }
}

}  // namespace paydrc::backends::terraform
