#include <catch2/catch.hpp>

#include "check/schema.h"
#include "spec_helper.h"

TEST_CASE("the minimal spec is valid and gets the schema's defaults") {
  auto r = test::run(test::minimal_spec());
  REQUIRE(r.ir);
  CHECK(r.ir->regions.size() == 2);
  CHECK(r.ir->regions[0].zones == 3);
  CHECK(r.ir->regions[0].nat_gateways == 1);
  CHECK(r.ir->packs == std::vector<std::string>{"baseline"});
}

TEST_CASE("every default in the schema table is a valid value of its type") {
  // A spec with every block and no optional attribute makes the checker
  // convert every default; any failure would be reported at the block.
  auto r = test::run(test::minimal_spec(R"pdr(
  database db {
    kind = aurora_global
    instance_class = "db.r5.large"
    writer = primary
    readers = [secondary]
  }
  table t {
    kind = dynamodb_global
    hash_key = "id"
    replicas = [primary, secondary]
  }
  function f {
    runtime = "python3.13"
    source = "../lambda"
    handler = "index.handler"
    regions = [primary, secondary]
  }
  failover api {
    zone = "example.com"
    record = "api"
    target = f
    primary = primary
    secondary = secondary
    // Required with the default `authorization = jwt`.
    jwt_issuer = "https://auth.example.com/"
    jwt_audience = ["api"]
    health_check {}
  }
  events e {
    from = primary
    to = [secondary]
  }
  backup b {
    schedule = "rate(1 day)"
    retention = 7d
    covers = [db, t]
  }
  monitor {
    alarm a {
      metric = errors
      target = f
      threshold = 0
    }
  }
  parameter p {
    path = "/x/{env}/y"
    value = t.name
  }
  workload {}
  waive SEC-X {
    reason = "r"
    until = 2027-01-01
  }
)pdr"));
  for (const auto& d : r.sink.diagnostics()) INFO(d.message);
  REQUIRE(r.ir);
  CHECK(r.ir->databases[0].failover == paydrc::ir::FailoverMode::Manual);
  CHECK(r.ir->failovers[0].health_check.interval == 30);
  CHECK(r.ir->functions[0].memory_mb == 1024);
  CHECK(r.ir->functions[0].source_resolved == "lambda");
}

TEST_CASE("every schema attribute belongs to a declared block") {
  for (const auto& a : paydrc::check::attribute_specs()) {
    INFO(a.block << "." << a.name);
    CHECK(paydrc::check::find_block(a.block) != nullptr);
    CHECK_FALSE(a.doc.empty());
    if (a.presence == paydrc::check::Presence::Required) CHECK(a.default_value.empty());
  }
}

TEST_CASE("all errors are reported in one run") {
  auto r = test::run(test::minimal_spec(R"pdr(
  function f {
    runtime = "python3.11"
    memory = 64MB
    timeout = 20m
    source = "../lambda"
    handler = "index.handler"
    regions = [primary, tertiary]
  }
)pdr"));
  CHECK_FALSE(r.ir);
  CHECK(r.has("runtime-not-deployable"));
  CHECK(r.has("memory-out-of-range"));
  CHECK(r.has("timeout-out-of-range"));
  CHECK(r.has("unknown-reference"));
}

TEST_CASE("runtime deployability depends on the pinned date") {
  std::string spec = test::minimal_spec(R"pdr(
  function f {
    runtime = "python3.12"
    source = "../lambda"
    handler = "index.handler"
    regions = [primary]
  }
)pdr");
  CHECK(test::run(spec).ir);  // blocked only from 2028-11-30
}

TEST_CASE("source directories may not leave the project") {
  auto r = test::run(test::minimal_spec(R"pdr(
  function f {
    runtime = "python3.13"
    source = "../../etc"
    handler = "index.handler"
    regions = [primary]
  }
)pdr"));
  CHECK(r.has("source-outside-project"));
}
