// How the infra model becomes CloudFormation templates: logical ids, `Ref` /
// `Fn::GetAtt` / `Fn::Sub` for references inside a stack, `Fn::GetStackOutput` and
// a generated output for references between stacks, and the documents being
// built. Internal to backends/cloudformation.
//
// Every template is rendered twice. The first pass only discovers which model
// resource refers to which (placement.h turns that into stacks); the second pass
// knows each resource's stack and writes the final documents. The references come
// from the same code that writes them, so placement cannot miss one.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "backends/backend.h"
#include "lower/infra.h"

namespace paydrc::backends::cloudformation {

using json = nlohmann::json;

// One model resource: a CloudFormation stack holds all the template resources
// written for it (a key and its alias, an API and its stage, routes, mapping).
struct Unit {
  infra::Kind kind;
  std::string id;
  auto operator<=>(const Unit&) const = default;
};

// A stack of the deployment, in deploy order (see placement.h).
struct Stack {
  std::string name;        // payment-secondary-foundation (the deployed name adds -<suffix>)
  std::string role;        // region role
  std::string aws_region;  // us-west-2
  std::string stage;       // foundation | main | regional | failover
  std::string purpose;     // one sentence for the manifest
  json document = json::object();
};

// Where each unit lives; empty while discovering.
struct Placement {
  std::vector<Stack> stacks;
  std::map<Unit, std::size_t> stack_of;
};

// A value read from an earlier stack, for the manifest.
struct Import {
  std::size_t consumer;
  std::size_t producer;
  std::string output;
};

class Builder {
 public:
  // Discovery when `placement` is null: everything goes to one scratch document.
  Builder(const infra::Model& model, const EmitOptions& options, Placement* placement);

  const infra::Model& model() const { return model_; }
  const EmitOptions& options() const { return options_; }

  // The model resource the following calls write for.
  void begin(infra::Kind kind, const std::string& id);
  // A template resource of the current unit: `{"Type": type}`; fill "Properties".
  json& resource(const std::string& logical_id, std::string_view type);
  // A dependency on another unit that no property expresses (DependsOn when it
  // is in the same stack; the stack order otherwise).
  // `part` names a helper resource of that unit (`Attachment` of a gateway).
  void depends_on(json& resource, infra::Kind kind, const std::string& id, const std::string& part = "");
  // A Text as an Fn::Sub fragment, for text inside a larger string (dashboard
  // bodies); only for texts naming resources of the current stack.
  std::string fragment(const infra::Text& text);

  // The value of another unit's attribute, seen from the current unit.
  json ref(infra::Kind kind, const std::string& id, infra::Attr attr = infra::Attr::Id);
  // With `replica_region`: the ARN of the resource's replica in that region.
  json ref(const infra::Ref& r);
  // A Text as a plain string, Ref/GetAtt, Fn::Sub or (with values from other
  // stacks, which Fn::Sub's variable map does not take) Fn::Join.
  json text(const infra::Text& text);
  json texts(const std::vector<infra::Text>& texts);
  // The IAM policy language, for key policies and role policies.
  json policy_document(const infra::PolicyDocument& doc);
  // `[{"Key": "Name", "Value": ...}]`: stack tags (manifest) carry the rest.
  json name_tags(const infra::Text& name);

  // A stateful resource outlives a stack deletion and a replacement, but not the
  // failed first create that made it: a retained half-created resource keeps its
  // name and blocks every retry. DeletionPolicy `RetainExceptOnCreate` (any
  // resource type; CloudFormation User Guide, DeletionPolicy attribute);
  // UpdateReplacePolicy takes only Delete, Retain or Snapshot, so Retain there.
  static void retain_except_on_create(json& body);

  // `PrimaryPrivateASubnet`: CamelCase id plus the kind unless the id says it.
  static std::string logical(infra::Kind kind, const std::string& id);
  static std::string logical(const Unit& unit) { return logical(unit.kind, unit.id); }
  static std::string camel(const std::string& id);  // processor_primary -> ProcessorPrimary

  // What discovery found: each unit's region role and the units it refers to.
  const std::map<Unit, std::string>& regions() const { return regions_; }
  const std::map<Unit, std::set<Unit>>& edges() const { return edges_; }
  // Whether a stack's templates use the suffix parameter / the artifact bucket.
  const std::vector<Import>& imports() const { return imports_; }
  bool uses_suffix(std::size_t stack) const { return suffix_users_.count(stack) != 0; }
  void use_artifact_bucket() { bucket_users_.insert(current_stack()); }
  bool uses_artifact_bucket(std::size_t stack) const { return bucket_users_.count(stack) != 0; }
  json suffix();  // {"Ref": "EnvironmentSuffix"}, noting the use
  // {"Ref": name} of a template parameter other than the suffix, noting the use;
  // cloudformation.cpp declares it in each stack that uses it.
  json parameter(const std::string& name);
  std::set<std::string> parameters(std::size_t stack) const;

  // Where in the spec a unit comes from, and how many template resources each
  // unit wrote into a stack (for the stack limits, compiler/validate).
  SourceRange origin(const Unit& unit) const;
  std::map<Unit, std::size_t> resources_by_unit(std::size_t stack) const;

  // Outputs of the model (endpoints, name servers) go to the stack of what they name.
  void output(const std::string& name, const std::string& description, const infra::Text& value);

 private:
  std::size_t current_stack() const;
  std::size_t stack_of(const Unit& unit) const;
  json& document(std::size_t stack);
  // `${Logical}` / `${Logical.Attr}` or a longer Fn::Sub fragment, in the producer.
  std::string local_fragment(infra::Kind kind, const std::string& id, infra::Attr attr) const;
  json local_value(infra::Kind kind, const std::string& id, infra::Attr attr) const;
  json stack_output(const infra::Ref& r);
  json replica_value(const infra::Ref& r) const;
  void record(const Unit& target);

  const infra::Model& model_;
  const EmitOptions& options_;
  Placement* placement_;
  json scratch_ = json::object();
  Unit current_{infra::Kind::Vpc, ""};
  std::map<Unit, const infra::Base*> unit_base_;  // from the model
  std::map<std::size_t, std::map<std::string, Unit>> resource_units_;  // per stack: logical id -> unit
  std::map<Unit, std::string> regions_;
  std::map<Unit, std::set<Unit>> edges_;
  std::vector<Import> imports_;
  std::set<std::size_t> suffix_users_;
  std::set<std::size_t> bucket_users_;
  std::map<std::size_t, std::set<std::string>> parameter_users_;
  // The condition true in the environments an EnvLabel leaves out, declared in
  // the current stack's template.
  std::string plain_condition(const infra::EnvLabel& label);
  json env_label(const infra::EnvLabel& label);
};

// `processor.zip` + its base64 SHA-256 -> `processor-<hex sha256>.zip`: the
// artifact's name in the bucket and beside the templates, so a new build never
// overwrites the code a deployed stack points at. Without a hash, the name as is.
std::string artifact_name(const std::string& archive, const std::string& sha256_base64);
std::string hex_of_base64(const std::string& base64);

// `AccessPolicy`: what follows a role's logical id in the logical id of its
// customer-managed policy `p` (an `AWS::IAM::ManagedPolicy` naming the role).
std::string role_policy_part(const infra::RolePolicy& p);
// A resource that needs a role's permissions when it is created (Lambda checks a
// function's network-interface permissions, RDS an Enhanced Monitoring role) waits
// for the role's customer-managed policies: nothing else orders them before it.
void depend_on_role_policies(Builder& b, json& resource, const std::string& role);

// Resource families, one file each; the same split as the Terraform backend.
void emit_network(Builder& b);
void emit_identity(Builder& b);    // keys, roles, log groups, topics, queues
void emit_data(Builder& b);        // secrets, Aurora, DynamoDB
void emit_compute(Builder& b);     // functions and their permissions
void emit_front_door(Builder& b);  // certificates, HTTP APIs, Route 53
void emit_rest_front_door(Builder& b);  // REST APIs, WAF web ACLs, their domains (rest_api.cpp)
// The parameter that names an existing hosted zone: `ApiZoneId`.
std::string zone_parameter(const infra::HostedZone& z);
void emit_events(Builder& b);
void emit_backups(Builder& b);
void emit_monitoring(Builder& b);  // alarms, dashboards, SSM parameters

// Every family in order, then the model's outputs.
void emit_all(Builder& b);

}  // namespace paydrc::backends::cloudformation
