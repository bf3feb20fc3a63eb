// The generic resource view custom rules read: every resource of the model, typed,
// located, with its attributes and deployment-time text spelled out.
#include <catch2/catch.hpp>

#include <set>

#include "engine/resource_view.h"
#include "policy_test_support.h"

namespace paydrc::policies::testing {
namespace {

TEST_CASE("every resource of the model has a view with its type, region and origin") {
  const infra::Model& m = reference().model;
  std::vector<ResourceView> views = resource_views(m);
  std::size_t expected =
      m.vpcs.size() + m.subnets.size() + m.internet_gateways.size() + m.elastic_ips.size() + m.nat_gateways.size() +
      m.route_tables.size() + m.security_groups.size() + m.flow_logs.size() + m.keys.size() + m.roles.size() +
      m.log_groups.size() + m.topics.size() + m.topic_subscriptions.size() + m.queues.size() + m.secrets.size() + m.db_subnet_groups.size() +
      m.db_parameter_groups.size() + m.global_clusters.size() + m.db_clusters.size() + m.db_instances.size() +
      m.tables.size() + m.functions.size() + m.function_permissions.size() + m.hosted_zones.size() +
      m.certificates.size() + m.http_apis.size() + m.api_domains.size() + m.rest_apis.size() +
      m.rest_api_domains.size() + m.web_acls.size() + m.api_records.size() + m.health_checks.size() +
      m.failover_records.size() + m.event_buses.size() + m.event_rules.size() + m.backup_vaults.size() +
      m.backup_plans.size() + m.backup_selections.size() + m.alarms.size() + m.dashboards.size() + m.parameters.size() +
      m.vpc_endpoints.size();
  CHECK(views.size() == expected);
  CHECK(resource_types().size() == 42);
  std::set<std::string_view> types(resource_types().begin(), resource_types().end());
  for (const ResourceView& v : views) {
    INFO(v.type << " " << v.id);
    CHECK(types.contains(v.type));
    CHECK(v.origin.valid());
    CHECK(m.region(v.region) != nullptr);
    // The view has exactly the attributes the type's exemplar lists.
    const auto& exemplar = attribute_exemplar(v.type);
    REQUIRE(v.attributes.size() == exemplar.size());
    for (const auto& kv : exemplar.items()) CHECK(v.attributes.contains(kv.key()));
  }
}

TEST_CASE("views spell out texts and nested values") {
  for (const ResourceView& v : resource_views(reference().model)) {
    if (v.type == "function" && v.id == "processor_primary") {
      CHECK(v.attributes["name"] == "payment-processor-primary-${env}");
      CHECK(v.attributes["memory_mb"] == 1024);
      CHECK(v.attributes["environment"]["ENVIRONMENT_SUFFIX"] == "${env}");
      CHECK(v.attributes["environment"]["EVENT_BUS_NAME"] == "${event_bus.payments_primary.name}");
    }
    if (v.type == "db_cluster_parameter_group" && v.id == "ledger_primary") {
      CHECK(v.attributes["parameters"]["require_secure_transport"] == "ON");
    }
  }
  CHECK(attribute_exemplar("function").contains("memory_mb"));
  CHECK(attribute_exemplar("nothing").empty());
}

TEST_CASE("block_scope names the spec block a resource comes from") {
  const LoadedSpec& ref = reference();
  for (const infra::Function& f : ref.model.functions) {
    CHECK(block_scope(ref.system(), f.origin) ==
          (!f.builtin ? "processor" : f.outside_vpc_reason.empty() ? "ledger" : "api"));  // rotation: its database
  }
  for (const infra::Vpc& v : ref.model.vpcs) CHECK(block_scope(ref.system(), v.origin) == v.region);
  // The monitor's alarms belong to no named block; the alarms paydrc adds on a
  // failover's health checks and APIs belong to that failover.
  for (const infra::Alarm& a : ref.model.alarms)
    CHECK(block_scope(ref.system(), a.origin) == (a.spec_alarm.empty() ? "api" : ""));
}

}  // namespace
}  // namespace paydrc::policies::testing
