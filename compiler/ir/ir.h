// The IR: validated intent. The checker produces it from the AST; lowering,
// policies and `paydrc dump ir` read it. Every object keeps where it came from
// (`Origin`) so later findings can point at the spec.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/source.h"

namespace paydrc::ir {

using Seconds = std::int64_t;

// The block a value came from, and each attribute's own range (attributes that
// took their default point at the block).
struct Origin {
  SourceRange range;
  std::map<std::string, SourceRange, std::less<>> attributes;
  SourceRange at(std::string_view attribute) const;
};

struct Cidr {
  std::uint32_t address = 0;  // host byte order
  int prefix = 0;
  std::string text() const;
  std::uint64_t size() const { return std::uint64_t{1} << (32 - prefix); }
  bool overlaps(const Cidr& other) const;
};

struct Date {
  int year = 0, month = 0, day = 0;
  std::string text() const;  // YYYY-MM-DD
  auto operator<=>(const Date&) const = default;
};

enum class Scenario { RegionOutage, AzOutage, LogicalCorruption };
std::string_view scenario_name(Scenario s);  // region_outage, az_outage, logical_corruption

struct Objective {
  Seconds rpo = 0;
  Seconds rto = 0;
  Origin origin;
};

struct Objectives {
  Objective base;                              // `objectives { rpo = .. rto = .. }`
  std::map<Scenario, Objective> per_scenario;  // nested scenario blocks, where they differ
  const Objective& for_scenario(Scenario s) const;
};

struct Region {
  std::string role;        // the block label: primary, secondary
  std::string aws_region;  // us-east-1
  Cidr cidr;
  int zones = 3;
  int nat_gateways = 1;
  bool interface_endpoints = true;  // PrivateLink endpoints for the APIs its functions call
  Origin origin;
};

enum class FailoverMode { Manual, Managed };

struct Database {
  std::string name;
  std::string kind;            // aurora_global
  std::string engine;          // aurora-mysql | aurora-postgresql
  std::string engine_version;  // major version as written: 8.0
  std::string instance_class;  // db.r5.large
  int instances = 2;           // per region: one writer (or reader) plus replicas
  std::string writer;          // region role that created the global database; never moves
  std::vector<std::string> readers;
  // The member region whose cluster is the writer after a failover or switchover
  // (`promoted = secondary`). Nothing is created, moved or renamed because of it: it
  // tells alarms, policies and the DR analysis where writes happen now.
  std::optional<std::string> promoted;
  FailoverMode failover = FailoverMode::Manual;
  std::optional<Seconds> operator_response;  // required in practice for manual failover
  int backup_retention_days = 7;
  std::optional<Seconds> backtrack;  // rejected on global clusters; kept for the IR dump
  bool deletion_protection = true;
  bool iam_auth = true;
  std::string database_name;
  int port = 3306;  // the spec's `port`, else the engine's default
  int monitoring_interval_seconds = 60;  // Enhanced Monitoring; 0: off
  int secret_rotation_days = 30;         // master password rotation; 0: off
  Origin origin;

  // The region whose cluster takes writes now: `promoted`, else `writer`.
  const std::string& active_writer() const { return promoted ? *promoted : writer; }
};

enum class Billing { OnDemand, Provisioned };
enum class KeyType { String, Number, Binary };
enum class StreamView { None, KeysOnly, NewImage, OldImage, NewAndOldImages };

struct Table {
  std::string name;
  std::string kind;  // dynamodb_global
  std::string hash_key;
  KeyType hash_key_type = KeyType::String;
  std::optional<std::string> range_key;
  KeyType range_key_type = KeyType::String;
  Billing billing = Billing::OnDemand;
  bool point_in_time_recovery = true;
  int pitr_days = 35;
  StreamView stream = StreamView::NewAndOldImages;
  std::vector<std::string> replicas;  // region roles, the writer region first as written
  std::optional<std::string> ttl_attribute;
  Origin origin;
};

// What a function may do to another block of the spec.
// Table levels name exactly the DynamoDB calls they allow (see lower/functions.cpp).
// On a database, `Connect` is IAM database authentication over the network and
// `Write` is SQL through the RDS Data API (no driver, no network path).
enum class AccessLevel { Read, Write, ReadWrite, ReadWriteDelete, Connect, Publish };
enum class TargetKind { Database, Table, Events, Parameters };

struct Grant {
  std::string target;  // block name, or "parameters" for all of the spec's SSM parameters
  TargetKind target_kind = TargetKind::Table;
  AccessLevel level = AccessLevel::Read;
  SourceRange range;
};

struct Function {
  std::string name;
  std::string runtime;  // python3.12
  int memory_mb = 1024;
  Seconds timeout = 30;
  std::string source;           // as written, relative to the spec's directory
  std::string source_resolved;  // normalised path relative to the project root
  std::string handler;
  std::vector<std::string> regions;  // region roles, in declaration order
  std::vector<Grant> access;
  std::map<std::string, std::string> environment;  // extra variables besides the contract's
  int reserved_concurrency = 100;
  bool tracing = true;
  Origin origin;
};

// `HttpApi`: an API Gateway HTTP API (JWT authorizer built in; AWS WAF cannot
// attach to it). `RestApi`: a regional REST API with an AWS WAF web ACL, its
// execute-api endpoint disabled, and paydrc's JWT authorizer function.
enum class FrontDoor { HttpApi, RestApi, FunctionUrl };
// Whose hosted zone the failover name lives in: an existing, delegated one (looked
// up, or named by `zone_id`), or one this deployment creates.
enum class ZoneMode { Existing, Create };
// How the API's routes authorize. SigV4 (`Iam`) is region-scoped and rejected on a
// failover API; `Jwt` validates tokens the same way in every region.
enum class ApiAuthorization { Jwt, None, Iam };
enum class HealthCheckProtocol { Https, Http, Tcp };

struct HealthCheck {
  Seconds interval = 30;
  int failure_threshold = 3;
  std::string path = "/health";
  HealthCheckProtocol protocol = HealthCheckProtocol::Https;
  Origin origin;
};

// DNS failover for the public API: a regional front door per region behind
// Route 53 failover records.
struct Failover {
  std::string name;
  std::string zone;    // payments.example.com
  std::string record;  // api
  ZoneMode zone_mode = ZoneMode::Existing;
  std::string zone_id;  // Z0123...: the existing zone, when the spec names it
  // Environments answering on `record.zone`; every other one on `record-<env>.zone`.
  std::vector<std::string> plain_name_environments;
  std::string target;  // function name
  FrontDoor front_door = FrontDoor::HttpApi;
  std::string primary;    // region role answering while healthy
  std::string secondary;  // region role taking over
  HealthCheck health_check;
  int waf_rate_limit = 2000;  // rest_api: requests per client IP in 5 minutes
  Seconds ttl = 60;
  ApiAuthorization authorization = ApiAuthorization::Jwt;
  std::string jwt_issuer;                 // https://auth.example.com/
  std::vector<std::string> jwt_audience;  // accepted `aud` values
  Origin origin;
};

struct EventReplication {
  std::string name;
  std::string from;             // region role
  std::vector<std::string> to;  // region roles
  bool archive = false;
  Origin origin;
};

struct Backup {
  std::string name;
  std::string schedule;  // AWS cron()/rate() expression, validated
  Seconds retention = 7 * 86400;
  std::optional<std::string> copy_to;  // region role
  Seconds copy_retention = 7 * 86400;
  std::vector<std::string> covers;  // database and table names
  Origin origin;
};

enum class Metric { ReplicationLag, Errors, Throttles, Duration, ConcurrentExecutions };
std::string_view metric_name(Metric m);

struct Alarm {
  std::string name;
  Metric metric = Metric::Errors;
  std::string target;    // block name the metric is about
  double threshold = 0;  // seconds for ReplicationLag/Duration, a count otherwise
  Seconds period = 60;
  int evaluation_periods = 1;
  Origin origin;
};

struct Dashboard {
  std::string region;  // region role
  Origin origin;
};

// Where alarms page: `notify_email` and each `notify` entry, in that order.
enum class NotifyKind { Email, Https, SnsTopic };

struct NotifyTarget {
  NotifyKind kind = NotifyKind::Email;
  std::string endpoint;  // the address, the https:// URL or the topic ARN
  SourceRange range;
};

struct Monitor {
  std::vector<Alarm> alarms;
  std::vector<Dashboard> dashboards;
  std::vector<NotifyTarget> notify;
  Origin origin;
};

// An SSM parameter whose value is a deployment output (`ledger.endpoint.primary`).
struct ParameterValue {
  std::string target;                 // block name
  std::string output;                 // endpoint, reader_endpoint, name, arn, bus
  std::optional<std::string> region;  // region role, where the output is per region
};

struct Parameter {
  std::string name;
  std::string path;  // may contain {env}, replaced by the environment suffix
  ParameterValue value;
  bool secure = false;
  Origin origin;
};

struct Waiver {
  std::string rule;  // policy rule id
  std::string reason;
  Date until;
  std::optional<std::string> scope;  // a block name the waiver is limited to
  // The environments the waiver holds in (`environments = ["dev"]`); empty: all.
  std::vector<std::string> environments;
  Origin origin;
};

// A recovery figure the team measured (`measured aurora_restore { value = 45m source = ".." }`):
// it replaces paydrc's planning figure of that name in the DR analysis.
struct Measurement {
  std::string name;  // a recovery fact name (policies/data/recovery.yaml)
  Seconds seconds = 0;
  std::string source;
  Origin origin;
};

struct Workload {
  std::int64_t requests_per_month = 10'000'000;
  std::int64_t storage_gb = 50;
  Origin origin;
};

struct System {
  std::string name;
  std::string spec_path;                     // as given on the command line
  // The declared environment this IR is (`environment dev { ... }` applied);
  // empty when the spec declares no environments.
  std::string environment;
  std::vector<std::string> environments;  // every environment the spec declares, in order
  std::vector<std::string> packs;            // policy packs, default ["baseline"]
  std::optional<std::int64_t> budget_cents;  // monthly
  Objectives objectives;
  std::vector<Region> regions;
  std::vector<Database> databases;
  std::vector<Table> tables;
  std::vector<Function> functions;
  std::vector<Failover> failovers;
  std::vector<EventReplication> events;
  std::vector<Backup> backups;
  Monitor monitor;
  std::vector<Parameter> parameters;
  std::vector<Waiver> waivers;
  std::vector<Measurement> measurements;
  Workload workload;
  Origin origin;

  const Region* region(std::string_view role) const;
  const Database* database(std::string_view name) const;
  const Table* table(std::string_view name) const;
  const Function* function(std::string_view name) const;
  const EventReplication* event_bus(std::string_view name) const;
};

}  // namespace paydrc::ir
