// The reference system (specs/payment.pdr) built by hand as IR, so lowering tests
// do not depend on the front end.
#pragma once

#include "ir/ir.h"

namespace paydrc::lower::testing {

ir::System payment_system();

}  // namespace paydrc::lower::testing
