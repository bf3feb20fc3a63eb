// Per region: the SNS topic every alarm of that region notifies, encrypted with
// the region's key, and its subscriptions: the spec's e-mail and https
// destinations (`monitor { notify_email, notify }`), so someone is paged from
// whichever region survives. Last of all, every queue and topic of the model
// refuses requests that do not come over TLS.
#include <cstdint>
#include <string_view>

#include <fmt/format.h>

#include "lower/context.h"

namespace paydrc::lower {
namespace {

using infra::Kind;
using infra::Ref;
using infra::Text;

// 32-bit FNV-1a: short, stable across platforms and releases, no dependency.
std::uint32_t endpoint_hash(std::string_view endpoint) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : endpoint) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

}  // namespace

void lower_messaging(Context& cx) {
  for (const ir::Region& region : cx.system.regions) {
    infra::Topic topic;
    topic.id = Context::topic_id(region.role);
    topic.region = region.role;
    topic.origin = cx.system.monitor.origin.range.valid() ? cx.system.monitor.origin.range : region.origin.range;
    topic.name = cx.name({"alarms", region.role});
    topic.key = Context::key_id(region.role);
    // The topic's own policy replaces SNS's default one, which is what lets the
    // account's alarms publish; so CloudWatch gets it back, for this account's
    // alarms in this region only (CloudWatch User Guide, "Using Amazon CloudWatch
    // alarms", confused deputy prevention: aws:SourceArn and aws:SourceAccount).
    infra::Statement alarms;
    alarms.sid = "CloudWatchAlarmsPublish";
    alarms.actions = {"sns:Publish"};
    alarms.resources = {Text(Ref{Kind::Topic, topic.id, infra::Attr::Arn})};
    alarms.principals = {{"Service", {Text("cloudwatch.amazonaws.com")}}};
    alarms.conditions = {{"ArnLike", "aws:SourceArn", {cx.arn("cloudwatch", region.role, Text("alarm:*"))}},
                         {"StringEquals", "aws:SourceAccount", {Text(infra::AccountId{})}}};
    topic.policy.statements.push_back(std::move(alarms));

    // Ids `<topic id>_<protocol>_<hash of the endpoint>`: from the destination
    // itself, not its position, so adding or reordering destinations leaves the
    // others alone (a replaced e-mail subscription waits for a new confirmation).
    // Topic ARNs are alarm actions instead.
    for (const ir::NotifyTarget& target : cx.system.monitor.notify) {
      if (target.kind == ir::NotifyKind::SnsTopic) continue;
      infra::TopicSubscription sub;
      sub.protocol = target.kind == ir::NotifyKind::Email ? "email" : "https";
      sub.id = fmt::format("{}_{}_{:08x}", topic.id, sub.protocol, endpoint_hash(target.endpoint));
      sub.region = region.role;
      sub.origin = target.range;
      sub.topic = topic.id;
      sub.endpoint = target.endpoint;
      cx.model.topic_subscriptions.push_back(std::move(sub));
    }
    cx.model.topics.push_back(std::move(topic));
  }
}

namespace {

// Deny `actions` on `resource` to anyone whose request did not come over TLS
// (aws:SecureTransport is false for plain HTTP), once per policy. An explicit
// Deny wins over every Allow, in the resource's policy or the caller's.
void deny_without_tls(infra::PolicyDocument& policy, std::vector<std::string> actions, const Ref& resource) {
  constexpr const char* kSid = "DenyRequestsWithoutTls";
  for (const infra::Statement& s : policy.statements) {
    if (s.sid == kSid) return;
  }
  infra::Statement deny;
  deny.sid = kSid;
  deny.effect = infra::Effect::Deny;
  deny.actions = std::move(actions);
  deny.resources = {Text(resource)};
  deny.principals = {{"*", {Text("*")}}};
  deny.conditions = {{"Bool", "aws:SecureTransport", {Text("false")}}};
  policy.statements.push_back(std::move(deny));
}

}  // namespace

// The statement into each queue's and topic's one policy, beside what the queue or
// topic already allows (a second policy resource would overwrite the first on
// every apply). Queues: every SQS action, as the SQS Developer Guide's security
// best practices ("Enforce encryption of data in transit") and cdk-nag's
// AwsSolutions-SQS4 ask (`sqs:*` or `*`). Topics: `sns:Publish`, the statement of
// the SNS Developer Guide's best practices ("Enforce encryption of data in
// transit"), the action cdk-nag's AwsSolutions-SNS3 looks for; SNS topic policies
// take only SNS's topic actions, and `sns:*` is reported to fail there
// (cdklabs/cdk-nag#676).
void lower_transport_security(Context& cx) {
  for (infra::Queue& q : cx.model.queues) deny_without_tls(q.policy, {"sqs:*"}, Ref{Kind::Queue, q.id, infra::Attr::Arn});
  for (infra::Topic& t : cx.model.topics) deny_without_tls(t.policy, {"sns:Publish"}, Ref{Kind::Topic, t.id, infra::Attr::Arn});
}

}  // namespace paydrc::lower
