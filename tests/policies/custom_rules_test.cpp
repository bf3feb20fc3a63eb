// Custom rules declared in YAML: they parse, fire at the resource's origin with
// the pack's severity, take waivers like built-in rules, and report mistakes at
// their line and column in the pack file.
#include <catch2/catch.hpp>

#include <algorithm>

#include "engine/custom_rules.h"
#include "policy_test_support.h"

namespace paydrc::policies::testing {
namespace {

using Json = nlohmann::ordered_json;

struct Parsed {
  std::vector<CustomRule> rules;
  std::vector<std::string> errors;  // "line:col message"
};

Parsed parse(const std::string& yaml) {
  Parsed out;
  YAML::Node root = YAML::Load(yaml);
  out.rules = parse_custom_rules(
      root["custom_rules"], "test",
      [](std::string_view id) { return id == "ORG-TAKEN" ? std::string("pack `base`") : std::string(); },
      [&](const YAML::Node& at, std::string message, std::string) {
        out.errors.push_back(std::to_string(at.Mark().line + 1) + ":" + std::to_string(at.Mark().column + 1) + " " +
                             message);
      });
  return out;
}

bool has_error(const Parsed& p, std::string_view text) {
  return std::any_of(p.errors.begin(), p.errors.end(),
                     [&](const std::string& e) { return e.find(text) != std::string::npos; });
}

TEST_CASE("a custom rule parses into its fields, typed by the attribute") {
  Parsed p = parse(R"(
custom_rules:
  - id: ORG-FN-MEMORY
    title: functions have at least 512 MB
    severity: error
    category: cost
    rationale: cold starts
    references: team wiki
    hint: raise `memory`
    resource: function
    attribute: memory_mb
    op: ">="
    value: "512"
)");
  REQUIRE(p.errors.empty());
  REQUIRE(p.rules.size() == 1);
  const CustomRule& r = p.rules.front();
  CHECK(r.id == "ORG-FN-MEMORY");
  CHECK(r.severity == diag::Severity::Error);
  CHECK(r.category == Category::Cost);
  CHECK(r.resource == "function");
  CHECK(r.op == CustomOp::Ge);
  CHECK(r.value == Json(512));  // a number, though quoted: the attribute is a number
  CHECK(r.condition() == "memory_mb >= 512");
  CHECK(r.info().id == "ORG-FN-MEMORY");
  CHECK(r.pack == "test");
}

TEST_CASE("custom rule mistakes are reported at their line and column") {
  Parsed p = parse(R"(custom_rules:
  - id: ORG-ONE
    title: t
    resource: lambda
    attribute: memory_mb
    op: ">="
    value: 1
  - id: ORG-TWO
    title: t
    resource: function
    attribute: memory
    op: ">="
    value: 1
  - id: ORG-THREE
    title: t
    resource: function
    attribute: memory_mb
    op: approx
    value: 1
  - id: ORG-TAKEN
    title: t
    resource: function
    attribute: tracing
    op: exists
  - id: DR-MINE
    title: t
    resource: function
    attribute: tracing
    op: exists
  - id: org-lower
    title: t
    resource: function
    attribute: tracing
    op: exists
  - id: ORG-FOUR
    title: t
    resource: function
    attribute: runtime
    op: ">"
    value: 3
  - id: ORG-FIVE
    title: t
    resource: function
    attribute: runtime
    op: matches
    value: "python(3"
  - id: ORG-SIX
    title: t
    resource: function
    attribute: tracing
    op: "=="
    value: maybe
  - id: ORG-SEVEN
    title: t
    resource: function
    attribute: runtime
    op: in
    value: python3.12
  - id: ORG-EIGHT
    resource: function
    attribute: runtime
    op: exists
    colour: blue
)");
  CHECK(p.rules.empty());
  CHECK(has_error(p, "4:15 unknown resource type `lambda`"));
  CHECK(has_error(p, "11:16 `function` has no attribute `memory`"));
  CHECK(has_error(p, "18:9 unknown operator `approx`"));
  CHECK(has_error(p, "20:9 custom rule `ORG-TAKEN` is already defined by pack `base`"));
  CHECK(has_error(p, "25:9 custom rule ids cannot start with `DR-`"));
  CHECK(has_error(p, "30:9 custom rule id `org-lower` is not upper-case words"));
  CHECK(has_error(p, "39:9 `>` compares numbers; `runtime` is text"));
  CHECK(has_error(p, "46:12 invalid regular expression"));
  CHECK(has_error(p, "52:12 the attribute is a boolean"));
  CHECK(has_error(p, "58:12 `in` needs a list of values"));
  CHECK(has_error(p, "59:5 the custom rule has no `title`"));
  CHECK(has_error(p, "63:5 unknown key `colour` in a custom rule"));
}

TEST_CASE("conditions: absent values, lists, exists, contains, matches") {
  const Json n512 = 512;
  const Json list = Json::array({"audit", "error"});
  const Json empty = Json::array();
  const Json text = "python3.12";
  CHECK(custom_condition_holds(CustomOp::Ge, &n512, 512));
  CHECK_FALSE(custom_condition_holds(CustomOp::Gt, &n512, 512));
  CHECK(custom_condition_holds(CustomOp::Eq, &n512, 512.0));
  CHECK_FALSE(custom_condition_holds(CustomOp::Eq, nullptr, 1));
  CHECK(custom_condition_holds(CustomOp::Ne, nullptr, 1));
  CHECK(custom_condition_holds(CustomOp::NotIn, nullptr, Json::array({1})));
  CHECK(custom_condition_holds(CustomOp::Exists, nullptr, false));
  CHECK_FALSE(custom_condition_holds(CustomOp::Exists, &empty, true));
  CHECK(custom_condition_holds(CustomOp::Contains, &list, "audit"));
  CHECK_FALSE(custom_condition_holds(CustomOp::Contains, &list, "slowquery"));
  CHECK(custom_condition_holds(CustomOp::In, &list, Json::array({"audit", "error", "slowquery"})));
  CHECK_FALSE(custom_condition_holds(CustomOp::NotIn, &list, Json::array({"error"})));
  CHECK(custom_condition_holds(CustomOp::Matches, &text, "python3\\.1[2-4]"));
  CHECK_FALSE(custom_condition_holds(CustomOp::Matches, &text, "python3"));  // whole value
  CHECK(custom_condition_holds(CustomOp::Contains, &text, "3.12"));
}

TEST_CASE("custom rules fire at the resource's origin, with the packs' severity and scope") {
  LoadedSpec spec = load_spec("tests/policies/data/custom.pdr");
  diag::Sink sink("packs");
  Report report = run_engine(spec, sink);
  for (const auto& d : sink.diagnostics()) FAIL_CHECK(d.message);
  REQUIRE(report.packs_ok);

  // The function in each region, and paydrc's own rotation function (256 MB) of
  // database `ledger`: custom rules judge every function the model deploys.
  auto memory = of(report.findings, "ORG-FN-MEMORY");
  REQUIRE(memory.size() == 3);
  std::vector<std::string> scopes;
  for (const Finding& f : memory) {
    CHECK(f.diagnostic.severity == diag::Severity::Warning);
    scopes.push_back(f.scope);
    if (f.scope == "processor") CHECK(f.diagnostic.range == spec.system().function("processor")->origin.range);
    CHECK(f.diagnostic.file == "tests/policies/data/custom.pdr");
  }
  std::sort(scopes.begin(), scopes.end());
  CHECK(scopes == std::vector<std::string>{"ledger", "processor", "processor"});
  CHECK(std::any_of(memory.begin(), memory.end(), [](const Finding& f) {
    return f.diagnostic.message ==
           "function `processor_primary`: `memory_mb` is 1024, but the rule wants `memory_mb >= 2048`";
  }));
  // org.yaml's `rules` raises ORG-RUNTIME, declared as a warning, to an error. The
  // rotation function runs python3.13, which the rule accepts.
  auto runtime = of(report.findings, "ORG-RUNTIME");
  REQUIRE(runtime.size() == 2);
  CHECK(runtime.front().diagnostic.severity == diag::Severity::Error);
  // Lists: the clusters export `audit`; the function groups' egress reaches 0.0.0.0/0.
  CHECK(of(report.findings, "ORG-DB-EXPORTS").empty());
  CHECK(of(report.findings, "ORG-SG-NO-WORLD").size() == 3);  // with the rotation function's group
  CHECK(of(report.findings, "ORG-LOG-NAMES").empty());
}

TEST_CASE("a pack configures the custom rules of the pack it extends") {
  LoadedSpec spec = load_spec("tests/policies/data/custom_extends.pdr");
  diag::Sink sink("packs");
  Report report = run_engine(spec, sink);
  for (const auto& d : sink.diagnostics()) FAIL_CHECK(d.message);
  REQUIRE(report.packs_ok);
  CHECK(report.packs == std::vector<std::string>{"baseline", "org", "org-strict"});
  auto memory = of(report.findings, "ORG-FN-MEMORY");
  REQUIRE(memory.size() == 3);
  CHECK(memory.front().diagnostic.severity == diag::Severity::Error);
}

TEST_CASE("custom rules take scoped waivers like built-in rules, and unknown ids are still caught") {
  LoadedSpec spec = load_spec("tests/policies/data/custom_waived.pdr");
  diag::Sink sink("packs");
  Report report = run_engine(spec, sink);
  REQUIRE(report.packs_ok);
  // The waiver is scoped to `processor`: the rotation function of `ledger` is not waived.
  auto open = of(report.findings, "ORG-FN-MEMORY");
  REQUIRE(open.size() == 1);
  CHECK(open.front().scope == "ledger");
  auto waived = of(report.findings, "ORG-FN-MEMORY", true);
  REQUIRE(waived.size() == 2);
  CHECK(waived.front().waiver_reason == "cold starts are measured and accepted");
  CHECK(of(report.findings, "WAIVER-UNUSED").empty());
  // `ORG-FN-MEMROY` is a typo: unknown, with the custom id suggested.
  auto unknown = of(report.findings, "WAIVER-UNKNOWN-RULE");
  REQUIRE(unknown.size() == 1);
  CHECK(unknown.front().diagnostic.hint == "did you mean `ORG-FN-MEMORY`?");
}

TEST_CASE("errors in a pack file's custom rules stop the check, located in the pack") {
  LoadedSpec spec = load_spec("tests/policies/data/broken_custom.pdr");
  diag::Sink sink("packs");
  Report report = run_engine(spec, sink);
  CHECK_FALSE(report.packs_ok);
  REQUIRE(sink.diagnostics().size() == 7);
  const diag::Diagnostic& first = sink.diagnostics().front();
  CHECK(first.id == "invalid-pack");
  CHECK(first.file == "tests/policies/data/broken_custom.yaml");
  CHECK(first.range.begin.line == 6);
  CHECK(first.range.begin.column == 15);
  CHECK(first.message == "unknown resource type `lambda_function`");
}

}  // namespace
}  // namespace paydrc::policies::testing
