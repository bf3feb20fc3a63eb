#include "cost/estimate.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <stdexcept>

#include "engine/embedded.h"

namespace paydrc::policies {

const Price& PriceTable::at(std::string_view name) const {
  auto it = prices.find(name);
  if (it == prices.end()) throw std::out_of_range("price `" + std::string(name) + "` missing from prices/aws.yaml");
  return it->second;
}

PriceTable load_prices() {
  const EmbeddedFile* file = find_embedded("prices/aws.yaml");
  if (file == nullptr) throw std::runtime_error("prices/aws.yaml is not embedded");
  YAML::Node root = YAML::Load(std::string(file->text));
  PriceTable t;
  t.hours_per_month = root["hours_per_month"].as<double>();
  for (const auto& item : root["prices"]) {
    std::string name = item.first.as<std::string>();
    const YAML::Node& node = item.second;
    if (name == "aurora_instance_hour") {
      t.aurora_instance = {0, node["source"].as<std::string>(), node["as_of"].as<std::string>()};
      for (const auto& cls : node) {
        std::string key = cls.first.as<std::string>();
        if (key != "source" && key != "as_of") t.aurora_instance_hour[key] = cls.second.as<double>();
      }
      continue;
    }
    t.prices[name] = {node["price"].as<double>(), node["source"].as<std::string>(), node["as_of"].as<std::string>()};
  }
  return t;
}

namespace {

// Aurora prices scale with the size: xlarge is twice large, and so on.
double aurora_hourly(const PriceTable& t, const std::string& instance_class) {
  if (auto it = t.aurora_instance_hour.find(instance_class); it != t.aurora_instance_hour.end()) return it->second;
  std::string size = instance_class.substr(instance_class.rfind('.') + 1);
  double factor = 1;
  if (size == "xlarge")
    factor = 2;
  else if (size != "large")
    factor = std::max(1.0, 2.0 * std::atof(size.c_str()));
  return t.aurora_instance_hour.at("default_per_large") * factor;
}

}  // namespace

Estimate estimate_cost(const ir::System& s, const infra::Model& model, const PriceTable& t) {
  Estimate e;
  auto add = [&](std::string what, double quantity, std::string unit, const Price& price, SourceRange range,
                 double unit_price = -1) {
    double p = unit_price >= 0 ? unit_price : price.value;
    LineItem item{std::move(what), quantity, std::move(unit), p, quantity * p, price.source, range};
    e.total += item.monthly;
    e.items.push_back(std::move(item));
  };
  const double hours = t.hours_per_month;
  const double requests_m = static_cast<double>(s.workload.requests_per_month) / 1e6;
  const double storage = static_cast<double>(s.workload.storage_gb);

  for (const ir::Database& d : s.databases) {
    double clusters = 1.0 + static_cast<double>(d.readers.size());
    add(fmt::format("`{}` instances ({} x {} per region, {} regions)", d.name, d.instances, d.instance_class, clusters),
        d.instances * clusters * hours, "instance-hours", t.aurora_instance, d.origin.at("instance_class"),
        aurora_hourly(t, d.instance_class));
    add(fmt::format("`{}` storage in every region", d.name), storage * clusters, "GB-months",
        t.at("aurora_storage_gb_month"), d.origin.range);
    add(fmt::format("`{}` I/O (about 4 per request, replicated)", d.name), requests_m * 4 * clusters, "million I/Os",
        t.at("aurora_io_million"), d.origin.range);
  }
  for (const ir::Region& r : s.regions) {
    add(fmt::format("NAT gateways in `{}`", r.role), r.nat_gateways * hours, "gateway-hours", t.at("nat_gateway_hour"),
        r.origin.at("nat_gateways"));
    // Interface endpoints: an hourly fee per endpoint and zone (the per-GB fee is
    // not estimated).
    double endpoint_zones = 0;
    for (const infra::VpcEndpoint& v : model.vpc_endpoints) {
      if (v.region == r.role && v.interface) endpoint_zones += static_cast<double>(v.subnets.size());
    }
    if (endpoint_zones > 0) {
      add(fmt::format("interface endpoints in `{}` (endpoint x zone)", r.role), endpoint_zones * hours,
          "endpoint-hours", t.at("vpc_interface_endpoint_hour"), r.origin.at("interface_endpoints"));
    }
    // What is deployed: each customer-managed key of the region (data, backups).
    const auto keys = std::count_if(model.keys.begin(), model.keys.end(),
                                    [&](const infra::Key& k) { return k.region == r.role; });
    if (keys > 0) {
      add(fmt::format("KMS keys in `{}`", r.role), static_cast<double>(keys), "keys", t.at("kms_key_month"),
          r.origin.range);
    }
  }
  for (const ir::Table& tb : s.tables) {
    double replicas = static_cast<double>(tb.replicas.size());
    add(fmt::format("`{}` writes (one per request)", tb.name), requests_m, "million writes",
        t.at("dynamodb_write_million"), tb.origin.range);
    add(fmt::format("`{}` replicated writes", tb.name), requests_m * std::max(0.0, replicas - 1), "million writes",
        t.at("dynamodb_replicated_write_million"), tb.origin.at("replicas"));
    add(fmt::format("`{}` reads (one per request)", tb.name), requests_m, "million reads",
        t.at("dynamodb_read_million"), tb.origin.range);
    add(fmt::format("`{}` storage in {} replicas", tb.name, tb.replicas.size()), storage * replicas, "GB-months",
        t.at("dynamodb_storage_gb_month"), tb.origin.range);
    if (tb.point_in_time_recovery) {
      add(fmt::format("`{}` PITR", tb.name), storage * replicas, "GB-months", t.at("dynamodb_pitr_gb_month"),
          tb.origin.at("point_in_time_recovery"));
    }
  }
  for (const ir::Function& f : s.functions) {
    // Requests are served by the primary region; assume 200 ms per invocation.
    double gb_seconds = requests_m * 1e6 * 0.2 * (f.memory_mb / 1024.0);
    add(fmt::format("`{}` compute (200 ms x {} MB per request)", f.name, f.memory_mb), gb_seconds, "GB-seconds",
        t.at("lambda_gb_second"), f.origin.at("memory"));
    add(fmt::format("`{}` invocations", f.name), requests_m, "million requests", t.at("lambda_request_million"),
        f.origin.range);
  }
  for (const ir::Failover& f : s.failovers) {
    if (f.front_door == ir::FrontDoor::RestApi) {
      add(fmt::format("`{}` REST API requests", f.name), requests_m, "million requests",
          t.at("rest_api_request_million"), f.origin.at("front_door"));
    } else {
      add(fmt::format("`{}` HTTP API requests", f.name), requests_m, "million requests",
          t.at("http_api_request_million"), f.origin.range);
    }
    // An existing zone is paid for already, by whoever delegated it.
    if (f.zone_mode == ir::ZoneMode::Create) {
      add(fmt::format("`{}` hosted zone", f.name), 1, "zones", t.at("route53_hosted_zone_month"),
          f.origin.at("zone_mode"));
    }
    add(fmt::format("`{}` health checks (one per region)", f.name), 2, "health checks",
        t.at("route53_health_check_month"), f.health_check.origin.range);
  }
  // AWS WAF, from the web ACLs the model deploys: each ACL and each of its rules
  // (an AWS managed rule group counts as one) by the month, and every request the
  // serving region's ACL inspects.
  if (!model.web_acls.empty()) {
    double rules = 0;
    for (const infra::WebAcl& w : model.web_acls) rules += static_cast<double>(w.managed_rule_groups.size()) + 1;
    add("AWS WAF web ACLs", static_cast<double>(model.web_acls.size()), "web ACLs", t.at("waf_web_acl_month"),
        model.web_acls.front().origin);
    add("AWS WAF rules (managed rule groups and rate limits)", rules, "rules", t.at("waf_rule_month"),
        model.web_acls.front().origin);
    add("AWS WAF requests inspected", requests_m, "million requests", t.at("waf_request_million"),
        model.web_acls.front().origin);
  }
  // paydrc's JWT authorizer in the serving region: at most one invocation per
  // request (API Gateway caches its answer per token for a few minutes), 100 ms.
  for (const infra::RestApi& api : model.rest_apis) {
    const bool serving = std::any_of(s.failovers.begin(), s.failovers.end(),
                                     [&](const ir::Failover& f) { return api.id == f.name + "_" + f.primary; });
    const infra::Function* fn = nullptr;
    for (const infra::Function& candidate : model.functions) {
      if (candidate.id == api.authorizer) fn = &candidate;
    }
    if (fn == nullptr || !serving) continue;
    add(fmt::format("`{}` invocations (at most one per request)", fn->id), requests_m, "million requests",
        t.at("lambda_request_million"), fn->origin);
    add(fmt::format("`{}` compute (100 ms x {} MB per request)", fn->id, fn->memory_mb),
        requests_m * 1e6 * 0.1 * (fn->memory_mb / 1024.0), "GB-seconds", t.at("lambda_gb_second"), fn->origin);
  }
  for (const ir::EventReplication& ev : s.events) {
    add(fmt::format("`{}` events (one per request, forwarded to {} region(s))", ev.name, ev.to.size()),
        requests_m * (1.0 + static_cast<double>(ev.to.size())), "million events", t.at("eventbridge_event_million"),
        ev.origin.range);
  }
  for (const ir::Backup& b : s.backups) {
    double tiers = static_cast<double>(b.covers.size());
    double copies = b.copy_to ? 2.0 : 1.0;
    double retained_days = static_cast<double>(b.retention) / 86400.0;
    // Incremental backups: about one full copy plus 2% change per retained day.
    double gb = storage * tiers * (1.0 + 0.02 * retained_days) * copies;
    add(fmt::format("`{}` recovery points ({} tiers{})", b.name, b.covers.size(), b.copy_to ? ", copied" : ""), gb,
        "GB-months", t.at("backup_storage_gb_month"), b.origin.at("retention"));
    if (b.copy_to) {
      add(fmt::format("`{}` cross-region copy transfer", b.name), storage * tiers * 0.02 * 30, "GB",
          t.at("cross_region_transfer_gb"), b.origin.at("copy_to"));
    }
  }
  // Each secret and each replica: Secrets Manager bills a replica as a secret of its own.
  for (const infra::Secret& secret : model.secrets) {
    add(fmt::format("secret `{}` and its {} replica(s)", secret.id, secret.replicas.size()),
        1.0 + static_cast<double>(secret.replicas.size()), "secrets", t.at("secret_month"), secret.origin);
  }
  // What is deployed: one per placement of each declared alarm plus the alarms
  // paydrc adds (health checks, API server errors).
  add("CloudWatch alarms", static_cast<double>(model.alarms.size()), "alarms", t.at("alarm_month"),
      s.monitor.origin.range.valid() ? s.monitor.origin.range : s.origin.range);
  add("CloudWatch dashboards", static_cast<double>(s.monitor.dashboards.size()), "dashboards", t.at("dashboard_month"),
      s.monitor.origin.range);
  return e;
}

std::string render_estimate(const Estimate& e) {
  std::string out;
  std::vector<const LineItem*> items;
  for (const LineItem& i : e.items) {
    if (i.monthly > 0.005) items.push_back(&i);
  }
  for (const LineItem* i : items) {
    out += fmt::format("  {:>10}  {}: {:.4g} {} x ${:.6g}\n", fmt::format("${:.2f}", i->monthly), i->what, i->quantity,
                       i->unit, i->unit_price);
  }
  out += fmt::format("  {:>10}  total per month\n", fmt::format("${:.2f}", e.total));
  return out;
}

}  // namespace paydrc::policies
