// One customer-managed KMS key per region, with rotation. Aurora, DynamoDB,
// CloudWatch Logs, SNS, SQS, SSM SecureString and the Lambda environment in that
// region all encrypt with it. AWS Backup vaults have a key of their own
// (ensure_backup_key), so one key's deletion or compromise does not take both the
// data and its backups.
#include <fmt/format.h>

#include "lower/context.h"

namespace paydrc::lower {
namespace {

using infra::Text;

// Key administration and use by the account, listed action by action instead of
// `kms:*` so the policy can be read and reviewed; IAM policies in the account then
// grant the use of the key to individual roles.
const std::vector<std::string> kAccountKeyActions = {
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListGrants",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
};

// In a key policy the only resource is the key itself, written "*".
constexpr const char* kThisKey = "in a key policy \"*\" means this key";

// The account administers the key and, through IAM policies, uses it.
infra::Statement account_statement() {
  infra::Statement account;
  account.sid = "AccountAdministersAndUsesKey";
  account.actions = kAccountKeyActions;
  account.resources = {Text("*")};
  account.principals = {{"AWS", {Text("arn:aws:iam::") + infra::AccountId{} + Text(":root")}}};
  account.wildcard_reason = kThisKey;
  return account;
}

infra::PolicyDocument key_policy(const Context& cx, const std::string& role) {
  const std::string& region = cx.aws_region(role);
  infra::PolicyDocument doc;
  doc.statements.push_back(account_statement());

  // CloudWatch Logs encrypts log groups with the key itself, scoped by the
  // encryption context to log groups of this account and region (CloudWatch Logs
  // User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS").
  infra::Statement logs;
  logs.sid = "CloudWatchLogsEncryptLogGroups";
  logs.actions = {"kms:Decrypt",
                  "kms:DescribeKey",
                  "kms:Encrypt",
                  "kms:GenerateDataKey",
                  "kms:GenerateDataKeyWithoutPlaintext",
                  "kms:ReEncryptFrom",
                  "kms:ReEncryptTo"};
  logs.resources = {Text("*")};
  logs.principals = {{"Service", {Text(fmt::format("logs.{}.amazonaws.com", region))}}};
  logs.conditions = {{"ArnLike", "kms:EncryptionContext:aws:logs:arn", {cx.arn("logs", role, Text("log-group:*"))}}};
  logs.wildcard_reason = kThisKey;
  doc.statements.push_back(logs);

  // CloudWatch alarms publish to the KMS-encrypted alarm topic (SNS Developer Guide,
  // "Configure AWS KMS permissions for AWS services").
  infra::Statement alarms;
  alarms.sid = "CloudWatchAlarmsPublishToEncryptedTopic";
  alarms.actions = {"kms:Decrypt", "kms:GenerateDataKey"};
  alarms.resources = {Text("*")};
  alarms.principals = {{"Service", {Text("cloudwatch.amazonaws.com")}}};
  alarms.conditions = {{"StringEquals", "aws:SourceAccount", {Text(infra::AccountId{})}}};
  alarms.wildcard_reason = kThisKey;
  doc.statements.push_back(alarms);
  return doc;
}

}  // namespace

infra::Key& ensure_backup_key(Context& cx, const std::string& role) {
  const std::string id = Context::backup_key_id(role);
  for (infra::Key& k : cx.model.keys) {
    if (k.id == id) return k;
  }
  const ir::Region* region = cx.system.region(role);
  infra::Key key;
  key.id = id;
  key.region = role;
  key.origin = region ? region->origin.range : SourceRange{};
  key.alias = Text("alias/") + cx.name({"backup", role});
  key.description = fmt::format("{} backup vaults in {} ({})", cx.model.system, cx.aws_region(role), role);
  // The account administers it and, through IAM, lets AWS Backup's role use it;
  // no service statement: Backup works with the key through grants its role makes.
  key.policy.statements.push_back(account_statement());
  cx.model.keys.push_back(std::move(key));
  return cx.model.keys.back();
}

void lower_keys(Context& cx) {
  for (const ir::Region& region : cx.system.regions) {
    infra::Key key;
    key.id = Context::key_id(region.role);
    key.region = region.role;
    key.origin = region.origin.range;
    key.alias = Text("alias/") + cx.name({region.role});
    key.description = fmt::format("{} data at rest in {} ({})", cx.model.system, region.aws_region, region.role);
    key.policy = key_policy(cx, region.role);
    cx.model.keys.push_back(std::move(key));
  }
}

}  // namespace paydrc::lower
