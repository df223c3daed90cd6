// The data connection of a running remote capture: PACKET messages over a
// TCP stream (framed by their headers) or as UDP datagrams (one message
// each), turned into batches of Packet views into one buffer.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "bpfc/capture/packet.h"
#include "bpfc/support/diagnostic.h"
#include "connection.h"

namespace bpfc::capture::rpcap {

class DataChannel {
 public:
  // `datagram_source`: the daemon's raw address; datagrams from any other
  // address are dropped (and counted), so that no third party can inject
  // packets into a UDP capture.
  DataChannel(net::Socket socket, bool datagram, uint8_t version, uint32_t linktype,
              std::string datagram_source = {});
  // A TCP data connection, plain or under TLS.
  DataChannel(net::Connection connection, uint8_t version, uint32_t linktype);

  enum class Status { Packets, Idle, Closed };
  // Replaces `packets` with what has arrived (waiting for at least one
  // packet, at most `idle_timeout`): Packets, or Idle when the time passed
  // without one or `stop` became true, or Closed when the daemon closed the
  // stream. Views stay valid until the next call.
  Result<Status> read(std::vector<Packet>& packets, size_t max_packets,
                      std::optional<std::chrono::milliseconds> idle_timeout, const std::atomic<bool>* stop = nullptr);

  uint64_t received() const { return received_; }
  uint64_t lost() const { return lost_; }
  uint64_t foreign_datagrams() const { return foreign_; }
  void close() { socket_.reset(); }

 private:
  // Appends the complete messages of buffer_[begin_, end_) as packets.
  [[nodiscard]] std::optional<Diagnostic> parse(std::vector<Packet>& packets, size_t max_packets);
  // Whether data came within `timeout` (false also when stop_ is set).
  Result<bool> wait_for_data(std::optional<std::chrono::milliseconds> timeout);
  Result<Status> receive_stream(bool wait, std::optional<std::chrono::milliseconds> timeout);
  Result<Status> receive_datagrams(bool wait, std::optional<std::chrono::milliseconds> timeout);

  net::Connection socket_;
  bool datagram_;
  uint8_t version_;
  uint32_t linktype_;
  std::vector<uint8_t> buffer_;
  size_t begin_ = 0;  // first byte not yet parsed
  size_t end_ = 0;    // end of the received bytes
  uint64_t received_ = 0;
  uint64_t lost_ = 0;
  uint64_t foreign_ = 0;
  std::string datagram_source_;
  const std::atomic<bool>* stop_ = nullptr;
  // A bad datagram, reported once the packets before it are delivered.
  std::optional<Diagnostic> pending_error_;
  uint32_t last_number_ = 0;
};

}  // namespace bpfc::capture::rpcap
