// libFuzzer target: the pcap reader (both byte orders, µs and ns magic, the
// "modified" format) on arbitrary bytes, plus the writer round trip of
// whatever it delivers. See savefile_property.h for what is checked.
#include <cstddef>
#include <cstdint>

#include "savefile_property.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bpfc::capture::fuzz::check_reader_property({data, size}, bpfc::capture::open_pcap);
  return 0;
}
