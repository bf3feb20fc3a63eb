// Lowering: the validated IR to the backend-neutral infra model (infra.h).
// Lowering reads no files and never fails: the checker has validated the IR.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string_view>
#include <string>
#include <vector>

#include "ir/ir.h"
#include "lower/infra.h"

namespace paydrc::lower {

// The packaged code of one function (see compiler/package).
struct FunctionArchive {
  std::string file_name;      // processor.zip
  std::string sha256_base64;  // what filebase64sha256 gives
};

struct LowerOptions {
  // By function name; a function without one gets `<name>.zip` and no hash.
  std::map<std::string, FunctionArchive, std::less<>> archives;
};

infra::Model lower(const ir::System& system, const LowerOptions& options);

// The subnets of one VPC: `zones` private then `zones` public blocks of equal size,
// in address order. Exposed for tests.
struct CarvedSubnet {
  int zone_index;
  infra::SubnetTier tier;
  ir::Cidr cidr;
};
std::vector<CarvedSubnet> carve_subnets(const ir::Cidr& vpc, int zones);

// The failover API's DNS name, which depends on the environment suffix
// (`api-<env>.payments.example.com`, or the plain name where the spec says so).
infra::Text failover_name(const ir::Failover& f);
// A REST front door's regional name in `aws_region`, which its health check probes.
infra::Text regional_name(const ir::Failover& f, const std::string& aws_region);

// The AWS APIs other than DynamoDB that function `fn` may call in region `role`, by
// the last part of their PrivateLink service name (`rds-data`, `events`, `ssm`,
// `xray`): what its grants and tracing allow. DynamoDB goes through a gateway
// endpoint; CloudWatch Logs is written by Lambda, outside the function's network.
std::set<std::string> interface_services(const ir::System& system, const ir::Function& fn, std::string_view role);

// The Aurora engine version lowering pins for a major version as written in the spec.
std::string aurora_engine_version(const std::string& engine, const std::string& major);

}  // namespace paydrc::lower
