// DNS failover for the public API. Lambda function URLs cannot serve a custom
// domain, so each region gets an API Gateway HTTP API with a regional custom domain
// and its own ACM certificate; Route 53 failover alias records choose between them
// on health checks against each region's own API endpoint.
#include <algorithm>

#include <fmt/format.h>

#include "lower/context.h"

namespace paydrc::lower {
namespace {

using infra::Kind;
using infra::Ref;
using infra::Text;

std::string zone_id(const ir::Failover& f) {
  return f.name + "_zone";
}

// One zone per domain: failovers in the same domain share it.
void ensure_zone(Context& cx, const ir::Failover& f) {
  for (const infra::HostedZone& z : cx.model.hosted_zones) {
    if (z.domain == f.zone) return;
  }
  infra::HostedZone zone;
  zone.id = zone_id(f);
  zone.region = cx.home_region();
  zone.origin = f.origin.at(f.zone_mode == ir::ZoneMode::Create ? "zone_mode" : "zone");
  if (!zone.origin.valid()) zone.origin = f.origin.range;
  zone.domain = f.zone;
  zone.created = f.zone_mode == ir::ZoneMode::Create;
  zone.existing_id = f.zone_id;
  cx.model.hosted_zones.push_back(std::move(zone));
}

std::string existing_zone(const Context& cx, const ir::Failover& f) {
  for (const infra::HostedZone& z : cx.model.hosted_zones) {
    if (z.domain == f.zone) return z.id;
  }
  return zone_id(f);
}

void lower_region(Context& cx, const ir::Failover& f, const std::string& role, bool primary) {
  const ir::Region* region = cx.system.region(role);
  const ir::Function* fn = cx.system.function(f.target);
  if (!region || !fn || !runs_in(*fn, role)) return;
  infra::Model& m = cx.model;
  const std::string id = fmt::format("{}_{}", f.name, role);
  const infra::Text fqdn = failover_name(f);
  const std::string zone = existing_zone(cx, f);

  infra::Certificate cert;
  cert.id = id;
  cert.region = role;
  cert.origin = f.origin.at("zone");
  cert.domain = fqdn;
  cert.zone = zone;
  m.certificates.push_back(cert);

  infra::LogGroup access;
  access.id = id + "_access";
  access.region = role;
  access.origin = f.origin.range;
  access.name = Text("/aws/apigateway/") + cx.name({f.name, role});
  access.retention_days = 365;  // PCI DSS 10.5.1, as for flow logs
  access.key = Context::key_id(role);
  m.log_groups.push_back(access);

  infra::HttpApi api;
  api.id = id;
  api.region = role;
  api.origin = f.origin.range;
  api.name = cx.name({f.name, role});
  api.function = Context::function_id(fn->name, role);
  // A JWT authorizer, not SigV4: a signature names its region, so after DNS fails
  // over the other region would refuse every signed request (the checker rejects
  // `iam`). Route 53 health checkers send no token: the health path stays open.
  infra::RouteAuth auth = infra::RouteAuth::None;
  if (f.authorization == ir::ApiAuthorization::Jwt) {
    auth = infra::RouteAuth::Jwt;
    api.jwt = infra::JwtAuthorizer{f.jwt_issuer, f.jwt_audience};
  } else if (f.authorization == ir::ApiAuthorization::Iam) {
    auth = infra::RouteAuth::Iam;
  }
  api.routes.push_back({"ANY /{proxy+}", auth});
  api.routes.push_back({"GET " + f.health_check.path, infra::RouteAuth::None});
  api.access_log_group = access.id;
  m.http_apis.push_back(api);

  infra::FunctionPermission permission;
  permission.id = id;
  permission.region = role;
  permission.origin = f.origin.at("target");
  permission.function = api.function;
  permission.principal = "apigateway.amazonaws.com";
  permission.source_arn = Text(Ref{Kind::HttpApi, api.id, infra::Attr::ExecutionArn}) + Text("/*/*");
  m.function_permissions.push_back(std::move(permission));

  infra::ApiDomain domain;
  domain.id = id;
  domain.region = role;
  domain.origin = f.origin.at("record");
  domain.domain = fqdn;
  domain.certificate = cert.id;
  domain.api = api.id;
  m.api_domains.push_back(domain);

  const ir::HealthCheck& hc = f.health_check;
  infra::HealthCheck check;
  check.id = id;
  check.region = cx.home_region();  // Route 53 is global
  check.origin = hc.origin.range.valid() ? hc.origin.range : f.origin.range;
  check.name = cx.name({f.name, role});
  // The region's own API endpoint, not the failover name it decides about.
  check.fqdn = Text(Ref{Kind::HttpApi, api.id, infra::Attr::Id}) +
               Text(fmt::format(".execute-api.{}.amazonaws.com", region->aws_region));
  switch (hc.protocol) {
    case ir::HealthCheckProtocol::Https:
      check.protocol = "HTTPS";
      check.port = 443;
      break;
    case ir::HealthCheckProtocol::Http:
      check.protocol = "HTTP";
      check.port = 80;
      break;
    case ir::HealthCheckProtocol::Tcp:
      check.protocol = "TCP";
      check.port = 443;
      break;
  }
  check.path = hc.path;
  check.interval_seconds = static_cast<int>(hc.interval);
  check.failure_threshold = hc.failure_threshold;
  m.health_checks.push_back(check);

  infra::FailoverRecord record;
  record.id = id;
  record.region = cx.home_region();
  record.origin = f.origin.at(primary ? "primary" : "secondary");
  record.zone = zone;
  record.fqdn = fqdn;
  record.primary = primary;
  record.set_identifier = role;
  record.health_check = check.id;
  record.api_domain = domain.id;
  record.intended_ttl_seconds = static_cast<int>(f.ttl);
  m.failover_records.push_back(std::move(record));
}

}  // namespace

// No two AWS accounts can hold the same custom domain name in one region (API
// Gateway Developer Guide, "Custom domain name for public REST APIs", considerations),
// so two environments of one account cannot share `api.payments.example.com`: each
// gets `api-<env>`, one label, so it stays in the zone the team delegated and one
// `*.payments.example.com` certificate could cover every environment.
infra::Text failover_name(const ir::Failover& f) {
  std::vector<std::string> plain = f.plain_name_environments;
  std::sort(plain.begin(), plain.end());
  plain.erase(std::unique(plain.begin(), plain.end()), plain.end());
  if (f.record.empty()) return infra::Text(infra::EnvLabel{"", ".", plain}) + Text(f.zone);
  return Text(f.record) + infra::Text(infra::EnvLabel{"-", "", std::move(plain)}) + Text("." + f.zone);
}

void lower_front_door(Context& cx) {
  for (const ir::Failover& f : cx.system.failovers) {
    if (f.front_door != ir::FrontDoor::HttpApi) continue;  // the checker rejects the others
    ensure_zone(cx, f);
    lower_region(cx, f, f.primary, true);
    if (f.secondary != f.primary) lower_region(cx, f, f.secondary, false);
  }
}

}  // namespace paydrc::lower
