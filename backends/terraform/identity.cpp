// KMS keys and aliases, IAM roles with their policy documents, log groups,
// SNS topics and SQS queues.
#include "terraform/document.h"

namespace paydrc::backends::terraform {

using infra::Attr;
using infra::Kind;

namespace {

std::string trust_policy(Document& doc, const infra::Role& role) {
  json services = json::array();
  for (const std::string& s : role.trusted_services) services.push_back(s);
  // A trust policy has no Resource element.
  json& body = doc.data("aws_iam_policy_document", role.id + "_trust", role.region);
  json statement = {{"sid", "AssumedByService"},
                    {"effect", "Allow"},
                    {"actions", json::array({"sts:AssumeRole"})},
                    {"principals", json::array({{{"type", "Service"}, {"identifiers", services}}})}};
  for (const infra::Condition& c : role.trust_conditions) {
    statement["condition"].push_back({{"test", c.test}, {"variable", c.variable}, {"values", Document::texts(c.values)}});
  }
  body["statement"] = json::array({statement});
  return Document::expr("data.aws_iam_policy_document." + role.id + "_trust.json");
}

}  // namespace

std::string role_policy_name(const std::string& role, const infra::RolePolicy& p) {
  std::string name = role + "_" + p.name;
  for (char& c : name) c = c == '-' ? '_' : c;
  return name;
}

std::vector<std::string> role_policy_attachments(const infra::Model& m, const std::string& role) {
  std::vector<std::string> out;
  for (const infra::Role& r : m.roles) {
    if (r.id != role) continue;
    for (const infra::RolePolicy& p : r.policies)
      out.push_back("aws_iam_role_policy_attachment." + role_policy_name(r.id, p));
    for (std::size_t n = 1; n <= r.managed_policies.size(); ++n) out.push_back(managed_policy_attachment(r.id, n));
  }
  return out;
}

void emit_identity(Document& doc) {
  const infra::Model& m = doc.model();
  for (const infra::Key& k : m.keys) {
    const std::string policy = doc.policy_document(k.id + "_policy", k.region, k.policy);
    doc.resource("aws_kms_key", k.id, k.region) = {{"provider", "aws." + k.region},
                                                   {"description", k.description},
                                                   {"enable_key_rotation", k.rotation},
                                                   {"deletion_window_in_days", k.deletion_window_days},
                                                   {"policy", policy},
                                                   {"tags", Document::name_tag(k.alias)}};
    doc.resource("aws_kms_alias", k.id, k.region) = {{"provider", "aws." + k.region},
                                                     {"name", Document::text(k.alias)},
                                                     {"target_key_id", Document::ref(Kind::Key, k.id, Attr::Id)}};
  }
  for (const infra::Role& r : m.roles) {
    doc.resource("aws_iam_role", r.id, r.region) = {{"provider", "aws." + r.region},
                                                    {"name", Document::text(r.name)},
                                                    {"description", r.description},
                                                    {"assume_role_policy", trust_policy(doc, r)},
                                                    {"tags", Document::name_tag(r.name)}};
    // Customer-managed policies, each attached to this role only.
    for (const infra::RolePolicy& p : r.policies) {
      const std::string name = role_policy_name(r.id, p);
      doc.resource("aws_iam_policy", name, r.region) = {
          {"provider", "aws." + r.region},
          {"name", Document::text(infra::policy_name(r, p))},
          {"description", r.description + " (" + p.name + ")"},
          {"policy", doc.policy_document(name, r.region, p.document)}};
      doc.resource("aws_iam_role_policy_attachment", name, r.region) = {
          {"provider", "aws." + r.region},
          {"role", Document::ref(Kind::Role, r.id, Attr::Name)},
          {"policy_arn", "${aws_iam_policy." + name + ".arn}"}};
    }
    std::size_t n = 0;
    for (const std::string& arn : r.managed_policies) {
      const std::string address = managed_policy_attachment(r.id, ++n);
      doc.resource("aws_iam_role_policy_attachment", address.substr(address.find('.') + 1), r.region) = {
          {"provider", "aws." + r.region}, {"role", Document::ref(Kind::Role, r.id, Attr::Name)}, {"policy_arn", arn}};
    }
  }
  for (const infra::LogGroup& g : m.log_groups) {
    doc.resource("aws_cloudwatch_log_group", g.id, g.region) = {
        {"provider", "aws." + g.region},
        {"name", Document::text(g.name)},
        {"retention_in_days", g.retention_days},
        {"kms_key_id", Document::ref(Kind::Key, g.key, Attr::Arn)},
        {"tags", Document::name_tag(g.name)}};
  }
  for (const infra::Topic& t : m.topics) {
    doc.resource("aws_sns_topic", t.id, t.region) = {{"provider", "aws." + t.region},
                                                     {"name", Document::text(t.name)},
                                                     {"kms_master_key_id", Document::ref(Kind::Key, t.key, Attr::Arn)},
                                                     {"tags", Document::name_tag(t.name)}};
    // One policy resource per topic: two would overwrite each other on every apply.
    if (!t.policy.statements.empty()) {
      doc.resource("aws_sns_topic_policy", t.id, t.region) = {
          {"provider", "aws." + t.region},
          {"arn", Document::ref(Kind::Topic, t.id, Attr::Arn)},
          {"policy", doc.policy_document(t.id + "_policy", t.region, t.policy)}};
    }
  }
  // E-mail and https subscriptions stay pending until their owner confirms them
  // (SNS API reference, Subscribe); Terraform records them as created.
  for (const infra::TopicSubscription& s : m.topic_subscriptions) {
    doc.resource("aws_sns_topic_subscription", s.id, s.region) = {
        {"provider", "aws." + s.region},
        {"topic_arn", Document::ref(Kind::Topic, s.topic, Attr::Arn)},
        {"protocol", s.protocol},
        {"endpoint", s.endpoint}};
  }
  for (const infra::Queue& q : m.queues) {
    doc.resource("aws_sqs_queue", q.id, q.region) = {{"provider", "aws." + q.region},
                                                     {"name", Document::text(q.name)},
                                                     {"kms_master_key_id", Document::ref(Kind::Key, q.key, Attr::Arn)},
                                                     {"kms_data_key_reuse_period_seconds", 300},
                                                     {"message_retention_seconds", q.retention_seconds},
                                                     {"tags", Document::name_tag(q.name)}};
    if (!q.policy.statements.empty()) {
      doc.resource("aws_sqs_queue_policy", q.id, q.region) = {
          {"provider", "aws." + q.region},
          {"queue_url", Document::ref(Kind::Queue, q.id, Attr::Id)},
          {"policy", doc.policy_document(q.id + "_policy", q.region, q.policy)}};
    }
  }
}

}  // namespace paydrc::backends::terraform
