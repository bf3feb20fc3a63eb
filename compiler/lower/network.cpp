// Per region: the VPC, its subnets carved across the zones, internet and NAT
// gateways, route tables, the security groups of functions and databases, and VPC
// flow logs to an encrypted log group.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "lower/context.h"

namespace paydrc::lower {
namespace {

using infra::Ref;
using infra::Text;

std::string zone_name(const ir::Region& region, int index) {
  return region.aws_region + static_cast<char>('a' + index);
}

std::string zone_letter(int index) {
  return std::string(1, static_cast<char>('a' + index));
}

std::string subnet_id(std::string_view role, infra::SubnetTier tier, int zone) {
  return fmt::format("{}_{}_{}", role, tier == infra::SubnetTier::Public ? "public" : "private", zone_letter(zone));
}

void lower_subnets_and_routes(Context& cx, const ir::Region& region) {
  const std::string& role = region.role;
  const std::string vpc = Context::vpc_id(role);
  infra::Model& m = cx.model;

  for (const CarvedSubnet& carved : carve_subnets(region.cidr, region.zones)) {
    infra::Subnet subnet;
    subnet.id = subnet_id(role, carved.tier, carved.zone_index);
    subnet.region = role;
    subnet.origin = region.origin.at("zones");
    subnet.name = cx.name(
        {carved.tier == infra::SubnetTier::Public ? "public" : "private", role, zone_letter(carved.zone_index)});
    subnet.vpc = vpc;
    subnet.cidr = carved.cidr.text();
    subnet.zone = zone_name(region, carved.zone_index);
    subnet.tier = carved.tier;
    m.subnets.push_back(std::move(subnet));
  }

  infra::InternetGateway igw;
  igw.id = role + "_igw";
  igw.region = role;
  igw.origin = region.origin.range;
  igw.name = cx.name({"igw", role});
  igw.vpc = vpc;
  m.internet_gateways.push_back(igw);

  // NAT gateways sit in the first `nat_gateways` zones' public subnets.
  const int nats = std::max(0, std::min(region.nat_gateways, region.zones));
  for (int i = 0; i < nats; ++i) {
    infra::ElasticIp eip;
    eip.id = fmt::format("{}_nat_{}", role, zone_letter(i));
    eip.region = role;
    eip.origin = region.origin.at("nat_gateways");
    eip.name = cx.name({"nat", role, zone_letter(i)});
    m.elastic_ips.push_back(eip);

    infra::NatGateway nat;
    nat.id = eip.id;
    nat.region = role;
    nat.origin = eip.origin;
    nat.name = eip.name;
    nat.subnet = subnet_id(role, infra::SubnetTier::Public, i);
    nat.eip = eip.id;
    m.nat_gateways.push_back(std::move(nat));
  }

  infra::RouteTable pub;
  pub.id = role + "_public";
  pub.region = role;
  pub.origin = region.origin.range;
  pub.name = cx.name({"public", role});
  pub.vpc = vpc;
  pub.routes.push_back({"0.0.0.0/0", igw.id, std::nullopt});
  for (int z = 0; z < region.zones; ++z) pub.subnets.push_back(subnet_id(role, infra::SubnetTier::Public, z));
  m.route_tables.push_back(std::move(pub));

  // One private route table per zone, so a zone uses its own NAT gateway where it
  // has one and shares the others' round-robin where the spec asks for fewer.
  for (int z = 0; z < region.zones; ++z) {
    infra::RouteTable priv;
    priv.id = fmt::format("{}_private_{}", role, zone_letter(z));
    priv.region = role;
    priv.origin = region.origin.at("nat_gateways");
    priv.name = cx.name({"private", role, zone_letter(z)});
    priv.vpc = vpc;
    if (nats > 0) {
      priv.routes.push_back({"0.0.0.0/0", std::nullopt, fmt::format("{}_nat_{}", role, zone_letter(z % nats))});
    }
    priv.subnets.push_back(subnet_id(role, infra::SubnetTier::Private, z));
    m.route_tables.push_back(std::move(priv));
  }
}

}  // namespace

infra::SecurityRule https_egress(std::string description) {
  infra::SecurityRule https;
  https.id = "https";
  https.direction = infra::Direction::Egress;
  https.from_port = https.to_port = 443;
  https.cidr = "0.0.0.0/0";
  https.description = std::move(description);
  return https;
}

namespace {

bool function_connects_to(const ir::Function& fn, const std::string& database) {
  for (const ir::Grant& grant : fn.access) {
    // `write` goes through the RDS Data API's HTTPS endpoint, not the database port.
    if (grant.target_kind == ir::TargetKind::Database && grant.level == ir::AccessLevel::Connect &&
        grant.target == database)
      return true;
  }
  return false;
}

// Functions reach AWS APIs over HTTPS through the NAT gateway and their databases
// on the database port. Databases accept the port from those functions only; no
// group admits traffic from 0.0.0.0/0.
void lower_security_groups(Context& cx, const ir::Region& region) {
  const std::string& role = region.role;
  for (const ir::Function& fn : cx.system.functions) {
    if (!runs_in(fn, role)) continue;
    infra::SecurityGroup sg;
    sg.id = Context::function_sg_id(fn.name, role);
    sg.region = role;
    sg.origin = fn.origin.range;
    sg.name = cx.name({fn.name, role});
    sg.description = fmt::format("function {}: HTTPS to AWS APIs, its databases", fn.name);
    sg.vpc = Context::vpc_id(role);
    sg.rules.push_back(https_egress("AWS APIs over HTTPS, through the NAT gateway or a gateway endpoint of the region"));
    for (const ir::Database& db : cx.system.databases) {
      const auto roles = cx.database_regions(db);
      if (!function_connects_to(fn, db.name) || std::find(roles.begin(), roles.end(), role) == roles.end()) continue;
      infra::SecurityRule rule;
      rule.id = db.name;
      rule.direction = infra::Direction::Egress;
      rule.from_port = rule.to_port = db.port;
      rule.peer_group = Context::database_sg_id(db.name, role);
      rule.description = fmt::format("database {}", db.name);
      sg.rules.push_back(rule);
    }
    cx.model.security_groups.push_back(std::move(sg));
  }

  for (const ir::Database& db : cx.system.databases) {
    const auto roles = cx.database_regions(db);
    if (std::find(roles.begin(), roles.end(), role) == roles.end()) continue;
    infra::SecurityGroup sg;
    sg.id = Context::database_sg_id(db.name, role);
    sg.region = role;
    sg.origin = db.origin.range;
    sg.name = cx.name({db.name, role});
    // AWS cannot change a group's description: a new one replaces the group, and
    // the replacement fails while the cluster uses it. So the text never follows
    // the port: groups on the engine's default port keep the text they were
    // created with, and a spec's own `port` gets one that names no number (moving
    // off the default replaces the group once; see `port` in docs/language.md).
    // EC2 refuses backticks in descriptions (compiler/validate checks the characters).
    const int engine_default = db.engine == "aurora-postgresql" ? 5432 : 3306;
    sg.description = db.port == engine_default
                         ? fmt::format("database {}: port {} from the functions granted connect", db.name, db.port)
                         : fmt::format("database {}: its port from the functions granted connect", db.name);
    sg.vpc = Context::vpc_id(role);
    for (const ir::Function& fn : cx.system.functions) {
      if (!runs_in(fn, role) || !function_connects_to(fn, db.name)) continue;
      infra::SecurityRule rule;
      rule.id = fn.name;
      rule.direction = infra::Direction::Ingress;
      rule.from_port = rule.to_port = db.port;
      rule.peer_group = Context::function_sg_id(fn.name, role);
      rule.description = fmt::format("function {}", fn.name);
      sg.rules.push_back(rule);
    }
    cx.model.security_groups.push_back(std::move(sg));
  }
}

void lower_flow_logs(Context& cx, const ir::Region& region) {
  const std::string& role = region.role;
  infra::LogGroup group;
  group.id = role + "_flow_logs";
  group.region = role;
  group.origin = region.origin.range;
  group.name = Text("/aws/vpc/") + cx.name({role}) + Text("/flow-logs");
  // PCI DSS 10.5.1: keep audit trail history for at least twelve months.
  group.retention_days = 365;
  group.key = Context::key_id(role);
  cx.model.log_groups.push_back(group);

  infra::Role iam;
  iam.id = role + "_flow_logs";
  iam.region = role;
  iam.origin = region.origin.range;
  iam.name = cx.name({"flow-logs", role});
  iam.description = fmt::format("VPC flow logs of {} to CloudWatch Logs", role);
  iam.trusted_services = {"vpc-flow-logs.amazonaws.com"};
  // Confused deputy: only this account's flow logs in this region (VPC User Guide,
  // "IAM role for publishing flow logs to CloudWatch Logs"; the flow log's id is
  // known only once it exists, and it names the role, hence the wildcard).
  iam.trust_conditions = {{"StringEquals", "aws:SourceAccount", {Text(infra::AccountId{})}},
                          {"ArnLike", "aws:SourceArn", {cx.arn("ec2", role, Text("vpc-flow-log/*"))}}};
  infra::Statement write;
  write.sid = "WriteFlowLogs";
  write.actions = {"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"};
  write.resources = {Text(Ref{infra::Kind::LogGroup, group.id, infra::Attr::Arn}) + Text(":*")};
  iam.policies.push_back({"flow-logs", {{write}}});
  cx.model.roles.push_back(iam);

  infra::FlowLog flow;
  flow.id = role;
  flow.region = role;
  flow.origin = region.origin.range;
  flow.name = cx.name({"flow-logs", role});
  flow.vpc = Context::vpc_id(role);
  flow.log_group = group.id;
  flow.role = iam.id;
  cx.model.flow_logs.push_back(std::move(flow));
}

}  // namespace

std::vector<CarvedSubnet> carve_subnets(const ir::Cidr& vpc, int zones) {
  // Equal blocks, the smallest power of two that holds a private and a public
  // subnet per zone: a /16 over three zones gives eight /19s, six used, two spare.
  std::vector<CarvedSubnet> out;
  if (zones <= 0) return out;
  int bits = 0;
  while ((1 << bits) < 2 * zones) ++bits;
  const int prefix = vpc.prefix + bits;
  if (prefix > 28) return out;  // AWS's smallest subnet is a /28; the checker rejects this
  const std::uint32_t size = std::uint32_t{1} << (32 - prefix);
  for (int slot = 0; slot < 2 * zones; ++slot) {
    ir::Cidr cidr{vpc.address + size * static_cast<std::uint32_t>(slot), prefix};
    const bool is_public = slot >= zones;
    out.push_back(
        {is_public ? slot - zones : slot, is_public ? infra::SubnetTier::Public : infra::SubnetTier::Private, cidr});
  }
  return out;
}

// DynamoDB through a gateway endpoint on every private route table of a region
// whose functions use a table: free, and the table path no longer needs the NAT
// gateway (or its zone).
void lower_gateway_endpoints(Context& cx, const ir::Region& region) {
  const std::string& role = region.role;
  const bool uses_tables = std::any_of(cx.system.functions.begin(), cx.system.functions.end(), [&](const ir::Function& fn) {
    return runs_in(fn, role) && std::any_of(fn.access.begin(), fn.access.end(), [](const ir::Grant& g) {
             return g.target_kind == ir::TargetKind::Table;
           });
  });
  if (!uses_tables) return;
  infra::VpcEndpoint endpoint;
  endpoint.id = role + "_dynamodb";
  endpoint.region = role;
  endpoint.origin = region.origin.range;
  endpoint.name = cx.name({"dynamodb", role});
  endpoint.vpc = Context::vpc_id(role);
  endpoint.service = "dynamodb";
  for (const infra::RouteTable& rt : cx.model.route_tables) {
    if (rt.region == role && rt.vpc == endpoint.vpc && rt.id != role + "_public") endpoint.route_tables.push_back(rt.id);
  }
  cx.model.vpc_endpoints.push_back(std::move(endpoint));
}


std::set<std::string> interface_services(const ir::System& system, const ir::Function& fn, std::string_view role) {
  std::set<std::string> out;
  for (const ir::Grant& g : fn.access) {
    switch (g.target_kind) {
      case ir::TargetKind::Database: {
        const ir::Database* db = system.database(g.target);
        // `write` is SQL through the RDS Data API of this region's cluster;
        // `connect` is the database port.
        const bool here = db && (db->writer == role ||
                                 std::find(db->readers.begin(), db->readers.end(), role) != db->readers.end());
        if (g.level == ir::AccessLevel::Write && here) out.insert("rds-data");
        break;
      }
      case ir::TargetKind::Events:
        if (system.event_bus(g.target)) out.insert("events");
        break;
      case ir::TargetKind::Parameters:
        if (!system.parameters.empty()) out.insert("ssm");
        break;
      case ir::TargetKind::Table:  // the gateway endpoint
        break;
    }
  }
  if (fn.tracing) out.insert("xray");
  return out;
}


// Interface endpoints in every private subnet for what the region's functions
// call, behind a group that admits HTTPS from the private subnets (where the
// functions run). By subnet, not by function group: a rule per function would
// run into EC2's quota of 60 inbound rules per group. With private DNS the SDK's
// usual endpoint names resolve to them: no code change, and the calls no longer
// need the NAT gateway or its zone.
void lower_interface_endpoints(Context& cx, const ir::Region& region) {
  const std::string& role = region.role;
  if (!region.interface_endpoints) return;
  std::set<std::string> services;
  for (const ir::Function& fn : cx.system.functions) {
    if (!runs_in(fn, role)) continue;
    const std::set<std::string> own = interface_services(cx.system, fn, role);
    services.insert(own.begin(), own.end());
  }
  if (services.empty()) return;

  infra::SecurityGroup sg;
  sg.id = role + "_endpoints_sg";
  sg.region = role;
  sg.origin = region.origin.at("interface_endpoints");
  if (!sg.origin.valid()) sg.origin = region.origin.range;
  sg.name = cx.name({"endpoints", role});
  sg.description = "interface endpoints: HTTPS from the private subnets";
  sg.vpc = Context::vpc_id(role);
  for (const infra::Subnet& subnet : cx.model.subnets) {
    if (subnet.region != role || subnet.tier != infra::SubnetTier::Private) continue;
    infra::SecurityRule rule;
    rule.id = subnet.id;
    rule.direction = infra::Direction::Ingress;
    rule.from_port = rule.to_port = 443;
    rule.cidr = subnet.cidr;
    rule.description = fmt::format("private subnet in {}", subnet.zone);
    sg.rules.push_back(rule);
  }
  const std::string sg_id = sg.id;
  cx.model.security_groups.push_back(std::move(sg));

  for (const std::string& service : services) {
    infra::VpcEndpoint endpoint;
    endpoint.id = role + "_" + service;
    std::replace(endpoint.id.begin(), endpoint.id.end(), '-', '_');
    endpoint.region = role;
    endpoint.origin = region.origin.at("interface_endpoints");
    if (!endpoint.origin.valid()) endpoint.origin = region.origin.range;
    endpoint.name = cx.name({service, role});
    endpoint.vpc = Context::vpc_id(role);
    endpoint.service = service;
    endpoint.interface = true;
    for (int z = 0; z < region.zones; ++z) endpoint.subnets.push_back(fmt::format("{}_private_{}", role, static_cast<char>('a' + z)));
    endpoint.security_groups = {sg_id};
    cx.model.vpc_endpoints.push_back(std::move(endpoint));
  }
}

void lower_network(Context& cx) {
  for (const ir::Region& region : cx.system.regions) {
    infra::Vpc vpc;
    vpc.id = Context::vpc_id(region.role);
    vpc.region = region.role;
    vpc.origin = region.origin.at("cidr");
    vpc.name = cx.name({region.role});
    vpc.cidr = region.cidr.text();
    cx.model.vpcs.push_back(std::move(vpc));
    lower_subnets_and_routes(cx, region);
    lower_security_groups(cx, region);
    lower_flow_logs(cx, region);
    lower_gateway_endpoints(cx, region);
    lower_interface_endpoints(cx, region);
  }
}

}  // namespace paydrc::lower
