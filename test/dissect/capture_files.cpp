#include "capture_files.h"

#include <fstream>
#include <stdexcept>

namespace bpfc::dissecttest {
namespace {

class Writer {
 public:
  explicit Writer(bool big_endian) : big_endian_(big_endian) {}

  void u16(uint16_t v) {
    if (big_endian_) {
      bytes_.push_back(static_cast<uint8_t>(v >> 8));
      bytes_.push_back(static_cast<uint8_t>(v));
    } else {
      bytes_.push_back(static_cast<uint8_t>(v));
      bytes_.push_back(static_cast<uint8_t>(v >> 8));
    }
  }
  void u32(uint32_t v) {
    if (big_endian_) {
      u16(static_cast<uint16_t>(v >> 16));
      u16(static_cast<uint16_t>(v));
    } else {
      u16(static_cast<uint16_t>(v));
      u16(static_cast<uint16_t>(v >> 16));
    }
  }
  void raw(const Bytes& b) { bytes_.insert(bytes_.end(), b.begin(), b.end()); }
  void pad4() {
    while (bytes_.size() % 4 != 0) bytes_.push_back(0);
  }
  size_t size() const { return bytes_.size(); }
  void patch32(size_t at, uint32_t v) {
    Writer w(big_endian_);
    w.u32(v);
    for (size_t i = 0; i < 4; ++i) bytes_[at + i] = w.bytes_[i];
  }
  const Bytes& bytes() const { return bytes_; }

 private:
  bool big_endian_;
  Bytes bytes_;
};

uint32_t wire_length(const CapturedPacket& packet) {
  return packet.wirelen != 0 ? packet.wirelen : static_cast<uint32_t>(packet.data.size());
}

Bytes pcap_file(const CaptureFormat& format, uint32_t linktype, const std::vector<CapturedPacket>& packets) {
  bool nano = format.layout == Layout::PcapNano;
  Writer w(format.big_endian);
  w.u32(nano ? 0xa1b23c4d : 0xa1b2c3d4);
  w.u16(2);
  w.u16(4);
  w.u32(0);
  w.u32(0);
  w.u32(262144);
  w.u32(linktype);
  for (const CapturedPacket& packet : packets) {
    int64_t second = packet.timestamp_ns / 1000000000;
    int64_t fraction = packet.timestamp_ns % 1000000000;
    w.u32(static_cast<uint32_t>(second));
    w.u32(static_cast<uint32_t>(nano ? fraction : fraction / 1000));
    w.u32(static_cast<uint32_t>(packet.data.size()));
    w.u32(wire_length(packet));
    w.raw(packet.data);
  }
  return w.bytes();
}

// A block: type, total length, body (padded), total length again.
template <typename Body>
void block(Writer& w, uint32_t type, Body body) {
  size_t start = w.size();
  w.u32(type);
  w.u32(0);
  body();
  w.pad4();
  uint32_t length = static_cast<uint32_t>(w.size() - start + 4);
  w.u32(length);
  w.patch32(start + 4, length);
}

Bytes pcapng_file(const CaptureFormat& format, uint32_t linktype, const std::vector<CapturedPacket>& packets,
                  bool nanosecond) {
  Writer w(format.big_endian);
  block(w, 0x0a0d0d0a, [&] {
    w.u32(0x1a2b3c4d);
    w.u16(1);
    w.u16(0);
    w.u32(0xffffffff);
    w.u32(0xffffffff);
  });
  block(w, 1, [&] {
    w.u16(static_cast<uint16_t>(linktype));
    w.u16(0);
    w.u32(262144);
    w.u16(9);  // if_tsresol
    w.u16(1);
    w.raw({static_cast<uint8_t>(nanosecond ? 9 : 6)});
    w.pad4();
    w.u16(0);  // opt_endofopt
    w.u16(0);
  });
  for (const CapturedPacket& packet : packets) {
    uint64_t ticks = static_cast<uint64_t>(nanosecond ? packet.timestamp_ns : packet.timestamp_ns / 1000);
    block(w, 6, [&] {
      w.u32(0);
      w.u32(static_cast<uint32_t>(ticks >> 32));
      w.u32(static_cast<uint32_t>(ticks));
      w.u32(static_cast<uint32_t>(packet.data.size()));
      w.u32(wire_length(packet));
      w.raw(packet.data);
      w.pad4();
    });
  }
  return w.bytes();
}

}  // namespace

std::string CaptureFormat::name() const {
  std::string layout_name = layout == Layout::PcapMicro ? "pcap-us" : layout == Layout::PcapNano ? "pcap-ns" : "pcapng";
  return layout_name + (big_endian ? "-be" : "-le");
}

std::vector<CaptureFormat> all_capture_formats() {
  std::vector<CaptureFormat> formats;
  for (Layout layout : {Layout::PcapMicro, Layout::PcapNano, Layout::Pcapng}) {
    for (bool big_endian : {false, true}) formats.push_back({layout, big_endian});
  }
  return formats;
}

void write_capture(const std::string& path, const CaptureFormat& format, uint32_t linktype,
                   const std::vector<CapturedPacket>& packets, bool nanosecond_pcapng) {
  Bytes bytes = format.layout == Layout::Pcapng ? pcapng_file(format, linktype, packets, nanosecond_pcapng)
                                                : pcap_file(format, linktype, packets);
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace bpfc::dissecttest
