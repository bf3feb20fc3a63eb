// The language reference, generated from the schema table (docs/language.md;
// `paydrc reference` prints it and a test keeps the committed copy in sync).
#pragma once

#include <string>

namespace paydrc::check {

std::string language_reference();

}  // namespace paydrc::check
