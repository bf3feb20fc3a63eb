// AWS facts the checker needs, kept as data with their sources (aws_data.cpp).
#pragma once

#include <string_view>
#include <vector>

namespace paydrc::check {

struct AwsRegion {
  std::string_view code;
  int zones;  // availability zones open to new accounts
};
const std::vector<AwsRegion>& aws_regions();
const AwsRegion* find_aws_region(std::string_view code);

struct EngineFamily {
  std::string_view engine;   // aurora-mysql
  std::string_view version;  // 8.0
};
const std::vector<EngineFamily>& aurora_engine_versions();

// Instance class families usable by an Aurora global database (memory
// optimized only) and their sizes.
bool is_global_database_instance_class(std::string_view engine, std::string_view instance_class,
                                       std::string_view* reason);
const std::vector<std::string_view>& global_database_instance_families();

// Lambda limits.
inline constexpr int kLambdaMinMemoryMb = 128;
inline constexpr int kLambdaMaxMemoryMb = 10240;
inline constexpr int kLambdaMaxTimeoutSeconds = 900;

}  // namespace paydrc::check
