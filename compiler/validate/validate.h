// The model-level validation pass: what AWS would refuse in what lowering
// produced (names, statement ids, subnet groups, schedules, default quotas), and,
// for CloudFormation, what a stack template may hold. It runs after lowering and
// before any backend writes a file; every finding is located at the spec block
// the resource comes from. The numbers live in limits.cpp, one row each.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "diagnostics/diagnostic.h"
#include "lower/infra.h"

namespace paydrc::validate {

// Names end with the environment suffix, which is a deployment input: the
// Terraform variable and the CloudFormation parameter accept any suffix of up to
// 16 characters (backends::kEnvironmentSuffixRule), and one artifact serves every
// environment. So a name must fit with the longest suffix; errors show the name
// with the compiled suffix and say what the longest one makes of it.
inline constexpr int kLongestEnvironmentSuffix = 16;

struct Options {
  std::string environment_suffix = "dev";  // shown in messages
};

// Reports what AWS would refuse in `model` to `sink`.
void validate_model(const infra::Model& model, const Options& options, diag::Sink& sink);

// One CloudFormation stack template as rendered, and the spec blocks that fill
// it. Blocks that put the same kinds of resources in the stack (every function
// block, say) form one contributor: the fix is about them together.
struct StackContributor {
  std::vector<SourceRange> blocks;  // in source order
  std::size_t resources = 0;        // all of them together
};
struct StackUsage {
  std::string name;  // payment-primary
  std::size_t resources = 0;
  std::size_t outputs = 0;
  std::size_t parameters = 0;
  std::size_t bytes = 0;
  std::vector<StackContributor> contributors;  // largest first
};

// Reports templates over CloudFormation's limits, located at the blocks that
// contribute most.
void validate_stacks(const std::vector<StackUsage>& stacks, diag::Sink& sink);

// The text AWS would see for a name, with the environment suffix as given.
std::string shown_text(const infra::Text& text, const std::string& environment_suffix);

}  // namespace paydrc::validate
