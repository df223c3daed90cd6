// libFuzzer target: the decompression layer under the savefile readers
// (gzip, xz, zstd), on savefile bytes the harness compresses and then keeps,
// truncates or corrupts. See compressed_property.h for what is checked.
#include <cstddef>
#include <cstdint>

#include "compressed_property.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bpfc::capture::fuzz::check_compressed_property({data, size});
  return 0;
}
