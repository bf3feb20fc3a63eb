// SEC-MESSAGING-TLS: every SQS queue and SNS topic refuses requests that do not
// come over TLS, through a Deny in its own resource policy.
#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {
namespace {

// The statement's shape is in infra::denies_insecure_transport. Queues: every SQS
// action (`sqs:*`), since messages leave by ReceiveMessage as well as arrive by
// SendMessage; topics: `sns:Publish`, the action of the SNS Developer Guide's
// recommended statement (topic policies accept only SNS's topic actions).
template <class Resource>
void check_each(const Context& ctx, Findings& out, const std::vector<Resource>& resources, infra::Kind kind,
                std::string_view noun, std::string_view action) {
  for (const Resource& r : resources) {
    if (infra::denies_insecure_transport(r.policy, action, infra::Ref{kind, r.id, infra::Attr::Arn})) continue;
    sec::report(ctx, out, r,
                fmt::format("{} `{}` accepts requests without TLS: its policy has no Deny of `{}` to every principal "
                            "when `aws:SecureTransport` is false",
                            noun, r.id, action),
                fmt::format("the lowering should add the TLS-only statement to the {}'s policy", noun));
  }
}

void check(const Context& ctx, Findings& out) {
  check_each(ctx, out, ctx.model.queues, infra::Kind::Queue, "queue", "sqs:*");
  check_each(ctx, out, ctx.model.topics, infra::Kind::Topic, "topic", "sns:Publish");
}

}  // namespace

const Rule& sec_messaging_tls() {
  static const Rule rule{
      {"SEC-MESSAGING-TLS", "queues and topics refuse requests without TLS", Category::Security,
       diag::Severity::Error,
       "failed payment events and alarm messages would otherwise be accepted over plain HTTP, readable and alterable "
       "on the way; only a Deny in the resource's own policy holds for every caller",
       "cdk-nag AwsSolutions-SQS4, AwsSolutions-SNS3; PCI DSS v4.0 4.2.1"},
      check};
  return rule;
}

}  // namespace paydrc::policies::rules
