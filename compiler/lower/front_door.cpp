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

void set_probe(const ir::HealthCheck& hc, infra::HealthCheck& check) {
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
}

// The permission API Gateway needs to invoke the serving function from `api`.
void add_api_permission(Context& cx, const ir::Failover& f, const std::string& role, const std::string& function,
                        Ref api) {
  infra::FunctionPermission permission;
  permission.id = fmt::format("{}_{}", f.name, role);
  permission.region = role;
  permission.origin = f.origin.at("target");
  permission.function = function;
  permission.principal = "apigateway.amazonaws.com";
  permission.source_arn = Text(std::move(api)) + Text("/*/*");
  cx.model.function_permissions.push_back(std::move(permission));
}

// The region's health check on `target`, and the failover record it decides
// about, pointing at the domain `domain` (a RestApiDomain when `rest`).
void add_health_check_and_record(Context& cx, const ir::Failover& f, const std::string& role, bool primary,
                                 Text target, const std::string& domain, bool rest) {
  const std::string id = fmt::format("{}_{}", f.name, role);
  const ir::HealthCheck& hc = f.health_check;
  infra::HealthCheck check;
  check.id = id;
  check.region = cx.home_region();  // Route 53 is global
  check.origin = hc.origin.range.valid() ? hc.origin.range : f.origin.range;
  check.name = cx.name({f.name, role});
  check.fqdn = std::move(target);
  set_probe(hc, check);
  cx.model.health_checks.push_back(check);

  infra::FailoverRecord record;
  record.id = id;
  record.region = cx.home_region();
  record.origin = f.origin.at(primary ? "primary" : "secondary");
  record.zone = existing_zone(cx, f);
  record.fqdn = failover_name(f);
  record.primary = primary;
  record.set_identifier = role;
  record.health_check = check.id;
  record.api_domain = domain;
  record.rest = rest;
  record.intended_ttl_seconds = static_cast<int>(f.ttl);
  cx.model.failover_records.push_back(std::move(record));
}

// paydrc's JWT authorizer (builtin/jwt_authorizer) for a REST front door in one
// region. It runs outside the VPC: it fetches the issuer's OpenID discovery
// document and keys over the internet, which from a private subnet would make
// every uncached request depend on the NAT gateway's zone, and it reaches nothing
// private. Its role writes its own logs and traces, nothing else.
std::string lower_authorizer(Context& cx, const ir::Failover& f, const ir::Function& target, const std::string& role,
                             const std::string& api_id) {
  infra::Model& m = cx.model;
  const std::string id = fmt::format("{}_{}_authorizer", f.name, role);
  const Text function_name = cx.name({f.name, "authorizer", role});
  const auto origin = f.origin.at("jwt_issuer").valid() ? f.origin.at("jwt_issuer") : f.origin.range;

  infra::LogGroup logs;
  logs.id = id;
  logs.region = role;
  logs.origin = origin;
  logs.name = Text("/aws/lambda/") + function_name;
  logs.retention_days = 365;  // PCI DSS 10.5.1, as for every function
  logs.key = Context::key_id(role);
  m.log_groups.push_back(logs);

  infra::Role iam;
  iam.id = id;
  iam.region = role;
  iam.origin = origin;
  iam.name = function_name;
  iam.description = fmt::format("JWT authorizer of API {} in {}", f.name, role);
  iam.trusted_services = {"lambda.amazonaws.com"};
  infra::PolicyDocument doc;
  doc.statements = function_runtime_statements(logs.id, true, false);
  infra::Statement key;
  key.sid = "UseRegionKey";  // the environment is encrypted with the region's key
  key.actions = {"kms:Decrypt"};
  key.resources = {Text(Ref{Kind::Key, Context::key_id(role), infra::Attr::Arn})};
  doc.statements.push_back(std::move(key));
  iam.policies.push_back({"access", std::move(doc)});
  m.roles.push_back(iam);

  std::vector<std::string> audience = f.jwt_audience;
  std::string joined;
  for (const std::string& a : audience) joined += (joined.empty() ? "" : ",") + a;

  infra::Function fn;
  fn.id = id;
  fn.region = role;
  fn.origin = origin;
  fn.name = function_name;
  fn.role = iam.id;
  fn.runtime = "python3.13";  // the code runs on 3.11 and later
  fn.handler = "index.handler";
  fn.memory_mb = 256;
  fn.timeout_seconds = 10;  // two key fetches of 3 s at most, then a verify
  set_builtin_archive(cx, infra::kJwtAuthorizerArchive, "paydrc-jwt-authorizer.zip", fn);
  fn.tracing = true;
  // Every request the cache misses calls it, as many at once as the API serves.
  fn.reserved_concurrency = target.reserved_concurrency;
  fn.key = Context::key_id(role);
  fn.environment = {
      {"AUDIENCE", Text(joined)},
      {"ISSUER", Text(f.jwt_issuer)},
      {"JWKS_CACHE_SECONDS", Text("3600")},
  };
  fn.log_group = logs.id;
  fn.builtin = true;
  fn.outside_vpc_reason =
      "fetches the token issuer's public keys from the internet and reaches nothing private; inside the VPC every "
      "uncached request would depend on the NAT gateway's zone";
  m.functions.push_back(fn);

  infra::FunctionPermission permission;
  permission.id = id;
  permission.region = role;
  permission.origin = origin;
  permission.function = fn.id;
  permission.principal = "apigateway.amazonaws.com";
  permission.source_arn = Text(Ref{Kind::RestApi, api_id, infra::Attr::ExecutionArn}) + Text("/authorizers/*");
  m.function_permissions.push_back(std::move(permission));
  return fn.id;
}

// A REST front door in one region: WAF web ACL, REST API with the JWT authorizer,
// two custom domains (the failover name and the region's own health name) on one
// certificate, the health name's alias record, the health check on it, and the
// failover record.
void lower_rest_region(Context& cx, const ir::Failover& f, const ir::Region& region, const ir::Function& fn,
                       bool primary, const std::string& access_log) {
  infra::Model& m = cx.model;
  const std::string& role = region.role;
  const std::string id = fmt::format("{}_{}", f.name, role);
  const Text fqdn = failover_name(f);
  const Text health_fqdn = regional_name(f, region.aws_region);
  const std::string zone = existing_zone(cx, f);
  for (infra::Certificate& c : m.certificates) {
    if (c.id == id) c.alternative_names.push_back(health_fqdn);
  }

  infra::LogGroup waf_logs;
  waf_logs.id = id + "_waf";
  waf_logs.region = role;
  waf_logs.origin = f.origin.at("front_door").valid() ? f.origin.at("front_door") : f.origin.range;
  // AWS WAF logs only to log groups whose names start with `aws-waf-logs-`.
  waf_logs.name = Text("aws-waf-logs-") + cx.name({f.name, role});
  waf_logs.retention_days = 365;
  waf_logs.key = Context::key_id(role);
  m.log_groups.push_back(waf_logs);

  infra::WebAcl acl;
  acl.id = id;
  acl.region = role;
  acl.origin = waf_logs.origin;
  acl.name = cx.name({f.name, role});
  acl.managed_rule_groups = {"AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet",
                             "AWSManagedRulesKnownBadInputsRuleSet"};
  acl.rate_limit = f.waf_rate_limit;
  acl.log_group = waf_logs.id;
  m.web_acls.push_back(acl);

  infra::RestApi api;
  api.id = id;
  api.region = role;
  api.origin = f.origin.range;
  api.name = cx.name({f.name, role});
  api.function = Context::function_id(fn.name, role);
  infra::RouteAuth auth = infra::RouteAuth::None;
  if (f.authorization == ir::ApiAuthorization::Jwt) {
    auth = infra::RouteAuth::Jwt;
    api.authorizer = lower_authorizer(cx, f, fn, role, id);
  } else if (f.authorization == ir::ApiAuthorization::Iam) {
    auth = infra::RouteAuth::Iam;
  }
  api.routes.push_back({"ANY /{proxy+}", auth});
  api.routes.push_back({"GET " + f.health_check.path, infra::RouteAuth::None});
  api.access_log_group = access_log;

  infra::LogGroup execution;
  execution.id = id + "_execution";
  execution.region = role;
  execution.origin = waf_logs.origin;
  execution.name = Text("API-Gateway-Execution-Logs_") + Text(Ref{Kind::RestApi, api.id, infra::Attr::Id}) +
                   Text("/" + api.stage);
  execution.retention_days = 365;
  execution.key = Context::key_id(role);
  m.log_groups.push_back(execution);
  api.execution_log_group = execution.id;
  api.web_acl = acl.id;
  api.tracing = fn.tracing;
  m.rest_apis.push_back(api);

  add_api_permission(cx, f, role, api.function, Ref{Kind::RestApi, api.id, infra::Attr::ExecutionArn});

  infra::RestApiDomain domain;
  domain.id = id;
  domain.region = role;
  domain.origin = f.origin.at("record");
  domain.domain = fqdn;
  domain.certificate = id;
  domain.api = api.id;
  m.rest_api_domains.push_back(domain);

  infra::RestApiDomain health_domain = domain;
  health_domain.id = id + "_health";
  health_domain.domain = health_fqdn;
  m.rest_api_domains.push_back(health_domain);

  infra::ApiRecord health_record;
  health_record.id = id + "_health";
  health_record.region = cx.home_region();
  health_record.origin = domain.origin;
  health_record.zone = zone;
  health_record.fqdn = health_fqdn;
  health_record.domain = health_domain.id;
  m.api_records.push_back(health_record);

  // The region's own name: the execute-api endpoint is disabled, and the failover
  // name answers from whichever region is active.
  add_health_check_and_record(cx, f, role, primary, health_fqdn, domain.id, true);
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

  if (f.front_door == ir::FrontDoor::RestApi) {
    lower_rest_region(cx, f, *region, *fn, primary, access.id);
    return;
  }

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

  add_api_permission(cx, f, role, api.function, Ref{Kind::HttpApi, api.id, infra::Attr::ExecutionArn});

  infra::ApiDomain domain;
  domain.id = id;
  domain.region = role;
  domain.origin = f.origin.at("record");
  domain.domain = fqdn;
  domain.certificate = cert.id;
  domain.api = api.id;
  m.api_domains.push_back(domain);

  // The region's own API endpoint, not the failover name it decides about.
  add_health_check_and_record(cx, f, role, primary,
                              Text(Ref{Kind::HttpApi, api.id, infra::Attr::Id}) +
                                  Text(fmt::format(".execute-api.{}.amazonaws.com", region->aws_region)),
                              domain.id, false);
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

// A REST front door region's own name, `<record>-<aws region>[-<env>].<zone>`:
// one label, like the failover name, so it stays in the delegated zone and under
// one wildcard certificate.
infra::Text regional_name(const ir::Failover& f, const std::string& aws_region) {
  std::vector<std::string> plain = f.plain_name_environments;
  std::sort(plain.begin(), plain.end());
  plain.erase(std::unique(plain.begin(), plain.end()), plain.end());
  const std::string label = f.record.empty() ? aws_region : f.record + "-" + aws_region;
  return Text(label) + infra::Text(infra::EnvLabel{"-", "", std::move(plain)}) + Text("." + f.zone);
}

void lower_front_door(Context& cx) {
  for (const ir::Failover& f : cx.system.failovers) {
    if (f.front_door == ir::FrontDoor::FunctionUrl) continue;  // the checker rejects it
    ensure_zone(cx, f);
    lower_region(cx, f, f.primary, true);
    if (f.secondary != f.primary) lower_region(cx, f, f.secondary, false);
  }
}

}  // namespace paydrc::lower
