#!/usr/bin/env node
// Runs AWS's cdk-nag rule packs over paydrc's CloudFormation output.
//
//   node tests/nag/nag.js OUT_DIR            every template OUT_DIR/manifest.json lists
//   node tests/nag/nag.js --template FILE... the named templates (the referee's own tests)
//
// Prints one error-level finding per line, `pack rule template logicalId`, sorted.
// Warnings are not printed: the referee judges only what the packs call errors.
// A rule that throws on a resource (cdk-nag v2 called that CdkNagValidationFailure;
// v3 reports it under the rule's own id with a fixed description) is printed with
// the rule id suffixed `!failed`, so an unreadable resource is never taken for a
// compliant one nor confused with a real finding.
//
// Each template is loaded into its own Stack with aws-cdk-lib's CfnInclude and
// every pack is run on the construct tree with NagPack.validateScope, the direct
// entry point cdk-nag 3 documents for running outside `cdk synth`: it returns the
// violations instead of writing a policy-validation report into a cloud assembly.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const nodeModules = path.join(__dirname, 'node_modules');
if (!fs.existsSync(path.join(nodeModules, 'cdk-nag'))) {
  process.stderr.write(`nag: ${nodeModules} has no cdk-nag: run \`bash tools/setup.sh\` (it runs \`npm ci\` in tests/nag)\n`);
  process.exit(2);
}

const { App, Stack } = require('aws-cdk-lib');
const { CfnInclude } = require('aws-cdk-lib/cloudformation-include');
const {
  AwsSolutionsChecks, PCIDSS321Checks, NIST80053R5Checks, HIPAASecurityChecks,
} = require('cdk-nag');

// The pack column names the pack by the prefix cdk-nag gives its rule ids.
const PACKS = [AwsSolutionsChecks, PCIDSS321Checks, NIST80053R5Checks, HIPAASecurityChecks];
const RULE_THREW = 'Rule threw an error during validation.';

function usage(message) {
  process.stderr.write(`nag: ${message}\nusage: nag.js OUT_DIR | nag.js --template FILE...\n`);
  process.exit(2);
}

function templatesOf(args) {
  if (args[0] === '--template') {
    if (args.length < 2) usage('--template needs at least one file');
    return args.slice(1);
  }
  if (args.length !== 1) usage('expected one output directory');
  const dir = args[0];
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  if (!Array.isArray(manifest.stacks) || manifest.stacks.length === 0) {
    usage(`${dir}/manifest.json lists no stacks`);
  }
  return manifest.stacks.map((s) => path.join(dir, s.template));
}

// CfnInclude does not know `Fn::GetStackOutput` (the manifest's cross-region
// mechanism) and refuses the template. Each one becomes a Ref to a String
// parameter of the referee's own: a value unknown until deployment either way,
// which is how the rules see a parameter.
const STACK_OUTPUT_PARAMETER = 'RefereeStackOutput';

function withoutStackOutputs(template) {
  const parameters = {};
  const rewrite = (node) => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node === null || typeof node !== 'object') return node;
    const keys = Object.keys(node);
    if (keys.length === 1 && keys[0] === 'Fn::GetStackOutput') {
      const { OutputName: output, Region: region } = node['Fn::GetStackOutput'];
      const name = `${STACK_OUTPUT_PARAMETER}${output}${String(region).replace(/[^A-Za-z0-9]/g, '')}`;
      parameters[name] = { Type: 'String' };
      return { Ref: name };
    }
    return Object.fromEntries(keys.map((k) => [k, rewrite(node[k])]));
  };
  const rewritten = rewrite(template);
  for (const name of Object.keys(parameters)) {
    if (template.Parameters && name in template.Parameters) throw new Error(`the template already has a parameter ${name}`);
  }
  rewritten.Parameters = { ...(rewritten.Parameters || {}), ...parameters };
  return rewritten;
}

function findingsOf(templateFile, scratch) {
  const name = path.basename(templateFile);
  const template = withoutStackOutputs(JSON.parse(fs.readFileSync(templateFile, 'utf8')));
  const included = path.join(scratch, name);
  fs.writeFileSync(included, JSON.stringify(template));
  const app = new App();
  const stack = new Stack(app, 'Referee');
  // The logical ids become the construct ids under this scope.
  const include = new CfnInclude(stack, 'T', { templateFile: included });
  const prefix = `${include.node.path}/`;
  const lines = [];
  for (const Pack of PACKS) {
    const pack = new Pack();
    const report = pack.validateScope(app);
    for (const violation of report.violations) {
      if (violation.severity !== 'error') continue;
      const threw = violation.description.startsWith(RULE_THREW);
      const rule = threw ? `${violation.ruleName}!failed` : violation.ruleName;
      for (const resource of violation.violatingResources) {
        const at = resource.constructPath;
        if (!at.startsWith(prefix)) throw new Error(`${name}: finding outside the template at ${at}`);
        const logicalId = at.slice(prefix.length).split('/')[0];
        const line = [pack.readPackName, rule, name, logicalId];
        if (line.some((field) => /\s/.test(field))) throw new Error(`a finding with white space: ${line.join(' ')}`);
        lines.push(line.join(' '));
      }
    }
  }
  return lines;
}

function main() {
  const lines = [];
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'paydrc-nag-'));
  try {
    for (const file of templatesOf(process.argv.slice(2))) {
      try {
        lines.push(...findingsOf(file, scratch));
      } catch (error) {
        // aws-cdk-lib is minified: its stack trace would print a whole file.
        process.stderr.write(`nag: ${file}: ${error.message}\n`);
        process.exit(1);
      }
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const unique = [...new Set(lines)].sort();
  process.stdout.write(unique.map((l) => `${l}\n`).join(''));
}

main();
