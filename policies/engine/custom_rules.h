// Custom rules declared in a pack's `custom_rules` (YAML, no C++): one attribute
// condition on every resource of one infra-model type, in the spirit of Checkov's
// YAML policies. They run beside the built-in rules, with the same ids, severities,
// waivers and output; resource_view.h defines the types and attributes they name.
//
//   custom_rules:
//     - id: ORG-FN-MEMORY
//       title: functions have at least 512 MB
//       severity: warning            # error | warning | note (default warning)
//       rationale: ...
//       resource: function           # resource_types()
//       attribute: memory_mb         # a field; `a.b` reads into objects and lists
//       op: ">="                     # == != < <= > >= in not_in exists matches contains
//       value: 512
//
// A resource passes when the condition holds. On a list attribute every element
// must satisfy the condition, except for `contains` (some element equals the
// value) and `exists` (the list is not empty). An absent or null attribute
// satisfies only `!=`, `not_in` and `exists: false`. `matches` is an ECMAScript
// regular expression that must match the whole value.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include "engine/resource_view.h"
#include "engine/rule.h"

namespace paydrc::policies {

enum class CustomOp { Eq, Ne, Lt, Le, Gt, Ge, In, NotIn, Exists, Matches, Contains };

struct CustomRule {
  std::string id;
  std::string title;
  std::string rationale;
  std::string references;
  std::string hint;
  Category category = Category::Security;
  diag::Severity severity = diag::Severity::Warning;
  std::string resource;   // a resource_types() name
  std::string attribute;  // dotted path into the view's attributes
  CustomOp op = CustomOp::Eq;
  nlohmann::ordered_json value;  // a scalar, or an array for in / not_in
  std::string pack;              // the pack that declares it

  // Metadata for findings and listings; views into this rule's strings, so valid
  // while the rule is alive and unmoved.
  RuleInfo info() const;
  std::string condition() const;  // `memory_mb >= 512`
};

// Reports a located error in a pack (the node's mark) with a message and a hint.
using PackErrorFn = std::function<void(const YAML::Node& at, std::string message, std::string hint)>;
// Whether a rule id is already taken (a built-in rule or an earlier custom rule),
// and by what, for the message; empty when free.
using RuleOwnerFn = std::function<std::string(std::string_view id)>;

// Parses a pack's `custom_rules` sequence. Invalid rules are reported and left out.
std::vector<CustomRule> parse_custom_rules(const YAML::Node& rules, const std::string& pack_name,
                                           const RuleOwnerFn& owner, const PackErrorFn& error);

// The rule with `id`, or nullptr.
const CustomRule* find_custom_rule(const std::vector<CustomRule>& rules, std::string_view id);

// Checks one custom rule against every resource of its type.
void check_custom_rule(const CustomRule& rule, const ir::System& system, const std::vector<ResourceView>& views,
                       Findings& out);

// Whether `op` holds between an attribute value (nullptr when absent) and the rule's value.
bool custom_condition_holds(CustomOp op, const nlohmann::ordered_json* actual, const nlohmann::ordered_json& value);

}  // namespace paydrc::policies
