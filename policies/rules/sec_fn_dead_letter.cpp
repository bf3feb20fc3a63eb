// SEC-FN-DEAD-LETTER: a function something invokes asynchronously sends the events
// that still fail to an encrypted dead-letter queue it may write to; a function
// invoked only synchronously has none, since nothing could ever arrive there.
#include <algorithm>

#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {
namespace {

// Whether `role` has an inline statement allowing sqs:SendMessage on `queue`.
bool may_send(const infra::Model& m, const std::string& role, const std::string& queue) {
  const infra::Role* r = sec::find(m.roles, role);
  if (r == nullptr) return false;
  const infra::Text arn(infra::Ref{infra::Kind::Queue, queue, infra::Attr::Arn});
  for (const infra::RolePolicy& p : r->policies) {
    for (const infra::Statement& s : p.document.statements) {
      const bool sends = std::find(s.actions.begin(), s.actions.end(), "sqs:SendMessage") != s.actions.end();
      if (sends && std::find(s.resources.begin(), s.resources.end(), arn) != s.resources.end()) return true;
    }
  }
  return false;
}

void check(const Context& ctx, Findings& out) {
  for (const infra::Function& f : ctx.model.functions) {
    const bool asynchronous = infra::invoked_asynchronously(ctx.model, f);
    if (!asynchronous) {
      // Lambda queues only asynchronous events, and only those reach a dead-letter
      // queue ("Asynchronous invocation", Lambda Developer Guide); a synchronous
      // caller (API Gateway) receives the error. A queue here is an alarm that can
      // never ring and a claim of coverage nothing backs.
      if (!f.dead_letter_queue.empty()) {
        sec::report(ctx, out, f,
                    fmt::format("function `{}` has dead-letter queue `{}`, but nothing invokes it asynchronously, so "
                                "the queue can never receive",
                                f.id, f.dead_letter_queue),
                    "give a function a dead-letter queue only where a service invokes it asynchronously");
      }
      continue;
    }
    const infra::Queue* dlq = f.dead_letter_queue.empty() ? nullptr : sec::find(ctx.model.queues, f.dead_letter_queue);
    if (dlq == nullptr) {
      sec::report(ctx, out, f,
                  f.dead_letter_queue.empty()
                      ? fmt::format("function `{}` is invoked asynchronously and has no dead-letter target", f.id)
                      : fmt::format("function `{}` names dead-letter queue `{}`, which the model does not define", f.id,
                                    f.dead_letter_queue),
                  "the lowering should give each asynchronously invoked function an encrypted dead-letter queue");
    } else if (dlq->region != f.region) {
      sec::report(
          ctx, out, f,
          fmt::format("function `{}` in {} sends failures to queue `{}` in {}", f.id, f.region, dlq->id, dlq->region),
          "a dead-letter queue must be in the function's region");
    } else if (!may_send(ctx.model, f.role, dlq->id)) {
      sec::report(ctx, out, f,
                  fmt::format("function `{}`: role `{}` may not send to dead-letter queue `{}`", f.id, f.role, dlq->id),
                  "grant `sqs:SendMessage` on the queue, or Lambda drops the failed events");
    }
  }
}

}  // namespace

const Rule& sec_fn_dead_letter() {
  static const Rule rule{
      {"SEC-FN-DEAD-LETTER",
       "asynchronously invoked functions send failed events to a dead-letter queue; synchronously invoked ones have "
       "none",
       Category::Security, diag::Severity::Error,
       "asynchronous events that still fail after Lambda's retries are otherwise dropped without a trace, and a "
       "payment event lost that way is lost for good; a dead-letter queue on a function invoked only synchronously "
       "can never receive, so it claims a protection that does not exist",
       "Checkov CKV_AWS_116"},
      check};
  return rule;
}

}  // namespace paydrc::policies::rules
