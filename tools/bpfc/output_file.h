// Writing a command's whole output to a file (-o FILE), '-' being standard
// output.
#pragma once

#include <string>
#include <string_view>

namespace bpfc::cli {

// False, with `error` saying why in words for people ("out.o: Permission
// denied", "out.o: write error: No space left on device"), when the file
// cannot be written completely.
bool write_file(const std::string& path, std::string_view bytes, std::string& error);

}  // namespace bpfc::cli
