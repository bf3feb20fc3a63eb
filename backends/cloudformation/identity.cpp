// KMS keys and aliases, IAM roles with their customer-managed policies, log groups, SNS topics
// and SQS queues.
#include <fmt/format.h>

#include "cloudformation/builder.h"

namespace paydrc::backends::cloudformation {

using infra::Attr;
using infra::Kind;

namespace {

json trust_policy(Builder& b, const infra::Role& role) {
  // A trust policy has no Resource element.
  json statement = {{"Sid", "AssumedByService"},
                    {"Effect", "Allow"},
                    {"Principal", {{"Service", role.trusted_services}}},
                    {"Action", "sts:AssumeRole"}};
  for (const infra::Condition& c : role.trust_conditions) {
    json values = b.texts(c.values);
    statement["Condition"][c.test][c.variable] = values.size() == 1 ? values[0] : values;
  }
  return json{{"Version", "2012-10-17"}, {"Statement", json::array({statement})}};
}

}  // namespace

std::string role_policy_part(const infra::RolePolicy& p) { return Builder::camel(p.name) + "Policy"; }

void depend_on_role_policies(Builder& b, json& resource, const std::string& role) {
  for (const infra::Role& r : b.model().roles) {
    if (r.id != role) continue;
    for (const infra::RolePolicy& p : r.policies) b.depends_on(resource, Kind::Role, r.id, role_policy_part(p));
  }
}

void emit_identity(Builder& b) {
  const infra::Model& m = b.model();
  for (const infra::Key& k : m.keys) {
    b.begin(Kind::Key, k.id);
    const std::string key = Builder::logical(Kind::Key, k.id);
    json& body = b.resource(key, "AWS::KMS::Key");
    body["Properties"] = {{"Description", k.description},
                          {"EnableKeyRotation", k.rotation},
                          {"PendingWindowInDays", k.deletion_window_days},
                          {"KeyPolicy", b.policy_document(k.policy)},
                          {"Tags", b.name_tags(k.alias)}};
    // Data encrypted with the key outlives a stack deletion or a replacement.
    Builder::retain_except_on_create(body);
    b.resource(key + "Alias", "AWS::KMS::Alias")["Properties"] = {{"AliasName", b.text(k.alias)},
                                                                  {"TargetKeyId", b.ref(Kind::Key, k.id)}};
  }
  for (const infra::Role& r : m.roles) {
    b.begin(Kind::Role, r.id);
    const std::string role = Builder::logical(Kind::Role, r.id);
    json& body = b.resource(role, "AWS::IAM::Role");
    body["Properties"] = {{"RoleName", b.text(r.name)},
                          {"Description", r.description},
                          {"AssumeRolePolicyDocument", trust_policy(b, r)},
                          {"Tags", b.name_tags(r.name)}};
    if (!r.managed_policies.empty()) {
      json arns = json::array();
      for (const std::string& arn : r.managed_policies) arns.push_back(b.text(arn));
      body["Properties"]["ManagedPolicyArns"] = arns;
    }
    // Customer-managed, attached through the policy's `Roles`: a resource that
    // needs the permissions when it is created waits for it (role_policy_dependencies).
    for (const infra::RolePolicy& p : r.policies) {
      b.resource(role + role_policy_part(p), "AWS::IAM::ManagedPolicy")["Properties"] = {
          {"ManagedPolicyName", b.text(infra::policy_name(r, p))},
          {"Description", fmt::format("{} ({})", r.description, p.name)},
          {"PolicyDocument", b.policy_document(p.document)},
          {"Roles", json::array({b.ref(Kind::Role, r.id)})}};
    }
  }
  for (const infra::LogGroup& g : m.log_groups) {
    b.begin(Kind::LogGroup, g.id);
    json& body = b.resource(Builder::logical(Kind::LogGroup, g.id), "AWS::Logs::LogGroup");
    body["Properties"] = {{"LogGroupName", b.text(g.name)},
                          {"RetentionInDays", g.retention_days},
                          {"KmsKeyId", b.ref(Kind::Key, g.key, Attr::Arn)},
                          {"Tags", b.name_tags(g.name)}};
    // The audit trail outlives the stack; its own retention expires it.
    Builder::retain_except_on_create(body);
  }
  for (const infra::Topic& t : m.topics) {
    b.begin(Kind::Topic, t.id);
    const std::string topic = Builder::logical(Kind::Topic, t.id);
    b.resource(topic, "AWS::SNS::Topic")["Properties"] = {{"TopicName", b.text(t.name)},
                                                          {"KmsMasterKeyId", b.ref(Kind::Key, t.key, Attr::Arn)},
                                                          {"Tags", b.name_tags(t.name)}};
    // Ref of a topic is its ARN.
    if (!t.policy.statements.empty()) {
      b.resource(topic + "Policy", "AWS::SNS::TopicPolicy")["Properties"] = {
          {"Topics", json::array({b.ref(Kind::Topic, t.id)})}, {"PolicyDocument", b.policy_document(t.policy)}};
    }
  }
  for (const infra::TopicSubscription& s : m.topic_subscriptions) {
    b.begin(Kind::TopicSubscription, s.id);
    b.resource(Builder::logical(Kind::TopicSubscription, s.id), "AWS::SNS::Subscription")["Properties"] = {
        {"TopicArn", b.ref(Kind::Topic, s.topic, Attr::Arn)}, {"Protocol", s.protocol}, {"Endpoint", s.endpoint}};
  }
  for (const infra::Queue& q : m.queues) {
    b.begin(Kind::Queue, q.id);
    json& body = b.resource(Builder::logical(Kind::Queue, q.id), "AWS::SQS::Queue");
    body["Properties"] = {{"QueueName", b.text(q.name)},
                          {"KmsMasterKeyId", b.ref(Kind::Key, q.key, Attr::Arn)},
                          {"KmsDataKeyReusePeriodSeconds", 300},
                          {"MessageRetentionPeriod", q.retention_seconds},
                          {"Tags", b.name_tags(q.name)}};
    // A dead-letter queue holds the events that failed: not lost with the stack.
    Builder::retain_except_on_create(body);
    if (!q.policy.statements.empty()) {
      // Ref of a queue is its URL.
      b.resource(Builder::logical(Kind::Queue, q.id) + "Policy", "AWS::SQS::QueuePolicy")["Properties"] = {
          {"Queues", json::array({b.ref(Kind::Queue, q.id)})}, {"PolicyDocument", b.policy_document(q.policy)}};
    }
  }
}

}  // namespace paydrc::backends::cloudformation
