// The reader of a decompressed input, seen from outside: its errors and
// warnings say that their offsets count decompressed bytes, and its size and
// position are those of the compressed input, which is what progress
// reporting can know in advance.
#pragma once

#include <memory>

#include "bpfc/capture/savefile.h"
#include "decompression.h"

namespace bpfc::capture {

// `input` is the DecompressingInput `reader` reads (and owns).
std::unique_ptr<PacketSource> decompressed_source(std::unique_ptr<PacketSource> reader,
                                                  const DecompressingInput& input, Compression compression);

}  // namespace bpfc::capture
