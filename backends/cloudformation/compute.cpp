// Functions (code from the artifact bucket) and their invoke permissions.
#include <array>

#include "cloudformation/builder.h"

namespace paydrc::backends::cloudformation {

using infra::Attr;
using infra::Kind;

std::string hex_of_base64(const std::string& base64) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : base64) {
    int v = -1;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    if (v < 0) continue;  // padding
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      constexpr std::array<char, 16> kDigits = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
      const unsigned byte = (buffer >> bits) & 0xffu;
      out += kDigits[byte >> 4];
      out += kDigits[byte & 0xfu];
    }
  }
  return out;
}

std::string artifact_name(const std::string& archive, const std::string& sha256_base64) {
  if (sha256_base64.empty()) return archive;
  std::string stem = archive;
  if (stem.size() > 4 && stem.compare(stem.size() - 4, 4, ".zip") == 0) stem.resize(stem.size() - 4);
  return stem + "-" + hex_of_base64(sha256_base64) + ".zip";
}

void emit_compute(Builder& b) {
  const infra::Model& m = b.model();
  for (const infra::Function& f : m.functions) {
    b.begin(Kind::Function, f.id);
    json subnets = json::array();
    for (const std::string& s : f.subnets) subnets.push_back(b.ref(Kind::Subnet, s));
    json groups = json::array();
    for (const std::string& g : f.security_groups) groups.push_back(b.ref(Kind::SecurityGroup, g));
    json variables = json::object();
    for (const auto& [name, value] : f.environment) variables[name] = b.text(value);
    b.use_artifact_bucket();

    json& body = b.resource(Builder::logical(Kind::Function, f.id), "AWS::Lambda::Function");
    // The function waits for its role's policies (Lambda checks the network-interface
    // permissions of a function in a VPC when it is created), so the role can write
    // to the log group before the first invocation; LoggingConfig names the group
    // the stack made (its retention and key) instead of the one Lambda would create.
    body["Properties"] = {
        {"FunctionName", b.text(f.name)},
        {"Role", b.ref(Kind::Role, f.role, Attr::Arn)},
        {"Runtime", f.runtime},
        {"Handler", f.handler},
        {"MemorySize", f.memory_mb},
        {"Timeout", f.timeout_seconds},
        {"Code", {{"S3Bucket", {{"Ref", "ArtifactBucket"}}}, {"S3Key", artifact_name(f.archive, f.archive_sha256)}}},
        {"ReservedConcurrentExecutions", f.reserved_concurrency},
        {"KmsKeyArn", b.ref(Kind::Key, f.key, Attr::Arn)},
        {"Environment", {{"Variables", variables}}},
        {"LoggingConfig", {{"LogGroup", b.ref(Kind::LogGroup, f.log_group, Attr::Name)}}},
        {"Tags", b.name_tags(f.name)}};
    depend_on_role_policies(b, body, f.role);
    if (!f.subnets.empty()) body["Properties"]["VpcConfig"] = {{"SubnetIds", subnets}, {"SecurityGroupIds", groups}};
    if (f.tracing) body["Properties"]["TracingConfig"] = {{"Mode", "Active"}};
    if (!f.dead_letter_queue.empty()) {
      body["Properties"]["DeadLetterConfig"] = {{"TargetArn", b.ref(Kind::Queue, f.dead_letter_queue, Attr::Arn)}};
    }
  }
  for (const infra::FunctionPermission& p : m.function_permissions) {
    b.begin(Kind::FunctionPermission, p.id);
    b.resource(Builder::logical(Kind::FunctionPermission, p.id), "AWS::Lambda::Permission")["Properties"] = {
        {"Action", "lambda:InvokeFunction"},
        {"FunctionName", b.ref(Kind::Function, p.function, Attr::Name)},
        {"Principal", p.principal},
        {"SourceArn", b.text(p.source_arn)}};
  }
}

}  // namespace paydrc::backends::cloudformation
