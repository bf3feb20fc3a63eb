#include "check/aws_data.h"

#include <string>

namespace paydrc::check {

// Source: AWS Global Infrastructure, "Regions and Availability Zones", and
// `aws ec2 describe-availability-zones` per region (2026). Where a region has a
// zone closed to new accounts (us-west-1, ap-northeast-1), the count is the
// number a new account can use.
const std::vector<AwsRegion>& aws_regions() {
  static const std::vector<AwsRegion> table = {
      {"af-south-1", 3},     {"ap-east-1", 3},      {"ap-east-2", 3},      {"ap-northeast-1", 3}, {"ap-northeast-2", 4},
      {"ap-northeast-3", 3}, {"ap-south-1", 3},     {"ap-south-2", 3},     {"ap-southeast-1", 3}, {"ap-southeast-2", 3},
      {"ap-southeast-3", 3}, {"ap-southeast-4", 3}, {"ap-southeast-5", 3}, {"ap-southeast-7", 3}, {"ca-central-1", 3},
      {"ca-west-1", 3},      {"eu-central-1", 3},   {"eu-central-2", 3},   {"eu-north-1", 3},     {"eu-south-1", 3},
      {"eu-south-2", 3},     {"eu-west-1", 3},      {"eu-west-2", 3},      {"eu-west-3", 3},      {"il-central-1", 3},
      {"me-central-1", 3},   {"me-south-1", 3},     {"mx-central-1", 3},   {"sa-east-1", 3},      {"us-east-1", 6},
      {"us-east-2", 3},      {"us-west-1", 2},      {"us-west-2", 4},
  };
  return table;
}

const AwsRegion* find_aws_region(std::string_view code) {
  for (const AwsRegion& r : aws_regions()) {
    if (r.code == code) return &r;
  }
  return nullptr;
}

// Source: Aurora User Guide, "Supported Regions and DB engines for Aurora global
// databases" (Aurora MySQL 8.0-compatible version 3; Aurora PostgreSQL 13-17).
const std::vector<EngineFamily>& aurora_engine_versions() {
  static const std::vector<EngineFamily> table = {
      {"aurora-mysql", "8.0"},     {"aurora-postgresql", "13"}, {"aurora-postgresql", "14"},
      {"aurora-postgresql", "15"}, {"aurora-postgresql", "16"}, {"aurora-postgresql", "17"},
  };
  return table;
}

// Source: Aurora User Guide, "Configuration requirements of an Amazon Aurora
// global database": a global database requires memory-optimized DB instance
// classes; "Supported DB engines for DB instance classes" for the families.
const std::vector<std::string_view>& global_database_instance_families() {
  static const std::vector<std::string_view> families = {
      "db.r5", "db.r6g", "db.r6gd", "db.r6i", "db.r6id", "db.r7g", "db.r7i", "db.r8g", "db.x2g",
  };
  return families;
}

bool is_global_database_instance_class(std::string_view engine, std::string_view instance_class,
                                       std::string_view* reason) {
  static const std::vector<std::string_view> sizes = {
      "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge", "48xlarge",
  };
  if (instance_class == "db.serverless") return true;  // Aurora Serverless v2
  std::size_t dot = instance_class.rfind('.');
  if (instance_class.substr(0, 3) != "db." || dot == std::string_view::npos || dot < 3) {
    *reason = "not a DB instance class";
    return false;
  }
  std::string_view family = instance_class.substr(0, dot);
  std::string_view size = instance_class.substr(dot + 1);
  bool known_family = false;
  for (std::string_view f : global_database_instance_families()) known_family |= (f == family);
  if (!known_family) {
    if (family.substr(0, 4) == "db.t") {
      *reason =
          "burstable (db.t*) classes are not memory optimized, and a global database needs memory-optimized classes";
    } else {
      *reason = "not a memory-optimized class family that Aurora global databases support";
    }
    return false;
  }
  for (std::string_view s : sizes) {
    if (s == size) return true;
  }
  *reason = "unknown instance size";
  (void)engine;
  return false;
}

}  // namespace paydrc::check
