#include "runbook/deployment.h"

#include <nlohmann/json.hpp>

#include "cloudformation/builder.h"
#include "cloudformation/cloudformation.h"
#include "terraform/terraform.h"

namespace paydrc::runbook {

namespace {

const StackInfo* holding(const std::vector<StackInfo>& units, const std::string& output) {
  for (const StackInfo& s : units) {
    for (const std::string& o : s.outputs) {
      if (o == output) return &s;
    }
  }
  return nullptr;
}

// The Terraform roots from the Terraform backend's own manifest:
// its staging runs over Terraform's blocks, so a root may hold an output the
// CloudFormation stack of the same name does not.
bool terraform_roots(const infra::Model& model, const backends::EmitOptions& options, Layout& layout,
                     std::string& error) {
  std::optional<std::vector<backends::OutputFile>> files = backends::terraform::render(model, options, error);
  if (!files) return false;
  for (const backends::OutputFile& f : *files) {
    if (f.name != "manifest.json") continue;
    const nlohmann::json manifest = nlohmann::json::parse(f.bytes);
    for (const nlohmann::json& entry : manifest["roots"]) {
      StackInfo r;
      r.dir = entry["dir"];
      r.role = entry["region"];
      r.aws_region = entry["aws_region"];
      r.stage = entry["stage"];
      r.outputs = entry["outputs"].get<std::vector<std::string>>();
      layout.roots.push_back(std::move(r));
    }
    return true;
  }
  error = "the Terraform backend wrote no manifest";
  return false;
}

}  // namespace

const StackInfo* Layout::stack_of_output(const std::string& output) const {
  return holding(stacks, output);
}

const StackInfo* Layout::root_of_output(const std::string& output) const {
  return holding(roots, output);
}

std::optional<Layout> deployment_layout(const infra::Model& model, const backends::EmitOptions& options,
                                        std::string& error) {
  namespace cfn = backends::cloudformation;
  std::optional<std::vector<backends::OutputFile>> files = cfn::render(model, options, error);
  if (!files) return std::nullopt;
  std::map<std::string, const backends::OutputFile*> by_name;
  for (const backends::OutputFile& f : *files) by_name[f.name] = &f;
  auto manifest_file = by_name.find("manifest.json");
  if (manifest_file == by_name.end()) {
    error = "the CloudFormation backend wrote no manifest";
    return std::nullopt;
  }
  const nlohmann::json manifest = nlohmann::json::parse(manifest_file->second->bytes);
  // A model output is a template output named in UpperCamelCase (Builder::output).
  std::map<std::string, std::string> output_of_key;
  for (const infra::Output& o : model.outputs) output_of_key[cfn::Builder::camel(o.name)] = o.name;
  const std::string prefix = model.system + "-";
  const std::string suffix = "-${EnvironmentSuffix}";
  Layout layout;
  for (const nlohmann::json& entry : manifest["stacks"]) {
    StackInfo s;
    s.name = entry["stack_name"].get<std::string>();
    if (s.name.ends_with(suffix)) s.name.resize(s.name.size() - suffix.size());
    s.dir = s.name.starts_with(prefix) ? s.name.substr(prefix.size()) : s.name;
    s.role = entry["role"];
    s.aws_region = entry["region"];
    s.stage = entry["stage"];
    s.template_file = entry["template"];
    s.creates_iam = !entry["capabilities"].empty();
    s.uses_artifact_bucket = entry["parameters"].contains("ArtifactBucket");
    if (auto t = by_name.find(s.template_file); t != by_name.end()) {
      // CloudFormation takes a template body of at most 51,200 bytes; larger ones
      // go through S3 (CloudFormation User Guide, "Quotas").
      s.large_template = t->second->bytes.size() > 51200;
      const nlohmann::json doc = nlohmann::json::parse(t->second->bytes);
      if (doc.contains("Outputs")) {
        for (const auto& [key, value] : doc["Outputs"].items()) {
          if (auto o = output_of_key.find(key); o != output_of_key.end()) s.outputs.push_back(o->second);
        }
      }
    }
    layout.stacks.push_back(std::move(s));
  }
  if (!terraform_roots(model, options, layout, error)) return std::nullopt;
  return layout;
}

}  // namespace paydrc::runbook
