#include "validate/limits.h"

namespace paydrc::validate {

using infra::Kind;

// One row per name a model resource gives AWS. Lengths and characters are those
// of the service's API reference (cited per row); the CloudFormation resource
// schemas cfn-lint 1.51 ships agree where they state them.
// clang-format off
const std::vector<NameRule>& name_rules() {
  static const std::vector<NameRule> table = {
    {Kind::Function, "name", "Lambda function name", 1, 64, "-_", false, Shape::None,
     "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html"},
    {Kind::Role, "name", "IAM role name", 1, 64, "+=,.@-_", false, Shape::None,
     "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html"},
    {Kind::Role, "policy", "IAM managed policy name", 1, 128, "+=,.@-_", false, Shape::None,
     "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html"},
    {Kind::LogGroup, "name", "CloudWatch Logs log group name", 1, 512, ".-_/#", false, Shape::None,
     "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html"},
    {Kind::Topic, "name", "SNS topic name", 1, 256, "-_", false, Shape::None,
     "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html"},
    {Kind::Queue, "name", "SQS queue name", 1, 80, "-_", false, Shape::None,
     "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html"},
    {Kind::Secret, "name", "Secrets Manager secret name", 1, 512, "/_+=.@-", false, Shape::None,
     "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html"},
    {Kind::DbSubnetGroup, "name", "DB subnet group name", 1, 255, "._ -", false, Shape::None,
     "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html"},
    {Kind::DbClusterParameterGroup, "name", "DB cluster parameter group name", 1, 255, "-", false, Shape::RdsIdentifier,
     "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBClusterParameterGroup.html"},
    {Kind::GlobalCluster, "identifier", "Aurora global cluster identifier", 1, 63, "-", false, Shape::RdsIdentifier,
     "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateGlobalCluster.html"},
    {Kind::DbCluster, "identifier", "Aurora cluster identifier", 1, 63, "-", false, Shape::RdsIdentifier,
     "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html"},
    {Kind::DbCluster, "final_snapshot_identifier", "final snapshot identifier", 1, 255, "-", false,
     Shape::RdsIdentifier, "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBCluster.html"},
    {Kind::DbInstance, "identifier", "DB instance identifier", 1, 63, "-", false, Shape::RdsIdentifier,
     "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html"},
    {Kind::Table, "name", "DynamoDB table name", 3, 255, "_.-", false, Shape::None,
     "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html"},
    {Kind::EventBus, "name", "EventBridge event bus name", 1, 256, "/.-_", false, Shape::None,
     "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html"},
    {Kind::EventRule, "name", "EventBridge rule name", 1, 64, ".-_", false, Shape::None,
     "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html"},
    {Kind::BackupVault, "name", "AWS Backup vault name", 2, 50, "-_", false, Shape::None,
     "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupVault.html"},
    // 1 to 50 in the console, 1 to 200 through the API, which both backends use.
    {Kind::BackupPlan, "name", "AWS Backup plan name", 1, 200, "-_.", false, Shape::None,
     "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupPlan.html"},
    {Kind::BackupSelection, "name", "AWS Backup selection name", 1, 50, "-_.", false, Shape::None,
     "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupSelection.html"},
    {Kind::Alarm, "name", "CloudWatch alarm name", 1, 255, "", true, Shape::None,
     "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"},
    {Kind::Dashboard, "name", "CloudWatch dashboard name", 1, 255, "-_", false, Shape::None,
     "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html"},
    // 1011 counts the whole parameter ARN; a name alone is shorter by the ARN
    // prefix, so this is generous by that much.
    {Kind::Parameter, "name", "SSM parameter name", 1, 1011, "_.-/", false, Shape::None,
     "https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html"},
    // EC2-VPC security groups: names and descriptions of "a-z, A-Z, 0-9, spaces, and
    // ._-:/()#,@[]+=&;{}!$*", up to 255 characters; rule descriptions alike (IpRange,
    // UserIdGroupPair). An apostrophe or a non-ASCII letter fails the apply.
    {Kind::SecurityGroup, "name", "security group name", 1, 255, " ._-:/()#,@[]+=&;{}!$*", false, Shape::None,
     "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html"},
    {Kind::SecurityGroup, "description", "security group description", 1, 255, " ._-:/()#,@[]+=&;{}!$*", false,
     Shape::None, "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html"},
    {Kind::SecurityGroup, "rule description", "security group rule description", 1, 255, " ._-:/()#,@[]+=&;{}!$*",
     false, Shape::None, "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html"},
    {Kind::Key, "alias", "KMS alias name", 1, 256, ":/_-", false, Shape::KmsAlias,
     "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html"},
  };
  return table;
}
// clang-format on

const NameRule* find_name_rule(infra::Kind kind, std::string_view field) {
  for (const NameRule& r : name_rules()) {
    if (r.kind == kind && r.field == field) return &r;
  }
  return nullptr;
}

const Quota& elastic_ip_quota() {
  static const Quota q{"EC2-VPC Elastic IPs", "L-0263D0A3", 5,
                       "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html"};
  return q;
}

const Quota& lambda_concurrency_quota() {
  // "You can reserve up to the Unreserved account concurrency value that is shown,
  // minus 100 for functions that don't have reserved concurrency."
  static const Quota q{"Concurrent executions", "L-B99A9384", 1000,
                       "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html"};
  return q;
}

const TemplateLimits& cloudformation_limits() {
  // 500 resources, 200 outputs, 200 parameters; a template body of 51,200 bytes
  // inline and 1 MB through S3. cfn-lint 1.51 (cfnlint/helpers.py LIMITS) counts
  // the megabyte as 1,000,000 bytes; so does this.
  static const TemplateLimits l{500, 200, 200, 1000000, 51200,
                                "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html"};
  return l;
}

}  // namespace paydrc::validate
