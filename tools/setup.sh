#!/usr/bin/env bash
# Installs what paydrc needs (Debian 12 packages, and the npm packages of the cdk-nag
# referee), builds it, and compiles the reference spec to out/terraform. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config python3
  antlr4 libantlr4-runtime-dev
  nlohmann-json3-dev libyaml-cpp-dev libcli11-dev catch2 libfmt-dev
  libzip-dev zipcmp zipmerge ziptool libssl-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -ne 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y --no-install-recommends "${missing[@]}"
fi

# The test referees are not Debian packages: they come with the machine.
# The region-outage drill runs the runbook's commands through the AWS CLI; the
# machine's Python carries one (v1), Debian's package (v2) serves where it does not.
if ! command -v aws >/dev/null; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y --no-install-recommends awscli
fi
# The cdk-nag referee (tests/nag) runs on Node.js: the machine's (20 here; aws-cdk-lib
# wants 20 or later), else Debian's. Its packages come from the npm registry at the
# versions package-lock.json pins, and run offline afterwards.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y --no-install-recommends nodejs npm
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || echo "setup: note: Node.js $(node --version) is older than aws-cdk-lib's 20; the nag test may fail" >&2
(cd tests/nag && npm ci --no-audit --no-fund --prefer-offline)

for tool in terraform cfn-lint moto_server; do
  command -v "$tool" >/dev/null || echo "setup: note: \`$tool\` is not on PATH; the tests that use it will fail" >&2
done
python3 -c 'import boto3, moto' 2>/dev/null || echo "setup: note: python3 lacks boto3/moto; the Lambda and deploy tests will fail" >&2

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
./build/compiler/driver/paydrc specs/payment.pdr --target terraform -o out/terraform
