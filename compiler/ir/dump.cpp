#include "ir/dump.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace paydrc::dump {
namespace {

using Json = nlohmann::ordered_json;

std::string at(const SourceRange& r) {
  return fmt::format("{}:{}", r.begin.line, r.begin.column);
}

Json value_json(const ast::Value& v) {
  Json j;
  j["kind"] = ast::value_kind_name(v.kind);
  j["at"] = at(v.range);
  if (v.kind == ast::ValueKind::List) {
    Json items = Json::array();
    for (const auto& i : v.items) items.push_back(value_json(i));
    j["items"] = items;
  } else if (v.kind == ast::ValueKind::Map) {
    Json entries = Json::array();
    for (const auto& e : v.entries) entries.push_back(Json{{"key", e.key}, {"value", value_json(e.value)}});
    j["entries"] = entries;
  } else {
    j["text"] = v.text;
  }
  return j;
}

Json entry_json(const ast::Entry& e) {
  Json j;
  if (e.is_block()) {
    j["block"] = e.name;
    if (e.label) j["label"] = *e.label;
    j["at"] = at(e.range);
    Json body = Json::array();
    for (const auto& b : e.body) body.push_back(entry_json(b));
    j["body"] = body;
  } else {
    j["attribute"] = e.name;
    j["at"] = at(e.range);
    j["value"] = value_json(e.value);
  }
  return j;
}

std::string dur(ir::Seconds s) {
  if (s == 0) return "0s";
  const std::pair<ir::Seconds, const char*> units[] = {{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}};
  for (auto [size, name] : units) {
    if (s % size == 0) return fmt::format("{}{}", s / size, name);
  }
  return fmt::format("{}s", s);
}

Json objective_json(const ir::Objective& o) {
  return Json{{"rpo", dur(o.rpo)}, {"rto", dur(o.rto)}, {"at", at(o.origin.range)}};
}

const char* access_name(ir::AccessLevel l) {
  switch (l) {
    case ir::AccessLevel::Read:
      return "read";
    case ir::AccessLevel::Write:
      return "write";
    case ir::AccessLevel::ReadWrite:
      return "read_write";
    case ir::AccessLevel::ReadWriteDelete:
      return "read_write_delete";
    case ir::AccessLevel::Connect:
      return "connect";
    case ir::AccessLevel::Publish:
      return "publish";
  }
  return "read";
}

const char* key_type_name(ir::KeyType k) {
  switch (k) {
    case ir::KeyType::String:
      return "string";
    case ir::KeyType::Number:
      return "number";
    case ir::KeyType::Binary:
      return "binary";
  }
  return "string";
}

const char* stream_name(ir::StreamView s) {
  switch (s) {
    case ir::StreamView::None:
      return "off";
    case ir::StreamView::KeysOnly:
      return "keys_only";
    case ir::StreamView::NewImage:
      return "new_image";
    case ir::StreamView::OldImage:
      return "old_image";
    case ir::StreamView::NewAndOldImages:
      return "new_and_old_images";
  }
  return "off";
}

const char* protocol_name(ir::HealthCheckProtocol p) {
  switch (p) {
    case ir::HealthCheckProtocol::Https:
      return "https";
    case ir::HealthCheckProtocol::Http:
      return "http";
    case ir::HealthCheckProtocol::Tcp:
      return "tcp";
  }
  return "https";
}

}  // namespace

std::string ast_text(const ast::File& file) {
  Json blocks = Json::array();
  for (const auto& b : file.blocks) blocks.push_back(entry_json(b));
  return Json{{"blocks", blocks}}.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string ir_text(const ir::System& s) {
  Json j;
  j["system"] = s.name;
  if (!s.environment.empty()) {
    j["environment"] = s.environment;
    j["environments"] = s.environments;
  }
  j["packs"] = s.packs;
  j["budget"] = s.budget_cents ? Json(fmt::format("${}.{:02}", *s.budget_cents / 100, *s.budget_cents % 100)) : Json();

  Json objectives{{"base", objective_json(s.objectives.base)}};
  for (const auto& [scenario, o] : s.objectives.per_scenario) {
    objectives[std::string(ir::scenario_name(scenario))] = objective_json(o);
  }
  j["objectives"] = objectives;

  Json regions = Json::array();
  for (const auto& r : s.regions) {
    regions.push_back({{"role", r.role},
                       {"name", r.aws_region},
                       {"cidr", r.cidr.text()},
                       {"zones", r.zones},
                       {"nat_gateways", r.nat_gateways},
                       {"interface_endpoints", r.interface_endpoints},
                       {"at", at(r.origin.range)}});
  }
  j["regions"] = regions;

  Json databases = Json::array();
  for (const auto& d : s.databases) {
    databases.push_back({{"name", d.name},
                         {"kind", d.kind},
                         {"engine", d.engine},
                         {"engine_version", d.engine_version},
                         {"instance_class", d.instance_class},
                         {"instances", d.instances},
                         {"database_name", d.database_name},
                         {"writer", d.writer},
                         {"readers", d.readers},
                         {"failover", d.failover == ir::FailoverMode::Manual ? "manual" : "managed"},
                         {"operator_response", d.operator_response ? Json(dur(*d.operator_response)) : Json()},
                         {"backup_retention_days", d.backup_retention_days},
                         {"deletion_protection", d.deletion_protection},
                         {"iam_auth", d.iam_auth},
                         {"port", d.port},
                         {"monitoring_interval", d.monitoring_interval_seconds},
                         {"secret_rotation_days", d.secret_rotation_days},
                         {"at", at(d.origin.range)}});
    if (d.promoted) databases.back()["promoted"] = *d.promoted;  // only after a failover
  }
  j["databases"] = databases;

  Json tables = Json::array();
  for (const auto& t : s.tables) {
    tables.push_back({{"name", t.name},
                      {"kind", t.kind},
                      {"hash_key", t.hash_key},
                      {"hash_key_type", key_type_name(t.hash_key_type)},
                      {"range_key", t.range_key ? Json(*t.range_key) : Json()},
                      {"billing", t.billing == ir::Billing::OnDemand ? "on_demand" : "provisioned"},
                      {"point_in_time_recovery", t.point_in_time_recovery},
                      {"pitr_days", t.pitr_days},
                      {"stream", stream_name(t.stream)},
                      {"replicas", t.replicas},
                      {"ttl_attribute", t.ttl_attribute ? Json(*t.ttl_attribute) : Json()},
                      {"at", at(t.origin.range)}});
  }
  j["tables"] = tables;

  Json functions = Json::array();
  for (const auto& f : s.functions) {
    Json access = Json::array();
    for (const auto& g : f.access) access.push_back({{"target", g.target}, {"level", access_name(g.level)}});
    Json env = Json::object();
    for (const auto& [k, v] : f.environment) env[k] = v;
    functions.push_back({{"name", f.name},
                         {"runtime", f.runtime},
                         {"memory_mb", f.memory_mb},
                         {"timeout", dur(f.timeout)},
                         {"source", f.source},
                         {"source_in_project", f.source_resolved},
                         {"handler", f.handler},
                         {"regions", f.regions},
                         {"reserved_concurrency", f.reserved_concurrency},
                         {"tracing", f.tracing},
                         {"access", access},
                         {"environment", env},
                         {"at", at(f.origin.range)}});
  }
  j["functions"] = functions;

  Json failovers = Json::array();
  for (const auto& f : s.failovers) {
    failovers.push_back({{"name", f.name},
                         {"zone", f.zone},
                         {"record", f.record},
                         {"zone_mode", f.zone_mode == ir::ZoneMode::Create ? "create" : "existing"},
                         {"zone_id", f.zone_id},
                         {"plain_name_environments", f.plain_name_environments},
                         {"target", f.target},
                         {"front_door", f.front_door == ir::FrontDoor::HttpApi   ? "http_api"
                                       : f.front_door == ir::FrontDoor::RestApi ? "rest_api"
                                                                                : "function_url"},
                         {"primary", f.primary},
                         {"secondary", f.secondary},
                         {"ttl", dur(f.ttl)},
                         {"authorization", f.authorization == ir::ApiAuthorization::Jwt    ? "jwt"
                                           : f.authorization == ir::ApiAuthorization::None ? "none"
                                                                                            : "iam"},
                         {"jwt_issuer", f.jwt_issuer},
                         {"jwt_audience", f.jwt_audience},
                         {"health_check",
                          {{"interval", dur(f.health_check.interval)},
                           {"failure_threshold", f.health_check.failure_threshold},
                           {"path", f.health_check.path},
                           {"protocol", protocol_name(f.health_check.protocol)}}},
                         {"at", at(f.origin.range)}});
  }
  j["failovers"] = failovers;

  Json events = Json::array();
  for (const auto& e : s.events) {
    events.push_back(
        {{"name", e.name}, {"from", e.from}, {"to", e.to}, {"archive", e.archive}, {"at", at(e.origin.range)}});
  }
  j["events"] = events;

  Json backups = Json::array();
  for (const auto& b : s.backups) {
    backups.push_back({{"name", b.name},
                       {"schedule", b.schedule},
                       {"retention", dur(b.retention)},
                       {"copy_to", b.copy_to ? Json(*b.copy_to) : Json()},
                       {"copy_retention", dur(b.copy_retention)},
                       {"covers", b.covers},
                       {"at", at(b.origin.range)}});
  }
  j["backups"] = backups;

  Json alarms = Json::array();
  for (const auto& a : s.monitor.alarms) {
    bool seconds = a.metric == ir::Metric::ReplicationLag || a.metric == ir::Metric::Duration;
    alarms.push_back({{"name", a.name},
                      {"metric", ir::metric_name(a.metric)},
                      {"target", a.target},
                      {"threshold", seconds ? Json(dur(static_cast<ir::Seconds>(a.threshold))) : Json(a.threshold)},
                      {"period", dur(a.period)},
                      {"evaluation_periods", a.evaluation_periods},
                      {"at", at(a.origin.range)}});
  }
  Json dashboards = Json::array();
  for (const auto& d : s.monitor.dashboards) dashboards.push_back(d.region);
  Json notify = Json::array();
  for (const auto& n : s.monitor.notify) {
    static constexpr const char* kinds[] = {"email", "https", "sns_topic"};
    notify.push_back({{"kind", kinds[static_cast<int>(n.kind)]}, {"endpoint", n.endpoint}});
  }
  j["monitor"] = {{"dashboards", dashboards}, {"notify", notify}, {"alarms", alarms}};

  Json parameters = Json::array();
  for (const auto& p : s.parameters) {
    parameters.push_back({{"name", p.name},
                          {"path", p.path},
                          {"value",
                           {{"target", p.value.target},
                            {"output", p.value.output},
                            {"region", p.value.region ? Json(*p.value.region) : Json()}}},
                          {"secure", p.secure},
                          {"at", at(p.origin.range)}});
  }
  j["parameters"] = parameters;

  j["workload"] = {{"requests_per_month", s.workload.requests_per_month}, {"storage_gb", s.workload.storage_gb}};

  Json waivers = Json::array();
  for (const auto& w : s.waivers) {
    waivers.push_back({{"rule", w.rule},
                       {"reason", w.reason},
                       {"until", w.until.text()},
                       {"scope", w.scope ? Json(*w.scope) : Json()},
                       {"at", at(w.origin.range)}});
    if (!w.environments.empty()) waivers.back()["environments"] = w.environments;
  }
  j["waivers"] = waivers;

  Json measurements = Json::array();
  for (const auto& m : s.measurements) {
    measurements.push_back(
        {{"name", m.name}, {"seconds", m.seconds}, {"source", m.source}, {"at", at(m.origin.range)}});
  }
  j["measurements"] = measurements;
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace paydrc::dump
