// The format-specific writers behind create_savefile(). Both write into an
// OutputBuffer that only ever holds whole records.
#pragma once

#include <memory>

#include "bpfc/capture/savefile.h"
#include "output_buffer.h"

namespace bpfc::capture {

std::unique_ptr<PacketSink> make_pcap_writer(std::unique_ptr<OutputBuffer> out, const WriterOptions& options,
                                             SavefileError& error);
std::unique_ptr<PacketSink> make_pcapng_writer(std::unique_ptr<OutputBuffer> out, const WriterOptions& options,
                                               SavefileError& error);

}  // namespace bpfc::capture
