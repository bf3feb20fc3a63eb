// Lowering: the validated IR to the backend-neutral infra model (infra.h).
// Lowering reads no files and never fails: the checker has validated the IR.
#pragma once

#include <cstdint>
#include <map>
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

// The Aurora engine version lowering pins for a major version as written in the spec.
std::string aurora_engine_version(const std::string& engine, const std::string& major);

}  // namespace paydrc::lower
