// The format-specific readers behind open_savefile(). Each takes the input
// positioned at offset 0 and checks the header itself.
#pragma once

#include <memory>

#include "bpfc/capture/savefile.h"
#include "byte_input.h"

namespace bpfc::capture {

std::unique_ptr<PacketSource> open_pcap(std::unique_ptr<ByteInput> input, SavefileError& error,
                                        const ReaderOptions& options);
std::unique_ptr<PacketSource> open_pcapng(std::unique_ptr<ByteInput> input, SavefileError& error,
                                          const ReaderOptions& options);

}  // namespace bpfc::capture
