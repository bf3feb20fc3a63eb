// VPCs, subnets, gateways, routes, security groups and flow logs.
#include "terraform/document.h"

namespace paydrc::backends::terraform {

using infra::Attr;
using infra::Kind;

void emit_network(Document& doc) {
  const infra::Model& m = doc.model();
  for (const infra::Vpc& v : m.vpcs) {
    doc.resource("aws_vpc", v.id, v.region) = {{"provider", "aws." + v.region},
                                               {"cidr_block", v.cidr},
                                               {"enable_dns_hostnames", true},
                                               {"enable_dns_support", true},
                                               {"tags", Document::name_tag(v.name)}};
  }
  for (const infra::Subnet& s : m.subnets) {
    json tags = Document::name_tag(s.name);
    tags["Tier"] = s.tier == infra::SubnetTier::Public ? "public" : "private";
    // Nothing is launched with a public address: NAT gateways get Elastic IPs.
    doc.resource("aws_subnet", s.id, s.region) = {
        {"provider", "aws." + s.region}, {"vpc_id", Document::ref(Kind::Vpc, s.vpc)}, {"cidr_block", s.cidr},
        {"availability_zone", s.zone},   {"map_public_ip_on_launch", false},          {"tags", tags}};
  }
  for (const infra::InternetGateway& g : m.internet_gateways) {
    doc.resource("aws_internet_gateway", g.id, g.region) = {{"provider", "aws." + g.region},
                                                            {"vpc_id", Document::ref(Kind::Vpc, g.vpc)},
                                                            {"tags", Document::name_tag(g.name)}};
  }
  for (const infra::ElasticIp& e : m.elastic_ips) {
    doc.resource("aws_eip", e.id, e.region) = {
        {"provider", "aws." + e.region}, {"domain", "vpc"}, {"tags", Document::name_tag(e.name)}};
  }
  for (const infra::NatGateway& n : m.nat_gateways) {
    std::vector<std::string> after;
    for (const infra::InternetGateway& g : m.internet_gateways) {
      if (g.region == n.region) after.push_back("aws_internet_gateway." + g.id);
    }
    doc.resource("aws_nat_gateway", n.id, n.region) = {{"provider", "aws." + n.region},
                                                       {"allocation_id", Document::ref(Kind::ElasticIp, n.eip)},
                                                       {"subnet_id", Document::ref(Kind::Subnet, n.subnet)},
                                                       {"tags", Document::name_tag(n.name)},
                                                       {"depends_on", after}};
  }
  for (const infra::RouteTable& rt : m.route_tables) {
    doc.resource("aws_route_table", rt.id, rt.region) = {{"provider", "aws." + rt.region},
                                                         {"vpc_id", Document::ref(Kind::Vpc, rt.vpc)},
                                                         {"tags", Document::name_tag(rt.name)}};
    for (const infra::Route& r : rt.routes) {
      json& route = doc.resource("aws_route", rt.id + "_default", rt.region);
      route["route_table_id"] = Document::ref(Kind::RouteTable, rt.id);
      route["destination_cidr_block"] = r.destination;
      if (r.internet_gateway) route["gateway_id"] = Document::ref(Kind::InternetGateway, *r.internet_gateway);
      if (r.nat_gateway) route["nat_gateway_id"] = Document::ref(Kind::NatGateway, *r.nat_gateway);
    }
    for (const std::string& subnet : rt.subnets) {
      doc.resource("aws_route_table_association", subnet, rt.region) = {
          {"provider", "aws." + rt.region},
          {"subnet_id", Document::ref(Kind::Subnet, subnet)},
          {"route_table_id", Document::ref(Kind::RouteTable, rt.id)}};
    }
  }
  for (const infra::SecurityGroup& sg : m.security_groups) {
    // No inline rules: Terraform removes the default allow-all egress rule of a
    // group it creates, and every rule below is its own resource.
    doc.resource("aws_security_group", sg.id, sg.region) = {{"provider", "aws." + sg.region},
                                                            {"name", Document::text(sg.name)},
                                                            {"description", sg.description},
                                                            {"vpc_id", Document::ref(Kind::Vpc, sg.vpc)},
                                                            {"tags", Document::name_tag(sg.name)}};
    for (const infra::SecurityRule& r : sg.rules) {
      const bool ingress = r.direction == infra::Direction::Ingress;
      json& rule = doc.resource(ingress ? "aws_vpc_security_group_ingress_rule" : "aws_vpc_security_group_egress_rule",
                                sg.id + "_" + r.id, sg.region);
      rule["security_group_id"] = Document::ref(Kind::SecurityGroup, sg.id);
      rule["ip_protocol"] = r.protocol;
      rule["from_port"] = r.from_port;
      rule["to_port"] = r.to_port;
      rule["description"] = r.description;
      if (r.cidr) rule["cidr_ipv4"] = *r.cidr;
      if (r.peer_group) rule["referenced_security_group_id"] = Document::ref(Kind::SecurityGroup, *r.peer_group);
    }
  }
  for (const infra::FlowLog& f : m.flow_logs) {
    doc.resource("aws_flow_log", f.id, f.region) = {
        {"provider", "aws." + f.region},
        {"vpc_id", Document::ref(Kind::Vpc, f.vpc)},
        {"traffic_type", "ALL"},
        {"log_destination_type", "cloud-watch-logs"},
        {"log_destination", Document::ref(Kind::LogGroup, f.log_group, Attr::Arn)},
        {"iam_role_arn", Document::ref(Kind::Role, f.role, Attr::Arn)},
        {"max_aggregation_interval", 60},
        {"tags", Document::name_tag(f.name)},
        // Delivery starts with the flow log: its role may write from the first record.
        {"depends_on", role_policy_attachments(m, f.role)}};
  }
  for (const infra::VpcEndpoint& e : m.vpc_endpoints) {
    const infra::RegionInfo* home = m.region(e.region);
    json& body = doc.resource("aws_vpc_endpoint", e.id, e.region) = {
        {"provider", "aws." + e.region},
        {"vpc_id", Document::ref(Kind::Vpc, e.vpc)},
        {"service_name", "com.amazonaws." + (home ? home->aws_region : e.region) + "." + e.service},
        {"tags", Document::name_tag(e.name)}};
    if (e.interface) {
      json subnets = json::array();
      for (const std::string& s : e.subnets) subnets.push_back(Document::ref(Kind::Subnet, s));
      json groups = json::array();
      for (const std::string& g : e.security_groups) groups.push_back(Document::ref(Kind::SecurityGroup, g));
      body["vpc_endpoint_type"] = "Interface";
      body["subnet_ids"] = subnets;
      body["security_group_ids"] = groups;
      body["private_dns_enabled"] = true;
    } else {
      json tables = json::array();
      for (const std::string& rt : e.route_tables) tables.push_back(Document::ref(Kind::RouteTable, rt));
      body["vpc_endpoint_type"] = "Gateway";
      body["route_table_ids"] = tables;
    }
  }
}

}  // namespace paydrc::backends::terraform
