// The model-level validation on hand-made models: defects lowering cannot be
// made to produce from a spec (a bad or repeated Sid) and the suffix rule.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "validate/limits.h"
#include "validate/validate.h"

namespace paydrc::validate {
namespace {

infra::Model model_with_role(std::vector<std::string> sids) {
  infra::Model m;
  m.system = "s";
  infra::Role r;
  r.id = "worker_east";
  r.region = "east";
  r.origin = {{3, 5}, {3, 12}};
  r.name = infra::Text("s-worker-east-") + infra::Text(infra::EnvSuffix{});
  infra::PolicyDocument doc;
  for (const std::string& sid : sids) {
    infra::Statement s;
    s.sid = sid;
    doc.statements.push_back(s);
  }
  r.policies.push_back({"access", doc});
  m.roles.push_back(r);
  return m;
}

std::vector<std::string> messages(const diag::Sink& sink) {
  std::vector<std::string> out;
  for (const auto& d : sink.diagnostics()) out.push_back(d.message);
  return out;
}

TEST_CASE("statement ids with characters IAM refuses are errors at the resource's block") {
  diag::Sink sink("spec.pdr");
  validate_model(model_with_role({"TableORDER_ITEMS"}), {}, sink);
  REQUIRE(sink.error_count() == 1);
  CHECK(sink.diagnostics()[0].id == "aws-name-invalid");
  CHECK(sink.diagnostics()[0].range.begin.line == 3);
  CHECK(messages(sink)[0].find("`TableORDER_ITEMS`") != std::string::npos);
}

TEST_CASE("a statement id repeated within one policy is an error") {
  diag::Sink sink("spec.pdr");
  validate_model(model_with_role({"TableOrderItems", "TableOrderItems"}), {}, sink);
  REQUIRE(sink.error_count() == 1);
  CHECK(messages(sink)[0].find("appears twice") != std::string::npos);
}

TEST_CASE("valid statement ids pass") {
  diag::Sink sink("spec.pdr");
  validate_model(model_with_role({"TableOrderItems", "TableOrderItems2", "WriteOwnLogs"}), {}, sink);
  CHECK(sink.diagnostics().empty());
}

TEST_CASE("a name must fit with the longest environment suffix, and the message shows the compiled one") {
  infra::Model m = model_with_role({});
  // Exactly at 64 with a 16-character suffix: 48 literal characters.
  const std::string literal = std::string(48 - 13, 'x') + "-worker-east-";
  REQUIRE(literal.size() == 48);
  m.roles[0].name = infra::Text(literal) + infra::Text(infra::EnvSuffix{});
  diag::Sink at_limit("spec.pdr");
  validate_model(m, {"dev"}, at_limit);
  CHECK(at_limit.diagnostics().empty());

  m.roles[0].name = infra::Text("y") + m.roles[0].name;
  diag::Sink over("spec.pdr");
  validate_model(m, {"dev"}, over);
  REQUIRE(over.error_count() == 1);
  CHECK(messages(over)[0].find("-dev`") != std::string::npos);
  CHECK(messages(over)[0].find("65 characters long with a 16-character environment suffix") != std::string::npos);
}

TEST_CASE("every name rule cites its source and has a sane range") {
  for (const NameRule& r : name_rules()) {
    INFO(r.what);
    CHECK(r.source.starts_with("https://"));
    CHECK(r.min_length >= 1);
    CHECK(r.max_length > r.min_length);
  }
}

TEST_CASE("security group names and descriptions with characters EC2 refuses are errors") {
  infra::Model m;
  m.system = "s";
  infra::SecurityGroup g;
  g.id = "rotation_sg";
  g.region = "east";
  g.origin = {{7, 3}, {7, 9}};
  g.name = infra::Text("s-rotation-") + infra::Text(infra::EnvSuffix{});
  g.description = "rotation of ledger's password";
  infra::SecurityRule r;
  r.description = "AWS APIs (HTTPS), through the NAT gateway: ok";
  g.rules.push_back(r);
  infra::SecurityRule bad = r;
  bad.description = "caf\xc3\xa9";
  g.rules.push_back(bad);
  m.security_groups.push_back(g);
  diag::Sink sink("spec.pdr");
  validate_model(m, {}, sink);
  REQUIRE(sink.error_count() == 2);
  CHECK(messages(sink)[0].find("security group description") != std::string::npos);
  CHECK(messages(sink)[0].find("contains `'`") != std::string::npos);
  CHECK(messages(sink)[1].find("security group rule description") != std::string::npos);
  CHECK(sink.diagnostics()[0].range.begin.line == 7);
}

}  // namespace
}  // namespace paydrc::validate
