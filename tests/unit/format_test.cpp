#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "format/format.h"
#include "ir/dump.h"
#include "spec_helper.h"

namespace {

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::filesystem::path> valid_specs() {
  std::vector<std::filesystem::path> out{"specs/payment.pdr"};
  for (const auto& e : std::filesystem::directory_iterator("golden")) {
    auto name = e.path().filename().string();
    if (e.path().extension() == ".pdr" && !name.starts_with("fail_")) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("fmt is idempotent and keeps the IR of every valid spec") {
  for (const auto& path : valid_specs()) {
    INFO(path.string());
    std::string text = read(path);
    auto original = test::run(text);
    REQUIRE(original.ir);
    std::string once = paydrc::format::format(*original.ast);
    auto reparsed = test::run(once);
    REQUIRE(reparsed.ir);
    CHECK(paydrc::format::format(*reparsed.ast) == once);
    // Same IR apart from positions, which move when the layout changes.
    auto strip = [](std::string s) {
      std::string out;
      std::istringstream in(s);
      for (std::string line; std::getline(in, line);) {
        if (line.find("\"at\":") == std::string::npos) out += line + "\n";
      }
      return out;
    };
    CHECK(strip(paydrc::dump::ir_text(*reparsed.ir)) == strip(paydrc::dump::ir_text(*original.ir)));
  }
}

TEST_CASE("fmt keeps comments and normalises layout") {
  std::string messy =
      "// head\nsystem   x{   // after brace\n\n\n  packs=[\"a\",\"b\"]   // why\n  // lead\n"
      "objectives{rpo=5m rto=15m}\n  // closing\n}\n// tail\n";
  auto r = test::run(messy, false);
  REQUIRE(r.ast);
  std::string out = paydrc::format::format(*r.ast);
  CHECK(out ==
        "// head\nsystem x { // after brace\n  packs = [\"a\", \"b\"] // why\n  // lead\n  objectives {\n"
        "    rpo = 5m\n    rto = 15m\n  }\n  // closing\n}\n\n// tail\n");
  auto again = test::run(out, false);
  REQUIRE(again.ast);
  CHECK(paydrc::format::format(*again.ast) == out);
}

TEST_CASE("long lists break one item per line, maps always do") {
  auto r = test::run(
      "system x { covers = [aaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbbbb, cccccccccccccccccccccc, "
      "dddddddddddddddddddd, eeeeeeeeeeeeeee] access = { a: read } }",
      false);
  REQUIRE(r.ast);
  std::string out = paydrc::format::format(*r.ast);
  CHECK(out.find("covers = [\n    aaaaaaaaaaaaaaaaaaaa,\n") != std::string::npos);
  CHECK(out.find("access = {\n    a: read,\n  }\n") != std::string::npos);
}
