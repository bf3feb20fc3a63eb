// The infra model: the concrete resources a spec needs, per region, with derived
// names, carved CIDRs and scoped IAM statements. Lowering builds it from the IR;
// every backend (Terraform, CloudFormation) and the security policies read it.
// It speaks AWS, never a backend's syntax: references between resources are
// `Ref`s and text that varies per deployment is a `Text` of parts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "support/source.h"

namespace paydrc::infra {

// Every kind of resource in the model; a backend maps each to its own type name.
enum class Kind {
  Vpc,
  Subnet,
  InternetGateway,
  ElasticIp,
  NatGateway,
  RouteTable,
  SecurityGroup,
  FlowLog,
  Key,
  Role,
  LogGroup,
  Topic,
  TopicSubscription,
  Queue,
  Secret,
  DbSubnetGroup,
  DbClusterParameterGroup,
  GlobalCluster,
  DbCluster,
  DbInstance,
  Table,
  Function,
  FunctionPermission,
  HostedZone,
  Certificate,
  HttpApi,
  ApiDomain,
  RestApi,
  RestApiDomain,
  WebAcl,
  ApiRecord,
  HealthCheck,
  FailoverRecord,
  EventBus,
  EventRule,
  BackupVault,
  BackupPlan,
  BackupSelection,
  Alarm,
  Dashboard,
  Parameter,
  VpcEndpoint,
};

// What another resource exposes once deployed.
enum class Attr {
  Id,
  Arn,
  Name,
  Endpoint,
  ReaderEndpoint,
  ClusterResourceId,  // database clusters
  ExecutionArn,
  ApiEndpoint,  // HTTP APIs
  TargetDomain,
  TargetZoneId,  // API custom domains
  NameServers,   // hosted zones
  StreamArn,     // tables
};

struct Ref {
  Ref(Kind k, std::string i, Attr a = Attr::Id, std::string replica = {})
      : kind(k), id(std::move(i)), attr(a), replica_region(std::move(replica)) {}
  Kind kind;
  std::string id;  // the resource's `id` in the model
  Attr attr = Attr::Id;
  // The ARN of the resource's replica in this AWS region (secrets): the same ARN
  // with the region replaced ("The ARN for a replicated secret is the same as the
  // primary secret except for the Region", Secrets Manager User Guide, "Replicate
  // AWS Secrets Manager secrets across Regions"). Empty: the resource itself.
  std::string replica_region;
  auto operator<=>(const Ref&) const = default;
};

struct EnvSuffix {  // the deployment's environment suffix (dev, prod, ...)
  auto operator<=>(const EnvSuffix&) const = default;
};
struct AccountId {  // the AWS account deployed to
  auto operator<=>(const AccountId&) const = default;
};
// The environment suffix inside a DNS name: `before + <env> + after`, or nothing
// when the deployment's suffix is one of `plain_in` (those environments answer on
// the plain name). Chosen at deployment, like every other use of the suffix.
struct EnvLabel {
  std::string before;
  std::string after;
  std::vector<std::string> plain_in;  // sorted, unique
  auto operator<=>(const EnvLabel&) const = default;
};

// A string known only at deployment: literal parts, the environment suffix, the
// account id and other resources' attributes, concatenated.
struct Text {
  using Part = std::variant<std::string, EnvSuffix, AccountId, Ref, EnvLabel>;
  std::vector<Part> parts;

  Text() = default;
  Text(std::string literal) { append(Part{std::move(literal)}); }  // NOLINT: implicit on purpose
  Text(const char* literal) : Text(std::string(literal)) {}        // NOLINT
  Text(EnvSuffix e) { parts.push_back(e); }                        // NOLINT
  Text(AccountId a) { parts.push_back(a); }                        // NOLINT
  Text(Ref r) { parts.push_back(std::move(r)); }                   // NOLINT
  Text(EnvLabel l) { parts.emplace_back(std::in_place_type<EnvLabel>, std::move(l)); }              // NOLINT

  Text& append(const Part& part);
  Text& operator+=(const Text& other);
  bool is_literal() const;      // no deployment-time part
  std::string literal() const;  // the literal parts only (for tests and ids)
  bool operator==(const Text&) const = default;
};
Text operator+(Text a, const Text& b);

// The text as deployed in environment `suffix`: other resources' attributes as
// `<id>`, the account as `<account-id>` (for review text and tests).
std::string evaluate(const Text& text, std::string_view suffix);

// A resource's place in the model: its id (unique, usable as an identifier by any
// backend), its region role (`primary`; global services live in the first region's
// role) and where in the spec it comes from.
struct Base {
  std::string id;
  std::string region;
  SourceRange origin;
};

// --- network -------------------------------------------------------------------

struct Vpc : Base {
  Text name;
  std::string cidr;
};

enum class SubnetTier { Public, Private };

struct Subnet : Base {
  Text name;
  std::string vpc;  // Vpc id
  std::string cidr;
  std::string zone;  // us-east-1a
  SubnetTier tier = SubnetTier::Private;
};

struct InternetGateway : Base {
  Text name;
  std::string vpc;
};

struct ElasticIp : Base {
  Text name;
};

struct NatGateway : Base {
  Text name;
  std::string subnet;  // a public Subnet id
  std::string eip;     // ElasticIp id
};

struct Route {
  std::string destination;  // CIDR
  std::optional<std::string> internet_gateway;
  std::optional<std::string> nat_gateway;
};

struct RouteTable : Base {
  Text name;
  std::string vpc;
  std::vector<Route> routes;
  std::vector<std::string> subnets;  // associated Subnet ids
};

enum class Direction { Ingress, Egress };

struct SecurityRule {
  std::string id;  // unique within the group
  Direction direction = Direction::Ingress;
  std::string protocol = "tcp";
  int from_port = 0;
  int to_port = 0;
  std::optional<std::string> cidr;        // or
  std::optional<std::string> peer_group;  // SecurityGroup id
  std::string description;
};

struct SecurityGroup : Base {
  Text name;
  std::string description;
  std::string vpc;
  std::vector<SecurityRule> rules;
};

struct FlowLog : Base {
  Text name;
  std::string vpc;
  std::string log_group;  // LogGroup id
  std::string role;       // Role id
};

// A gateway VPC endpoint: the private route tables send the service's traffic
// (DynamoDB) to it inside the AWS network, with no NAT gateway on the way and no
// charge (VPC User Guide, "Gateway endpoints"). Losing the zone of the only NAT
// gateway then leaves the tables reachable.
// A gateway endpoint (route tables; DynamoDB) or an interface endpoint (a network
// interface in each subnet behind the security groups, answering the service's
// public name through private DNS).
struct VpcEndpoint : Base {
  Text name;
  std::string vpc;
  std::string service;  // `dynamodb`: com.amazonaws.<region>.dynamodb
  bool interface = false;
  std::vector<std::string> route_tables;     // gateway
  std::vector<std::string> subnets;          // interface
  std::vector<std::string> security_groups;  // interface
};

// --- identity and keys -----------------------------------------------------------

struct Principal {
  std::string type;  // AWS | Service | * (anyone: only in a Deny)
  std::vector<Text> identifiers;
};

struct Condition {
  std::string test;  // StringEquals, ArnLike, ...
  std::string variable;
  std::vector<Text> values;
};

enum class Effect { Allow, Deny };

struct Statement {
  std::string sid;
  Effect effect = Effect::Allow;
  std::vector<std::string> actions;  // never a wildcard in an Allow
  std::vector<Text> resources;
  std::vector<Principal> principals;  // resource policies only
  std::vector<Condition> conditions;
  // Why a resource is "*": the action supports no narrower resource.
  std::string wildcard_reason;
};

struct PolicyDocument {
  std::vector<Statement> statements;
};

// Whether `doc` denies every principal the `action` on `resource` when the request
// did not come over TLS: Effect Deny, Principal "*", the condition
// `Bool aws:SecureTransport = false` (the statement the SQS and SNS security best
// practices recommend, "Enforce encryption of data in transit"). `action` matches
// the statement's action exactly or through a `service:*` in it.
bool denies_insecure_transport(const PolicyDocument& doc, std::string_view action, const Text& resource);

struct Key : Base {
  Text alias;  // alias/payment-primary-dev
  std::string description;
  bool rotation = true;
  int deletion_window_days = 30;
  PolicyDocument policy;
};

// A customer-managed policy of one role: an IAM policy of its own, attached to that
// role only. Not an inline policy: PCI DSS 3.2.1, NIST 800-53 R5 and HIPAA ask for
// managed policies (AWS Config rule iam-no-inline-policy-check), which are resources
// with their own ARN and version history that a reviewer can find and diff.
struct RolePolicy {
  std::string name;  // within the role, `access`; names the backends' resources
  PolicyDocument document;
};

struct Role : Base {
  Text name;
  std::string description;
  std::vector<std::string> trusted_services;  // lambda.amazonaws.com
  // Conditions on the services' sts:AssumeRole (aws:SourceAccount against the
  // confused deputy); none: any use of the service may assume the role.
  std::vector<Condition> trust_conditions;
  std::vector<RolePolicy> policies;
  // AWS-managed policies, only where AWS maintains the permission list (Backup).
  std::vector<std::string> managed_policies;
};

// The IAM name of a role's policy, unique in the account as the role's is: the
// role's name, a dash and the policy's (`payment-processor-primary-dev-access`).
Text policy_name(const Role& role, const RolePolicy& policy);

struct LogGroup : Base {
  Text name;
  int retention_days = 30;
  std::string key;  // Key id
};

// --- messaging -------------------------------------------------------------------

struct Topic : Base {
  Text name;
  std::string key;
  PolicyDocument policy;  // the topic's access policy; no statements: SNS's default
};

// One paging destination of a region's alarm topic (`monitor { notify = [...] }`).
// Ids: `<topic id>_<n>`, n counting the spec's destinations from 1 in order.
struct TopicSubscription : Base {
  std::string topic;     // Topic id
  std::string protocol;  // email | https
  std::string endpoint;  // the address or URL
};

struct Queue : Base {
  Text name;
  std::string key;
  int retention_seconds = 14 * 86400;
  PolicyDocument policy;  // resource policy; no statements: none
};

// --- data ------------------------------------------------------------------------

// A secret whose value (a JSON {username, password}) is generated at deployment and
// written to the secret and to the database only: never to configuration or state.
struct Secret : Base {
  Text name;
  std::string description;
  std::string key;
  std::vector<std::pair<std::string, std::string>> replicas;  // AWS region, Key id there
  std::string username;
  int password_length = 32;
  std::string exclude_characters;  // characters the engine rejects in passwords
  int version = 1;                 // bump to rotate through a deployment
  // Rotation by a function (Secrets Manager invokes it through `rotation_permission`)
  // every `rotation_days`; none: the value changes only with `version`.
  std::string rotation_function;
  std::string rotation_permission;  // FunctionPermission id
  int rotation_days = 0;
};

// LowerOptions::archives key of paydrc's built-in rotation function (builtin/).
inline constexpr std::string_view kSecretRotationArchive = "builtin/secret_rotation";

struct DbSubnetGroup : Base {
  Text name;
  std::vector<std::string> subnets;
};

struct DbClusterParameterGroup : Base {
  Text name;
  std::string family;
  std::vector<std::pair<std::string, std::string>> parameters;
};

struct GlobalCluster : Base {
  Text identifier;
  std::string engine;
  std::string engine_version;
  bool deletion_protection = true;
};

struct DbCluster : Base {
  Text identifier;
  std::string global_cluster;  // GlobalCluster id
  bool writer = false;         // the global cluster's primary
  std::string engine;
  std::string engine_version;
  std::optional<std::string> database_name;  // writer only
  std::optional<std::string> master_secret;  // Secret id; writer only
  std::string key;
  std::string subnet_group;
  std::string parameter_group;
  std::vector<std::string> security_groups;
  int port = 3306;
  int backup_retention_days = 7;
  std::string backup_window = "03:30-04:30";  // UTC, after the daily AWS Backup job
  bool deletion_protection = true;
  bool iam_auth = true;
  bool data_api = false;  // the RDS Data API's HTTP endpoint, for functions granted `write`
  std::vector<std::string> log_exports;
  Text final_snapshot_identifier;
  // Must exist first: the log groups of its exports (else RDS creates them without
  // retention or key) and, for a reader, the writer's instances.
  std::vector<Ref> after;
  std::vector<std::pair<std::string, std::string>> tags;  // besides Name (the backup selection tag)
};

struct DbInstance : Base {
  Text identifier;
  std::string cluster;  // DbCluster id
  std::string instance_class;
  std::string engine;
  std::string engine_version;
  int promotion_tier = 0;
  bool publicly_accessible = false;  // never set by lowering; policies check it
  int monitoring_interval = 0;       // Enhanced Monitoring, seconds; 0: off
  std::string monitoring_role;       // Role id; set when monitoring_interval > 0
};

enum class KeyKind { String, Number, Binary };

struct TableReplica {
  std::string aws_region;
  std::string key;  // Key id in that region
};

struct Table : Base {
  Text name;
  std::string hash_key;
  KeyKind hash_key_kind = KeyKind::String;
  std::optional<std::string> range_key;
  KeyKind range_key_kind = KeyKind::String;
  bool on_demand = true;
  bool point_in_time_recovery = true;
  int pitr_days = 35;
  std::optional<std::string> stream_view;  // NEW_AND_OLD_IMAGES, ...
  std::string key;
  std::vector<TableReplica> replicas;
  std::optional<std::string> ttl_attribute;
  bool deletion_protection = true;
  std::vector<std::pair<std::string, std::string>> tags;  // besides Name, on every replica
};

// --- compute ---------------------------------------------------------------------

struct Function : Base {
  Text name;
  std::string role;
  std::string runtime;
  std::string handler;
  int memory_mb = 1024;
  int timeout_seconds = 30;
  std::string archive;         // zip file name beside the output
  std::string archive_sha256;  // base64 SHA-256 of the zip bytes
  std::vector<std::string> subnets;
  std::vector<std::string> security_groups;
  bool tracing = true;
  int reserved_concurrency = 100;
  // Queue id, only for a function something invokes asynchronously
  // (invoked_asynchronously): Lambda sends a failed event there after its retries;
  // a synchronous caller gets the error instead, so the queue would never receive.
  std::string dead_letter_queue;
  std::string key;                                        // encrypts the environment
  std::vector<std::pair<std::string, Text>> environment;  // sorted by name
  std::string log_group;
  // paydrc's own function (builtin/), such as a secret's rotation: off the request
  // path, so recovery never waits for it and runbooks do not check it.
  bool builtin = false;
  // Why a function without `subnets` runs outside the VPC (SEC-FN-VPC accepts it
  // only with a reason): paydrc's JWT authorizer fetches the issuer's public keys
  // from the internet and touches nothing private.
  std::string outside_vpc_reason;
};

struct FunctionPermission : Base {
  std::string function;
  std::string principal;  // apigateway.amazonaws.com
  Text source_arn;
};

// Whether the service principal invokes Lambda functions asynchronously (the event
// is queued, retried by Lambda and, when it still fails, sent to the function's
// dead-letter queue), as the Lambda Developer Guide lists the invocation type of
// each service ("Invoking Lambda with events from other AWS services"): EventBridge,
// SNS, S3, SES, CloudWatch Logs, IoT, AWS Config, CodeCommit and CodePipeline do;
// API Gateway (apigateway.amazonaws.com) and load balancers invoke synchronously.
bool invokes_asynchronously(std::string_view principal);

// --- front door and DNS ----------------------------------------------------------

// A public zone. `created`: this deployment creates it, and it answers only once
// its parent delegates it; otherwise an existing, delegated zone every environment
// shares, found by `existing_id` or else by its domain.
struct HostedZone : Base {
  std::string domain;
  bool created = false;
  std::string existing_id;  // Z0123...: the spec's `zone_id`
};

struct Certificate : Base {
  Text domain;
  std::vector<Text> alternative_names;  // a REST front door's regional health name
  std::string zone;                     // HostedZone id, for DNS validation
};

// How a route authorizes: `Jwt` through the API's JWT authorizer; `Iam` (SigV4)
// is region-scoped, so lowering never chooses it for a failover API.
enum class RouteAuth { None, Jwt, Iam };

struct ApiRoute {
  std::string key;  // "GET /health"
  RouteAuth auth = RouteAuth::None;
};

// An HTTP API JWT authorizer: tokens from `Authorization`, checked against the
// issuer's published keys, in whichever region answers.
struct JwtAuthorizer {
  std::string issuer;
  std::vector<std::string> audience;
};

struct HttpApi : Base {
  Text name;
  std::string function;
  std::vector<ApiRoute> routes;
  std::optional<JwtAuthorizer> jwt;  // set when a route uses RouteAuth::Jwt
  std::string access_log_group;
  int throttle_burst = 500;
  int throttle_rate = 1000;
};

struct ApiDomain : Base {
  Text domain;  // unique per region across all AWS accounts: per environment
  std::string certificate;
  std::string api;
};

// A regional REST API (API Gateway v1): AWS WAF can attach to its stage, which an
// HTTP API's cannot. Its default execute-api endpoint is disabled, so the custom
// domains are the only way in. Routes with RouteAuth::Jwt go through
// `authorizer`, paydrc's built-in JWT authorizer function (a TOKEN authorizer:
// REST APIs have no JWT authorizer of their own).
struct RestApi : Base {
  Text name;
  std::string function;
  std::vector<ApiRoute> routes;  // "ANY /{proxy+}", "GET /health"
  std::string authorizer;        // Function id; set when a route uses RouteAuth::Jwt
  int authorizer_cache_seconds = 300;
  std::string stage = "live";
  std::string access_log_group;
  // Execution logs at ERROR level, without request or response data: the group API
  // Gateway writes them to, `API-Gateway-Execution-Logs_<api id>/<stage>`, created
  // first with the region's key and a retention (API Gateway would create it with
  // neither).
  std::string execution_log_group;
  std::string web_acl;  // WebAcl id, associated with the stage
  bool tracing = true;
  int throttle_burst = 500;
  int throttle_rate = 1000;
};

struct RestApiDomain : Base {
  Text domain;
  std::string certificate;
  std::string api;  // RestApi id; its stage answers at the domain's root
};

// An AWS WAF web ACL (regional): AWS managed rule groups, then a rate limit per
// client IP; what none blocks is allowed. Its logs go to `log_group`, whose name
// must start with `aws-waf-logs-`.
struct WebAcl : Base {
  Text name;
  std::vector<std::string> managed_rule_groups;  // vendor AWS, in priority order
  int rate_limit = 2000;                         // per client IP, 5 minutes
  std::string log_group;
};

// A plain alias record for a REST front door's regional name
// (`api-us-east-1.payments.example.com`): only that region answers it, so the
// region's health check can reach its API with the execute-api endpoint disabled.
struct ApiRecord : Base {
  std::string zone;  // HostedZone id
  Text fqdn;
  std::string domain;  // RestApiDomain id
};

// LowerOptions::archives key of paydrc's built-in JWT authorizer (builtin/).
inline constexpr std::string_view kJwtAuthorizerArchive = "builtin/jwt_authorizer";

struct HealthCheck : Base {
  Text name;
  Text fqdn;
  std::string protocol = "HTTPS";
  int port = 443;
  std::string path;
  int interval_seconds = 30;
  int failure_threshold = 3;
};

struct FailoverRecord : Base {
  std::string zone;
  Text fqdn;
  bool primary = true;
  std::string set_identifier;
  std::string health_check;
  std::string api_domain;  // ApiDomain id, or RestApiDomain id when `rest`
  bool rest = false;
  int intended_ttl_seconds = 60;  // an alias record takes its target's TTL
};

// --- events ----------------------------------------------------------------------

struct EventBus : Base {
  Text name;
  int archive_retention_days = 0;  // 0: no archive
};

struct EventRule : Base {
  Text name;
  std::string description;
  std::string bus;
  Text pattern;      // JSON event pattern
  Text target_bus;   // ARN of the bus in the other region
  std::string role;  // lets EventBridge put events on the target bus
  std::string dead_letter_queue;  // Queue id, in the rule's region: events not delivered
  int retry_attempts = 185;
  int max_event_age_seconds = 86400;
};

// --- backup ----------------------------------------------------------------------

struct BackupVault : Base {
  Text name;
  std::string key;
  // Vault lock (governance mode: no cooling-off period, so it stays removable by
  // someone allowed to); 0: no lock.
  int lock_min_retention_days = 0;
  // The vault access policy: who may not do what to its recovery points.
  PolicyDocument policy;
};

struct BackupCopy {
  std::string vault;  // BackupVault id in another region
  int delete_after_days = 7;
};

struct BackupRule {
  std::string name;
  std::string schedule;
  std::string vault;
  int delete_after_days = 7;
  std::vector<BackupCopy> copies;
};

struct BackupPlan : Base {
  std::string backup;  // the spec's backup block
  Text name;
  std::vector<BackupRule> rules;
};

struct BackupSelection : Base {
  std::string backup;  // the spec's backup block
  Text name;
  std::string plan;
  std::string role;
  std::vector<Text> resources;  // ARNs
  // Resources in the selection's region carrying one of these tags (key, value).
  std::vector<std::pair<std::string, std::string>> tags;
};

// --- monitoring and parameters ---------------------------------------------------

struct MetricQuery {
  std::string id;
  std::string expression;  // metric math; empty for a plain metric
  std::string metric_namespace;
  std::string metric_name;
  std::vector<std::pair<std::string, Text>> dimensions;
  std::string statistic;
  int period = 60;
  bool return_data = false;
};

struct Alarm : Base {
  Text name;
  std::string description;
  std::vector<MetricQuery> queries;  // exactly one with return_data
  std::string comparison = "GreaterThanThreshold";
  double threshold = 0;
  int evaluation_periods = 1;
  std::string treat_missing_data = "notBreaching";
  int period = 60;  // seconds; detection delay = period x evaluation_periods
  std::string topic;  // Topic id: alarm and OK actions
  // SNS topic ARNs the spec names (`notify`): alarm and OK actions besides `topic`.
  std::vector<std::string> external_topics;
  std::string spec_alarm;      // the `monitor` alarm it lowers; empty for alarms paydrc adds
  std::optional<Ref> watches;  // the DbCluster, Table, Function, HealthCheck or HttpApi watched
};

struct WidgetMetric {
  std::string metric_namespace;
  std::string metric_name;
  std::vector<std::pair<std::string, Text>> dimensions;
  std::string statistic = "Sum";
};

struct Widget {
  std::string title;
  std::string aws_region;
  std::vector<WidgetMetric> metrics;
};

struct Dashboard : Base {
  Text name;
  std::vector<Widget> widgets;
};

struct Parameter : Base {
  Text name;  // the path, with the suffix in place of {env}
  Text value;
  bool secure = false;
  std::string key;  // Key id, for SecureString
  std::string description;
};

// --- the model -------------------------------------------------------------------

struct RegionInfo {
  std::string role;        // primary
  std::string aws_region;  // us-east-1
};

struct Output {
  std::string name;
  std::string description;
  Text value;
};

struct Model {
  std::string system;               // the name prefix: payment
  std::vector<RegionInfo> regions;  // spec order; the first hosts global services

  std::vector<Vpc> vpcs;
  std::vector<Subnet> subnets;
  std::vector<InternetGateway> internet_gateways;
  std::vector<ElasticIp> elastic_ips;
  std::vector<NatGateway> nat_gateways;
  std::vector<RouteTable> route_tables;
  std::vector<SecurityGroup> security_groups;
  std::vector<FlowLog> flow_logs;
  std::vector<VpcEndpoint> vpc_endpoints;

  std::vector<Key> keys;
  std::vector<Role> roles;
  std::vector<LogGroup> log_groups;
  std::vector<Topic> topics;
  std::vector<TopicSubscription> topic_subscriptions;
  std::vector<Queue> queues;

  std::vector<Secret> secrets;
  std::vector<DbSubnetGroup> db_subnet_groups;
  std::vector<DbClusterParameterGroup> db_parameter_groups;
  std::vector<GlobalCluster> global_clusters;
  std::vector<DbCluster> db_clusters;
  std::vector<DbInstance> db_instances;
  std::vector<Table> tables;

  std::vector<Function> functions;
  std::vector<FunctionPermission> function_permissions;

  std::vector<HostedZone> hosted_zones;
  std::vector<Certificate> certificates;
  std::vector<HttpApi> http_apis;
  std::vector<ApiDomain> api_domains;
  std::vector<RestApi> rest_apis;
  std::vector<RestApiDomain> rest_api_domains;
  std::vector<WebAcl> web_acls;
  std::vector<ApiRecord> api_records;
  std::vector<HealthCheck> health_checks;
  std::vector<FailoverRecord> failover_records;

  std::vector<EventBus> event_buses;
  std::vector<EventRule> event_rules;

  std::vector<BackupVault> backup_vaults;
  std::vector<BackupPlan> backup_plans;
  std::vector<BackupSelection> backup_selections;

  std::vector<Alarm> alarms;
  std::vector<Dashboard> dashboards;
  std::vector<Parameter> parameters;

  std::vector<Output> outputs;

  const RegionInfo* region(std::string_view role) const;
};

// Whether a permission in `model` lets a service invoke `function` asynchronously.
bool invoked_asynchronously(const Model& model, const Function& function);

}  // namespace paydrc::infra
