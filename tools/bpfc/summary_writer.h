// Printed packets (bpfc_dissect's text) written to a stream in large
// batches: one fwrite per batch, not per line.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "bpfc/capture/packet.h"
#include "bpfc/dissect/packet_printer.h"

namespace bpfc::cli {

class SummaryWriter {
 public:
  SummaryWriter(std::FILE* out, const dissect::PrintOptions& options);
  ~SummaryWriter();
  SummaryWriter(const SummaryWriter&) = delete;
  SummaryWriter& operator=(const SummaryWriter&) = delete;

  // False once writing has failed.
  bool write(const capture::Packet& packet, uint32_t dlt);
  bool flush();
  bool failed() const { return failed_; }

 private:
  static constexpr size_t kBatchBytes = 1 << 20;

  std::FILE* out_;
  dissect::PacketPrinter printer_;
  std::string buffer_;
  bool failed_ = false;
};

}  // namespace bpfc::cli
