// AWS Backup vaults, plans and selections.
#include "terraform/document.h"

namespace paydrc::backends::terraform {

using infra::Attr;
using infra::Kind;

void emit_backups(Document& doc) {
  const infra::Model& m = doc.model();
  for (const infra::BackupVault& v : m.backup_vaults) {
    doc.resource("aws_backup_vault", v.id, v.region) = {{"provider", "aws." + v.region},
                                                        {"name", Document::text(v.name)},
                                                        {"kms_key_arn", Document::ref(Kind::Key, v.key, Attr::Arn)},
                                                        {"tags", Document::name_tag(v.name)}};
    if (v.lock_min_retention_days > 0) {
      // Governance mode: without changeable_for_days the lock never becomes
      // immutable, so it can still be removed by someone allowed to.
      doc.resource("aws_backup_vault_lock_configuration", v.id, v.region) = {
          {"provider", "aws." + v.region},
          {"backup_vault_name", Document::ref(Kind::BackupVault, v.id, Attr::Name)},
          {"min_retention_days", v.lock_min_retention_days}};
    }
    if (!v.policy.statements.empty()) {
      doc.resource("aws_backup_vault_policy", v.id, v.region) = {
          {"provider", "aws." + v.region},
          {"backup_vault_name", Document::ref(Kind::BackupVault, v.id, Attr::Name)},
          {"policy", doc.policy_document(v.id + "_access", v.region, v.policy)}};
    }
  }
  for (const infra::BackupPlan& p : m.backup_plans) {
    json rules = json::array();
    for (const infra::BackupRule& r : p.rules) {
      json rule = {{"rule_name", r.name},
                   {"target_vault_name", Document::ref(Kind::BackupVault, r.vault, Attr::Name)},
                   {"schedule", r.schedule},
                   {"lifecycle", json::array({{{"delete_after", r.delete_after_days}}})}};
      for (const infra::BackupCopy& c : r.copies) {
        rule["copy_action"].push_back({{"destination_vault_arn", Document::ref(Kind::BackupVault, c.vault, Attr::Arn)},
                                       {"lifecycle", json::array({{{"delete_after", c.delete_after_days}}})}});
      }
      rules.push_back(std::move(rule));
    }
    doc.resource("aws_backup_plan", p.id, p.region) = {{"provider", "aws." + p.region},
                                                       {"name", Document::text(p.name)},
                                                       {"rule", rules},
                                                       {"tags", Document::name_tag(p.name)}};
  }
  for (const infra::BackupSelection& s : m.backup_selections) {
    json& body = doc.resource("aws_backup_selection", s.id, s.region);
    body = {{"provider", "aws." + s.region},
            {"name", Document::text(s.name)},
            {"plan_id", Document::ref(Kind::BackupPlan, s.plan)},
            {"iam_role_arn", Document::ref(Kind::Role, s.role, Attr::Arn)}};
    if (!s.resources.empty()) body["resources"] = Document::texts(s.resources);
    for (const auto& [key, value] : s.tags)
      body["selection_tag"].push_back({{"type", "STRINGEQUALS"}, {"key", key}, {"value", value}});
  }
}

}  // namespace paydrc::backends::terraform
