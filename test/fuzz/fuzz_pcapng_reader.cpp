// libFuzzer target: the pcapng reader (sections of either byte order, every
// block type, options) on arbitrary bytes, plus the writer round trip of
// whatever it delivers. See savefile_property.h for what is checked.
#include <cstddef>
#include <cstdint>

#include "savefile_property.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bpfc::capture::fuzz::check_reader_property({data, size}, bpfc::capture::open_pcapng);
  return 0;
}
