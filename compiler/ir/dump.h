// Stable text dumps of the AST and the IR (`paydrc dump ast|ir`), used by golden tests.
#pragma once

#include <string>

#include "ir/ir.h"
#include "parse/ast.h"

namespace paydrc::dump {

std::string ast_text(const ast::File& file);
std::string ir_text(const ir::System& system);

}  // namespace paydrc::dump
