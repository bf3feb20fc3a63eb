// Parses and checks spec text in memory for unit tests.
#pragma once

#include <optional>
#include <string>

#include "check/check.h"
#include "parse/parse.h"

namespace test {

struct Result {
  paydrc::diag::Sink sink{"test.pdr"};
  std::optional<paydrc::ast::File> ast;
  std::optional<paydrc::ir::System> ir;

  bool has(const std::string& id) const {
    for (const auto& d : sink.diagnostics()) {
      if (d.id == id) return true;
    }
    return false;
  }
};

inline Result run(const std::string& text, bool check = true) {
  Result r;
  paydrc::SourceFile source("test.pdr", text);
  r.ast = paydrc::parse::parse(source, r.sink);
  if (r.ast && check) {
    paydrc::check::Options options;
    options.today = {2026, 11, 24};
    options.spec_dir = "/project/specs";
    options.project_root = "/project";
    r.ir = paydrc::check::check(*r.ast, options, r.sink);
  }
  return r;
}

// A small valid spec; tests splice lines into it.
inline std::string minimal_spec(const std::string& extra = "") {
  return R"(system demo {
  objectives {
    rpo = 5m
    rto = 15m
  }
  region primary {
    name = "us-east-1"
    cidr = 10.0.0.0/16
  }
  region secondary {
    name = "us-west-2"
    cidr = 10.1.0.0/16
  }
)" + extra +
         "}\n";
}

}  // namespace test
