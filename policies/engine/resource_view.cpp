#include "engine/resource_view.h"

#include <fmt/format.h>

#include <type_traits>
#include <utility>

namespace paydrc::policies {
namespace {

using Json = nlohmann::ordered_json;
using infra::Kind;

std::string_view attr_name(infra::Attr a) {
  switch (a) {
    case infra::Attr::Id:
      return "id";
    case infra::Attr::Arn:
      return "arn";
    case infra::Attr::Name:
      return "name";
    case infra::Attr::Endpoint:
      return "endpoint";
    case infra::Attr::ReaderEndpoint:
      return "reader_endpoint";
    case infra::Attr::ClusterResourceId:
      return "cluster_resource_id";
    case infra::Attr::ExecutionArn:
      return "execution_arn";
    case infra::Attr::ApiEndpoint:
      return "api_endpoint";
    case infra::Attr::TargetDomain:
      return "target_domain";
    case infra::Attr::TargetZoneId:
      return "target_zone_id";
    case infra::Attr::NameServers:
      return "name_servers";
    case infra::Attr::StreamArn:
      return "stream_arn";
  }
  return "id";
}

std::string_view kind_name(Kind k);

Json text(const infra::Text& t) {
  return render_text(t);
}

Json texts(const std::vector<infra::Text>& ts) {
  Json out = Json::array();
  for (const infra::Text& t : ts) out.push_back(render_text(t));
  return out;
}

Json strings(const std::vector<std::string>& ss) {
  Json out = Json::array();
  for (const std::string& s : ss) out.push_back(s);
  return out;
}

template <class T>
Json optional(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json text_map(const std::vector<std::pair<std::string, infra::Text>>& pairs) {
  Json out = Json::object();
  for (const auto& [name, value] : pairs) out[name] = render_text(value);
  return out;
}

Json document(const infra::PolicyDocument& doc) {
  Json statements = Json::array();
  for (const infra::Statement& s : doc.statements) {
    Json principals = Json::array();
    for (const infra::Principal& p : s.principals)
      principals.push_back({{"type", p.type}, {"identifiers", texts(p.identifiers)}});
    Json conditions = Json::array();
    for (const infra::Condition& c : s.conditions) {
      conditions.push_back({{"test", c.test}, {"variable", c.variable}, {"values", texts(c.values)}});
    }
    statements.push_back({{"sid", s.sid},
                          {"effect", s.effect == infra::Effect::Deny ? "Deny" : "Allow"},
                          {"actions", strings(s.actions)},
                          {"resources", texts(s.resources)},
                          {"principals", principals},
                          {"conditions", conditions},
                          {"wildcard_reason", s.wildcard_reason}});
  }
  return statements;
}

Json metric_dimensions(const std::vector<std::pair<std::string, infra::Text>>& dims) {
  return text_map(dims);
}

// --- one `attributes` overload per resource kind, fields in infra.h order -------

Json attributes(const infra::Vpc& r) {
  return {{"name", text(r.name)}, {"cidr", r.cidr}};
}

Json attributes(const infra::Subnet& r) {
  return {{"name", text(r.name)},
          {"vpc", r.vpc},
          {"cidr", r.cidr},
          {"zone", r.zone},
          {"tier", r.tier == infra::SubnetTier::Public ? "public" : "private"}};
}

Json attributes(const infra::InternetGateway& r) {
  return {{"name", text(r.name)}, {"vpc", r.vpc}};
}

Json attributes(const infra::ElasticIp& r) {
  return {{"name", text(r.name)}};
}

Json attributes(const infra::NatGateway& r) {
  return {{"name", text(r.name)}, {"subnet", r.subnet}, {"eip", r.eip}};
}

Json attributes(const infra::RouteTable& r) {
  Json routes = Json::array();
  for (const infra::Route& route : r.routes) {
    routes.push_back({{"destination", route.destination},
                      {"internet_gateway", optional(route.internet_gateway)},
                      {"nat_gateway", optional(route.nat_gateway)}});
  }
  return {{"name", text(r.name)}, {"vpc", r.vpc}, {"routes", routes}, {"subnets", strings(r.subnets)}};
}

Json attributes(const infra::SecurityGroup& r) {
  Json rules = Json::array();
  for (const infra::SecurityRule& s : r.rules) {
    rules.push_back({{"id", s.id},
                     {"direction", s.direction == infra::Direction::Ingress ? "ingress" : "egress"},
                     {"protocol", s.protocol},
                     {"from_port", s.from_port},
                     {"to_port", s.to_port},
                     {"cidr", optional(s.cidr)},
                     {"peer_group", optional(s.peer_group)},
                     {"description", s.description}});
  }
  return {{"name", text(r.name)}, {"description", r.description}, {"vpc", r.vpc}, {"rules", rules}};
}

Json attributes(const infra::FlowLog& r) {
  return {{"name", text(r.name)}, {"vpc", r.vpc}, {"log_group", r.log_group}, {"role", r.role}};
}

Json attributes(const infra::VpcEndpoint& r) {
  return {{"name", text(r.name)}, {"vpc", r.vpc}, {"service", r.service}, {"route_tables", r.route_tables}};
}

Json attributes(const infra::Key& r) {
  return {{"alias", text(r.alias)},
          {"description", r.description},
          {"rotation", r.rotation},
          {"deletion_window_days", r.deletion_window_days},
          {"policy", document(r.policy)}};
}

Json attributes(const infra::Role& r) {
  Json policies = Json::array();
  for (const infra::RolePolicy& p : r.policies)
    policies.push_back({{"name", p.name}, {"statements", document(p.document)}});
  return {{"name", text(r.name)},
          {"description", r.description},
          {"trusted_services", strings(r.trusted_services)},
          {"policies", policies},
          {"managed_policies", strings(r.managed_policies)}};
}

Json attributes(const infra::LogGroup& r) {
  return {{"name", text(r.name)}, {"retention_days", r.retention_days}, {"key", r.key}};
}

Json attributes(const infra::Topic& r) {
  return {{"name", text(r.name)}, {"key", r.key}, {"policy_statements", r.policy.statements.size()}};
}

Json attributes(const infra::TopicSubscription& r) {
  return {{"topic", r.topic}, {"protocol", r.protocol}, {"endpoint", r.endpoint}};
}

Json attributes(const infra::Queue& r) {
  return {{"name", text(r.name)},
          {"key", r.key},
          {"retention_seconds", r.retention_seconds},
          {"policy_statements", r.policy.statements.size()}};
}

Json attributes(const infra::Secret& r) {
  Json replicas = Json::array();
  for (const auto& [region, key] : r.replicas) replicas.push_back({{"aws_region", region}, {"key", key}});
  return {{"name", text(r.name)},
          {"description", r.description},
          {"key", r.key},
          {"replicas", replicas},
          {"username", r.username},
          {"password_length", r.password_length},
          {"exclude_characters", r.exclude_characters},
          {"version", r.version}};
}

Json attributes(const infra::DbSubnetGroup& r) {
  return {{"name", text(r.name)}, {"subnets", strings(r.subnets)}};
}

Json attributes(const infra::DbClusterParameterGroup& r) {
  Json parameters = Json::object();
  for (const auto& [name, value] : r.parameters) parameters[name] = value;
  return {{"name", text(r.name)}, {"family", r.family}, {"parameters", parameters}};
}

Json attributes(const infra::GlobalCluster& r) {
  return {{"identifier", text(r.identifier)},
          {"engine", r.engine},
          {"engine_version", r.engine_version},
          {"deletion_protection", r.deletion_protection}};
}

Json attributes(const infra::DbCluster& r) {
  return {{"identifier", text(r.identifier)},
          {"global_cluster", r.global_cluster},
          {"writer", r.writer},
          {"engine", r.engine},
          {"engine_version", r.engine_version},
          {"database_name", optional(r.database_name)},
          {"master_secret", optional(r.master_secret)},
          {"key", r.key},
          {"subnet_group", r.subnet_group},
          {"parameter_group", r.parameter_group},
          {"security_groups", strings(r.security_groups)},
          {"port", r.port},
          {"backup_retention_days", r.backup_retention_days},
          {"backup_window", r.backup_window},
          {"deletion_protection", r.deletion_protection},
          {"iam_auth", r.iam_auth},
          {"log_exports", strings(r.log_exports)},
          {"final_snapshot_identifier", text(r.final_snapshot_identifier)}};
}

Json attributes(const infra::DbInstance& r) {
  return {{"identifier", text(r.identifier)},   {"cluster", r.cluster},
          {"instance_class", r.instance_class}, {"engine", r.engine},
          {"engine_version", r.engine_version}, {"promotion_tier", r.promotion_tier}};
}

std::string_view key_kind(infra::KeyKind k) {
  switch (k) {
    case infra::KeyKind::String:
      return "S";
    case infra::KeyKind::Number:
      return "N";
    case infra::KeyKind::Binary:
      return "B";
  }
  return "S";
}

Json attributes(const infra::Table& r) {
  Json replicas = Json::array();
  for (const infra::TableReplica& rep : r.replicas)
    replicas.push_back({{"aws_region", rep.aws_region}, {"key", rep.key}});
  return {{"name", text(r.name)},
          {"hash_key", r.hash_key},
          {"hash_key_kind", key_kind(r.hash_key_kind)},
          {"range_key", optional(r.range_key)},
          {"range_key_kind", key_kind(r.range_key_kind)},
          {"on_demand", r.on_demand},
          {"point_in_time_recovery", r.point_in_time_recovery},
          {"pitr_days", r.pitr_days},
          {"stream_view", optional(r.stream_view)},
          {"key", r.key},
          {"replicas", replicas},
          {"ttl_attribute", optional(r.ttl_attribute)},
          {"deletion_protection", r.deletion_protection}};
}

Json attributes(const infra::Function& r) {
  return {{"name", text(r.name)},
          {"role", r.role},
          {"runtime", r.runtime},
          {"handler", r.handler},
          {"memory_mb", r.memory_mb},
          {"timeout_seconds", r.timeout_seconds},
          {"archive", r.archive},
          {"archive_sha256", r.archive_sha256},
          {"subnets", strings(r.subnets)},
          {"security_groups", strings(r.security_groups)},
          {"tracing", r.tracing},
          {"reserved_concurrency", r.reserved_concurrency},
          {"dead_letter_queue", r.dead_letter_queue},
          {"key", r.key},
          {"environment", text_map(r.environment)},
          {"log_group", r.log_group}};
}

Json attributes(const infra::FunctionPermission& r) {
  return {{"function", r.function}, {"principal", r.principal}, {"source_arn", text(r.source_arn)}};
}

Json attributes(const infra::HostedZone& r) {
  return {{"domain", r.domain}, {"created", r.created}, {"existing_id", r.existing_id}};
}

Json attributes(const infra::Certificate& r) {
  return {{"domain", text(r.domain)}, {"zone", r.zone}};
}

Json attributes(const infra::HttpApi& r) {
  Json routes = Json::array();
  for (const infra::ApiRoute& route : r.routes)
    routes.push_back({{"key", route.key},
                      {"authorization", route.auth == infra::RouteAuth::Jwt   ? "jwt"
                                        : route.auth == infra::RouteAuth::Iam ? "iam"
                                                                              : "none"}});
  Json jwt = nullptr;
  if (r.jwt) jwt = {{"issuer", r.jwt->issuer}, {"audience", r.jwt->audience}};
  return {{"name", text(r.name)},
          {"function", r.function},
          {"routes", routes},
          {"jwt", jwt},
          {"access_log_group", r.access_log_group},
          {"throttle_burst", r.throttle_burst},
          {"throttle_rate", r.throttle_rate}};
}

Json attributes(const infra::RestApi& r) {
  Json routes = Json::array();
  for (const infra::ApiRoute& route : r.routes)
    routes.push_back({{"key", route.key},
                      {"authorization", route.auth == infra::RouteAuth::Jwt   ? "jwt"
                                        : route.auth == infra::RouteAuth::Iam ? "iam"
                                                                              : "none"}});
  return {{"name", text(r.name)},
          {"function", r.function},
          {"routes", routes},
          {"authorizer", r.authorizer},
          {"stage", r.stage},
          {"access_log_group", r.access_log_group},
          {"web_acl", r.web_acl},
          {"tracing", r.tracing},
          {"throttle_burst", r.throttle_burst},
          {"throttle_rate", r.throttle_rate}};
}

Json attributes(const infra::RestApiDomain& r) {
  return {{"domain", text(r.domain)}, {"certificate", r.certificate}, {"api", r.api}};
}

Json attributes(const infra::WebAcl& r) {
  return {{"name", text(r.name)},
          {"managed_rule_groups", r.managed_rule_groups},
          {"rate_limit", r.rate_limit},
          {"log_group", r.log_group}};
}

Json attributes(const infra::ApiRecord& r) {
  return {{"zone", r.zone}, {"fqdn", text(r.fqdn)}, {"domain", r.domain}};
}

Json attributes(const infra::ApiDomain& r) {
  return {{"domain", text(r.domain)}, {"certificate", r.certificate}, {"api", r.api}};
}

Json attributes(const infra::HealthCheck& r) {
  return {{"name", text(r.name)},
          {"fqdn", text(r.fqdn)},
          {"protocol", r.protocol},
          {"port", r.port},
          {"path", r.path},
          {"interval_seconds", r.interval_seconds},
          {"failure_threshold", r.failure_threshold}};
}

Json attributes(const infra::FailoverRecord& r) {
  return {{"zone", r.zone},
          {"fqdn", text(r.fqdn)},
          {"primary", r.primary},
          {"set_identifier", r.set_identifier},
          {"health_check", r.health_check},
          {"api_domain", r.api_domain},
          {"rest", r.rest},
          {"intended_ttl_seconds", r.intended_ttl_seconds}};
}

Json attributes(const infra::EventBus& r) {
  return {{"name", text(r.name)}};
}

Json attributes(const infra::EventRule& r) {
  return {{"name", text(r.name)},       {"description", r.description},     {"bus", r.bus},
          {"pattern", text(r.pattern)}, {"target_bus", text(r.target_bus)}, {"role", r.role},
          {"dead_letter_queue", r.dead_letter_queue}, {"retry_attempts", r.retry_attempts},
          {"max_event_age_seconds", r.max_event_age_seconds}};
}

Json attributes(const infra::BackupVault& r) {
  return {{"name", text(r.name)}, {"key", r.key}, {"lock_min_retention_days", r.lock_min_retention_days},
          {"policy", document(r.policy)}};
}

Json attributes(const infra::BackupPlan& r) {
  Json rules = Json::array();
  for (const infra::BackupRule& rule : r.rules) {
    Json copies = Json::array();
    for (const infra::BackupCopy& c : rule.copies)
      copies.push_back({{"vault", c.vault}, {"delete_after_days", c.delete_after_days}});
    rules.push_back({{"name", rule.name},
                     {"schedule", rule.schedule},
                     {"vault", rule.vault},
                     {"delete_after_days", rule.delete_after_days},
                     {"copies", copies}});
  }
  return {{"name", text(r.name)}, {"rules", rules}};
}

Json attributes(const infra::BackupSelection& r) {
  Json tags = Json::object();
  for (const auto& [key, value] : r.tags) tags[key] = value;
  return {{"name", text(r.name)}, {"plan", r.plan}, {"role", r.role}, {"resources", texts(r.resources)}, {"tags", tags}};
}

Json attributes(const infra::Alarm& r) {
  Json queries = Json::array();
  for (const infra::MetricQuery& q : r.queries) {
    queries.push_back({{"id", q.id},
                       {"expression", q.expression},
                       {"metric_namespace", q.metric_namespace},
                       {"metric_name", q.metric_name},
                       {"dimensions", metric_dimensions(q.dimensions)},
                       {"statistic", q.statistic},
                       {"period", q.period},
                       {"return_data", q.return_data}});
  }
  return {{"name", text(r.name)},
          {"description", r.description},
          {"queries", queries},
          {"comparison", r.comparison},
          {"threshold", r.threshold},
          {"evaluation_periods", r.evaluation_periods},
          {"treat_missing_data", r.treat_missing_data},
          {"period", r.period},
          {"topic", r.topic},
          {"external_topics", strings(r.external_topics)},
          {"spec_alarm", r.spec_alarm},
          {"watches", r.watches ? Json(fmt::format("{}.{}", kind_name(r.watches->kind), r.watches->id)) : Json(nullptr)}};
}

Json attributes(const infra::Dashboard& r) {
  Json widgets = Json::array();
  for (const infra::Widget& w : r.widgets) {
    Json metrics = Json::array();
    for (const infra::WidgetMetric& m : w.metrics) {
      metrics.push_back({{"metric_namespace", m.metric_namespace},
                         {"metric_name", m.metric_name},
                         {"dimensions", metric_dimensions(m.dimensions)},
                         {"statistic", m.statistic}});
    }
    widgets.push_back({{"title", w.title}, {"aws_region", w.aws_region}, {"metrics", metrics}});
  }
  return {{"name", text(r.name)}, {"widgets", widgets}};
}

Json attributes(const infra::Parameter& r) {
  return {{"name", text(r.name)},
          {"value", text(r.value)},
          {"secure", r.secure},
          {"key", r.key},
          {"description", r.description}};
}

// --- the type table: one line per resource kind ---------------------------------

struct TypeEntry {
  Kind kind;
  std::string_view name;
  void (*collect)(const infra::Model&, std::string_view, std::vector<ResourceView>&);
  Json (*exemplar)();
};

template <auto Member>
TypeEntry entry(Kind kind, std::string_view name) {
  using Resource = typename std::remove_cvref_t<decltype(std::declval<const infra::Model&>().*Member)>::value_type;
  return {kind, name,
          [](const infra::Model& m, std::string_view type, std::vector<ResourceView>& out) {
            for (const Resource& r : m.*Member) out.push_back({type, r.id, r.region, r.origin, attributes(r)});
          },
          [] { return attributes(Resource{}); }};
}

const std::vector<TypeEntry>& type_table() {
  using M = infra::Model;
  static const std::vector<TypeEntry> table = {
      entry<&M::vpcs>(Kind::Vpc, "vpc"),
      entry<&M::subnets>(Kind::Subnet, "subnet"),
      entry<&M::internet_gateways>(Kind::InternetGateway, "internet_gateway"),
      entry<&M::elastic_ips>(Kind::ElasticIp, "elastic_ip"),
      entry<&M::nat_gateways>(Kind::NatGateway, "nat_gateway"),
      entry<&M::route_tables>(Kind::RouteTable, "route_table"),
      entry<&M::security_groups>(Kind::SecurityGroup, "security_group"),
      entry<&M::flow_logs>(Kind::FlowLog, "flow_log"),
      entry<&M::vpc_endpoints>(Kind::VpcEndpoint, "vpc_endpoint"),
      entry<&M::keys>(Kind::Key, "key"),
      entry<&M::roles>(Kind::Role, "role"),
      entry<&M::log_groups>(Kind::LogGroup, "log_group"),
      entry<&M::topics>(Kind::Topic, "topic"),
      entry<&M::topic_subscriptions>(Kind::TopicSubscription, "topic_subscription"),
      entry<&M::queues>(Kind::Queue, "queue"),
      entry<&M::secrets>(Kind::Secret, "secret"),
      entry<&M::db_subnet_groups>(Kind::DbSubnetGroup, "db_subnet_group"),
      entry<&M::db_parameter_groups>(Kind::DbClusterParameterGroup, "db_cluster_parameter_group"),
      entry<&M::global_clusters>(Kind::GlobalCluster, "global_cluster"),
      entry<&M::db_clusters>(Kind::DbCluster, "db_cluster"),
      entry<&M::db_instances>(Kind::DbInstance, "db_instance"),
      entry<&M::tables>(Kind::Table, "table"),
      entry<&M::functions>(Kind::Function, "function"),
      entry<&M::function_permissions>(Kind::FunctionPermission, "function_permission"),
      entry<&M::hosted_zones>(Kind::HostedZone, "hosted_zone"),
      entry<&M::certificates>(Kind::Certificate, "certificate"),
      entry<&M::http_apis>(Kind::HttpApi, "http_api"),
      entry<&M::api_domains>(Kind::ApiDomain, "api_domain"),
      entry<&M::rest_apis>(Kind::RestApi, "rest_api"),
      entry<&M::rest_api_domains>(Kind::RestApiDomain, "rest_api_domain"),
      entry<&M::web_acls>(Kind::WebAcl, "web_acl"),
      entry<&M::api_records>(Kind::ApiRecord, "api_record"),
      entry<&M::health_checks>(Kind::HealthCheck, "health_check"),
      entry<&M::failover_records>(Kind::FailoverRecord, "failover_record"),
      entry<&M::event_buses>(Kind::EventBus, "event_bus"),
      entry<&M::event_rules>(Kind::EventRule, "event_rule"),
      entry<&M::backup_vaults>(Kind::BackupVault, "backup_vault"),
      entry<&M::backup_plans>(Kind::BackupPlan, "backup_plan"),
      entry<&M::backup_selections>(Kind::BackupSelection, "backup_selection"),
      entry<&M::alarms>(Kind::Alarm, "alarm"),
      entry<&M::dashboards>(Kind::Dashboard, "dashboard"),
      entry<&M::parameters>(Kind::Parameter, "parameter"),
  };
  return table;
}

std::string_view kind_name(Kind k) {
  for (const TypeEntry& e : type_table()) {
    if (e.kind == k) return e.name;
  }
  return "resource";
}

bool contains(const SourceRange& block, SourceRange origin) {
  return block.valid() && origin.valid() && block.begin <= origin.begin && origin.begin < block.end;
}

}  // namespace

std::string render_text(const infra::Text& t) {
  std::string out;
  for (const infra::Text::Part& part : t.parts) {
    if (const auto* literal = std::get_if<std::string>(&part)) {
      out += *literal;
    } else if (std::holds_alternative<infra::EnvSuffix>(part)) {
      out += "${env}";
    } else if (const auto* label = std::get_if<infra::EnvLabel>(&part)) {
      // `${env}`, or `${env not in [prod]}` where some environments leave it out.
      std::string plain;
      for (const std::string& env : label->plain_in) plain += (plain.empty() ? "" : ", ") + env;
      out += label->before + (plain.empty() ? "${env}" : "${env not in [" + plain + "]}") + label->after;
    } else if (std::holds_alternative<infra::AccountId>(part)) {
      out += "${account}";
    } else if (const auto* ref = std::get_if<infra::Ref>(&part)) {
      out += fmt::format("${{{}.{}.{}}}", kind_name(ref->kind), ref->id, attr_name(ref->attr));
    }
  }
  return out;
}

std::vector<ResourceView> resource_views(const infra::Model& model) {
  std::vector<ResourceView> out;
  for (const TypeEntry& e : type_table()) e.collect(model, e.name, out);
  return out;
}

const std::vector<std::string_view>& resource_types() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const TypeEntry& e : type_table()) v.push_back(e.name);
    return v;
  }();
  return names;
}

const nlohmann::ordered_json& attribute_exemplar(std::string_view type) {
  static const std::vector<Json> exemplars = [] {
    std::vector<Json> v;
    for (const TypeEntry& e : type_table()) v.push_back(e.exemplar());
    return v;
  }();
  static const Json none = Json::object();
  const auto& table = type_table();
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (table[i].name == type) return exemplars[i];
  }
  return none;
}

namespace {

struct Block {
  std::string name;
  const ir::Origin* origin = nullptr;
};

template <class B, class Name>
bool find_in(const std::vector<B>& blocks, SourceRange origin, Name name, Block& out) {
  for (const B& b : blocks) {
    if (contains(b.origin.range, origin)) {
      out = {name(b), &b.origin};
      return true;
    }
  }
  return false;
}

Block find_block(const ir::System& system, SourceRange origin) {
  Block out;
  auto by_name = [](const auto& b) { return b.name; };
  find_in(
      system.regions, origin, [](const ir::Region& r) { return r.role; }, out) ||
      find_in(system.databases, origin, by_name, out) || find_in(system.tables, origin, by_name, out) ||
      find_in(system.functions, origin, by_name, out) || find_in(system.failovers, origin, by_name, out) ||
      find_in(system.events, origin, by_name, out) || find_in(system.backups, origin, by_name, out);
  return out;
}

}  // namespace

std::string block_scope(const ir::System& system, SourceRange origin) {
  return find_block(system, origin).name;
}

const ir::Origin* block_origin(const ir::System& system, SourceRange origin) {
  return find_block(system, origin).origin;
}

}  // namespace paydrc::policies
