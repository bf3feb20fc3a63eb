// AWS Backup vaults, plans and selections.
#include "cloudformation/builder.h"

namespace paydrc::backends::cloudformation {

using infra::Attr;
using infra::Kind;

void emit_backups(Builder& b) {
  const infra::Model& m = b.model();
  for (const infra::BackupVault& v : m.backup_vaults) {
    b.begin(Kind::BackupVault, v.id);
    json& body = b.resource(Builder::logical(Kind::BackupVault, v.id), "AWS::Backup::BackupVault");
    body["Properties"] = {{"BackupVaultName", b.text(v.name)},
                          {"EncryptionKeyArn", b.ref(Kind::Key, v.key, Attr::Arn)},
                          {"BackupVaultTags", {{"Name", b.text(v.name)}}}};
    // Governance mode: without ChangeableForDays the lock never becomes immutable.
    if (v.lock_min_retention_days > 0)
      body["Properties"]["LockConfiguration"] = {{"MinRetentionDays", v.lock_min_retention_days}};
    if (!v.policy.statements.empty()) body["Properties"]["AccessPolicy"] = b.policy_document(v.policy);
    // Recovery points outlive the stack.
    Builder::retain_except_on_create(body);
  }
  for (const infra::BackupPlan& p : m.backup_plans) {
    b.begin(Kind::BackupPlan, p.id);
    json rules = json::array();
    for (const infra::BackupRule& r : p.rules) {
      json rule = {{"RuleName", r.name},
                   {"TargetBackupVault", b.ref(Kind::BackupVault, r.vault, Attr::Name)},
                   {"ScheduleExpression", r.schedule},
                   {"Lifecycle", {{"DeleteAfterDays", r.delete_after_days}}}};
      for (const infra::BackupCopy& c : r.copies) {
        // The copy's vault is in another region: its ARN comes from an earlier stack.
        rule["CopyActions"].push_back({{"DestinationBackupVaultArn", b.ref(Kind::BackupVault, c.vault, Attr::Arn)},
                                       {"Lifecycle", {{"DeleteAfterDays", c.delete_after_days}}}});
      }
      rules.push_back(std::move(rule));
    }
    b.resource(Builder::logical(Kind::BackupPlan, p.id), "AWS::Backup::BackupPlan")["Properties"] = {
        {"BackupPlan", {{"BackupPlanName", b.text(p.name)}, {"BackupPlanRule", rules}}},
        {"BackupPlanTags", {{"Name", b.text(p.name)}}}};
  }
  for (const infra::BackupSelection& s : m.backup_selections) {
    b.begin(Kind::BackupSelection, s.id);
    json selection = {{"SelectionName", b.text(s.name)}, {"IamRoleArn", b.ref(Kind::Role, s.role, Attr::Arn)}};
    if (!s.resources.empty()) selection["Resources"] = b.texts(s.resources);
    for (const auto& [key, value] : s.tags)
      selection["ListOfTags"].push_back({{"ConditionType", "STRINGEQUALS"}, {"ConditionKey", key}, {"ConditionValue", value}});
    b.resource(Builder::logical(Kind::BackupSelection, s.id), "AWS::Backup::BackupSelection")["Properties"] = {
        {"BackupPlanId", b.ref(Kind::BackupPlan, s.plan)}, {"BackupSelection", selection}};
  }
}

}  // namespace paydrc::backends::cloudformation
