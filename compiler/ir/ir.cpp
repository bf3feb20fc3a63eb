#include "ir/ir.h"

#include <fmt/format.h>
#include <algorithm>

namespace paydrc::ir {

SourceRange Origin::at(std::string_view attribute) const {
  auto it = attributes.find(attribute);
  return it == attributes.end() ? range : it->second;
}

std::string Cidr::text() const {
  return fmt::format("{}.{}.{}.{}/{}", (address >> 24) & 0xFF, (address >> 16) & 0xFF, (address >> 8) & 0xFF,
                     address & 0xFF, prefix);
}

bool Cidr::overlaps(const Cidr& other) const {
  int p = std::min(prefix, other.prefix);
  std::uint32_t mask = p == 0 ? 0 : ~std::uint32_t{0} << (32 - p);
  return (address & mask) == (other.address & mask);
}

std::string Date::text() const {
  return fmt::format("{:04}-{:02}-{:02}", year, month, day);
}

std::string_view scenario_name(Scenario s) {
  switch (s) {
    case Scenario::RegionOutage:
      return "region_outage";
    case Scenario::AzOutage:
      return "az_outage";
    case Scenario::LogicalCorruption:
      return "logical_corruption";
  }
  return "region_outage";
}

const Objective& Objectives::for_scenario(Scenario s) const {
  auto it = per_scenario.find(s);
  return it == per_scenario.end() ? base : it->second;
}

std::string_view metric_name(Metric m) {
  switch (m) {
    case Metric::ReplicationLag:
      return "replication_lag";
    case Metric::Errors:
      return "errors";
    case Metric::Throttles:
      return "throttles";
    case Metric::Duration:
      return "duration";
    case Metric::ConcurrentExecutions:
      return "concurrent_executions";
  }
  return "errors";
}

namespace {
template <typename T>
const T* find_named(const std::vector<T>& items, std::string_view name) {
  for (const T& item : items) {
    if (item.name == name) return &item;
  }
  return nullptr;
}
}  // namespace

const Region* System::region(std::string_view role) const {
  for (const Region& r : regions) {
    if (r.role == role) return &r;
  }
  return nullptr;
}
const Database* System::database(std::string_view name) const {
  return find_named(databases, name);
}
const Table* System::table(std::string_view name) const {
  return find_named(tables, name);
}
const Function* System::function(std::string_view name) const {
  return find_named(functions, name);
}
const EventReplication* System::event_bus(std::string_view name) const {
  return find_named(events, name);
}

}  // namespace paydrc::ir
