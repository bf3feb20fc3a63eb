#include <catch2/catch.hpp>

#include "spec_helper.h"

TEST_CASE("every node carries its source range") {
  auto r = test::run("system x {\n  region primary {\n    zones = 3\n  }\n}\n", false);
  REQUIRE(r.ast);
  const auto& system = r.ast->blocks.at(0);
  CHECK(system.range.begin.line == 1);
  CHECK(system.range.end.line == 5);
  const auto& region = system.body.at(0);
  CHECK(region.label_range.begin.column == 10);
  const auto& zones = region.body.at(0);
  CHECK(zones.name_range.begin.line == 3);
  CHECK(zones.name_range.begin.column == 5);
  CHECK(zones.value.range.begin.column == 13);
  CHECK(zones.value.range.end.column == 14);
}

TEST_CASE("typed literals keep their lexical kind") {
  auto r = test::run(
      "system x { a = \"s\" b = 3 c = 30s d = $10 e = 10.0.0.0/16 f = 2027-01-01 g = x.y h = [1, 2,] "
      "i = { k: v, } }",
      false);
  REQUIRE(r.ast);
  using K = paydrc::ast::ValueKind;
  const auto& body = r.ast->blocks.at(0).body;
  K kinds[] = {K::String, K::Number, K::Quantity, K::Money, K::Cidr, K::Date, K::Reference, K::List, K::Map};
  REQUIRE(body.size() == 9);
  for (std::size_t i = 0; i < 9; ++i) CHECK(body[i].value.kind == kinds[i]);
  CHECK(body[7].value.items.size() == 2);
  CHECK(body[8].value.entries.at(0).key == "k");
}

TEST_CASE("syntax errors are located and the parse continues") {
  auto r = test::run("system x {\n  a = \n  b = 3\n  c = = 4\n}\n", false);
  CHECK_FALSE(r.ast);
  REQUIRE(r.sink.diagnostics().size() >= 2);
  CHECK(r.sink.diagnostics()[0].id == "syntax-error");
  CHECK(r.sink.diagnostics()[0].range.begin.line == 3);
}

TEST_CASE("hostile input gets located errors, not crashes") {
  SECTION("deep nesting") {
    auto r = test::run("system x { a = " + std::string(100000, '[') + std::string(100000, ']') + " }", false);
    CHECK(r.has("nesting-too-deep"));
  }
  SECTION("NUL byte") {
    auto r = test::run(std::string("system x {\n a = 1\0\n}", 20), false);
    CHECK(r.has("invalid-encoding"));
    CHECK(r.sink.diagnostics()[0].range.begin.line == 2);
  }
  SECTION("invalid UTF-8 and overlong encodings") {
    CHECK(test::run("system \xC0\xAF {}", false).has("invalid-encoding"));
    CHECK(test::run("system \xED\xA0\x80 {}", false).has("invalid-encoding"));
    CHECK(test::run("system \xF4\x90\x80\x80 {}", false).has("invalid-encoding"));
  }
  SECTION("unterminated string") {
    auto r = test::run("system x { a = \"abc\n}", false);
    CHECK(r.has("syntax-error"));
    CHECK(r.sink.diagnostics()[0].message == "unterminated string");
  }
  SECTION("many errors stop early") {
    std::string junk;
    for (int i = 0; i < 5000; ++i) junk += "system { = } ";
    auto r = test::run(junk, false);
    CHECK(r.sink.diagnostics().size() <= 21);
  }
  SECTION("valid UTF-8 in strings is fine") {
    auto r = test::run("system x { a = \"żółw ✓ 🐢\" }", false);
    CHECK(r.ast);
  }
}
