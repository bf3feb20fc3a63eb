#include "cloudformation/builder.h"

#include <cctype>
#include <stdexcept>

#include "lower/naming.h"

namespace paydrc::backends::cloudformation {

using infra::Attr;
using infra::Kind;

namespace {

std::string_view kind_suffix(Kind kind) {
  switch (kind) {
    case Kind::Vpc:
      return "Vpc";
    case Kind::Subnet:
      return "Subnet";
    case Kind::InternetGateway:
      return "InternetGateway";
    case Kind::ElasticIp:
      return "Eip";
    case Kind::NatGateway:
      return "NatGateway";
    case Kind::RouteTable:
      return "RouteTable";
    case Kind::SecurityGroup:
      return "SecurityGroup";
    case Kind::FlowLog:
      return "FlowLog";
    case Kind::Key:
      return "Key";
    case Kind::Role:
      return "Role";
    case Kind::LogGroup:
      return "LogGroup";
    case Kind::Topic:
      return "Topic";
    case Kind::TopicSubscription:
      return "Subscription";
    case Kind::Queue:
      return "Queue";
    case Kind::Secret:
      return "Secret";
    case Kind::DbSubnetGroup:
      return "DbSubnetGroup";
    case Kind::DbClusterParameterGroup:
      return "DbClusterParameterGroup";
    case Kind::GlobalCluster:
      return "GlobalCluster";
    case Kind::DbCluster:
      return "DbCluster";
    case Kind::DbInstance:
      return "DbInstance";
    case Kind::Table:
      return "Table";
    case Kind::Function:
      return "Function";
    case Kind::FunctionPermission:
      return "Permission";
    case Kind::HostedZone:
      return "HostedZone";
    case Kind::Certificate:
      return "Certificate";
    case Kind::HttpApi:
      return "Api";
    case Kind::ApiDomain:
      return "ApiDomain";
    case Kind::RestApi:
      return "RestApi";
    case Kind::RestApiDomain:
      return "RestDomain";
    case Kind::WebAcl:
      return "WebAcl";
    case Kind::ApiRecord:
      return "Record";
    case Kind::HealthCheck:
      return "HealthCheck";
    case Kind::FailoverRecord:
      return "Record";
    case Kind::EventBus:
      return "EventBus";
    case Kind::EventRule:
      return "EventRule";
    case Kind::BackupVault:
      return "BackupVault";
    case Kind::BackupPlan:
      return "BackupPlan";
    case Kind::BackupSelection:
      return "BackupSelection";
    case Kind::Alarm:
      return "Alarm";
    case Kind::Dashboard:
      return "Dashboard";
    case Kind::Parameter:
      return "Parameter";
    case Kind::VpcEndpoint:
      return "Endpoint";
  }
  return "Resource";
}

std::string_view attr_name(Attr attr) {
  switch (attr) {
    case Attr::Id:
      return "Id";
    case Attr::Arn:
      return "Arn";
    case Attr::Name:
      return "Name";
    case Attr::Endpoint:
      return "Endpoint";
    case Attr::ReaderEndpoint:
      return "ReaderEndpoint";
    case Attr::ClusterResourceId:
      return "ResourceId";
    case Attr::ExecutionArn:
      return "ExecutionArn";
    case Attr::ApiEndpoint:
      return "ApiEndpoint";
    case Attr::TargetDomain:
      return "TargetDomain";
    case Attr::TargetZoneId:
      return "TargetZoneId";
    case Attr::NameServers:
      return "NameServers";
    case Attr::StreamArn:
      return "StreamArn";
  }
  return "Id";
}

// The CloudFormation attribute (`Fn::GetAtt`) for a model attribute, or empty
// when `Ref` gives it; attributes CloudFormation does not return are composed
// in local_fragment.
std::string_view get_att(Kind kind, Attr attr) {
  switch (attr) {
    case Attr::Id:
      if (kind == Kind::BackupPlan) return "BackupPlanId";
      if (kind == Kind::ElasticIp) return "AllocationId";
      return "";
    case Attr::Arn:
      switch (kind) {
        case Kind::Topic:
        case Kind::TopicSubscription:  // Ref of a subscription is its ARN
        case Kind::Secret:
        case Kind::Certificate:
          return "";
        case Kind::DbCluster:
          return "DBClusterArn";
        case Kind::BackupVault:
          return "BackupVaultArn";
        case Kind::BackupPlan:
          return "BackupPlanArn";
        default:
          return "Arn";
      }
    case Attr::Name:
      switch (kind) {
        case Kind::EventBus:
          return "Name";
        case Kind::BackupVault:
          return "BackupVaultName";
        case Kind::Topic:
          return "TopicName";
        case Kind::Queue:
          return "QueueName";
        default:
          return "";
      }
    case Attr::Endpoint:
      return "Endpoint.Address";
    case Attr::ReaderEndpoint:
      return "ReadEndpoint.Address";
    case Attr::ClusterResourceId:
      return "DBClusterResourceId";
    case Attr::ExecutionArn:
      return "";
    case Attr::ApiEndpoint:
      return "ApiEndpoint";
    case Attr::TargetDomain:
      return "RegionalDomainName";
    case Attr::TargetZoneId:
      return "RegionalHostedZoneId";
    case Attr::NameServers:
      return "NameServers";
    case Attr::StreamArn:
      return "StreamArn";
  }
  return "";
}

// `${` in a literal would start a substitution: Fn::Sub writes it `${!`.
std::string escape_sub(const std::string& literal) {
  std::string out;
  for (std::size_t i = 0; i < literal.size(); ++i) {
    out += literal[i];
    if (literal[i] == '$' && i + 1 < literal.size() && literal[i + 1] == '{') {
      out += "{!";
      ++i;
    }
  }
  return out;
}

// ARNs written for the `aws` partition name it through AWS::Partition.
std::string with_partition(std::string sub) {
  constexpr std::string_view kArn = "arn:aws:";
  for (std::size_t at = sub.find(kArn); at != std::string::npos; at = sub.find(kArn, at + 1)) {
    sub.replace(at, kArn.size(), "arn:${AWS::Partition}:");
  }
  return sub;
}

bool names_partition(const std::string& literal) {
  return literal.find("arn:aws:") != std::string::npos;
}

// `${X}` -> Ref X, `${X.Y}` -> GetAtt [X, Y.Z], else Fn::Sub.
json fragment_value(const std::string& fragment) {
  if (fragment.size() > 3 && fragment.rfind("${", 0) == 0 && fragment.back() == '}' &&
      fragment.find("${", 2) == std::string::npos) {
    const std::string inner = fragment.substr(2, fragment.size() - 3);
    const std::size_t dot = inner.find('.');
    if (dot == std::string::npos) return json{{"Ref", inner}};
    return json{{"Fn::GetAtt", json::array({inner.substr(0, dot), inner.substr(dot + 1)})}};
  }
  return json{{"Fn::Sub", fragment}};
}

template <typename T>
void collect(std::map<Unit, const infra::Base*>& out, Kind kind, const std::vector<T>& items) {
  for (const T& item : items) out[{kind, item.id}] = &item;
}

std::map<Unit, const infra::Base*> unit_bases(const infra::Model& m) {
  std::map<Unit, const infra::Base*> out;
  collect(out, Kind::Vpc, m.vpcs);
  collect(out, Kind::Subnet, m.subnets);
  collect(out, Kind::InternetGateway, m.internet_gateways);
  collect(out, Kind::ElasticIp, m.elastic_ips);
  collect(out, Kind::NatGateway, m.nat_gateways);
  collect(out, Kind::RouteTable, m.route_tables);
  collect(out, Kind::SecurityGroup, m.security_groups);
  collect(out, Kind::FlowLog, m.flow_logs);
  collect(out, Kind::Key, m.keys);
  collect(out, Kind::Role, m.roles);
  collect(out, Kind::LogGroup, m.log_groups);
  collect(out, Kind::Topic, m.topics);
  collect(out, Kind::TopicSubscription, m.topic_subscriptions);
  collect(out, Kind::Queue, m.queues);
  collect(out, Kind::Secret, m.secrets);
  collect(out, Kind::DbSubnetGroup, m.db_subnet_groups);
  collect(out, Kind::DbClusterParameterGroup, m.db_parameter_groups);
  collect(out, Kind::GlobalCluster, m.global_clusters);
  collect(out, Kind::DbCluster, m.db_clusters);
  collect(out, Kind::DbInstance, m.db_instances);
  collect(out, Kind::Table, m.tables);
  collect(out, Kind::Function, m.functions);
  collect(out, Kind::FunctionPermission, m.function_permissions);
  collect(out, Kind::HostedZone, m.hosted_zones);
  collect(out, Kind::Certificate, m.certificates);
  collect(out, Kind::HttpApi, m.http_apis);
  collect(out, Kind::ApiDomain, m.api_domains);
  collect(out, Kind::RestApi, m.rest_apis);
  collect(out, Kind::RestApiDomain, m.rest_api_domains);
  collect(out, Kind::WebAcl, m.web_acls);
  collect(out, Kind::ApiRecord, m.api_records);
  collect(out, Kind::HealthCheck, m.health_checks);
  collect(out, Kind::FailoverRecord, m.failover_records);
  collect(out, Kind::EventBus, m.event_buses);
  collect(out, Kind::EventRule, m.event_rules);
  collect(out, Kind::BackupVault, m.backup_vaults);
  collect(out, Kind::BackupPlan, m.backup_plans);
  collect(out, Kind::BackupSelection, m.backup_selections);
  collect(out, Kind::Alarm, m.alarms);
  collect(out, Kind::Dashboard, m.dashboards);
  collect(out, Kind::Parameter, m.parameters);
  collect(out, Kind::VpcEndpoint, m.vpc_endpoints);
  return out;
}

}  // namespace

Builder::Builder(const infra::Model& model, const EmitOptions& options, Placement* placement)
    : model_(model), options_(options), placement_(placement), unit_base_(unit_bases(model)) {}

void Builder::retain_except_on_create(json& body) {
  body["DeletionPolicy"] = "RetainExceptOnCreate";
  body["UpdateReplacePolicy"] = "Retain";
}

std::string Builder::camel(const std::string& id) {
  return lower::camel_case(id);
}

std::string Builder::logical(Kind kind, const std::string& id) {
  std::string out = camel(id);
  const std::string_view suffix = kind_suffix(kind);
  if (out.size() < suffix.size() || out.compare(out.size() - suffix.size(), suffix.size(), suffix) != 0) {
    out += suffix;
  }
  return out;
}

void Builder::begin(Kind kind, const std::string& id) {
  current_ = {kind, id};
  auto it = unit_base_.find(current_);
  regions_[current_] = it == unit_base_.end() ? std::string() : it->second->region;
  edges_[current_];
}

std::size_t Builder::stack_of(const Unit& unit) const {
  if (!placement_) return 0;
  auto it = placement_->stack_of.find(unit);
  return it == placement_->stack_of.end() ? 0 : it->second;
}

std::size_t Builder::current_stack() const {
  return stack_of(current_);
}

json& Builder::document(std::size_t stack) {
  return placement_ && stack < placement_->stacks.size() ? placement_->stacks[stack].document : scratch_;
}

json& Builder::resource(const std::string& logical_id, std::string_view type) {
  if (placement_ != nullptr) resource_units_[current_stack()][logical_id] = current_;
  json& body = document(current_stack())["Resources"][logical_id];
  body["Type"] = std::string(type);
  return body;
}

SourceRange Builder::origin(const Unit& unit) const {
  auto it = unit_base_.find(unit);
  return it == unit_base_.end() ? SourceRange{} : it->second->origin;
}

std::map<Unit, std::size_t> Builder::resources_by_unit(std::size_t stack) const {
  std::map<Unit, std::size_t> out;
  auto it = resource_units_.find(stack);
  if (it == resource_units_.end()) return out;
  for (const auto& [logical_id, unit] : it->second) ++out[unit];
  return out;
}

void Builder::record(const Unit& target) {
  if (target != current_) edges_[current_].insert(target);
}

void Builder::depends_on(json& resource, Kind kind, const std::string& id, const std::string& part) {
  const Unit target{kind, id};
  record(target);
  if (stack_of(target) != current_stack()) return;  // the stack order sees to it
  resource["DependsOn"].push_back(logical(target) + part);
}

std::string Builder::local_fragment(Kind kind, const std::string& id, Attr attr) const {
  const std::string name = logical(kind, id);
  if (kind == Kind::LogGroup && attr == Attr::Arn) {
    // GetAtt Arn of a log group ends in `:*`; the model's ARNs (and IAM
    // statements appending `:*`) mean the group's own ARN.
    return "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${" + name + "}";
  }
  if ((kind == Kind::HttpApi || kind == Kind::RestApi) && attr == Attr::ExecutionArn) {
    return "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${" + name + "}";
  }
  const std::string_view att = get_att(kind, attr);
  return att.empty() ? "${" + name + "}" : "${" + name + "." + std::string(att) + "}";
}

json Builder::local_value(Kind kind, const std::string& id, Attr attr) const {
  if (attr == Attr::NameServers) {
    return json{{"Fn::Join", json::array({",", {{"Fn::GetAtt", json::array({logical(kind, id), "NameServers"})}}})}};
  }
  return fragment_value(local_fragment(kind, id, attr));
}

json Builder::suffix() {
  suffix_users_.insert(current_stack());
  return json{{"Ref", "EnvironmentSuffix"}};
}

json Builder::parameter(const std::string& name) {
  parameter_users_[current_stack()].insert(name);
  return json{{"Ref", name}};
}

std::set<std::string> Builder::parameters(std::size_t stack) const {
  auto it = parameter_users_.find(stack);
  return it == parameter_users_.end() ? std::set<std::string>{} : it->second;
}

std::string Builder::plain_condition(const infra::EnvLabel& label) {
  std::string name = "PlainName";
  json equals = json::array();
  for (const std::string& env : label.plain_in) {
    name += camel(env);
    equals.push_back({{"Fn::Equals", json::array({suffix(), env})}});
  }
  // Fn::Or takes 2 to 10 conditions; the checker allows at most 10 environments.
  const json definition = equals.size() == 1 ? equals.front() : json{{"Fn::Or", equals}};
  json& conditions = document(current_stack())["Conditions"];
  // `["prod-eu"]` and `["prod", "eu"]` would both be PlainNameProdEu.
  std::string unique = name;
  for (int n = 2; conditions.contains(unique) && conditions[unique] != definition; ++n) unique = name + std::to_string(n);
  conditions[unique] = definition;
  return unique;
}

// `-<suffix>`, or nothing in the environments that answer on the plain name.
json Builder::env_label(const infra::EnvLabel& label) {
  suffix();
  json labelled = {{"Fn::Sub", escape_sub(label.before) + "${EnvironmentSuffix}" + escape_sub(label.after)}};
  if (label.plain_in.empty()) return labelled;
  return json{{"Fn::If", json::array({plain_condition(label), "", labelled})}};
}

// A replicated secret's ARN is the primary's with the region replaced (Secrets
// Manager User Guide, "Replicate AWS Secrets Manager secrets across Regions"):
// `arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME-SUFFIX`, and secret
// names hold no colon, so the seventh field is the name with its random suffix.
json Builder::replica_value(const infra::Ref& r) const {
  if (r.kind != Kind::Secret || r.attr != Attr::Arn) throw std::logic_error("only secrets have replica ARNs");
  const json arn = local_value(r.kind, r.id, r.attr);
  return json{{"Fn::Sub", json::array({"arn:${AWS::Partition}:secretsmanager:" + r.replica_region +
                                           ":${AWS::AccountId}:secret:${NameWithSuffix}",
                                       {{"NameWithSuffix", {{"Fn::Select", json::array({6, {{"Fn::Split",
                                                                                             json::array({":", arn})}}})}}}}})}};
}

json Builder::stack_output(const infra::Ref& r) {
  const auto [kind, id, attr, replica_region] = r;
  const std::size_t producer = stack_of({kind, id});
  const std::size_t consumer = current_stack();
  std::string output = logical(kind, id) + std::string(attr_name(attr));
  if (!replica_region.empty()) output += camel(replica_region);  // ...ArnUsWest2
  Stack& from = placement_->stacks[producer];
  json& outputs = from.document["Outputs"];
  if (!outputs.contains(output)) {
    const std::string what = replica_region.empty() ? std::string(attr_name(attr))
                                                    : std::string(attr_name(attr)) + " in " + replica_region;
    outputs[output] = {{"Description", what + " of " + logical(kind, id) + ", read by later stacks"},
                       {"Value", replica_region.empty() ? local_value(kind, id, attr) : replica_value(r)}};
  }
  bool known = false;
  for (const Import& i : imports_)
    known = known || (i.consumer == consumer && i.producer == producer && i.output == output);
  if (!known) imports_.push_back({consumer, producer, output});
  suffix_users_.insert(consumer);
  return json{{"Fn::GetStackOutput",
               {{"StackName", {{"Fn::Sub", from.name + "-${EnvironmentSuffix}"}}},
                {"OutputName", output},
                {"Region", from.aws_region}}}};
}

json Builder::ref(Kind kind, const std::string& id, Attr attr) {
  const Unit target{kind, id};
  record(target);
  if (placement_ && stack_of(target) != current_stack()) return stack_output(infra::Ref{kind, id, attr});
  return local_value(kind, id, attr);
}

json Builder::ref(const infra::Ref& r) {
  if (r.replica_region.empty()) return ref(r.kind, r.id, r.attr);
  record({r.kind, r.id});
  if (placement_ && stack_of({r.kind, r.id}) != current_stack()) return stack_output(r);
  return replica_value(r);
}

json Builder::text(const infra::Text& text) {
  if (text.is_literal() && !names_partition(text.literal())) return text.literal();
  if (text.parts.size() == 1) {
    if (const auto* r = std::get_if<infra::Ref>(&text.parts.front())) return ref(*r);
  }
  bool remote = false;
  bool labelled = false;
  for (const auto& part : text.parts) {
    if (const auto* label = std::get_if<infra::EnvLabel>(&part)) labelled = labelled || !label->plain_in.empty();
    if (const auto* r = std::get_if<infra::Ref>(&part)) {
      record({r->kind, r->id});
      remote = remote || (placement_ && stack_of({r->kind, r->id}) != current_stack());
    }
  }
  if (!remote && labelled) {
    // Fn::If cannot sit inside an Fn::Sub string: it goes in the variable map.
    std::string sub;
    json variables = json::object();
    for (const auto& part : text.parts) {
      const auto* label = std::get_if<infra::EnvLabel>(&part);
      if (label != nullptr && !label->plain_in.empty()) {
        const std::string name = "EnvLabel" + std::to_string(variables.size() + 1);
        variables[name] = env_label(*label);
        sub += "${" + name + "}";
      } else {
        infra::Text piece;
        piece.append(part);
        sub += fragment(piece);
      }
    }
    return json{{"Fn::Sub", json::array({sub, variables})}};
  }
  if (!remote) return json{{"Fn::Sub", fragment(text)}};
  json parts = json::array();
  for (const auto& part : text.parts) {
    if (const auto* literal = std::get_if<std::string>(&part)) {
      if (!names_partition(*literal)) {
        parts.push_back(*literal);
        continue;
      }
      // "arn:aws:iam::" -> "arn:", AWS::Partition, ":iam::"
      std::string rest = *literal;
      for (std::size_t at = rest.find("arn:aws:"); at != std::string::npos; at = rest.find("arn:aws:")) {
        parts.push_back(rest.substr(0, at) + "arn:");
        parts.push_back(json{{"Ref", "AWS::Partition"}});
        rest = ":" + rest.substr(at + 8);
      }
      parts.push_back(rest);
    } else if (std::holds_alternative<infra::EnvSuffix>(part))
      parts.push_back(suffix());
    else if (const auto* label = std::get_if<infra::EnvLabel>(&part))
      parts.push_back(env_label(*label));
    else if (std::holds_alternative<infra::AccountId>(part))
      parts.push_back(json{{"Ref", "AWS::AccountId"}});
    else
      parts.push_back(ref(std::get<infra::Ref>(part)));
  }
  return json{{"Fn::Join", json::array({"", parts})}};
}

std::string Builder::fragment(const infra::Text& text) {
  std::string sub;
  for (const auto& part : text.parts) {
    if (const auto* literal = std::get_if<std::string>(&part)) {
      sub += with_partition(escape_sub(*literal));
    } else if (std::holds_alternative<infra::EnvSuffix>(part)) {
      suffix();
      sub += "${EnvironmentSuffix}";
    } else if (std::holds_alternative<infra::AccountId>(part)) {
      sub += "${AWS::AccountId}";
    } else if (const auto* label = std::get_if<infra::EnvLabel>(&part)) {
      // Only DNS names carry a label, and no fragment (dashboard body) names one.
      if (!label->plain_in.empty()) throw std::logic_error("an environment-dependent DNS name inside Fn::Sub text");
      suffix();
      sub += escape_sub(label->before) + "${EnvironmentSuffix}" + escape_sub(label->after);
    } else {
      const auto& r = std::get<infra::Ref>(part);
      if (!r.replica_region.empty()) throw std::logic_error("a replica's ARN inside Fn::Sub text");
      record({r.kind, r.id});
      sub += local_fragment(r.kind, r.id, r.attr);
    }
  }
  return sub;
}

json Builder::texts(const std::vector<infra::Text>& values) {
  json out = json::array();
  for (const infra::Text& t : values) out.push_back(text(t));
  return out;
}

json Builder::policy_document(const infra::PolicyDocument& doc) {
  json statements = json::array();
  for (const infra::Statement& s : doc.statements) {
    json st = {{"Sid", s.sid}, {"Effect", s.effect == infra::Effect::Deny ? "Deny" : "Allow"}, {"Action", s.actions}};
    json resources = texts(s.resources);
    st["Resource"] = resources.size() == 1 ? resources[0] : resources;
    for (const infra::Principal& p : s.principals) {
      json ids = texts(p.identifiers);
      // Anyone is the bare string "*" (IAM User Guide, "AWS JSON policy elements: Principal").
      if (p.type == "*") {
        st["Principal"] = "*";
        continue;
      }
      st["Principal"][p.type] = ids.size() == 1 ? ids[0] : ids;
    }
    for (const infra::Condition& c : s.conditions) {
      json values = texts(c.values);
      st["Condition"][c.test][c.variable] = values.size() == 1 ? values[0] : values;
    }
    statements.push_back(std::move(st));
  }
  return json{{"Version", "2012-10-17"}, {"Statement", statements}};
}

json Builder::name_tags(const infra::Text& name) {
  return json::array({{{"Key", "Name"}, {"Value", text(name)}}});
}

void Builder::output(const std::string& name, const std::string& description, const infra::Text& value) {
  if (!placement_) return;
  // An output goes with the first resource it names, a literal with the home stack.
  std::size_t stack = 0;
  for (std::size_t i = 0; i < placement_->stacks.size(); ++i) {
    if (placement_->stacks[i].stage == "main") stack = i;
  }
  json v = value.literal();
  // An existing zone is a stack parameter (front_door.cpp): the output goes with
  // the zone's failover records.
  if (value.parts.size() == 1) {
    const auto* r = std::get_if<infra::Ref>(&value.parts.front());
    for (const infra::HostedZone& z : model_.hosted_zones) {
      if (r == nullptr || r->kind != Kind::HostedZone || z.id != r->id || z.created) continue;
      for (const infra::FailoverRecord& rec : model_.failover_records) {
        if (rec.zone != z.id) continue;
        const Unit saved = current_;
        current_ = {Kind::FailoverRecord, rec.id};
        stack = current_stack();
        v = parameter(zone_parameter(z));
        current_ = saved;
        document(stack)["Outputs"][camel(name)] = {{"Description", description}, {"Value", v}};
        return;
      }
    }
  }
  for (const auto& part : value.parts) {
    if (const auto* r = std::get_if<infra::Ref>(&part)) {
      const Unit saved = current_;
      current_ = {r->kind, r->id};
      v = text(value);
      stack = current_stack();
      current_ = saved;
      break;
    }
  }
  document(stack)["Outputs"][camel(name)] = {{"Description", description}, {"Value", v}};
}

}  // namespace paydrc::backends::cloudformation
