// SEC-API-AUTHORIZATION: the public API's routes require authorization, except the
// health-check path Route 53 probes.
#include <set>

#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {
namespace {

// The paths health checks probe on `api` (their target names the API's id).
std::set<std::string> health_paths(const infra::Model& m, const infra::HttpApi& api) {
  std::set<std::string> out;
  for (const infra::HealthCheck& hc : m.health_checks) {
    for (const infra::Text::Part& part : hc.fqdn.parts) {
      const auto* ref = std::get_if<infra::Ref>(&part);
      if (ref != nullptr && ref->kind == infra::Kind::HttpApi && ref->id == api.id) out.insert(hc.path);
    }
  }
  return out;
}

// The paths health checks probe on REST API `api`: through the names whose
// alias records lead to one of its custom domains.
std::set<std::string> health_paths(const infra::Model& m, const infra::RestApi& api) {
  std::set<std::string> out;
  for (const infra::ApiRecord& r : m.api_records) {
    const infra::RestApiDomain* domain = sec::find(m.rest_api_domains, r.domain);
    if (domain == nullptr || domain->api != api.id) continue;
    for (const infra::HealthCheck& hc : m.health_checks) {
      if (hc.fqdn == r.fqdn) out.insert(hc.path);
    }
  }
  return out;
}

template <typename Api>
void check_routes(const Context& ctx, Findings& out, const Api& api) {
  const std::set<std::string> open = health_paths(ctx.model, api);
  for (const infra::ApiRoute& route : api.routes) {
      if (route.auth != infra::RouteAuth::None) continue;
      const std::size_t space = route.key.find(' ');
      const std::string method = route.key.substr(0, space);
      const std::string path = space == std::string::npos ? std::string() : route.key.substr(space + 1);
      if ((method == "GET" || method == "HEAD") && open.contains(path)) continue;
      sec::report(ctx, out, api, fmt::format("API `{}`: route `{}` requires no authorization", api.id, route.key),
                  "set `authorization = jwt` with `jwt_issuer` and `jwt_audience`; only the health-check path stays open", "authorization");
  }
}

void check(const Context& ctx, Findings& out) {
  for (const infra::HttpApi& api : ctx.model.http_apis) check_routes(ctx, out, api);
  for (const infra::RestApi& api : ctx.model.rest_apis) check_routes(ctx, out, api);
}

}  // namespace

const Rule& sec_api_authorization() {
  static const Rule rule{
      {"SEC-API-AUTHORIZATION", "the public API requires authorization on every route but the health check",
       Category::Security, diag::Severity::Error,
       "the API is on the internet; without authorization anyone who finds the name can submit payments. Route 53 "
       "health checkers send no credentials, so the health path alone stays open",
       "Checkov CKV_AWS_309"},
      check};
  return rule;
}

}  // namespace paydrc::policies::rules
