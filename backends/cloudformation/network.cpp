// VPCs, subnets, gateways, routes, security groups and flow logs.
#include "cloudformation/builder.h"

namespace paydrc::backends::cloudformation {

using infra::Attr;
using infra::Kind;

namespace {

// `us-east-1a` -> `${AWS::Region}a`: the same zone, without the region written
// twice into a template that can only be deployed in that region.
json zone(const std::string& name, const std::string& aws_region) {
  if (name.size() > aws_region.size() && name.compare(0, aws_region.size(), aws_region) == 0) {
    return json{{"Fn::Sub", "${AWS::Region}" + name.substr(aws_region.size())}};
  }
  return name;
}

json rule_body(const infra::SecurityRule& r) {
  json body = {{"IpProtocol", r.protocol},
               {"FromPort", r.from_port},
               {"ToPort", r.to_port},
               {"Description", r.description}};
  if (r.cidr) body["CidrIp"] = *r.cidr;
  return body;
}

void emit_security_group(Builder& b, const infra::SecurityGroup& sg) {
  b.begin(Kind::SecurityGroup, sg.id);
  const std::string group = Builder::logical(Kind::SecurityGroup, sg.id);
  json ingress = json::array();
  json egress = json::array();
  for (const infra::SecurityRule& r : sg.rules) {
    if (!r.cidr) continue;
    (r.direction == infra::Direction::Ingress ? ingress : egress).push_back(rule_body(r));
  }
  if (egress.empty()) {
    // EC2 gives a new group an allow-all egress rule unless the template lists
    // egress rules; this one matches no traffic (the rule the AWS CDK writes for
    // `allowAllOutbound: false`), so the group allows no egress, as in Terraform.
    egress.push_back({{"IpProtocol", "icmp"},
                      {"FromPort", 252},
                      {"ToPort", 86},
                      {"CidrIp", "255.255.255.255/32"},
                      {"Description", "no egress: replaces the default allow-all rule"}});
  }
  json& body = b.resource(group, "AWS::EC2::SecurityGroup");
  body["Properties"] = {{"GroupName", b.text(sg.name)},
                        {"GroupDescription", sg.description},
                        {"VpcId", b.ref(Kind::Vpc, sg.vpc)},
                        {"SecurityGroupEgress", egress},
                        {"Tags", b.name_tags(sg.name)}};
  if (!ingress.empty()) body["Properties"]["SecurityGroupIngress"] = ingress;
  // Rules naming another group are resources of their own: two groups naming
  // each other inline would be a dependency cycle.
  for (const infra::SecurityRule& r : sg.rules) {
    if (!r.peer_group) continue;
    const bool in = r.direction == infra::Direction::Ingress;
    json& rule = b.resource(group + Builder::camel(r.id) + (in ? "Ingress" : "Egress"),
                            in ? "AWS::EC2::SecurityGroupIngress" : "AWS::EC2::SecurityGroupEgress");
    rule["Properties"] = rule_body(r);
    rule["Properties"]["GroupId"] = b.ref(Kind::SecurityGroup, sg.id);
    rule["Properties"][in ? "SourceSecurityGroupId" : "DestinationSecurityGroupId"] =
        b.ref(Kind::SecurityGroup, *r.peer_group);
  }
}

}  // namespace

void emit_network(Builder& b) {
  const infra::Model& m = b.model();
  for (const infra::Vpc& v : m.vpcs) {
    b.begin(Kind::Vpc, v.id);
    b.resource(Builder::logical(Kind::Vpc, v.id), "AWS::EC2::VPC")["Properties"] = {
        {"CidrBlock", v.cidr}, {"EnableDnsHostnames", true}, {"EnableDnsSupport", true}, {"Tags", b.name_tags(v.name)}};
  }
  for (const infra::Subnet& s : m.subnets) {
    b.begin(Kind::Subnet, s.id);
    json tags = b.name_tags(s.name);
    tags.push_back({{"Key", "Tier"}, {"Value", s.tier == infra::SubnetTier::Public ? "public" : "private"}});
    // Nothing is launched with a public address: NAT gateways get Elastic IPs.
    b.resource(Builder::logical(Kind::Subnet, s.id), "AWS::EC2::Subnet")["Properties"] = {
        {"VpcId", b.ref(Kind::Vpc, s.vpc)},
        {"CidrBlock", s.cidr},
        {"AvailabilityZone", zone(s.zone, m.region(s.region) ? m.region(s.region)->aws_region : "")},
        {"MapPublicIpOnLaunch", false},
        {"Tags", tags}};
  }
  for (const infra::InternetGateway& g : m.internet_gateways) {
    b.begin(Kind::InternetGateway, g.id);
    const std::string gateway = Builder::logical(Kind::InternetGateway, g.id);
    b.resource(gateway, "AWS::EC2::InternetGateway")["Properties"] = {{"Tags", b.name_tags(g.name)}};
    b.resource(gateway + "Attachment", "AWS::EC2::VPCGatewayAttachment")["Properties"] = {
        {"VpcId", b.ref(Kind::Vpc, g.vpc)}, {"InternetGatewayId", b.ref(Kind::InternetGateway, g.id)}};
  }
  for (const infra::ElasticIp& e : m.elastic_ips) {
    b.begin(Kind::ElasticIp, e.id);
    b.resource(Builder::logical(Kind::ElasticIp, e.id), "AWS::EC2::EIP")["Properties"] = {
        {"Domain", "vpc"}, {"Tags", b.name_tags(e.name)}};
  }
  for (const infra::NatGateway& n : m.nat_gateways) {
    b.begin(Kind::NatGateway, n.id);
    json& body = b.resource(Builder::logical(Kind::NatGateway, n.id), "AWS::EC2::NatGateway");
    body["Properties"] = {{"AllocationId", b.ref(Kind::ElasticIp, n.eip)},
                          {"SubnetId", b.ref(Kind::Subnet, n.subnet)},
                          {"Tags", b.name_tags(n.name)}};
    for (const infra::InternetGateway& g : m.internet_gateways) {
      if (g.region == n.region) b.depends_on(body, Kind::InternetGateway, g.id, "Attachment");
    }
  }
  for (const infra::RouteTable& rt : m.route_tables) {
    b.begin(Kind::RouteTable, rt.id);
    const std::string table = Builder::logical(Kind::RouteTable, rt.id);
    b.resource(table, "AWS::EC2::RouteTable")["Properties"] = {{"VpcId", b.ref(Kind::Vpc, rt.vpc)},
                                                               {"Tags", b.name_tags(rt.name)}};
    int n = 0;
    for (const infra::Route& r : rt.routes) {
      json& route =
          b.resource(table + (n++ == 0 ? std::string("Default") : "Route" + std::to_string(n)), "AWS::EC2::Route");
      route["Properties"] = {{"RouteTableId", b.ref(Kind::RouteTable, rt.id)}, {"DestinationCidrBlock", r.destination}};
      if (r.internet_gateway) {
        route["Properties"]["GatewayId"] = b.ref(Kind::InternetGateway, *r.internet_gateway);
        b.depends_on(route, Kind::InternetGateway, *r.internet_gateway, "Attachment");
      }
      if (r.nat_gateway) route["Properties"]["NatGatewayId"] = b.ref(Kind::NatGateway, *r.nat_gateway);
    }
    for (const std::string& subnet : rt.subnets) {
      b.resource(Builder::logical(Kind::Subnet, subnet) + "Routes",
                 "AWS::EC2::SubnetRouteTableAssociation")["Properties"] = {
          {"SubnetId", b.ref(Kind::Subnet, subnet)}, {"RouteTableId", b.ref(Kind::RouteTable, rt.id)}};
    }
  }
  for (const infra::SecurityGroup& sg : m.security_groups) emit_security_group(b, sg);
  for (const infra::FlowLog& f : m.flow_logs) {
    b.begin(Kind::FlowLog, f.id);
    json& body = b.resource(Builder::logical(Kind::FlowLog, f.id), "AWS::EC2::FlowLog");
    body["Properties"] = {
        {"ResourceId", b.ref(Kind::Vpc, f.vpc)},
        {"ResourceType", "VPC"},
        {"TrafficType", "ALL"},
        {"LogDestinationType", "cloud-watch-logs"},
        {"LogDestination", b.ref(Kind::LogGroup, f.log_group, Attr::Arn)},
        {"DeliverLogsPermissionArn", b.ref(Kind::Role, f.role, Attr::Arn)},
        {"MaxAggregationInterval", 60},
        {"Tags", b.name_tags(f.name)}};
    // Delivery starts with the flow log: its role may write from the first record.
    depend_on_role_policies(b, body, f.role);
  }
  for (const infra::VpcEndpoint& e : m.vpc_endpoints) {
    b.begin(Kind::VpcEndpoint, e.id);
    json& props = b.resource(Builder::logical(Kind::VpcEndpoint, e.id), "AWS::EC2::VPCEndpoint")["Properties"] = {
        {"VpcId", b.ref(Kind::Vpc, e.vpc)}, {"ServiceName", {{"Fn::Sub", "com.amazonaws.${AWS::Region}." + e.service}}}};
    if (e.interface) {
      json subnets = json::array();
      for (const std::string& s : e.subnets) subnets.push_back(b.ref(Kind::Subnet, s));
      json groups = json::array();
      for (const std::string& g : e.security_groups) groups.push_back(b.ref(Kind::SecurityGroup, g));
      props["VpcEndpointType"] = "Interface";
      props["SubnetIds"] = subnets;
      props["SecurityGroupIds"] = groups;
      props["PrivateDnsEnabled"] = true;
    } else {
      json tables = json::array();
      for (const std::string& rt : e.route_tables) tables.push_back(b.ref(Kind::RouteTable, rt));
      props["VpcEndpointType"] = "Gateway";
      props["RouteTableIds"] = tables;
    }
  }
}

}  // namespace paydrc::backends::cloudformation
