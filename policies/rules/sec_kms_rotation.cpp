// SEC-KMS-ROTATION: customer-managed keys rotate their key material.
#include <fmt/format.h>

#include "rules/sec_common.h"

namespace paydrc::policies::rules {

const Rule& sec_kms_rotation() {
  static const Rule rule{
      {"SEC-KMS-ROTATION", "customer-managed KMS keys rotate their key material", Category::Security,
       diag::Severity::Error,
       "automatic rotation limits how much data one key version protects and ends a cryptoperiod without "
       "re-encrypting anything; KMS keeps the old versions to decrypt existing data",
       "Checkov CKV_AWS_7; PCI DSS v4.0 3.7.4"},
      [](const Context& ctx, Findings& out) {
        for (const infra::Key& k : ctx.model.keys) {
          if (k.rotation) continue;
          sec::report(ctx, out, k, fmt::format("key `{}` does not rotate its key material", k.id),
                      "enable automatic key rotation; the lowering should set it");
        }
      }};
  return rule;
}

}  // namespace paydrc::policies::rules
