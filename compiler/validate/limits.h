// What AWS refuses, as data: the name rules per resource kind, the service
// constraints and default quotas a spec can reach, and CloudFormation's template
// limits. Each row cites the AWS page it was confirmed in; validate.cpp applies
// them and nothing else knows the numbers.
#pragma once

#include <string_view>
#include <vector>

#include "lower/infra.h"

namespace paydrc::validate {

// Extra shape rules beyond a set of characters.
enum class Shape {
  None,
  // RDS identifiers: a letter first, letters, digits and single hyphens, no
  // hyphen at the end.
  RdsIdentifier,
  // KMS alias names: `alias/` then the allowed characters, never `alias/aws/`.
  KmsAlias,
};

// One name a model resource gives AWS. `field` says which (`name`, `identifier`,
// `alias`); `allowed` lists the punctuation allowed besides ASCII letters and
// digits (empty with `any_character`: only the length is limited).
struct NameRule {
  infra::Kind kind;
  std::string_view field;
  std::string_view what;  // "Lambda function name"
  int min_length;
  int max_length;
  std::string_view allowed;
  bool any_character = false;
  Shape shape = Shape::None;
  std::string_view source;  // the AWS page that states the rule
};

const std::vector<NameRule>& name_rules();
const NameRule* find_name_rule(infra::Kind kind, std::string_view field);

// IAM statement ids: ASCII letters and digits, unique within a policy.
inline constexpr std::string_view kSidSource =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html";

// A DB subnet group must cover at least two Availability Zones.
inline constexpr int kDbSubnetGroupMinZones = 2;
inline constexpr std::string_view kDbSubnetGroupSource =
    "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html";

// AWS Backup refuses rules that run more often than hourly ("The interval between
// backup jobs shouldn't be less than 60 minutes").
inline constexpr int kBackupMinIntervalMinutes = 60;
inline constexpr std::string_view kBackupFrequencySource =
    "https://repost.aws/questions/QUwYlivOoWTHi1nSuSGjTVFg/error-scheduling-backup-every-ten-minutes-in-aws-backup";

// Default account quotas a spec can exceed by itself. They are adjustable, and
// paydrc cannot see the account's values: exceeding one is a warning that names
// the quota to raise.
struct Quota {
  std::string_view name;  // as Service Quotas shows it
  std::string_view code;  // Service Quotas quota code
  int default_value;
  std::string_view source;
};
// EC2-VPC Elastic IPs per Region: each NAT gateway holds one.
const Quota& elastic_ip_quota();
// Lambda concurrent executions per Region; AWS keeps 100 of them unreserved, so
// reserved concurrency in a Region can total at most the quota minus 100.
const Quota& lambda_concurrency_quota();
inline constexpr int kLambdaUnreservedMinimum = 100;

// CloudFormation template limits (per stack template).
struct TemplateLimits {
  int resources;
  int outputs;
  int parameters;
  long long body_bytes;         // through an S3 template URL, as paydrc's deploy path uploads them
  long long inline_body_bytes;  // `--template-body`; above it the template must go through S3
  std::string_view source;
};
const TemplateLimits& cloudformation_limits();

}  // namespace paydrc::validate
