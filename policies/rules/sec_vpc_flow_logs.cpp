// SEC-VPC-FLOW-LOGS: every VPC records its traffic to a log group.
#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {

const Rule& sec_vpc_flow_logs() {
  static const Rule rule{
      {"SEC-VPC-FLOW-LOGS", "every VPC has flow logs", Category::Security, diag::Severity::Error,
       "flow logs are the only record of which addresses talked to the databases and functions; without them an "
       "incident cannot be scoped",
       "Checkov CKV2_AWS_11; PCI DSS v4.0 10.2.1"},
      [](const Context& ctx, Findings& out) {
        for (const infra::Vpc& vpc : ctx.model.vpcs) {
          const infra::FlowLog* flow = nullptr;
          for (const infra::FlowLog& f : ctx.model.flow_logs) {
            if (f.vpc == vpc.id) flow = &f;
          }
          if (flow == nullptr) {
            sec::report(ctx, out, vpc, fmt::format("VPC `{}` has no flow log", vpc.id),
                        "the lowering should add a flow log to an encrypted log group");
          } else if (sec::find(ctx.model.log_groups, flow->log_group) == nullptr) {
            sec::report(
                ctx, out, vpc,
                fmt::format("flow log `{}` of VPC `{}` writes to log group `{}`, which the model does not define",
                            flow->id, vpc.id, flow->log_group),
                "the lowering should create the log group with the flow log");
          }
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
