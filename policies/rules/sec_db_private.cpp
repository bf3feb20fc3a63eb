// SEC-DB-PRIVATE: databases live only in private subnets and admit no traffic from
// outside their VPC.
#include <algorithm>

#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {
namespace {

// Why subnet `id` is not private; "" when it is.
std::string subnet_problem(const infra::Model& m, const std::string& id) {
  const infra::Subnet* subnet = sec::find(m.subnets, id);
  if (subnet == nullptr) return fmt::format("names subnet `{}`, which the model does not define", id);
  if (subnet->tier == infra::SubnetTier::Public) return fmt::format("includes public subnet `{}`", id);
  for (const infra::RouteTable& table : m.route_tables) {
    if (std::find(table.subnets.begin(), table.subnets.end(), id) == table.subnets.end()) continue;
    for (const infra::Route& route : table.routes) {
      if (route.internet_gateway) {
        return fmt::format("includes subnet `{}`, whose route table `{}` routes {} to an internet gateway", id,
                           table.id, route.destination);
      }
    }
  }
  return {};
}

void check(const Context& ctx, Findings& out) {
  const infra::Model& m = ctx.model;
  const std::string hint = "databases belong in private subnets behind security groups that admit only the functions";
  for (const infra::DbCluster& c : m.db_clusters) {
    const infra::DbSubnetGroup* group = sec::find(m.db_subnet_groups, c.subnet_group);
    if (group == nullptr || group->subnets.empty()) {
      sec::report(ctx, out, c,
                  fmt::format("cluster `{}` has no subnet group of its own: RDS would place it in the "
                              "default VPC, whose subnets are public",
                              c.id),
                  hint);
    } else {
      for (const std::string& subnet : group->subnets) {
        std::string problem = subnet_problem(m, subnet);
        if (!problem.empty())
          sec::report(ctx, out, c, fmt::format("cluster `{}`: subnet group `{}` {}", c.id, group->id, problem), hint);
      }
    }
    // Ingress by address must stay inside the cluster's VPC; peers are named by security group.
    const infra::Vpc* vpc = nullptr;
    if (group != nullptr && !group->subnets.empty()) {
      if (const infra::Subnet* s = sec::find(m.subnets, group->subnets.front())) vpc = sec::find(m.vpcs, s->vpc);
    }
    for (const std::string& sg_id : c.security_groups) {
      const infra::SecurityGroup* sg = sec::find(m.security_groups, sg_id);
      if (sg == nullptr) continue;
      for (const infra::SecurityRule& rule : sg->rules) {
        if (rule.direction != infra::Direction::Ingress || !rule.cidr) continue;
        if (vpc != nullptr && sec::cidr_within(*rule.cidr, vpc->cidr)) continue;
        sec::report(ctx, out, c,
                    fmt::format("cluster `{}`: security group `{}` admits {} on ports {}-{} from outside its VPC", c.id,
                                sg->id, *rule.cidr, rule.from_port, rule.to_port),
                    hint);
      }
    }
  }
  for (const infra::DbInstance& i : m.db_instances) {
    if (!i.publicly_accessible) continue;
    sec::report(ctx, out, i, fmt::format("instance `{}` is publicly accessible", i.id), hint);
  }
}

}  // namespace

const Rule& sec_db_private() {
  static const Rule rule{
      {"SEC-DB-PRIVATE", "databases sit in private subnets and admit no traffic from outside their VPC",
       Category::Security, diag::Severity::Error,
       "a database reachable from the internet is one leaked password away from a breach; private subnets without "
       "an internet route and address-free security groups keep it reachable only from the functions",
       "Checkov CKV_AWS_17; PCI DSS v4.0 1.4.4"},
      check};
  return rule;
}

}  // namespace paydrc::policies::rules
