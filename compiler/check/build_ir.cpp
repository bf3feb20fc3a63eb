#include "check/build_ir.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include "check/aws_data.h"
#include "check/runtimes.h"
#include "check/schedule.h"
#include "check/suggest.h"
#include "check/values.h"
#include "diagnostics/render.h"

namespace paydrc::check {
namespace {

std::vector<std::string> names_of(const std::vector<Named>& items) {
  std::vector<std::string> out;
  for (const Named& n : items) out.push_back(n.text);
  return out;
}

class Builder {
 public:
  Builder(const Options& options, diag::Sink& sink) : options_(options), sink_(sink) {}

  ir::System build(const Instance& root) {
    ir::System sys;
    sys.name = root.label;
    sys.origin = root.origin();
    if (auto* v = root.get("packs")) sys.packs = names_of(v->items);
    if (auto* v = root.get("budget")) sys.budget_cents = v->number;

    for (const Instance& c : root.children) {
      if (c.kind == "objectives")
        sys.objectives = objectives(c);
      else if (c.kind == "region")
        sys.regions.push_back(region(c));
      else if (c.kind == "database")
        sys.databases.push_back(database(c));
      else if (c.kind == "table")
        sys.tables.push_back(table(c));
      else if (c.kind == "function")
        sys.functions.push_back(function(c));
      else if (c.kind == "failover")
        sys.failovers.push_back(failover(c));
      else if (c.kind == "events")
        sys.events.push_back(events(c));
      else if (c.kind == "backup")
        sys.backups.push_back(backup(c));
      else if (c.kind == "monitor")
        sys.monitor = monitor(c);
      else if (c.kind == "parameter")
        sys.parameters.push_back(parameter(c));
      else if (c.kind == "workload")
        sys.workload = workload(c);
      else if (c.kind == "waive")
        sys.waivers.push_back(waiver(c));
      else if (c.kind == "measured")
        sys.measurements.push_back(measurement(c));
    }
    // `write` is a level of tables and databases alike: the block it names decides.
    for (ir::Function& f : sys.functions) {
      for (ir::Grant& g : f.access) {
        if (sys.database(g.target) != nullptr) g.target_kind = ir::TargetKind::Database;
      }
    }
    cross_checks(sys);
    return sys;
  }

 private:
  static std::int64_t num(const Instance& i, std::string_view name, std::int64_t fallback = 0) {
    const TypedValue* v = i.get(name);
    return v != nullptr ? v->number : fallback;
  }
  static std::string str(const Instance& i, std::string_view name) {
    const TypedValue* v = i.get(name);
    return v != nullptr ? v->text : std::string();
  }
  static bool flag(const Instance& i, std::string_view name, bool fallback) {
    const TypedValue* v = i.get(name);
    return v != nullptr ? v->flag : fallback;
  }
  static std::vector<std::string> list(const Instance& i, std::string_view name) {
    const TypedValue* v = i.get(name);
    return v != nullptr ? names_of(v->items) : std::vector<std::string>();
  }

  diag::Diagnostic& report(diag::Kind kind, SourceRange range, std::string message, std::string hint = {}) {
    return sink_.report(kind, range, std::move(message), std::move(hint));
  }

  ir::Objectives objectives(const Instance& c) {
    ir::Objectives o;
    o.base = {num(c, "rpo"), num(c, "rto"), c.origin()};
    static const std::pair<std::string_view, ir::Scenario> scenarios[] = {
        {"region_outage", ir::Scenario::RegionOutage},
        {"az_outage", ir::Scenario::AzOutage},
        {"logical_corruption", ir::Scenario::LogicalCorruption},
    };
    for (auto [name, scenario] : scenarios) {
      if (const Instance* s = c.child(name)) {
        ir::Objective obj = o.base;
        obj.origin = s->origin();
        if (s->get("rpo") != nullptr)
          obj.rpo = num(*s, "rpo");
        else
          obj.origin.attributes["rpo"] = o.base.origin.at("rpo");
        if (s->get("rto") != nullptr)
          obj.rto = num(*s, "rto");
        else
          obj.origin.attributes["rto"] = o.base.origin.at("rto");
        o.per_scenario[scenario] = obj;
      }
    }
    return o;
  }

  ir::Region region(const Instance& c) {
    ir::Region r;
    r.role = c.label;
    r.origin = c.origin();
    r.aws_region = str(c, "name");
    r.zones = static_cast<int>(num(c, "zones", 3));
    r.nat_gateways = static_cast<int>(num(c, "nat_gateways", 1));
    r.interface_endpoints = flag(c, "interface_endpoints", true);
    if (auto* v = c.get("cidr")) r.cidr = v->cidr;

    const AwsRegion* aws = nullptr;
    if (c.get("name") != nullptr) {
      aws = find_aws_region(r.aws_region);
      if (aws == nullptr) {
        std::vector<std::string> codes;
        for (const AwsRegion& a : aws_regions()) codes.emplace_back(a.code);
        std::string hint = did_you_mean(r.aws_region, codes);
        report(diag::Kind::InvalidRegion, c.range_of("name"),
               fmt::format("`{}` is not an AWS region", diag::printable(r.aws_region.substr(0, 80))),
               hint.empty() ? "use a region code such as `us-east-1` or `eu-west-1`" : hint);
      }
    }
    if (c.get("zones") != nullptr) {
      if (r.zones < 1) {
        report(diag::Kind::InvalidValue, c.range_of("zones"), "`zones` must be at least 1",
               "use 2 or more zones for a database subnet group");
      } else if (aws != nullptr && r.zones > aws->zones) {
        report(diag::Kind::TooManyZones, c.range_of("zones"),
               fmt::format("`{}` has {} availability zones, but {} are asked for", r.aws_region, aws->zones, r.zones),
               fmt::format("use `zones = {}` or fewer", aws->zones));
      }
    }
    if (c.get("nat_gateways") != nullptr && (r.nat_gateways < 0 || r.nat_gateways > r.zones)) {
      report(diag::Kind::InvalidValue, c.range_of("nat_gateways"),
             fmt::format("`nat_gateways` must be between 0 and the number of zones ({})", r.zones),
             "one NAT gateway per zone is the most that helps");
    }
    if (c.get("cidr") != nullptr) {
      // AWS allows VPC blocks from /16 to /28; every zone needs a public and a
      // private subnet of at least /28.
      int subnet_bits = 0;
      while ((1 << subnet_bits) < 2 * std::max(r.zones, 1)) ++subnet_bits;
      if (r.cidr.prefix < 16 || r.cidr.prefix > 28) {
        report(diag::Kind::InvalidCidr, c.range_of("cidr"),
               fmt::format("VPC block `{}` is outside AWS's /16 to /28 range", r.cidr.text()),
               "use a /16 such as `10.0.0.0/16`");
      } else if (r.cidr.prefix + subnet_bits > 28) {
        report(diag::Kind::InvalidCidr, c.range_of("cidr"),
               fmt::format("`{}` is too small for {} subnets (a public and a private one per zone)", r.cidr.text(),
                           2 * r.zones),
               fmt::format("use a /{} or larger", 28 - subnet_bits));
      }
    }
    return r;
  }

  ir::Database database(const Instance& c) {
    ir::Database d;
    d.name = c.label;
    d.origin = c.origin();
    d.kind = str(c, "kind");
    d.engine = str(c, "engine");
    d.engine_version = str(c, "engine_version");
    d.instance_class = str(c, "instance_class");
    d.instances = static_cast<int>(num(c, "instances", 2));
    d.database_name = str(c, "database_name");
    d.writer = str(c, "writer");
    d.readers = list(c, "readers");
    d.failover = str(c, "failover") == "managed" ? ir::FailoverMode::Managed : ir::FailoverMode::Manual;
    if (c.get("operator_response") != nullptr) d.operator_response = num(c, "operator_response");
    d.deletion_protection = flag(c, "deletion_protection", true);
    // Without `port`, the engine's default, as every deployment so far has it:
    // changing the default would move the port of clusters that never asked.
    d.port = static_cast<int>(num(c, "port", d.engine == "aurora-postgresql" ? 5432 : 3306));
    d.monitoring_interval_seconds = static_cast<int>(num(c, "monitoring_interval", 60));
    const std::int64_t rotation = num(c, "secret_rotation", 30 * 86400);
    d.secret_rotation_days = static_cast<int>(rotation / 86400);
    std::int64_t retention = num(c, "backup_retention", 7 * 86400);
    d.backup_retention_days = static_cast<int>(retention / 86400);

    if (c.get("engine") != nullptr && c.get("engine_version") != nullptr) {
      bool known = false;
      std::vector<std::string> versions;
      for (const EngineFamily& f : aurora_engine_versions()) {
        if (f.engine == d.engine) {
          versions.emplace_back(f.version);
          known |= f.version == d.engine_version;
        }
      }
      if (!known) {
        report(diag::Kind::InvalidValue, c.range_of("engine_version"),
               fmt::format("`{}` is not a {} major version that Aurora global databases support",
                           diag::printable(d.engine_version.substr(0, 40)), d.engine),
               fmt::format("use one of `{}`", fmt::join(versions, "`, `")));
      }
    }
    if (c.get("instance_class") != nullptr) {
      std::string_view reason;
      if (!is_global_database_instance_class(d.engine, d.instance_class, &reason)) {
        report(diag::Kind::InvalidInstanceClass, c.range_of("instance_class"),
               fmt::format("`{}` cannot run an Aurora global database: {}",
                           diag::printable(d.instance_class.substr(0, 40)), reason),
               "use a memory-optimized class such as `db.r6g.large` or `db.r5.large`");
      }
    }
    if (c.get("instances") != nullptr && (d.instances < 1 || d.instances > 16)) {
      report(diag::Kind::InvalidValue, c.range_of("instances"),
             fmt::format("an Aurora cluster has 1 to 16 instances, not {}", d.instances),
             "use 2 so a zone outage fails over to a replica");
    }
    // Aurora: "Valid Values: 1150-65535" (RDS API reference, CreateDBCluster Port).
    if (c.get("port") != nullptr && (d.port < 1150 || d.port > 65535)) {
      report(diag::Kind::InvalidValue, c.range_of("port"),
             fmt::format("an Aurora cluster listens on a port from 1150 to 65535, not {}", d.port),
             d.engine == "aurora-postgresql" ? "use a port such as `5433`" : "use a port such as `3307`");
    }
    // RDS API reference, CreateDBInstance MonitoringInterval: "Valid Values: 0 | 1 |
    // 5 | 10 | 15 | 30 | 60".
    if (c.get("monitoring_interval") != nullptr) {
      constexpr int kIntervals[] = {0, 1, 5, 10, 15, 30, 60};
      if (std::find(std::begin(kIntervals), std::end(kIntervals), d.monitoring_interval_seconds) ==
          std::end(kIntervals)) {
        report(diag::Kind::InvalidValue, c.range_of("monitoring_interval"),
               fmt::format("Enhanced Monitoring samples every 1, 5, 10, 15, 30 or 60 seconds, not {}",
                           format_duration(d.monitoring_interval_seconds)),
               "use `60s`, or `0s` to turn it off");
      }
    }
    // Secrets Manager RotationRulesType AutomaticallyAfterDays: 1 to 1000 (Secrets
    // Manager API reference); paydrc's schedule is whole days.
    if (c.get("secret_rotation") != nullptr && rotation != 0 &&
        (rotation < 86400 || rotation % 86400 != 0 || rotation > 1000 * 86400)) {
      report(diag::Kind::InvalidValue, c.range_of("secret_rotation"),
             fmt::format("Secrets Manager rotates every 1 to 1000 whole days, not {}", format_duration(rotation)),
             "use `30d`, or `0s` to turn rotation off");
    }
    if (c.get("backup_retention") != nullptr) {
      if (retention < 86400 || retention % 86400 != 0 || retention > 35 * 86400) {
        report(diag::Kind::BackupRetention, c.range_of("backup_retention"),
               fmt::format("Aurora keeps automated backups 1 to 35 whole days, not {}", format_duration(retention)),
               "use a value such as `7d`");
      }
    }
    if (const TypedValue* bt = c.get("backtrack")) {
      auto& diag = report(diag::Kind::BacktrackOnGlobal, bt->range, "Aurora global databases do not support Backtrack",
                          "remove `backtrack`; point-in-time recovery (`backup_retention`, up to 35d) and AWS "
                          "Backup cover logical corruption");
      diag.notes.push_back({fmt::format("`{}` is an Aurora global database", d.name), c.range_of("kind")});
    }
    if (str(c, "failover") == "switchover") {
      report(diag::Kind::SwitchoverForOutage, c.range_of("failover"),
             "a switchover (`switchover-global-cluster`, or `failover-global-cluster` without `--allow-data-loss`) "
             "needs a healthy primary region, so it cannot recover from losing it",
             "use `failover = manual` with `operator_response`: the outage runbook runs `failover-global-cluster "
             "--allow-data-loss`; keep switchovers for planned moves");
    }
    if (str(c, "failover") == "managed") {
      // Aurora never promotes a global secondary by itself (Aurora User Guide, "Recovering an Amazon Aurora
      // global database from an unplanned outage": the failover is started with failover-global-cluster), and
      // paydrc generates no automation that would: a budget without an operator would claim a promotion nothing
      // performs.
      report(diag::Kind::ManagedFailoverNotGenerated, c.range_of("failover"),
             "Aurora never promotes a global database secondary by itself, and paydrc generates no automation "
             "that would: `failover = managed` would claim a promotion nothing performs",
             "use `failover = manual` with `operator_response`; the runbook's promotion step is "
             "`failover-global-cluster --allow-data-loss`");
    }
    if (c.get("writer") != nullptr && std::find(d.readers.begin(), d.readers.end(), d.writer) != d.readers.end()) {
      report(diag::Kind::InvalidReplication, c.range_of("readers"),
             fmt::format("the writer region `{}` is also listed as a reader", d.writer),
             "readers are the other regions of the global database");
    } else if (c.get("readers") != nullptr && d.readers.empty()) {
      report(diag::Kind::InvalidReplication, c.range_of("readers"),
             "an Aurora global database needs at least one secondary region", "list a region in `readers`");
    }
    if (const TypedValue* promoted = c.get("promoted")) promotion(c, d, promoted->text);
    return d;
  }

  // `promoted` records where the writer went after a failover: only a reader's
  // cluster can have become the writer, and the creating region is `writer` itself.
  void promotion(const Instance& c, ir::Database& d, const std::string& promoted) {
    d.promoted = promoted;
    if (c.get("writer") != nullptr && promoted == d.writer) {
      auto& diag = report(diag::Kind::InvalidPromotion, c.range_of("promoted"),
                          fmt::format("`promoted` names `{}`, which already is the `writer` of database `{}`",
                                      promoted, d.name),
                          "after failing back to the writer's region, remove `promoted`");
      diag.notes.push_back({"the writer region", c.range_of("writer")});
      d.promoted.reset();
    } else if (c.get("readers") != nullptr &&
               std::find(d.readers.begin(), d.readers.end(), promoted) == d.readers.end()) {
      auto& diag = report(diag::Kind::InvalidPromotion, c.range_of("promoted"),
                          fmt::format("`promoted` names `{}`, which holds no cluster of database `{}` to promote",
                                      promoted, d.name),
                          d.readers.empty() ? std::string("list the promoted region in `readers`")
                                            : fmt::format("name the reader that became the writer: `{}`",
                                                          fmt::join(d.readers, "`, `")));
      diag.notes.push_back({"the database's readers", c.range_of("readers")});
      d.promoted.reset();
    }
  }

  ir::Table table(const Instance& c) {
    ir::Table t;
    t.name = c.label;
    t.origin = c.origin();
    t.kind = str(c, "kind");
    t.hash_key = str(c, "hash_key");
    t.hash_key_type = key_type(str(c, "hash_key_type"));
    if (c.get("range_key") != nullptr) t.range_key = str(c, "range_key");
    t.range_key_type = key_type(str(c, "range_key_type"));
    t.billing = str(c, "billing") == "provisioned" ? ir::Billing::Provisioned : ir::Billing::OnDemand;
    t.point_in_time_recovery = flag(c, "point_in_time_recovery", true);
    t.pitr_days = static_cast<int>(num(c, "pitr_days", 35));
    t.stream = stream_view(str(c, "stream"));
    t.replicas = list(c, "replicas");
    if (c.get("ttl_attribute") != nullptr) t.ttl_attribute = str(c, "ttl_attribute");

    if (c.get("pitr_days") != nullptr && (t.pitr_days < 1 || t.pitr_days > 35)) {
      report(diag::Kind::InvalidValue, c.range_of("pitr_days"),
             fmt::format("DynamoDB keeps point-in-time recovery 1 to 35 days, not {}", t.pitr_days), "use 35");
    }
    if (c.get("replicas") != nullptr && t.replicas.size() < 2) {
      report(diag::Kind::InvalidReplication, c.range_of("replicas"),
             "a DynamoDB global table needs replicas in at least two regions",
             "list the primary and the secondary region");
    }
    if (c.get("stream") != nullptr && t.stream != ir::StreamView::NewAndOldImages) {
      report(diag::Kind::InvalidReplication, c.range_of("stream"),
             "DynamoDB global tables replicate through a stream of new and old images",
             "use `stream = new_and_old_images`");
    }
    if (c.get("billing") != nullptr && t.billing == ir::Billing::Provisioned) {
      report(diag::Kind::InvalidValue, c.range_of("billing"),
             "provisioned capacity needs capacity and auto scaling settings paydrc does not model yet",
             "use `billing = on_demand`");
    }
    return t;
  }

  static ir::KeyType key_type(const std::string& s) {
    if (s == "number") return ir::KeyType::Number;
    if (s == "binary") return ir::KeyType::Binary;
    return ir::KeyType::String;
  }

  static ir::StreamView stream_view(const std::string& s) {
    if (s == "off") return ir::StreamView::None;
    if (s == "keys_only") return ir::StreamView::KeysOnly;
    if (s == "new_image") return ir::StreamView::NewImage;
    if (s == "old_image") return ir::StreamView::OldImage;
    return ir::StreamView::NewAndOldImages;
  }

  ir::Function function(const Instance& c) {
    ir::Function f;
    f.name = c.label;
    f.origin = c.origin();
    f.runtime = str(c, "runtime");
    f.memory_mb = static_cast<int>(num(c, "memory", 1024));
    f.timeout = num(c, "timeout", 30);
    f.source = str(c, "source");
    f.handler = str(c, "handler");
    f.regions = list(c, "regions");
    f.reserved_concurrency = static_cast<int>(num(c, "reserved_concurrency", 100));
    f.tracing = flag(c, "tracing", true);
    if (const TypedValue* env = c.get("environment")) {
      for (const auto& [key, value] : env->entries) {
        check_environment_key(key);
        f.environment[key.text] = value.text;
      }
    }
    if (const TypedValue* access = c.get("access")) {
      for (const auto& [key, value] : access->entries) {
        ir::Grant g;
        g.target = key.text;
        g.range = key.range;
        g.target_kind = key.text == "parameters" ? ir::TargetKind::Parameters : ir::TargetKind::Table;
        if (value.text == "read")
          g.level = ir::AccessLevel::Read;
        else if (value.text == "write")
          g.level = ir::AccessLevel::Write;
        else if (value.text == "read_write")
          g.level = ir::AccessLevel::ReadWrite;
        else if (value.text == "read_write_delete")
          g.level = ir::AccessLevel::ReadWriteDelete;
        else if (value.text == "connect")
          g.level = ir::AccessLevel::Connect, g.target_kind = ir::TargetKind::Database;
        else if (value.text == "publish")
          g.level = ir::AccessLevel::Publish, g.target_kind = ir::TargetKind::Events;
        f.access.push_back(g);
      }
    }

    if (c.get("runtime") != nullptr) check_runtime(f.runtime, c.range_of("runtime"));
    if (c.get("memory") != nullptr && (f.memory_mb < kLambdaMinMemoryMb || f.memory_mb > kLambdaMaxMemoryMb)) {
      report(diag::Kind::MemoryOutOfRange, c.range_of("memory"),
             fmt::format("Lambda memory is 128MB to 10GB (10240MB), not {}MB", f.memory_mb),
             "use a value such as `1GB`");
    }
    if (c.get("timeout") != nullptr && (f.timeout < 1 || f.timeout > kLambdaMaxTimeoutSeconds)) {
      report(diag::Kind::TimeoutOutOfRange, c.range_of("timeout"),
             fmt::format("Lambda timeout is 1s to 15m, not {}", format_duration(f.timeout)),
             "use a value such as `30s`; long work belongs in a queue or a state machine");
    }
    if (c.get("reserved_concurrency") != nullptr && f.reserved_concurrency < 0) {
      report(diag::Kind::InvalidValue, c.range_of("reserved_concurrency"), "`reserved_concurrency` cannot be negative");
    }
    if (c.get("handler") != nullptr) {
      std::size_t dot = f.handler.rfind('.');
      if (dot == std::string::npos || dot == 0 || dot + 1 == f.handler.size()) {
        report(diag::Kind::InvalidValue, c.range_of("handler"),
               fmt::format("handler `{}` is not `module.function`", diag::printable(f.handler.substr(0, 80))),
               "such as `index.handler`");
      }
    }
    if (c.get("source") != nullptr) check_source(f, c.range_of("source"));
    return f;
  }

  void check_environment_key(const Named& key) {
    static const std::set<std::string, std::less<>> contract = {"SESSIONS_TABLE", "TRANSACTIONS_TABLE",
                                                                "EVENT_BUS_NAME", "ENVIRONMENT_SUFFIX"};
    bool valid = !key.text.empty() && std::isalpha(static_cast<unsigned char>(key.text[0])) != 0 &&
                 std::all_of(key.text.begin(), key.text.end(),
                             [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == '_'; });
    if (!valid) {
      report(diag::Kind::InvalidValue, key.range,
             fmt::format("`{}` is not a valid environment variable name", diag::printable(key.text.substr(0, 80))),
             "use letters, digits and `_`, starting with a letter");
    } else if (key.text.starts_with("AWS_")) {
      report(diag::Kind::InvalidValue, key.range, fmt::format("`{}` is reserved by Lambda", key.text),
             "Lambda sets `AWS_*` variables itself");
    } else if (contract.contains(key.text)) {
      report(diag::Kind::InvalidValue, key.range, fmt::format("`{}` is set by paydrc", key.text),
             "paydrc sets the table and bus names from the spec; remove it");
    }
  }

  void check_runtime(const std::string& runtime, SourceRange range) {
    const RuntimeLifecycle* found = nullptr;
    std::vector<std::string> ids;
    for (const RuntimeLifecycle& r : lambda_runtimes()) {
      ids.emplace_back(r.id);
      if (r.id == runtime) found = &r;
    }
    if (found == nullptr) {
      std::string hint = did_you_mean(runtime, ids);
      report(diag::Kind::UnknownRuntime, range,
             fmt::format("`{}` is not a Lambda runtime", diag::printable(runtime.substr(0, 80))),
             hint.empty() ? "use a supported runtime such as `python3.13`" : hint);
      return;
    }
    std::string today = options_.today.text();
    if (today >= found->create_blocked) {
      auto& d = report(
          diag::Kind::RuntimeNotDeployable, range, fmt::format("AWS no longer lets new functions use `{}`", runtime),
          found->successor.empty() ? "use a supported runtime"
                                   : fmt::format("use `{}` (or another supported runtime)", found->successor));
      d.notes.push_back({fmt::format("`{}` was deprecated on {}; creating functions was blocked from {}, updating "
                                     "them from {} (AWS Lambda runtime lifecycle; today is {})",
                                     runtime, found->deprecated, found->create_blocked, found->update_blocked, today),
                         {}});
    }
  }

  void check_source(ir::Function& f, SourceRange range) {
    namespace fs = std::filesystem;
    fs::path source(f.source);
    if (f.source.empty() || source.is_absolute()) {
      report(diag::Kind::SourceOutsideProject, range,
             fmt::format("function source `{}` must be a path relative to the spec",
                         diag::printable(f.source.substr(0, 80))),
             "such as `\"../lambda\"`");
      return;
    }
    fs::path root = options_.project_root.lexically_normal();
    fs::path resolved = (options_.spec_dir / source).lexically_normal();
    fs::path relative = resolved.lexically_relative(root);
    if (relative.empty() || *relative.begin() == "..") {
      report(diag::Kind::SourceOutsideProject, range,
             fmt::format("function source `{}` leaves the project directory", diag::printable(f.source.substr(0, 80))),
             "keep function code inside the repository so the reviewed spec decides what is deployed");
      return;
    }
    std::string rel = relative.generic_string();
    while (rel.size() > 1 && rel.back() == '/') rel.pop_back();
    f.source_resolved = rel == "." ? std::string(".") : rel;
  }

  ir::Failover failover(const Instance& c) {
    ir::Failover f;
    f.name = c.label;
    f.origin = c.origin();
    f.zone = str(c, "zone");
    f.record = str(c, "record");
    f.zone_mode = str(c, "zone_mode") == "create" ? ir::ZoneMode::Create : ir::ZoneMode::Existing;
    f.zone_id = str(c, "zone_id");
    f.plain_name_environments = list(c, "plain_name_environments");
    check_names(c, f);
    f.target = str(c, "target");
    const std::string door = str(c, "front_door");
    f.front_door = door == "function_url" ? ir::FrontDoor::FunctionUrl
                   : door == "rest_api"   ? ir::FrontDoor::RestApi
                                          : ir::FrontDoor::HttpApi;
    f.waf_rate_limit = static_cast<int>(num(c, "waf_rate_limit", 2000));
    const TypedValue* rate = c.get("waf_rate_limit");
    const bool rate_written = rate != nullptr && !rate->from_default;
    if (rate_written && (f.waf_rate_limit < 10 || f.waf_rate_limit > 2000000000)) {
      report(diag::Kind::InvalidValue, c.range_of("waf_rate_limit"),
             fmt::format("an AWS WAF rate-based rule's limit is 10 to 2000000000 requests, not {}", f.waf_rate_limit),
             "use 2000 (requests per client IP in 5 minutes)");
    }
    if (rate_written && f.front_door != ir::FrontDoor::RestApi) {
      report(diag::Kind::InvalidValue, c.range_of("waf_rate_limit"),
             "`waf_rate_limit` needs `front_door = rest_api`: AWS WAF cannot attach to an HTTP API",
             "set `front_door = rest_api`, or remove `waf_rate_limit`");
    }
    f.primary = str(c, "primary");
    f.secondary = str(c, "secondary");
    f.ttl = num(c, "ttl", 60);
    const std::string auth = str(c, "authorization");
    f.authorization = auth == "none"  ? ir::ApiAuthorization::None
                      : auth == "iam" ? ir::ApiAuthorization::Iam
                                      : ir::ApiAuthorization::Jwt;
    f.jwt_issuer = str(c, "jwt_issuer");
    f.jwt_audience = list(c, "jwt_audience");
    check_authorization(c, f);
    if (const Instance* hc = c.child("health_check")) {
      f.health_check.origin = hc->origin();
      f.health_check.interval = num(*hc, "interval", 30);
      f.health_check.failure_threshold = static_cast<int>(num(*hc, "failure_threshold", 3));
      f.health_check.path = str(*hc, "path");
      std::string protocol = str(*hc, "protocol");
      f.health_check.protocol = protocol == "http"  ? ir::HealthCheckProtocol::Http
                                : protocol == "tcp" ? ir::HealthCheckProtocol::Tcp
                                                    : ir::HealthCheckProtocol::Https;
      if (hc->get("interval") != nullptr && f.health_check.interval != 10 && f.health_check.interval != 30) {
        report(diag::Kind::HealthCheckInterval, hc->range_of("interval"),
               fmt::format("Route 53 health checks run every 10s or 30s, not {}",
                           format_duration(f.health_check.interval)),
               "use `30s` (standard) or `10s` (fast, billed extra)");
      }
      if (hc->get("failure_threshold") != nullptr &&
          (f.health_check.failure_threshold < 1 || f.health_check.failure_threshold > 10)) {
        report(diag::Kind::FailureThreshold, hc->range_of("failure_threshold"),
               fmt::format("Route 53 failure thresholds are 1 to 10, not {}", f.health_check.failure_threshold),
               "use 3 (the default)");
      }
      if (hc->get("path") != nullptr && !f.health_check.path.starts_with('/')) {
        report(diag::Kind::InvalidValue, hc->range_of("path"), "a health-check path starts with `/`",
               "such as `\"/health\"`");
      }
    } else {
      f.health_check.origin.range = c.entry->name_range;
    }
    if (c.get("front_door") != nullptr && f.front_door == ir::FrontDoor::FunctionUrl) {
      report(diag::Kind::FunctionUrlFailover, c.range_of("front_door"),
             "Lambda function URLs cannot serve a custom domain: DNS failover to them answers HTTP 403",
             "use `front_door = rest_api` (AWS WAF in front) or `http_api`: an API Gateway regional custom "
             "domain with a certificate in each region, behind Route 53 failover alias records");
    }
    if (c.get("ttl") != nullptr && (f.ttl < 0 || f.ttl > 172800)) {
      report(diag::Kind::InvalidValue, c.range_of("ttl"), "a DNS TTL is 0s to 48h", "use `60s`");
    }
    if (c.get("primary") != nullptr && f.primary == f.secondary) {
      report(diag::Kind::InvalidReplication, c.range_of("secondary"), "failover needs two different regions",
             "set `secondary` to the standby region");
    }
    return f;
  }

  // The zone, the record and the environments that answer on the plain name. Each
  // environment's name is `<record>-<env>`, so the record's last label leaves room
  // for the longest suffix (16 characters and the hyphen) within DNS's 63.
  void check_names(const Instance& c, const ir::Failover& f) {
    static const std::regex label{"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"};
    auto labels_ok = [](const std::string& name) {
      if (name.empty() || name.size() > 253) return false;
      std::size_t start = 0;
      for (std::size_t dot = name.find('.'); ; dot = name.find('.', start)) {
        const std::string part = name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (!std::regex_match(part, label)) return false;
        if (dot == std::string::npos) return true;
        start = dot + 1;
      }
    };
    if (c.get("zone") != nullptr && (!labels_ok(f.zone) || f.zone.find('.') == std::string::npos)) {
      report(diag::Kind::InvalidValue, c.range_of("zone"),
             fmt::format("`{}` is not a domain name Route 53 can host", diag::printable(f.zone.substr(0, 80))),
             "write the zone in lowercase without a trailing dot, such as `\"payments.acme.com\"`");
    }
    if (!f.record.empty()) {
      const std::size_t last = f.record.rfind('.');
      const std::size_t tail = f.record.size() - (last == std::string::npos ? 0 : last + 1);
      if (!labels_ok(f.record)) {
        report(diag::Kind::InvalidValue, c.range_of("record"),
               fmt::format("`{}` is not a DNS record name", diag::printable(f.record.substr(0, 80))),
               "use lowercase letters, digits and hyphens, such as `\"api\"`");
      } else if (tail + 17 > 63) {
        report(diag::Kind::InvalidValue, c.range_of("record"),
               fmt::format("record `{}` leaves no room for the environment suffix in its 63-character label", f.record),
               "shorten it to at most 46 characters: each environment answers on `<record>-<env>`");
      }
    }
    if (!f.zone_id.empty()) {
      static const std::regex zone_id_rule{"Z[A-Z0-9]{1,32}"};
      if (f.zone_mode == ir::ZoneMode::Create) {
        report(diag::Kind::InvalidValue, c.range_of("zone_id"), "`zone_id` names an existing zone, but `zone_mode = create`",
               "remove `zone_id` to create the zone, or `zone_mode` to use the existing one");
      } else if (!std::regex_match(f.zone_id, zone_id_rule)) {
        report(diag::Kind::InvalidValue, c.range_of("zone_id"),
               fmt::format("`{}` is not a Route 53 hosted zone id", diag::printable(f.zone_id.substr(0, 80))),
               "copy the id from `aws route53 list-hosted-zones-by-name`, such as `\"Z0123456789ABCDEFGHIJ\"`");
      }
    }
    // The same rule as ENVIRONMENT_SUFFIX (backends/backend.h).
    static const std::regex suffix{"[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?"};
    if (f.plain_name_environments.size() > 10) {
      // CloudFormation's Fn::Or, which chooses the name, takes at most 10 conditions.
      report(diag::Kind::InvalidValue, c.range_of("plain_name_environments"),
             "at most 10 environments can answer on the plain name", "list the production environments only");
    }
    for (const std::string& env : f.plain_name_environments) {
      if (std::regex_match(env, suffix)) continue;
      report(diag::Kind::InvalidValue, c.range_of("plain_name_environments"),
             fmt::format("`{}` is not an environment suffix", diag::printable(env.substr(0, 80))),
             "list suffixes as ENVIRONMENT_SUFFIX spells them: 1 to 16 lowercase letters, digits or hyphens");
      break;
    }
  }

  // SigV4 signatures name a region: after DNS fails over, the other region answers
  // 403 to every signed request, and HTTP APIs do not accept SigV4A. A JWT
  // authorizer validates the same token in every region.
  void check_authorization(const Instance& c, const ir::Failover& f) {
    if (f.authorization == ir::ApiAuthorization::Iam) {
      report(diag::Kind::IamAuthorizationFailover, c.range_of("authorization"),
             "IAM (SigV4) authorization is region-scoped: after DNS failover the other region answers HTTP 403 to "
             "every signed request",
             "use `authorization = jwt` with `jwt_issuer` and `jwt_audience`: an HTTP API JWT authorizer accepts the "
             "same token in every region");
      return;
    }
    if (f.authorization != ir::ApiAuthorization::Jwt || c.failed_attribute("authorization")) return;
    if (c.get("jwt_issuer") == nullptr) {
      report(diag::Kind::MissingAttribute, c.entry->name_range,
             fmt::format("failover `{}` authorizes with JWT but names no `jwt_issuer`", f.name),
             "set `jwt_issuer = \"https://...\"` (your identity provider's issuer URL) and `jwt_audience`, or "
             "`authorization = none` to leave the API open");
    } else if (!f.jwt_issuer.starts_with("https://")) {
      report(diag::Kind::InvalidValue, c.range_of("jwt_issuer"), "a JWT issuer is an `https://` URL",
             "such as `\"https://auth.example.com/\"`: API Gateway fetches its OpenID configuration from there");
    }
    const bool listed = c.get("jwt_audience") != nullptr;
    if (!listed || f.jwt_audience.empty()) {
      report(listed ? diag::Kind::InvalidValue : diag::Kind::MissingAttribute,
             listed ? c.range_of("jwt_audience") : c.entry->name_range,
             fmt::format("failover `{}` authorizes with JWT but names no `jwt_audience`", f.name),
             "list the audiences (`aud`) the API accepts, such as `jwt_audience = [\"payments-api\"]`");
    }
  }

  ir::EventReplication events(const Instance& c) {
    ir::EventReplication e;
    e.name = c.label;
    e.origin = c.origin();
    e.from = str(c, "from");
    e.to = list(c, "to");
    e.archive = flag(c, "archive", false);
    if (c.get("to") != nullptr && c.get("from") != nullptr) {
      if (std::find(e.to.begin(), e.to.end(), e.from) != e.to.end()) {
        report(diag::Kind::InvalidReplication, c.range_of("to"),
               fmt::format("events cannot be replicated from `{}` to itself", e.from), "list the other regions");
      } else if (e.to.empty()) {
        report(diag::Kind::InvalidReplication, c.range_of("to"), "no region receives the events",
               "list at least one region");
      }
    }
    return e;
  }

  ir::Backup backup(const Instance& c) {
    ir::Backup b;
    b.name = c.label;
    b.origin = c.origin();
    b.schedule = str(c, "schedule");
    b.retention = num(c, "retention", 7 * 86400);
    if (c.get("copy_to") != nullptr) b.copy_to = str(c, "copy_to");
    b.copy_retention = c.get("copy_retention") != nullptr ? num(c, "copy_retention") : b.retention;
    b.covers = list(c, "covers");
    if (c.get("schedule") != nullptr) {
      ScheduleError e = validate_schedule(b.schedule);
      if (!e.message.empty()) report(diag::Kind::InvalidSchedule, c.range_of("schedule"), e.message, e.hint);
    }
    for (std::string_view attr : {"retention", "copy_retention"}) {
      if (c.get(attr) == nullptr) continue;
      std::int64_t value = num(c, attr);
      if (value < 86400) {
        report(diag::Kind::BackupRetention, c.range_of(attr),
               fmt::format("AWS Backup keeps recovery points at least one day, not {}", format_duration(value)),
               "use `7d` or more");
      }
    }
    if (c.get("covers") != nullptr && b.covers.empty()) {
      report(diag::Kind::InvalidValue, c.range_of("covers"), "the backup plan covers nothing",
             "list the databases and tables it protects");
    }
    return b;
  }

  ir::Monitor monitor(const Instance& c) {
    ir::Monitor m;
    m.origin = c.origin();
    if (const TypedValue* d = c.get("dashboards")) {
      for (const Named& n : d->items) {
        ir::Dashboard dash;
        dash.region = n.text;
        dash.origin.range = n.range;
        m.dashboards.push_back(dash);
      }
    }
    if (const TypedValue* v = c.get("notify_email")) notify_target({v->text, v->range}, true, m);
    if (const TypedValue* v = c.get("notify")) {
      for (const Named& n : v->items) notify_target(n, false, m);
    }
    for (const Instance& a : c.children) {
      if (a.kind == "alarm") m.alarms.push_back(alarm(a));
    }
    return m;
  }

  // One paging destination: an e-mail address or an https:// URL (subscribed to each
  // region's alarm topic) or an existing SNS topic ARN (an action of the alarms in
  // the topic's own region: CloudWatch rejects an action on a topic in another
  // region, "Invalid region ... specified", cds-snc/notification-terraform#128).
  void notify_target(const Named& entry, bool email_only, ir::Monitor& m) {
    const std::string& text = entry.text;
    auto invalid = [&](std::string message, std::string hint) {
      report(diag::Kind::InvalidNotify, entry.range, std::move(message), std::move(hint));
    };
    for (const ir::NotifyTarget& seen : m.notify) {
      if (seen.endpoint == text) {
        auto& d = report(diag::Kind::InvalidNotify, entry.range, fmt::format("`{}` is listed twice", text),
                         "name each destination once");
        d.notes.push_back({"first listed here", seen.range});
        return;
      }
    }
    const bool has_space = std::any_of(text.begin(), text.end(), [](char ch) {
      return std::isspace(static_cast<unsigned char>(ch)) != 0 || std::iscntrl(static_cast<unsigned char>(ch)) != 0;
    });
    if (!email_only && text.starts_with("arn:")) {
      // arn:PARTITION:sns:REGION:ACCOUNT:NAME (SNS API reference, CreateTopic: names are
      // 1-256 letters, digits, hyphens and underscores; FIFO topics end in .fifo).
      std::vector<std::string> parts;
      for (std::size_t start = 0;;) {
        std::size_t colon = text.find(':', start);
        parts.push_back(text.substr(start, colon - start));
        if (colon == std::string::npos) break;
        start = colon + 1;
      }
      const std::string hint = "write an existing topic's ARN, such as `arn:aws:sns:us-east-1:123456789012:pager`";
      if (parts.size() != 6 || !parts[1].starts_with("aws") || parts[2] != "sns") {
        return invalid(fmt::format("`{}` is not an SNS topic ARN", text), hint);
      }
      const std::string& region = parts[3];
      const std::string& account = parts[4];
      std::string name = parts[5];
      if (name.ends_with(".fifo")) name.resize(name.size() - 5);
      bool name_ok = !name.empty() && name.size() <= 256 && std::all_of(name.begin(), name.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == '-' || ch == '_';
      });
      bool account_ok = account.size() == 12 && std::all_of(account.begin(), account.end(), [](char ch) {
        return std::isdigit(static_cast<unsigned char>(ch)) != 0;
      });
      if (find_aws_region(region) == nullptr) {
        return invalid(fmt::format("`{}` names no AWS region in the topic ARN", region), hint);
      }
      if (!account_ok) return invalid(fmt::format("`{}` is not a 12-digit AWS account id", account), hint);
      if (!name_ok) return invalid(fmt::format("`{}` is not an SNS topic name", parts[5]), hint);
      m.notify.push_back({ir::NotifyKind::SnsTopic, text, entry.range});
      return;
    }
    if (!email_only && (text.starts_with("https://") || text.starts_with("http://"))) {
      if (text.starts_with("http://")) {
        return invalid("alarms would page over plain `http://`", "use the endpoint's `https://` URL");
      }
      const std::string host = text.substr(8, text.find_first_of("/?#:", 8) - 8);
      if (host.empty() || has_space || host.find('.') == std::string::npos) {
        return invalid(fmt::format("`{}` is not an https URL with a host name", text),
                       "such as `https://events.pagerduty.com/integration/KEY/enqueue`");
      }
      m.notify.push_back({ir::NotifyKind::Https, text, entry.range});
      return;
    }
    const std::size_t at = text.find('@');
    const bool email_ok = at != std::string::npos && at > 0 && text.find('@', at + 1) == std::string::npos &&
                          text.size() <= 254 && !has_space && text.find('.', at + 2) != std::string::npos &&
                          !text.ends_with(".");
    if (!email_ok) {
      if (email_only) return invalid(fmt::format("`{}` is not an e-mail address", text), "such as `oncall@example.com`");
      return invalid(fmt::format("`{}` is not an e-mail address, an https:// URL or an SNS topic ARN", text),
                     "such as `oncall@example.com`, `https://events.example.com/hook` or "
                     "`arn:aws:sns:us-east-1:123456789012:pager`");
    }
    m.notify.push_back({ir::NotifyKind::Email, text, entry.range});
  }

  ir::Alarm alarm(const Instance& c) {
    ir::Alarm a;
    a.name = c.label;
    a.origin = c.origin();
    static const std::map<std::string, ir::Metric, std::less<>> metrics = {
        {"replication_lag", ir::Metric::ReplicationLag},
        {"errors", ir::Metric::Errors},
        {"throttles", ir::Metric::Throttles},
        {"duration", ir::Metric::Duration},
        {"concurrent_executions", ir::Metric::ConcurrentExecutions},
    };
    if (auto it = metrics.find(str(c, "metric")); it != metrics.end()) a.metric = it->second;
    a.target = str(c, "target");
    a.period = num(c, "period", 60);
    a.evaluation_periods = static_cast<int>(num(c, "evaluation_periods", 1));
    const TypedValue* threshold = c.get("threshold");
    if (threshold != nullptr) a.threshold = static_cast<double>(threshold->number);
    if (c.get("metric") != nullptr && threshold != nullptr) {
      bool wants_duration = a.metric == ir::Metric::ReplicationLag || a.metric == ir::Metric::Duration;
      if (wants_duration != threshold->threshold_is_duration) {
        report(diag::Kind::TypeMismatch, threshold->range,
               fmt::format("a `{}` alarm takes {} threshold", ir::metric_name(a.metric),
                           wants_duration ? "a duration" : "a count as"),
               wants_duration ? "such as `threshold = 60s`" : "such as `threshold = 0`");
      }
    }
    if (c.get("period") != nullptr && (a.period < 10 || (a.period > 30 && a.period % 60 != 0))) {
      report(
          diag::Kind::InvalidValue, c.range_of("period"),
          fmt::format("CloudWatch alarm periods are 10s, 30s or a multiple of 1m, not {}", format_duration(a.period)),
          "use `1m`");
    }
    if (c.get("evaluation_periods") != nullptr && a.evaluation_periods < 1) {
      report(diag::Kind::InvalidValue, c.range_of("evaluation_periods"), "`evaluation_periods` must be at least 1");
    }
    return a;
  }

  ir::Parameter parameter(const Instance& c) {
    ir::Parameter p;
    p.name = c.label;
    p.origin = c.origin();
    p.path = str(c, "path");
    p.secure = flag(c, "secure", false);
    if (c.get("path") != nullptr) {
      bool valid =
          p.path.starts_with('/') && p.path.size() <= 1011 && std::all_of(p.path.begin(), p.path.end(), [](char ch) {
            return std::isalnum(static_cast<unsigned char>(ch)) != 0 ||
                   std::string_view("/_.-{}").find(ch) != std::string_view::npos;
          });
      if (!valid) {
        report(diag::Kind::InvalidValue, c.range_of("path"),
               fmt::format("`{}` is not an SSM parameter path", diag::printable(p.path.substr(0, 80))),
               "start with `/` and use letters, digits, `/`, `_`, `.`, `-` and `{env}`");
      }
    }
    std::string value = str(c, "value");
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (!value.empty()) {
      std::size_t dot = value.find('.', start);
      parts.push_back(value.substr(start, dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    if (parts.size() >= 2) {
      p.value.target = parts[0];
      p.value.output = parts[1];
      if (parts.size() == 3) p.value.region = parts[2];
    }
    return p;
  }

  ir::Workload workload(const Instance& c) {
    ir::Workload w;
    w.origin = c.origin();
    w.requests_per_month = num(c, "requests_per_month", w.requests_per_month);
    w.storage_gb = num(c, "storage_gb", w.storage_gb);
    for (std::string_view attr : {"requests_per_month", "storage_gb"}) {
      if (c.get(attr) != nullptr && num(c, attr) < 0) {
        report(diag::Kind::InvalidValue, c.range_of(attr), fmt::format("`{}` cannot be negative", attr));
      }
    }
    return w;
  }

  ir::Measurement measurement(const Instance& c) {
    ir::Measurement m;
    m.name = c.label;
    m.origin = c.origin();
    m.seconds = num(c, "value");
    m.source = str(c, "source");
    if (c.get("source") != nullptr && m.source.find_first_not_of(" \t") == std::string::npos) {
      report(diag::Kind::InvalidValue, c.range_of("source"), "a measurement needs its source",
             "say where the figure comes from, such as `\"restore drill 2026-10-12\"`");
    }
    return m;
  }

  ir::Waiver waiver(const Instance& c) {
    ir::Waiver w;
    w.rule = c.label;
    w.origin = c.origin();
    w.reason = str(c, "reason");
    if (const TypedValue* until = c.get("until")) w.until = until->date;
    if (c.get("scope") != nullptr) w.scope = str(c, "scope");
    if (const TypedValue* envs = c.get("environments")) waiver_environments(*envs, w);
    bool valid_id = !w.rule.empty() && std::isupper(static_cast<unsigned char>(w.rule[0])) != 0 &&
                    w.rule.find('-') != std::string::npos && std::all_of(w.rule.begin(), w.rule.end(), [](char ch) {
                      return std::isupper(static_cast<unsigned char>(ch)) != 0 ||
                             std::isdigit(static_cast<unsigned char>(ch)) != 0 || ch == '-';
                    });
    if (!valid_id) {
      report(diag::Kind::InvalidValue, c.label_range,
             fmt::format("`{}` is not a policy rule id", diag::printable(w.rule.substr(0, 80))),
             "rule ids look like `SEC-KMS-CMK` or `COST-NAT-SINGLE`; `paydrc rules` lists them");
    }
    if (c.get("reason") != nullptr && w.reason.find_first_not_of(" \t") == std::string::npos) {
      report(diag::Kind::InvalidValue, c.range_of("reason"), "a waiver needs a reason",
             "say why the finding is accepted, for reviewers and auditors");
    }
    return w;
  }

  // A waiver's environments must be declared: a typo would otherwise waive
  // nothing anywhere, or (worse) be read as "accepted" where it is not.
  void waiver_environments(const TypedValue& envs, ir::Waiver& w) {
    const std::vector<std::string>& declared = options_.environments;
    if (envs.items.empty()) {
      report(diag::Kind::InvalidValue, envs.range, "`environments` is empty: the waiver would hold nowhere",
             "name the environments it holds in, or remove `environments` to waive the rule everywhere");
    }
    for (const Named& e : envs.items) {
      if (std::find(declared.begin(), declared.end(), e.text) != declared.end()) {
        w.environments.push_back(e.text);
        continue;
      }
      std::string hint = did_you_mean(e.text, declared);
      if (hint.empty()) {
        hint = declared.empty() ? fmt::format("the spec declares no environments: add `environment {} {{}}` to "
                                              "`system`, or remove `environments`",
                                              diag::printable(e.text.substr(0, 16)))
                                : fmt::format("declared: {}", fmt::join(declared, ", "));
      }
      report(diag::Kind::UnknownEnvironment, e.range,
             fmt::format("the waiver names environment `{}`, which the spec does not declare",
                         diag::printable(e.text.substr(0, 80))),
             hint);
    }
  }

  void cross_checks(const ir::System& sys) {
    // Overlapping VPC blocks make peering and routing between regions impossible.
    for (std::size_t i = 0; i < sys.regions.size(); ++i) {
      for (std::size_t j = i + 1; j < sys.regions.size(); ++j) {
        const ir::Region& a = sys.regions[i];
        const ir::Region& b = sys.regions[j];
        if (a.cidr.prefix != 0 && b.cidr.prefix != 0 && a.cidr.overlaps(b.cidr)) {
          auto& d = report(diag::Kind::OverlappingCidr, b.origin.at("cidr"),
                           fmt::format("`{}` overlaps `{}` of region `{}`", b.cidr.text(), a.cidr.text(), a.role),
                           "give each region its own block, such as `10.0.0.0/16` and `10.1.0.0/16`");
          d.notes.push_back({fmt::format("region `{}` uses `{}` here", a.role, a.cidr.text()), a.origin.at("cidr")});
        }
        if (!a.aws_region.empty() && a.aws_region == b.aws_region) {
          auto& d = report(diag::Kind::InvalidReplication, b.origin.at("name"),
                           fmt::format("regions `{}` and `{}` are both `{}`", a.role, b.role, a.aws_region),
                           "a region outage takes both down; use two AWS regions");
          d.notes.push_back({"first used here", a.origin.at("name")});
        }
      }
    }
    // A failover target must run in both failover regions.
    for (const ir::Failover& f : sys.failovers) {
      const ir::Function* fn = sys.function(f.target);
      if (fn == nullptr) continue;
      for (const std::string& role : {f.primary, f.secondary}) {
        if (!role.empty() && std::find(fn->regions.begin(), fn->regions.end(), role) == fn->regions.end()) {
          auto& d = report(
              diag::Kind::InvalidReplication, f.origin.at("target"),
              fmt::format("function `{}` is not deployed in `{}`, a region of failover `{}`", fn->name, role, f.name),
              fmt::format("add `{}` to the function's `regions`", role));
          d.notes.push_back({"the function's regions", fn->origin.at("regions")});
        }
      }
    }
    // Alarms must watch something that has the metric.
    for (const ir::Alarm& a : sys.monitor.alarms) {
      std::string kind = sys.database(a.target) != nullptr   ? "database"
                         : sys.table(a.target) != nullptr    ? "table"
                         : sys.function(a.target) != nullptr ? "function"
                                                             : "";
      if (kind.empty()) continue;
      bool ok = false;
      switch (a.metric) {
        case ir::Metric::ReplicationLag:
          ok = kind == "database" || kind == "table";
          break;
        case ir::Metric::Throttles:
          ok = kind == "table" || kind == "function";
          break;
        case ir::Metric::Errors:
        case ir::Metric::Duration:
        case ir::Metric::ConcurrentExecutions:
          ok = kind == "function";
          break;
      }
      if (!ok) {
        report(diag::Kind::AlarmWithoutMetric, a.origin.at("metric"),
               fmt::format("a {} has no `{}` metric", kind, ir::metric_name(a.metric)),
               "replication_lag: databases and tables; throttles: tables and functions; errors, duration, "
               "concurrent_executions: functions");
      }
      // Every other pair has a place: databases have readers and tables two
      // replicas or more (both checked above); a function needs a region.
      const ir::Function* fn = sys.function(a.target);
      if (ok && fn != nullptr && fn->regions.empty()) {
        auto& d = report(diag::Kind::AlarmWithoutMetric, a.origin.at("target"),
                         fmt::format("function `{}` is deployed in no region, so alarm `{}` watches nothing",
                                     fn->name, a.name),
                         "list the function's `regions`");
        d.notes.push_back({"the function's regions", fn->origin.at("regions")});
      }
    }
    // An SNS topic ARN pages only through alarms in its own region.
    for (const ir::NotifyTarget& n : sys.monitor.notify) {
      if (n.kind != ir::NotifyKind::SnsTopic) continue;
      std::string region = n.endpoint;  // arn:PARTITION:sns:REGION:... (validated above)
      for (int field = 0; field < 3; ++field) region.erase(0, region.find(':') + 1);
      region.resize(region.find(':'));
      bool used = std::any_of(sys.regions.begin(), sys.regions.end(),
                              [&](const ir::Region& r) { return r.aws_region == region; });
      if (!used) {
        report(diag::Kind::InvalidNotify, n.range,
               fmt::format("no region of the spec is in `{}`, so no alarm can notify this topic", region),
               "CloudWatch alarms notify topics in their own region: name a topic in one of the spec's regions");
      }
    }
  }

  const Options& options_;
  diag::Sink& sink_;
};

}  // namespace

std::optional<ir::System> build_ir(const Instance& system, const Options& options, diag::Sink& sink) {
  Builder builder(options, sink);
  ir::System sys = builder.build(system);
  if (sink.has_errors()) return std::nullopt;
  return sys;
}

}  // namespace paydrc::check
