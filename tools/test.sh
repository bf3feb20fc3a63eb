#!/usr/bin/env bash
# Runs every test: unit, golden, CLI, Lambda, terraform validate, cfn-lint, cdk-nag
# and the emulator deploy. Builds first so it never tests a stale binary.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure --timeout 3000 "$@"
