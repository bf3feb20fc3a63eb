// SSM parameters from the spec's `parameter` blocks, in every region so each
// region's function reads them locally; and the outputs a person needs after a
// deployment.
#include <algorithm>

#include <fmt/format.h>

#include "lower/context.h"

namespace paydrc::lower {
namespace {

using infra::Attr;
using infra::Kind;
using infra::Ref;
using infra::Text;

// The deployment-time value `target.output[.region]` names, seen from `role`.
std::optional<Text> resolve(const Context& cx, const ir::ParameterValue& v, const std::string& role) {
  const std::string where = v.region.value_or(role);
  if (const ir::Database* db = cx.system.database(v.target)) {
    const std::string cluster = Context::cluster_id(db->name, v.region.value_or(db->writer));
    if (v.output == "endpoint") return Text(Ref{Kind::DbCluster, cluster, Attr::Endpoint});
    if (v.output == "reader_endpoint") return Text(Ref{Kind::DbCluster, cluster, Attr::ReaderEndpoint});
    if (v.output == "arn") return Text(Ref{Kind::DbCluster, cluster, Attr::Arn});
    if (v.output == "name") return cx.name({db->name, v.region.value_or(db->writer)});
  } else if (cx.system.table(v.target)) {
    if (v.output == "name") return cx.name({v.target});
    if (v.output == "arn") return Text(Ref{Kind::Table, Context::table_id(v.target), Attr::Arn});
  } else if (cx.system.event_bus(v.target)) {
    if (v.output == "name" || v.output == "bus")
      return Text(Ref{Kind::EventBus, Context::bus_id(v.target, where), Attr::Name});
    if (v.output == "arn") return Text(Ref{Kind::EventBus, Context::bus_id(v.target, where), Attr::Arn});
  } else if (cx.system.function(v.target)) {
    if (v.output == "name") return cx.name({v.target, where});
    if (v.output == "arn") return Text(Ref{Kind::Function, Context::function_id(v.target, where), Attr::Arn});
  }
  return std::nullopt;
}

}  // namespace

void lower_parameters(Context& cx) {
  for (const ir::Parameter& p : cx.system.parameters) {
    for (const ir::Region& region : cx.system.regions) {
      std::optional<Text> value = resolve(cx, p.value, region.role);
      if (!value) continue;
      infra::Parameter param;
      param.id = fmt::format("{}_{}", p.name, region.role);
      param.region = region.role;
      param.origin = p.origin.range;
      param.name = parameter_path(p.path);
      param.value = *value;
      param.secure = p.secure;
      param.key = Context::key_id(region.role);
      param.description = fmt::format("{} ({}.{})", p.name, p.value.target, p.value.output);
      cx.model.parameters.push_back(std::move(param));
    }
  }
}

void lower_outputs(Context& cx) {
  infra::Model& m = cx.model;
  for (const infra::DbCluster& c : m.db_clusters) {
    m.outputs.push_back({c.id + "_endpoint", fmt::format("{} cluster endpoint in {}", c.global_cluster, c.region),
                         Text(Ref{Kind::DbCluster, c.id, Attr::Endpoint})});
  }
  for (const infra::HttpApi& api : m.http_apis) {
    m.outputs.push_back({api.id + "_endpoint", fmt::format("regional API endpoint in {}", api.region),
                         Text(Ref{Kind::HttpApi, api.id, Attr::ApiEndpoint})});
  }
  for (const ir::Failover& f : cx.system.failovers) {
    m.outputs.push_back({f.name + "_url", "the failover API address", Text("https://") + failover_name(f)});
  }
  // What the runbook (policies/runbook) names: the ids and ARNs its commands
  // take, read from a deployment's outputs rather than looked up by hand (C4).
  for (const infra::HealthCheck& hc : m.health_checks) {
    m.outputs.push_back({hc.id + "_health_check_id", fmt::format("Route 53 health check of the {} front door", hc.id),
                         Text(Ref{Kind::HealthCheck, hc.id, Attr::Id})});
  }
  for (const infra::ApiDomain& d : m.api_domains) {
    m.outputs.push_back({d.id + "_target_domain",
                         fmt::format("regional domain name the failover record of {} points at", d.id),
                         Text(Ref{Kind::ApiDomain, d.id, Attr::TargetDomain})});
  }
  for (const infra::RestApiDomain& d : m.rest_api_domains) {
    if (d.id.ends_with("_health")) continue;  // the failover records point at the others
    m.outputs.push_back({d.id + "_target_domain",
                         fmt::format("regional domain name the failover record of {} points at", d.id),
                         Text(Ref{Kind::RestApiDomain, d.id, Attr::TargetDomain})});
  }
  for (const ir::Failover& f : cx.system.failovers) {
    for (const infra::FailoverRecord& r : m.failover_records) {
      if (r.id != f.name + "_" + f.primary && r.id != f.name + "_" + f.secondary) continue;
      m.outputs.push_back({f.name + "_zone_id", fmt::format("hosted zone of the {} failover records", f.name),
                           Text(Ref{Kind::HostedZone, r.zone, Attr::Id})});
      break;
    }
  }
  for (const infra::GlobalCluster& g : m.global_clusters) {
    m.outputs.push_back({g.id + "_global_cluster_id", fmt::format("{} global database identifier", g.id),
                         Text(Ref{Kind::GlobalCluster, g.id, Attr::Id})});
  }
  for (const infra::DbCluster& c : m.db_clusters) {
    m.outputs.push_back({c.id + "_cluster_arn", fmt::format("{} cluster ARN in {}", c.global_cluster, c.region),
                         Text(Ref{Kind::DbCluster, c.id, Attr::Arn})});
    if (c.master_secret) {
      m.outputs.push_back({c.id + "_secret_arn", fmt::format("{} master credentials in {}", c.global_cluster, c.region),
                           Text(Ref{Kind::Secret, *c.master_secret, Attr::Arn})});
    }
  }
  for (const infra::Topic& t : m.topics) {
    m.outputs.push_back({t.region + "_alarm_topic_arn", fmt::format("alarm topic of {}", t.region),
                         Text(Ref{Kind::Topic, t.id, Attr::Arn})});
  }
  // An existing zone is delegated already; a created one has to be.
  for (const infra::HostedZone& z : m.hosted_zones) {
    if (!z.created) continue;
    m.outputs.push_back({z.id + "_name_servers", fmt::format("delegate {} to these", z.domain),
                         Text(Ref{Kind::HostedZone, z.id, Attr::NameServers})});
  }
  std::sort(m.outputs.begin(), m.outputs.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
}

}  // namespace paydrc::lower
