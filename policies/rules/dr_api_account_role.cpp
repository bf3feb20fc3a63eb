// DR-API-ACCOUNT-ROLE: a REST API stage writes its access log only once API
// Gateway's account settings in its region name a CloudWatch Logs role. The
// setting is one per account and region, shared by every API there, so paydrc
// does not manage it: without it the first apply is refused.
#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {

const Rule& dr_api_account_role() {
  static const Rule rule{
      {"DR-API-ACCOUNT-ROLE", "REST API stages log through the account's API Gateway role", Category::DisasterRecovery,
       diag::Severity::Warning,
       "API Gateway refuses a REST API stage with access logging ('CloudWatch Logs role ARN must be set in account "
       "settings to enable logging') until the account settings of its region name a role API Gateway can assume. "
       "The setting is one per account and region and every API there shares it; two environments managing it "
       "would overwrite each other, and destroying one would stop the other's logs, so it belongs to the "
       "account's bootstrap, done once before the first apply",
       "API Gateway Developer Guide, 'Set up CloudWatch logging for REST APIs' (permissions for CloudWatch "
       "logging); CloudFormation User Guide, AWS::ApiGateway::Account"},
      [](const Context& ctx, Findings& out) {
        for (const infra::RestApi& api : ctx.model.rest_apis) {
          if (api.access_log_group.empty()) continue;
          const std::string region = sec::aws_region(ctx.model, api.region);
          sec::report(ctx, out, api,
                      fmt::format("REST API `{}` logs its stage only if API Gateway's account settings in {} name a "
                                  "CloudWatch Logs role, which paydrc does not manage",
                                  api.id, region),
                      fmt::format("once per account and region: create a role trusted by apigateway.amazonaws.com "
                                  "with the AmazonAPIGatewayPushToCloudWatchLogs policy and run `aws apigateway "
                                  "update-account --region {} --patch-operations "
                                  "op=replace,path=/cloudwatchRoleArn,value=<role ARN>`; then waive this rule "
                                  "with that reason",
                                  region),
                      "front_door");
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
