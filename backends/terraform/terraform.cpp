#include "terraform/terraform.h"

#include <algorithm>

#include <fmt/format.h>

#include "lower/lower.h"
#include "package/package.h"
#include "terraform/document.h"
#include "terraform/roots.h"

namespace paydrc::backends::terraform {

namespace {

// The S3 prefix of a system's and environment's root states, of paydrc's own
// so a shared state bucket stays readable (roots.h: state_key).
std::string state_prefix(const std::string& system, const std::string& environment_suffix) {
  return fmt::format("paydrc/{}/{}/", system, environment_suffix);
}

void emit_settings(Document& doc) {
  const EmitOptions& options = doc.options();
  const infra::Model& m = doc.model();
  json& terraform = doc.root()["terraform"];
  // 1.11: write-only attributes and ephemeral resources; 5.100: the write-only
  // attributes of aws_rds_cluster and aws_secretsmanager_secret_version.
  terraform["required_version"] = ">= 1.11";
  terraform["required_providers"]["aws"] = {{"source", "hashicorp/aws"}, {"version", "~> 5.100"}};
  json suffix_rules = json::array(
      {{{"condition", fmt::format("${{can(regex(\"{}\", var.environment_suffix))}}", kEnvironmentSuffixPattern)},
        {"error_message", fmt::format("environment_suffix: {}", kEnvironmentSuffixRule)}}});
  std::string suffix_description = "appended to every resource name: " + m.system + "-<role>-<suffix>";
  // Reasons this file serves exactly one environment; each makes another
  // `-var environment_suffix=...` a plan-time error.
  std::vector<std::string> only_this_environment;
  if (!options.spec_environment.empty()) {
    // The spec's environment blocks differ in sizes and counts: planned as
    // another environment, this file would deploy that one with these settings.
    only_this_environment.push_back(fmt::format(
        "this configuration is environment `{}` of the spec, with its overrides; compile again with --env <name> "
        "(or ENVIRONMENT_SUFFIX) into another directory for another environment",
        options.spec_environment));
    suffix_description += fmt::format("; compiled for the spec's environment `{}` only", options.spec_environment);
  }
  if (options.state_bucket) {
    // Terraform cannot interpolate variables into a backend block, so each
    // environment's state key is fixed here from ENVIRONMENT_SUFFIX; the
    // validation keeps `-var environment_suffix=...` from planning another
    // environment's resources into this one's state.
    // roots.cpp sets each root's own key under this prefix.
    json backend = {{"bucket", *options.state_bucket}, {"encrypt", true}, {"use_lockfile", true}};
    if (options.state_bucket_region) backend["region"] = *options.state_bucket_region;
    terraform["backend"]["s3"] = backend;
    const std::string state = fmt::format("s3://{}/{}<root>/terraform.tfstate", *options.state_bucket,
                                          state_prefix(m.system, options.environment_suffix));
    suffix_description += fmt::format(
        "; state lives at {}, keys fixed when paydrc compiled this file: compile again with another "
        "ENVIRONMENT_SUFFIX (into its own directory) for another environment",
        state);
    only_this_environment.push_back(
        fmt::format("this configuration keeps the state of `{}` at {}; compile again with "
                    "ENVIRONMENT_SUFFIX=<suffix> into another directory for another environment",
                    options.environment_suffix, state));
  }
  if (!only_this_environment.empty()) {
    suffix_rules.push_back(
        {{"condition", fmt::format("${{var.environment_suffix == \"{}\"}}", options.environment_suffix)},
         {"error_message", fmt::format("environment_suffix: {}", fmt::join(only_this_environment, "; "))}});
  }

  doc.root()["variable"]["environment_suffix"] = {{"type", "string"},
                                                  {"default", options.environment_suffix},
                                                  {"description", suffix_description},
                                                  {"validation", suffix_rules}};

  json providers = json::array();
  for (const infra::RegionInfo& r : m.regions) {
    providers.push_back({{"alias", r.role},
                         {"region", r.aws_region},
                         {"default_tags", json::array({{{"tags",
                                                         {{"System", m.system},
                                                          {"Environment", "${var.environment_suffix}"},
                                                          {"RegionRole", r.role},
                                                          {"ManagedBy", "paydrc"}}}}})}});
  }
  doc.root()["provider"]["aws"] = providers;
  if (!m.regions.empty()) doc.data("aws_caller_identity", "current", m.regions.front().role);

  for (const infra::Output& o : m.outputs) {
    std::string value = Document::text(o.value);
    // An existing zone is a data source, not a resource (front_door.cpp).
    if (o.value.parts.size() == 1) {
      if (const auto* r = std::get_if<infra::Ref>(&o.value.parts.front()); r && r->kind == infra::Kind::HostedZone) {
        for (const infra::HostedZone& z : m.hosted_zones) {
          if (z.id == r->id && !z.created) value = "${data.aws_route53_zone." + z.id + ".zone_id}";
        }
      }
    }
    doc.root()["output"][o.name] = {{"description", o.description}, {"value", value}};
  }
}

}  // namespace

json render_document(const infra::Model& model, const EmitOptions& options) {
  Document doc(model, options);
  emit_settings(doc);
  emit_identity(doc);
  emit_network(doc);
  emit_data(doc);
  emit_compute(doc);
  emit_front_door(doc);
  emit_events(doc);
  emit_backups(doc);
  emit_monitoring(doc);
  return doc.root();
}

std::optional<std::vector<OutputFile>> render(const infra::Model& model, const EmitOptions& options,
                                              std::string& error) {
  std::optional<std::vector<Root>> roots = split(render_document(model, options), model, options, error);
  if (!roots) return std::nullopt;
  // nlohmann::json objects are std::maps: keys come out sorted, so the bytes
  // depend on the model only.
  std::vector<OutputFile> files;
  files.push_back({"manifest.json", manifest(*roots, model, options).dump(2) + "\n"});
  for (const Root& r : *roots) files.push_back({r.dir + "/main.tf.json", r.document.dump(2) + "\n"});
  return files;
}

std::optional<std::vector<OutputFile>> emit(const ir::System& system, const EmitOptions& given, diag::Sink& sink) {
  const EmitOptions options = options_for(system, given);
  std::vector<OutputFile> files;
  lower::LowerOptions lower_options;
  bool ok = true;
  for (const ir::Function& fn : system.functions) {
    std::optional<package::Archive> archive =
        package::package_function(fn, options.spec_dir, options.project_root, sink);
    if (!archive) {
      ok = false;
      continue;
    }
    lower_options.archives[fn.name] = {archive->file_name, archive->sha256_base64};
    files.push_back({archive->file_name, std::move(archive->bytes)});
  }
  if (!ok) return std::nullopt;
  for (const package::BuiltinArchive& b : package::builtin_archives()) {
    lower_options.archives[b.key] = {b.archive.file_name, b.archive.sha256_base64};
  }
  const infra::Model model = lower::lower(system, lower_options);
  // A built-in function's zip, only when the model deploys it.
  for (const package::BuiltinArchive& b : package::builtin_archives()) {
    if (std::any_of(model.functions.begin(), model.functions.end(),
                    [&](const infra::Function& f) { return f.archive == b.archive.file_name; })) {
      files.push_back({b.archive.file_name, b.archive.bytes});
    }
  }
  std::string error;
  std::optional<std::vector<OutputFile>> roots = render(model, options, error);
  if (!roots) {
    sink.report(diag::Kind::InvalidReplication, system.origin.range, error);
    return std::nullopt;
  }
  files.insert(files.begin(), roots->begin(), roots->end());
  return files;
}

}  // namespace paydrc::backends::terraform
