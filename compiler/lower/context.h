// Shared state of one lowering run: the IR, the model being built, and the naming
// and lookup helpers every resource family uses. Internal to compiler/lower.
#pragma once

#include <string>
#include <string_view>

#include "ir/ir.h"
#include "lower/infra.h"
#include "lower/lower.h"

namespace paydrc::lower {

struct Context {
  const ir::System& system;
  const LowerOptions& options;
  infra::Model model;

  // `payment-<parts...>-<env>`: the naming pattern of every resource (DESIGN.md).
  infra::Text name(std::initializer_list<std::string_view> parts) const;
  // The same with `/` separators and no suffix variable: `payment/<parts...>/<env>`.
  infra::Text path(std::initializer_list<std::string_view> parts) const;

  const std::string& aws_region(std::string_view role) const;
  const std::string& home_region() const;  // the first region's role: global services live there
  bool has_region(std::string_view role) const;

  // Ids of per-region resources every family refers to.
  static std::string key_id(std::string_view role) { return std::string(role) + "_key"; }
  static std::string backup_key_id(std::string_view role) { return std::string(role) + "_backup_key"; }
  static std::string vpc_id(std::string_view role) { return std::string(role) + "_vpc"; }
  static std::string topic_id(std::string_view role) { return std::string(role) + "_alarms"; }
  static std::string function_id(std::string_view fn, std::string_view role) {
    return std::string(fn) + "_" + std::string(role);
  }
  static std::string cluster_id(std::string_view db, std::string_view role) {
    return std::string(db) + "_" + std::string(role);
  }
  static std::string bus_id(std::string_view bus, std::string_view role) {
    return std::string(bus) + "_" + std::string(role);
  }
  static std::string table_id(std::string_view table) { return std::string(table); }
  static std::string function_sg_id(std::string_view fn, std::string_view role) {
    return std::string(fn) + "_" + std::string(role) + "_sg";
  }
  static std::string database_sg_id(std::string_view db, std::string_view role) {
    return std::string(db) + "_" + std::string(role) + "_sg";
  }

  // ARN of a resource addressed by name in a region (for IAM statements).
  infra::Text arn(std::string_view service, std::string_view role, const infra::Text& resource) const;
  // Region roles a function runs in, a table is replicated to, a database lives in.
  std::vector<std::string> database_regions(const ir::Database& db) const;
};

// The region a table is created in: its first replica, else the home region.
std::string table_home(const Context& cx, const ir::Table& table);
// An SSM parameter path with the environment suffix in place of `{env}`.
infra::Text parameter_path(std::string_view path);
// Whether the function is deployed in region `role`.
bool runs_in(const ir::Function& fn, std::string_view role);
// What every function's role holds: writing its own log group's streams, the VPC
// network interfaces Lambda attaches (`in_vpc`), and (with tracing) X-Ray.
std::vector<infra::Statement> function_runtime_statements(const std::string& log_group, bool tracing,
                                                          bool in_vpc = true);
// The file name and hash of a built-in function's zip (LowerOptions::archives key
// `key`), or `fallback` with no hash when the caller registered none.
void set_builtin_archive(const Context& cx, std::string_view key, std::string fallback, infra::Function& f);
// A function's security-group rule: HTTPS to AWS APIs, anywhere.
infra::SecurityRule https_egress(std::string description);

// One function per resource family, called in this order by lower().
void lower_keys(Context& cx);
// The key of the backup vaults in region `role`, created on first use: not the
// region's data key.
infra::Key& ensure_backup_key(Context& cx, const std::string& role);
void lower_network(Context& cx);
void lower_messaging(Context& cx);
void lower_databases(Context& cx);
void lower_tables(Context& cx);
void lower_events(Context& cx);
void lower_functions(Context& cx);
void lower_secret_rotation(Context& cx);
void lower_front_door(Context& cx);
// After every invoker is known: dead-letter queues where functions are invoked asynchronously.
void lower_dead_letters(Context& cx);
void lower_backups(Context& cx);
void lower_monitoring(Context& cx);
void lower_parameters(Context& cx);
void lower_outputs(Context& cx);
// Last, once every queue and topic exists: each one's policy refuses requests without TLS.
void lower_transport_security(Context& cx);

// `processor_errors` -> `processor-errors`: spec names in AWS names.
std::string kebab(std::string_view name);

}  // namespace paydrc::lower
