// Functions (code from the zip beside main.tf.json) and their invoke permissions.
#include "terraform/document.h"

namespace paydrc::backends::terraform {

using infra::Attr;
using infra::Kind;

void emit_compute(Document& doc) {
  const infra::Model& m = doc.model();
  for (const infra::Function& f : m.functions) {
    json subnets = json::array();
    for (const std::string& s : f.subnets) subnets.push_back(Document::ref(Kind::Subnet, s));
    json groups = json::array();
    for (const std::string& g : f.security_groups) groups.push_back(Document::ref(Kind::SecurityGroup, g));
    json variables = json::object();
    for (const auto& [name, value] : f.environment) variables[name] = Document::text(value);

    json& body = doc.resource("aws_lambda_function", f.id, f.region);
    body["function_name"] = Document::text(f.name);
    body["role"] = Document::ref(Kind::Role, f.role, Attr::Arn);
    body["runtime"] = f.runtime;
    body["handler"] = f.handler;
    body["memory_size"] = f.memory_mb;
    body["timeout"] = f.timeout_seconds;
    // The zips sit beside the root directories (roots.h).
    body["filename"] = "${path.module}/../" + f.archive;
    // The base64 SHA-256 of the zip: what Lambda reports as CodeSha256, so a plan
    // shows a change exactly when the code changed.
    if (!f.archive_sha256.empty()) body["source_code_hash"] = f.archive_sha256;
    if (!f.subnets.empty()) {
      body["vpc_config"] = json::array({{{"subnet_ids", subnets}, {"security_group_ids", groups}}});
    }
    if (f.tracing) body["tracing_config"] = json::array({{{"mode", "Active"}}});
    body["reserved_concurrent_executions"] = f.reserved_concurrency;
    if (!f.dead_letter_queue.empty()) {
      body["dead_letter_config"] =
          json::array({{{"target_arn", Document::ref(Kind::Queue, f.dead_letter_queue, Attr::Arn)}}});
    }
    body["kms_key_arn"] = Document::ref(Kind::Key, f.key, Attr::Arn);
    body["environment"] = json::array({{{"variables", variables}}});
    body["tags"] = Document::name_tag(f.name);
    // The log group exists (with its retention and key) before the first
    // invocation, and the role may write to it.
    json after = json::array({"aws_cloudwatch_log_group." + f.log_group});
    for (const std::string& a : role_policy_attachments(m, f.role)) after.push_back(a);
    body["depends_on"] = after;
  }
  for (const infra::FunctionPermission& p : m.function_permissions) {
    doc.resource("aws_lambda_permission", p.id, p.region) = {
        {"provider", "aws." + p.region},
        {"statement_id", p.principal == "secretsmanager.amazonaws.com" ? "AllowInvokeFromSecretsManager"
                                                                        : "AllowInvokeFromApi"},
        {"action", "lambda:InvokeFunction"}, {"function_name", Document::ref(Kind::Function, p.function, Attr::Name)},
        {"principal", p.principal},          {"source_arn", Document::text(p.source_arn)}};
  }
}

}  // namespace paydrc::backends::terraform
