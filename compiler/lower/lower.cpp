#include "lower/lower.h"

#include <algorithm>

#include <fmt/format.h>

#include "lower/context.h"

namespace paydrc::lower {

std::string kebab(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c == '_') c = '-';
  }
  return out;
}

infra::Text Context::name(std::initializer_list<std::string_view> parts) const {
  std::string literal = kebab(system.name);
  for (std::string_view part : parts) literal += "-" + kebab(part);
  return infra::Text(literal + "-") + infra::EnvSuffix{};
}

infra::Text Context::path(std::initializer_list<std::string_view> parts) const {
  std::string literal = system.name;
  for (std::string_view part : parts) literal += "/" + std::string(part);
  return infra::Text(literal + "/") + infra::EnvSuffix{};
}

const std::string& Context::aws_region(std::string_view role) const {
  const ir::Region* region = system.region(role);
  static const std::string unknown;
  return region ? region->aws_region : unknown;
}

const std::string& Context::home_region() const {
  static const std::string none;
  return system.regions.empty() ? none : system.regions.front().role;
}

bool Context::has_region(std::string_view role) const {
  return system.region(role) != nullptr;
}

infra::Text Context::arn(std::string_view service, std::string_view role, const infra::Text& resource) const {
  return infra::Text(fmt::format("arn:aws:{}:{}:", service, aws_region(role))) + infra::AccountId{} + infra::Text(":") +
         resource;
}

std::vector<std::string> Context::database_regions(const ir::Database& db) const {
  std::vector<std::string> roles{db.writer};
  for (const std::string& reader : db.readers) {
    if (reader != db.writer) roles.push_back(reader);
  }
  return roles;
}

std::string aurora_engine_version(const std::string& engine, const std::string& major) {
  // Aurora MySQL 3.10 is a long-term support release (Aurora MySQL release notes,
  // "version 3.10.0, compatible with MySQL 8.0.42", 2025-07-31), and global databases
  // accept Aurora MySQL 3.01.0 and higher ("Supported Regions and DB engines for
  // Aurora global databases"). The global cluster and each member must name the same
  // version. Other majors pass through as written and AWS picks the minor.
  if (engine == "aurora-mysql" && major == "8.0") return "8.0.mysql_aurora.3.10.0";
  return major;
}

infra::Text parameter_path(std::string_view path) {
  infra::Text out;
  constexpr std::string_view kEnv = "{env}";
  std::size_t start = 0;
  for (std::size_t at = path.find(kEnv); at != std::string_view::npos; at = path.find(kEnv, start)) {
    out += infra::Text(std::string(path.substr(start, at - start)));
    out += infra::EnvSuffix{};
    start = at + kEnv.size();
  }
  out += infra::Text(std::string(path.substr(start)));
  return out;
}

bool runs_in(const ir::Function& fn, std::string_view role) {
  return std::find(fn.regions.begin(), fn.regions.end(), role) != fn.regions.end();
}

infra::Model lower(const ir::System& system, const LowerOptions& options) {
  Context cx{system, options, {}};
  cx.model.system = kebab(system.name);
  for (const ir::Region& region : system.regions) {
    cx.model.regions.push_back({region.role, region.aws_region});
  }
  lower_keys(cx);
  lower_network(cx);
  lower_messaging(cx);
  lower_databases(cx);
  lower_tables(cx);
  lower_events(cx);
  lower_functions(cx);
  lower_secret_rotation(cx);
  lower_front_door(cx);
  lower_dead_letters(cx);
  lower_backups(cx);
  lower_monitoring(cx);
  lower_parameters(cx);
  lower_outputs(cx);
  lower_transport_security(cx);
  return std::move(cx.model);
}

}  // namespace paydrc::lower
