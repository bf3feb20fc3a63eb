// What a policy rule is: stable metadata (id, title, category, default severity,
// rationale, references) and a check over the IR and the infra model. The rules
// themselves live one per file in policies/rules/, listed in policies/rules/table.cpp.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostics/diagnostic.h"
#include "ir/ir.h"
#include "lower/infra.h"

namespace paydrc::policies {

enum class Category { Security, DisasterRecovery, Cost, Waiver };
std::string_view category_name(Category c);

struct RuleInfo {
  std::string_view id;     // SEC-KMS-CMK, DR-RTO, COST-BUDGET
  std::string_view title;  // one line
  Category category;
  diag::Severity default_severity;
  std::string_view rationale;   // why it matters, for help text and SARIF
  std::string_view references;  // Checkov ids, PCI DSS requirements, AWS docs; "; "-separated
};

struct RecoveryFacts;  // dr/facts.h
struct PriceTable;     // cost/prices.h

// A rule's parameters as set by the pack (strings; each rule parses its own).
using Params = std::map<std::string, std::string, std::less<>>;

struct Context {
  const ir::System& system;
  const infra::Model& model;
  const RecoveryFacts& facts;
  const PriceTable& prices;
  ir::Date today;
  const Params* params = nullptr;  // the running rule's parameters

  std::string param(std::string_view name, std::string_view fallback) const;
  long long int_param(std::string_view name, long long fallback) const;
};

struct Finding {
  diag::Diagnostic diagnostic;  // id = rule id; severity from the pack
  std::string scope;            // the spec block the finding is about ("" = the system)
  // The environments it holds in (paydrc check judges each declared one);
  // empty when the spec declares none.
  std::vector<std::string> environments;
  bool waived = false;
  std::string waiver_reason;
  std::string waiver_until;
};

// Collects one rule's findings; fills in id and severity.
class Findings {
 public:
  Findings(const RuleInfo& rule, diag::Severity severity, std::vector<Finding>& out)
      : rule_(rule), severity_(severity), out_(out) {}
  // `scope` names the spec block the finding is about, for scoped waivers.
  diag::Diagnostic& add(SourceRange range, std::string message, std::string hint, std::string scope = {});

 private:
  const RuleInfo& rule_;
  diag::Severity severity_;
  std::vector<Finding>& out_;
};

using CheckFn = void (*)(const Context&, Findings&);

struct Rule {
  RuleInfo info;
  CheckFn check;  // nullptr for rules the engine itself raises (waivers, custom YAML rules)
};

const std::vector<Rule>& all_rules();
const Rule* find_rule(std::string_view id);

}  // namespace paydrc::policies
