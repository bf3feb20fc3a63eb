// SEC-ENCRYPTION-CMK: every data store and data-bearing resource is encrypted at
// rest with a customer-managed KMS key of its own region.
#include <algorithm>

#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {
namespace {

// Why `key` does not protect data in `aws_region` with a customer-managed key; "" when it does.
std::string key_problem(const infra::Model& m, const std::string& key, const std::string& region) {
  if (key.empty()) return "is encrypted with an AWS-owned key, not a customer-managed one";
  const infra::Key* k = sec::find(m.keys, key);
  if (k == nullptr) return fmt::format("names key `{}`, which the model does not define", key);
  const std::string key_region = sec::aws_region(m, k->region);
  if (key_region != region) return fmt::format("in {} names key `{}` of {}", region, key, key_region);
  return {};
}

void check(const Context& ctx, Findings& out) {
  const infra::Model& m = ctx.model;
  auto verify = [&](const infra::Base& r, std::string_view what, const std::string& key, const std::string& region) {
    std::string problem = key_problem(m, key, region);
    if (problem.empty()) return;
    sec::report(ctx, out, r, fmt::format("{} `{}` {}", what, r.id, problem),
                "a customer-managed key of the same region lets you audit, rotate and revoke every use of the data; "
                "the lowering should set it");
  };
  auto home = [&](const infra::Base& r) { return sec::aws_region(m, r.region); };
  for (const infra::DbCluster& c : m.db_clusters) verify(c, "database cluster", c.key, home(c));
  for (const infra::Table& t : m.tables) {
    verify(t, "table", t.key, home(t));
    for (const infra::TableReplica& replica : t.replicas) {
      verify(t, fmt::format("replica in {} of table", replica.aws_region), replica.key, replica.aws_region);
    }
  }
  for (const infra::BackupVault& v : m.backup_vaults) {
    verify(v, "backup vault", v.key, home(v));
    // Backups under the data's own key die with it: a scheduled deletion or a
    // compromised key policy takes both (AWS Backup Developer Guide, "Encryption
    // for backups in AWS Backup").
    const bool shared = std::any_of(m.db_clusters.begin(), m.db_clusters.end(),
                                    [&](const infra::DbCluster& c) { return c.key == v.key; }) ||
                        std::any_of(m.tables.begin(), m.tables.end(), [&](const infra::Table& t) {
                          return t.key == v.key || std::any_of(t.replicas.begin(), t.replicas.end(),
                                                               [&](const auto& r) { return r.key == v.key; });
                        });
    if (!v.key.empty() && shared) {
      sec::report(ctx, out, v,
                  fmt::format("backup vault `{}` is encrypted with key `{}`, which also encrypts the data it backs up",
                              v.id, v.key),
                  "give the vaults a key of their own; the lowering should set it");
    }
  }
  for (const infra::LogGroup& g : m.log_groups) verify(g, "log group", g.key, home(g));
  for (const infra::Topic& t : m.topics) verify(t, "topic", t.key, home(t));
  for (const infra::Queue& q : m.queues) verify(q, "queue", q.key, home(q));
  for (const infra::Secret& s : m.secrets) {
    verify(s, "secret", s.key, home(s));
    for (const auto& [region, key] : s.replicas) verify(s, fmt::format("replica in {} of secret", region), key, region);
  }
  for (const infra::Parameter& p : m.parameters) {
    if (p.secure) verify(p, "SecureString parameter", p.key, home(p));
  }
  for (const infra::Function& f : m.functions) {
    if (!f.environment.empty()) verify(f, "environment of function", f.key, home(f));
  }
}

}  // namespace

const Rule& sec_encryption_cmk() {
  static const Rule rule{
      {"SEC-ENCRYPTION-CMK", "data at rest is encrypted with a customer-managed KMS key of its region",
       Category::Security, diag::Severity::Error,
       "with an AWS-owned key nobody in the account can see or restrict who decrypts the data; a customer-managed "
       "key in the data's own region keeps key policy, audit trail and revocation in the account, and survives the "
       "loss of the other region",
       "Checkov CKV_AWS_327 (Aurora), CKV_AWS_119 (DynamoDB), CKV_AWS_166 (Backup vault), CKV_AWS_158 (log groups), "
       "CKV_AWS_26 (SNS), CKV_AWS_27 (SQS), CKV_AWS_149 (Secrets Manager), CKV_AWS_337 (SSM), CKV_AWS_173 (Lambda "
       "environment); PCI DSS v4.0 3.5.1"},
      check};
  return rule;
}

}  // namespace paydrc::policies::rules
