// How the model's references and texts become Terraform JSON: resource type names,
// attribute names, `${...}` interpolations, and the document being built. Internal
// to backends/terraform.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "backends/backend.h"
#include "lower/infra.h"

namespace paydrc::backends::terraform {

using json = nlohmann::json;

std::string_view type_name(infra::Kind kind);

class Document {
 public:
  Document(const infra::Model& model, const EmitOptions& options) : model_(model), options_(options) {}

  const infra::Model& model() const { return model_; }
  const EmitOptions& options() const { return options_; }

  // A new resource (or data source) block, placed in `region`'s provider.
  json& resource(std::string_view type, const std::string& name, const std::string& region);
  json& data(std::string_view type, const std::string& name, const std::string& region);
  json& root() { return root_; }

  // `${aws_vpc.primary_vpc.id}` and the like.
  static std::string ref(const infra::Ref& ref);
  static std::string ref(infra::Kind kind, const std::string& id, infra::Attr attr = infra::Attr::Id);
  static std::string expr(std::string_view expression) { return "${" + std::string(expression) + "}"; }
  // A Text as a Terraform string template; literal `${` and `%{` are escaped.
  static std::string text(const infra::Text& text);
  static json texts(const std::vector<infra::Text>& texts);
  // `{"Name": ...}`: provider default_tags carry the rest.
  static json name_tag(const infra::Text& name);

  // An aws_iam_policy_document data source; returns the expression of its JSON.
  std::string policy_document(const std::string& name, const std::string& region, const infra::PolicyDocument& doc);

 private:
  const infra::Model& model_;
  const EmitOptions& options_;
  json root_ = json::object();
};

// `aws_iam_role_policy_attachment.<role>_managed_<n>`: the address of a role's n-th
// AWS-managed policy attachment (n from 1), for resources that must wait for it.
inline std::string managed_policy_attachment(const std::string& role, std::size_t n) {
  return "aws_iam_role_policy_attachment." + role + "_managed_" + std::to_string(n);
}

// `<role>_<policy>` with dashes as underscores: the name of the aws_iam_policy
// holding role policy `p` and of the attachment that gives it to the role.
std::string role_policy_name(const std::string& role, const infra::RolePolicy& p);
// The addresses of every policy attachment of role `role` (customer-managed, then
// AWS-managed): a resource that needs the role's permissions when it is created
// (a function in a VPC, an instance with Enhanced Monitoring) depends on them.
std::vector<std::string> role_policy_attachments(const infra::Model& m, const std::string& role);

// Resource families, one file each.
void emit_network(Document& doc);
void emit_identity(Document& doc);    // keys, roles, log groups, topics, queues
void emit_data(Document& doc);        // secrets, Aurora, DynamoDB
void emit_compute(Document& doc);     // functions and their permissions
void emit_front_door(Document& doc);  // certificates, HTTP APIs, Route 53
void emit_rest_front_door(Document& doc);  // REST APIs, WAF web ACLs, their domains (rest_api.cpp)
void emit_events(Document& doc);
void emit_backups(Document& doc);
void emit_monitoring(Document& doc);  // alarms, dashboards, SSM parameters

}  // namespace paydrc::backends::terraform
