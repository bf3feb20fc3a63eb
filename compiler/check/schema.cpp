#include "check/schema.h"

namespace paydrc::check {

std::string_view type_name(Type t) {
  switch (t) {
    case Type::String:
      return "string";
    case Type::Integer:
      return "integer";
    case Type::Duration:
      return "duration";
    case Type::Size:
      return "size";
    case Type::Cidr:
      return "CIDR block";
    case Type::Money:
      return "amount";
    case Type::Bool:
      return "boolean";
    case Type::Date:
      return "date";
    case Type::Enum:
      return "keyword";
    case Type::Ref:
      return "reference";
    case Type::RefList:
      return "list of references";
    case Type::StringList:
      return "list of strings";
    case Type::StringMap:
      return "map of strings";
    case Type::AccessMap:
      return "access map";
    case Type::OutputRef:
      return "output reference";
    case Type::Threshold:
      return "count or duration";
  }
  return "value";
}

// clang-format off
const std::vector<BlockSpec>& block_specs() {
  static const std::vector<BlockSpec> table = {
    // kind                 parent        label              repeat required doc
    {"system",             "",           LabelRule::Name,   false, true,  "The system: everything paydrc deploys for one product."},
    {"objectives",         "system",     LabelRule::None,   false, true,  "Recovery objectives; nested scenario blocks override them where a scenario differs."},
    {"region_outage",      "objectives", LabelRule::None,   false, false, "Objectives when the whole primary region is lost."},
    {"az_outage",          "objectives", LabelRule::None,   false, false, "Objectives when one availability zone is lost."},
    {"logical_corruption", "objectives", LabelRule::None,   false, false, "Objectives after bad writes or an accidental delete."},
    {"region",             "system",     LabelRule::Name,   true,  true,  "An AWS region the system runs in; the label is its role (`primary`, `secondary`)."},
    {"database",           "system",     LabelRule::Name,   true,  false, "A relational data tier (Aurora global database)."},
    {"table",              "system",     LabelRule::Name,   true,  false, "A key-value data tier (DynamoDB global table)."},
    {"function",           "system",     LabelRule::Name,   true,  false, "A Lambda function deployed in each of its regions."},
    {"failover",           "system",     LabelRule::Name,   true,  false, "The public API: a regional front door per region behind Route 53 failover records."},
    {"health_check",       "failover",   LabelRule::None,   false, false, "The Route 53 health check that decides the failover."},
    {"events",             "system",     LabelRule::Name,   true,  false, "An EventBridge bus per region with cross-region replication."},
    {"backup",             "system",     LabelRule::Name,   true,  false, "An AWS Backup plan with a vault per region."},
    {"monitor",            "system",     LabelRule::None,   false, false, "CloudWatch dashboards and alarms, wired to each region's SNS topic. paydrc adds an alarm on each Route 53 health check (in the spec's us-east-1 region, where Route 53 publishes the metric; none without one) and on each failover API's `5xx` responses."},
    {"alarm",              "monitor",    LabelRule::Name,   true,  false, "A CloudWatch alarm on one metric of one block."},
    {"parameter",          "system",     LabelRule::Name,   true,  false, "An SSM parameter holding a deployment output."},
    {"workload",           "system",     LabelRule::None,   false, false, "Workload assumptions used by the cost estimate."},
    {"waive",              "system",     LabelRule::RuleId, true,  false, "A waiver of one policy rule, with a reason and an expiry date."},
    {"environment",        "system",     LabelRule::Name,   true,  false, "One environment the spec is compiled for (the label is its `ENVIRONMENT_SUFFIX`, such as `dev` or `prod`), with the attributes it changes: blocks named as in the system (`region primary { nat_gateways = 1 }`, `monitor { alarm lag { threshold = 120s } }`) and system attributes (`budget`). Only the attributes marked *per environment* may change. Once a spec declares environments, compiling any other environment is an error, and `paydrc check` judges each one."},
    {"measured",           "system",     LabelRule::Name,   true,  false, "Your own measurement of a recovery figure (the label names it, e.g. `aurora_restore`), replacing paydrc's planning figure in the DR analysis."},
  };
  return table;
}

const std::vector<AttributeSpec>& attribute_specs() {
  using enum Type;
  constexpr auto Req = Presence::Required;
  constexpr auto Opt = Presence::Optional;
  static const std::vector<AttributeSpec> table = {
    // block, name, type, presence, default, choices, doc
    {"system", "packs", StringList, Opt, "[\"baseline\"]", "", "Policy packs to check the spec against (`policies/<name>.yaml`)."},
    {"system", "budget", Money, Opt, "", "", "Monthly budget; the cost estimate is checked against it."},

    {"objectives", "rpo", Duration, Req, "", "", "Recovery point objective: the most data loss accepted."},
    {"objectives", "rto", Duration, Req, "", "", "Recovery time objective: the longest outage accepted."},
    {"region_outage", "rpo", Duration, Opt, "", "", "RPO when the primary region is lost (default: the system's)."},
    {"region_outage", "rto", Duration, Opt, "", "", "RTO when the primary region is lost (default: the system's)."},
    {"az_outage", "rpo", Duration, Opt, "", "", "RPO when one zone is lost (default: the system's)."},
    {"az_outage", "rto", Duration, Opt, "", "", "RTO when one zone is lost (default: the system's)."},
    {"logical_corruption", "rpo", Duration, Opt, "", "", "RPO after logical corruption (default: the system's)."},
    {"logical_corruption", "rto", Duration, Opt, "", "", "RTO after logical corruption (default: the system's)."},

    {"region", "name", String, Req, "", "", "AWS region code, such as `us-east-1`."},
    {"region", "cidr", Cidr, Req, "", "", "VPC CIDR block (/16 to /24); subnets are carved from it."},
    {"region", "zones", Integer, Opt, "3", "", "Availability zones used; each gets a public and a private subnet."},
    {"region", "nat_gateways", Integer, Opt, "1", "", "NAT gateways (at most one per zone)."},
    {"region", "interface_endpoints", Bool, Opt, "on", "", "Interface VPC endpoints (AWS PrivateLink) in every private subnet for the AWS APIs the region's functions call: the RDS Data API (`write` to a database), EventBridge (`publish`), Systems Manager (`read` of parameters) and X-Ray (`tracing`), with private DNS, so those calls reach AWS without the NAT gateway. DynamoDB always goes through a gateway endpoint. Each endpoint costs an hourly fee per zone plus a fee per GB (the cost estimate counts the hourly part). paydrc's own rotation function still uses the NAT gateway."},

    {"database", "kind", Enum, Req, "", "aurora_global", "The database kind."},
    {"database", "engine", Enum, Opt, "aurora-mysql", "aurora-mysql|aurora-postgresql", "Aurora engine."},
    {"database", "engine_version", String, Opt, "\"8.0\"", "", "Engine major version (`8.0` for Aurora MySQL 3)."},
    {"database", "instance_class", String, Req, "", "", "DB instance class, such as `db.r5.large`."},
    {"database", "instances", Integer, Opt, "2", "", "Instances per region cluster (1 writer or reader plus replicas)."},
    {"database", "database_name", String, Opt, "\"app\"", "", "Initial database name."},
    {"database", "writer", Ref, Req, "", "region", "Region that created the global database, whose cluster is the writer until a failover (then see `promoted`)."},
    {"database", "readers", RefList, Req, "", "region", "Regions of the secondary (read-only) clusters."},
    {"database", "promoted", Ref, Opt, "", "region", "After a failover or switchover: the member region (one of `readers`) whose cluster is the writer now. `writer` keeps naming the region that created the global database and nothing is moved, renamed or replaced; alarms, policies and the DR analysis follow the promoted writer."},
    {"database", "failover", Enum, Opt, "manual", "manual|managed|switchover", "Who promotes a secondary when the primary region fails: `manual` (an operator, paged by the alarms, runs the runbook). `switchover` is rejected (it needs a healthy primary), and so is `managed` (Aurora never promotes a global secondary by itself, and paydrc generates no automation that would)."},
    {"database", "operator_response", Duration, Opt, "", "", "Time for an operator to start a manual failover (paged to runbook started)."},
    {"database", "secret_rotation", Duration, Opt, "30d", "", "How often the master password rotates (1d to 1000d; `0s` turns rotation off): paydrc's built-in function sets a new password on the global database's writer cluster (RDS ModifyDBCluster, so it follows the writer after a failover) and then makes it the secret's current value. Clients that sign in with the secret, such as the RDS Data API, fail between those two steps (the time the writer takes to apply the password); Secrets Manager picks the hour of each rotation day."},
    {"database", "backup_retention", Duration, Opt, "7d", "", "Automated backup (PITR) retention, 1 to 35 days."},
    {"database", "backtrack", Duration, Opt, "", "", "Aurora Backtrack window; not supported on global databases."},
    {"database", "deletion_protection", Bool, Opt, "on", "", "Refuse deletes of the clusters."},
    {"database", "port", Integer, Opt, "", "", "Port the clusters listen on, 1150 to 65535 (default: the engine's, 3306 for `aurora-mysql`, 5432 for `aurora-postgresql`); the database security groups admit it. Changing it updates the clusters in place (aws_rds_cluster and AWS::RDS::DBCluster modify `port` without replacement) and every client must follow. Set it before the first deployment: moving a deployed database off the default port replaces its security groups (their description names the default port, and AWS cannot change a description), and that replacement cannot complete while the clusters use the groups."},
    {"database", "monitoring_interval", Duration, Opt, "60s", "", "Enhanced Monitoring: how often RDS samples each instance's operating system (`1s`, `5s`, `10s`, `15s`, `30s` or `60s`; `0s` turns it off), through a role per region trusted by the monitoring service."},

    {"table", "kind", Enum, Req, "", "dynamodb_global", "The table kind."},
    {"table", "hash_key", String, Req, "", "", "Partition key attribute name."},
    {"table", "hash_key_type", Enum, Opt, "string", "string|number|binary", "Partition key type."},
    {"table", "range_key", String, Opt, "", "", "Sort key attribute name."},
    {"table", "range_key_type", Enum, Opt, "string", "string|number|binary", "Sort key type."},
    {"table", "billing", Enum, Opt, "on_demand", "on_demand|provisioned", "Capacity mode."},
    {"table", "point_in_time_recovery", Bool, Opt, "on", "", "Continuous backups (PITR)."},
    {"table", "pitr_days", Integer, Opt, "35", "", "PITR recovery window, 1 to 35 days."},
    {"table", "stream", Enum, Opt, "new_and_old_images", "off|keys_only|new_image|old_image|new_and_old_images", "DynamoDB stream view."},
    {"table", "replicas", RefList, Req, "", "region", "Regions holding a replica (the first is where it is created)."},
    {"table", "ttl_attribute", String, Opt, "", "", "Attribute holding an expiry time."},

    {"function", "runtime", String, Req, "", "", "Lambda runtime identifier, such as `python3.12`."},
    {"function", "memory", Size, Opt, "1GB", "", "Memory, 128MB to 10GB."},
    {"function", "timeout", Duration, Opt, "30s", "", "Timeout, 1s to 15m."},
    {"function", "source", String, Req, "", "", "Source directory, relative to the spec file; paydrc zips it."},
    {"function", "handler", String, Req, "", "", "Handler, such as `index.handler`."},
    {"function", "regions", RefList, Req, "", "region", "Regions the function is deployed in."},
    {"function", "reserved_concurrency", Integer, Opt, "100", "", "Reserved concurrent executions."},
    {"function", "tracing", Bool, Opt, "on", "", "AWS X-Ray active tracing."},
    {"function", "access", AccessMap, Opt, "{}", "", "What the function may do: `table: read|write|read_write|read_write_delete` (`read`: GetItem, BatchGetItem, Query, ConditionCheckItem; `write`: PutItem, UpdateItem; `read_write_delete` adds DeleteItem and BatchWriteItem), `database: connect|write` (`connect`: IAM database authentication as the function's database user; `write`: SQL through the RDS Data API on the cluster of the function's own region, with the master secret: no driver and no network path to the database), `events: publish`, `parameters: read`."},
    {"function", "environment", StringMap, Opt, "{}", "", "Extra environment variables (the table and bus names are always set)."},

    {"failover", "zone", String, Req, "", "", "Public Route 53 hosted zone (domain) the API's name lives in. It must be delegated from its parent for the ACM certificates to validate, so reserved names (`example.com`, `.test`, ...) never work (`DR-ZONE-RESERVED`)."},
    {"failover", "zone_mode", Enum, Opt, "existing", "existing|create", "`existing`: the zone is already delegated and shared by every environment; Terraform looks it up by name (or reads `zone_id`), CloudFormation takes its id as a stack parameter. `create`: this deployment creates the zone, and its first apply waits on certificate validation until someone delegates it (`DR-ZONE-DELEGATION`)."},
    {"failover", "zone_id", String, Opt, "", "", "Id of the existing public zone (`Z...`): Terraform reads it instead of searching by name and checks the zone's name; CloudFormation uses it as the zone parameter's default. Only with `zone_mode = existing`."},
    {"failover", "record", String, Req, "", "", "Record name inside the zone. Each environment gets its own name, `<record>-<env>.<zone>` (`api-dev.payments.example.com`; an empty record: `<env>.<zone>`), since API Gateway custom domain names are unique per region across all accounts; the environments in `plain_name_environments` answer on `<record>.<zone>`."},
    {"failover", "plain_name_environments", StringList, Opt, "", "", "Environment suffixes that answer on the plain name `<record>.<zone>` (`[\"prod\"]`); the name is chosen at deployment from the `environment_suffix` variable (CloudFormation: `EnvironmentSuffix`), so one artifact gives every environment its own name."},
    {"failover", "target", Ref, Req, "", "function", "Function serving the API."},
    {"failover", "front_door", Enum, Opt, "http_api", "http_api|rest_api|function_url", "Regional front door. `http_api`: an API Gateway HTTP API with a custom domain and its JWT authorizer; AWS WAF cannot attach to it. `rest_api`: a regional REST API with a custom domain, an AWS WAF web ACL (AWS managed rule groups for common exploits, known bad inputs and IP reputation, and a per-IP rate limit; PCI DSS 4.0 req. 6.4.2), its default `execute-api` endpoint disabled so clients cannot bypass the domain, and paydrc's JWT authorizer function; each region's health check then targets a regional name, `<record>-<region>`, that only that region answers. A REST API stage writes its access log only once API Gateway's account settings in that region name a CloudWatch Logs role (one setting per account and region, shared by every API there, so paydrc does not manage it): set it once per account and region before the first apply, or the stage is refused with `CloudWatch Logs role ARN must be set in account settings to enable logging` (`DR-API-ACCOUNT-ROLE` warns until waived). `function_url` cannot serve a custom domain and is rejected."},
    {"failover", "waf_rate_limit", Integer, Opt, "2000", "", "With `front_door = rest_api`: requests one client IP may make in 5 minutes before AWS WAF blocks it (10 to 2000000000)."},
    {"failover", "primary", Ref, Req, "", "region", "Region answering while healthy."},
    {"failover", "secondary", Ref, Req, "", "region", "Region taking over."},
    {"failover", "ttl", Duration, Opt, "60s", "", "How long clients cache the answer; the DR analysis counts it. The failover records are aliases, which Route 53 answers with the API endpoint's own TTL, so set this to what `dig` shows for it."},
    {"failover", "authorization", Enum, Opt, "jwt", "jwt|none|iam", "How API routes (all but the health check) authorize: `jwt`, an HTTP API JWT authorizer that works in every region; `iam` (SigV4) is rejected, since a request signed for one region is refused by the other after failover."},
    {"failover", "jwt_issuer", String, Opt, "", "", "Issuer (`iss`) of the tokens the JWT authorizer accepts: an `https://` URL serving OpenID discovery; required with `authorization = jwt`."},
    {"failover", "jwt_audience", StringList, Opt, "", "", "Audiences (`aud`) the JWT authorizer accepts; required with `authorization = jwt`."},
    {"health_check", "interval", Duration, Opt, "30s", "", "Request interval: 10s or 30s."},
    {"health_check", "failure_threshold", Integer, Opt, "3", "", "Consecutive failures before unhealthy, 1 to 10."},
    {"health_check", "path", String, Opt, "\"/health\"", "", "Path requested."},
    {"health_check", "protocol", Enum, Opt, "https", "https|http|tcp", "Protocol."},

    {"events", "from", Ref, Req, "", "region", "Region whose bus forwards events."},
    {"events", "to", RefList, Req, "", "region", "Regions receiving them."},
    {"events", "archive", Bool, Opt, "off", "", "Archive events for replay."},

    {"backup", "schedule", String, Req, "", "", "AWS `cron(...)` or `rate(...)` expression, in UTC."},
    {"backup", "retention", Duration, Req, "", "", "How long recovery points are kept (at least 1d)."},
    {"backup", "copy_to", Ref, Opt, "", "region", "Region receiving a copy of every recovery point."},
    {"backup", "copy_retention", Duration, Opt, "", "", "Retention of the copies (default: `retention`)."},
    {"backup", "covers", RefList, Req, "", "database|table", "Data tiers in the plan."},

    {"monitor", "dashboards", RefList, Opt, "[]", "region", "Regions with a CloudWatch dashboard."},
    {"monitor", "notify_email", String, Opt, "", "", "E-mail subscribed to every region's alarm topic (the same as one e-mail in `notify`)."},
    {"monitor", "notify", StringList, Opt, "[]", "", "Who is paged: e-mail addresses and `https://` URLs (an incident tool's webhook) subscribed to every region's alarm topic, and existing SNS topic ARNs (`arn:aws:sns:REGION:ACCOUNT:NAME`) every alarm also notifies."},
    {"alarm", "metric", Enum, Req, "", "replication_lag|errors|throttles|duration|concurrent_executions", "Metric watched."},
    {"alarm", "target", Ref, Req, "", "database|table|function", "Block the metric is about."},
    {"alarm", "threshold", Threshold, Req, "", "", "Alarm when the metric is above this (a duration for lag and duration)."},
    {"alarm", "period", Duration, Opt, "1m", "", "Evaluation period."},
    {"alarm", "evaluation_periods", Integer, Opt, "1", "", "Periods above the threshold before alarming."},

    {"parameter", "path", String, Req, "", "", "Parameter name; `{env}` becomes the environment suffix."},
    {"parameter", "value", OutputRef, Req, "", "", "Deployment output stored: `db.endpoint.region`, `db.reader_endpoint.region`, `table.name`, `events.bus`."},
    {"parameter", "secure", Bool, Opt, "off", "", "Store as a KMS-encrypted SecureString."},

    {"workload", "requests_per_month", Integer, Opt, "10000000", "", "API requests per month."},
    {"workload", "storage_gb", Integer, Opt, "50", "", "Data stored, in GB, per data tier."},

    {"measured", "value", Duration, Req, "", "", "The measured duration (the slowest of your drills, not the mean)."},
    {"measured", "source", String, Req, "", "", "Where it was measured, such as `\"restore drill 2026-10-12\"`; shown beside the figure in `dr` and `explain`."},

    {"waive", "reason", String, Req, "", "", "Why the finding is accepted."},
    {"waive", "until", Date, Req, "", "", "Expiry date (YYYY-MM-DD); after it the waiver is itself a finding."},
    {"waive", "scope", Ref, Opt, "", "region|database|table|function|failover|events|backup", "Limit the waiver to findings about one block."},
    {"waive", "environments", StringList, Opt, "", "", "Limit the waiver to these declared environments, such as `[\"dev\", \"staging\"]`; in the others the finding stays."},
  };
  return table;
}

// The attributes an `environment` block may change: sizes, counts, retention,
// thresholds, budgets and who is paged. Everything else (names, kinds, engines,
// runtimes, code, which regions hold what, keys, paths) is the same system in
// every environment: varying it would make the environments different systems,
// and a review of one would say nothing about the other. A new attribute is
// fixed until it is listed here.
const std::vector<PerEnvironment>& per_environment_attributes() {
  static const std::vector<PerEnvironment> table = {
    {"system", "budget"},
    {"objectives", "rpo"}, {"objectives", "rto"},
    {"region_outage", "rpo"}, {"region_outage", "rto"},
    {"az_outage", "rpo"}, {"az_outage", "rto"},
    {"logical_corruption", "rpo"}, {"logical_corruption", "rto"},
    {"region", "cidr"}, {"region", "zones"}, {"region", "nat_gateways"}, {"region", "interface_endpoints"},
    {"database", "instance_class"}, {"database", "instances"}, {"database", "backup_retention"},
    {"database", "deletion_protection"}, {"database", "operator_response"},
    {"table", "point_in_time_recovery"}, {"table", "pitr_days"},
    {"function", "memory"}, {"function", "timeout"}, {"function", "reserved_concurrency"},
    {"function", "tracing"}, {"function", "environment"},
    {"failover", "ttl"}, {"failover", "jwt_issuer"}, {"failover", "jwt_audience"},
    {"health_check", "interval"}, {"health_check", "failure_threshold"},
    {"events", "archive"},
    {"backup", "schedule"}, {"backup", "retention"}, {"backup", "copy_retention"},
    {"monitor", "dashboards"}, {"monitor", "notify_email"}, {"monitor", "notify"},
    {"alarm", "threshold"}, {"alarm", "period"}, {"alarm", "evaluation_periods"},
    {"workload", "requests_per_month"}, {"workload", "storage_gb"},
    {"measured", "value"}, {"measured", "source"},
  };
  return table;
}
// clang-format on

const BlockSpec* find_block(std::string_view kind) {
  for (const BlockSpec& b : block_specs()) {
    if (b.kind == kind) return &b;
  }
  return nullptr;
}

const AttributeSpec* find_attribute(std::string_view block, std::string_view name) {
  for (const AttributeSpec& a : attribute_specs()) {
    if (a.block == block && a.name == name) return &a;
  }
  return nullptr;
}

std::vector<const AttributeSpec*> attributes_of(std::string_view block) {
  std::vector<const AttributeSpec*> out;
  for (const AttributeSpec& a : attribute_specs()) {
    if (a.block == block) out.push_back(&a);
  }
  return out;
}

bool varies_per_environment(std::string_view block, std::string_view name) {
  for (const PerEnvironment& p : per_environment_attributes()) {
    if (p.block == block && p.name == name) return true;
  }
  return false;
}

std::vector<const BlockSpec*> children_of(std::string_view parent) {
  std::vector<const BlockSpec*> out;
  for (const BlockSpec& b : block_specs()) {
    if (b.parent == parent) out.push_back(&b);
  }
  return out;
}

}  // namespace paydrc::check
