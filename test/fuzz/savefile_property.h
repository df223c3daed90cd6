// The property both savefile-reader fuzz targets check on every input. A
// reader may refuse any input, but what it does deliver must be consistent
// and must survive a trip through the writers:
//
//  1. reading from memory with big batches, with one-packet batches, and
//     as a stream whose buffer keeps moving (shifting_stream_input.h)
//     delivers the same packets, blocks, error and warnings, and every batch
//     keeps the PacketSource contract (views inside the record, interface
//     indices known, positions moving forward, no endless run of empty
//     batches);
//  2. the delivered prefix written with the pcap writer and with the pcapng
//     writer reads back as a clean file with the same packets (timestamps,
//     lengths, interface, link type, bytes) and, for pcapng, the same
//     copied-through blocks. A writer may refuse a record, but what it wrote
//     before must read back intact. The writers get a tiny output buffer so
//     that flushing and growing happen all the time.
//
// A violation prints what failed and aborts, which libFuzzer reports as a
// crash with the input saved as the reproducer.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "readers.h"

namespace bpfc::capture::fuzz {

using ReaderFactory = std::unique_ptr<PacketSource> (*)(std::unique_ptr<ByteInput> input, SavefileError& error,
                                                       const ReaderOptions& options);

void check_reader_property(std::span<const uint8_t> input, ReaderFactory open_reader);

}  // namespace bpfc::capture::fuzz
