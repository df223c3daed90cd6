// Writes small hand-made pcap and pcapng files into a directory, as seeds for
// the reader fuzz targets. The corpus from libpcap's tests has ordinary
// files; these add the layouts it lacks: both byte orders and timestamp
// precisions, the "modified" pcap format and the swapped-length 2.3 variant,
// the FCS header field, several pcapng sections, every block type, options,
// odd lengths and truncation. The bytes are written field by field here
// (not by bpfc's writers), so a writer bug cannot hide a reader bug.
//
// Usage: fuzz_seed_generator DIR
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Bytes = std::vector<uint8_t>;

// Appends integers in a chosen byte order.
class ByteWriter {
 public:
  explicit ByteWriter(bool big_endian) : big_endian_(big_endian) {}

  void u8(uint8_t v) { bytes_.push_back(v); }
  void u16(uint16_t v) { integer(v, 2); }
  void u32(uint32_t v) { integer(v, 4); }
  void u64(uint64_t v) { integer(v, 8); }
  void append(const Bytes& b) { bytes_.insert(bytes_.end(), b.begin(), b.end()); }
  void append(std::string_view s) { bytes_.insert(bytes_.end(), s.begin(), s.end()); }
  void pad_to_4() {
    while (bytes_.size() % 4 != 0) bytes_.push_back(0);
  }
  void patch_u32(size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes_[at + i] = static_cast<uint8_t>(v >> (big_endian_ ? 24 - 8 * i : 8 * i));
  }
  size_t size() const { return bytes_.size(); }
  bool big_endian() const { return big_endian_; }
  Bytes& bytes() { return bytes_; }

 private:
  void integer(uint64_t v, int width) {
    for (int i = 0; i < width; ++i) {
      int shift = big_endian_ ? 8 * (width - 1 - i) : 8 * i;
      bytes_.push_back(static_cast<uint8_t>(v >> shift));
    }
  }

  bool big_endian_;
  Bytes bytes_;
};

// --- frames ------------------------------------------------------------------

Bytes ethernet_header(uint16_t ethertype) {
  Bytes b = {0x00, 0x1b, 0x21, 0x3c, 0x4d, 0x5e, 0x00, 0x0c, 0x29, 0x11, 0x22, 0x33};
  b.push_back(static_cast<uint8_t>(ethertype >> 8));
  b.push_back(static_cast<uint8_t>(ethertype));
  return b;
}

Bytes ipv4_tcp_packet(uint16_t dst_port) {
  Bytes b = {0x45, 0x00, 0x00, 0x28, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
             10,   0,    0,    1,    192,  168,  1,    20};
  Bytes tcp = {0xc3, 0x50, static_cast<uint8_t>(dst_port >> 8), static_cast<uint8_t>(dst_port), 0, 0, 0, 1,
               0,    0,    0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0};
  b.insert(b.end(), tcp.begin(), tcp.end());
  return b;
}

Bytes ipv6_udp_packet(uint16_t dst_port, size_t payload) {
  Bytes b = {0x60, 0, 0, 0, 0, static_cast<uint8_t>(8 + payload), 17, 64};
  for (int i = 0; i < 16; ++i) b.push_back(i == 0 ? 0x20 : i == 1 ? 0x01 : i == 15 ? 1 : 0);
  for (int i = 0; i < 16; ++i) b.push_back(i == 0 ? 0x20 : i == 1 ? 0x01 : i == 15 ? 2 : 0);
  Bytes udp = {0xd4, 0x31, static_cast<uint8_t>(dst_port >> 8), static_cast<uint8_t>(dst_port), 0,
               static_cast<uint8_t>(8 + payload), 0, 0};
  b.insert(b.end(), udp.begin(), udp.end());
  for (size_t i = 0; i < payload; ++i) b.push_back(static_cast<uint8_t>('a' + i % 26));
  return b;
}

Bytes ethernet_frame(uint16_t ethertype, const Bytes& payload) {
  Bytes b = ethernet_header(ethertype);
  b.insert(b.end(), payload.begin(), payload.end());
  while (b.size() < 60) b.push_back(0);
  return b;
}

Bytes arp_frame() {
  Bytes arp = {0, 1, 0x08, 0x00, 6, 4, 0, 1, 0x00, 0x0c, 0x29, 0x11, 0x22, 0x33, 10, 0, 0, 1,
               0, 0, 0,    0,    0, 0, 10, 0, 0, 2};
  Bytes b = ethernet_header(0x0806);
  b.insert(b.end(), arp.begin(), arp.end());
  return b;  // 42 bytes: captured on the sending host, before padding
}

Bytes vlan_frame() {
  Bytes b = ethernet_header(0x8100);
  Bytes tag = {0x20, 0x64, 0x08, 0x00};  // priority 1, VLAN 100, then IPv4
  b.insert(b.end(), tag.begin(), tag.end());
  Bytes ip = ipv4_tcp_packet(443);
  b.insert(b.end(), ip.begin(), ip.end());
  return b;
}

// --- pcap --------------------------------------------------------------------

constexpr uint32_t kMicroMagic = 0xa1b2c3d4;
constexpr uint32_t kNanoMagic = 0xa1b23c4d;
constexpr uint32_t kModifiedMagic = 0xa1b2cd34;

void pcap_header(ByteWriter& w, uint32_t magic, uint32_t snaplen, uint32_t linktype_field,
                 uint16_t minor_version = 4) {
  w.u32(magic);
  w.u16(2);
  w.u16(minor_version);
  w.u32(0);  // thiszone
  w.u32(0);  // sigfigs
  w.u32(snaplen);
  w.u32(linktype_field);
}

void pcap_record(ByteWriter& w, uint32_t seconds, uint32_t fraction, const Bytes& data, uint32_t caplen,
                 uint32_t wirelen) {
  w.u32(seconds);
  w.u32(fraction);
  w.u32(caplen);
  w.u32(wirelen);
  w.append(data);
}

void pcap_record(ByteWriter& w, uint32_t seconds, uint32_t fraction, const Bytes& data) {
  pcap_record(w, seconds, fraction, data, static_cast<uint32_t>(data.size()), static_cast<uint32_t>(data.size()));
}

Bytes pcap_micro_little_endian() {
  ByteWriter w(false);
  pcap_header(w, kMicroMagic, 262144, 1);
  pcap_record(w, 1700000000, 1, arp_frame());
  pcap_record(w, 1700000000, 999999, ethernet_frame(0x0800, ipv4_tcp_packet(80)));
  pcap_record(w, 1700000001, 500000, ethernet_frame(0x86dd, ipv6_udp_packet(53, 30)));
  pcap_record(w, 1700000002, 0, vlan_frame());
  return w.bytes();
}

Bytes pcap_nano_big_endian_with_fcs() {
  ByteWriter w(true);
  const uint32_t fcs_two_words = (2u << 28) | 0x04000000;  // 4 bytes of FCS, in 16-bit units
  pcap_header(w, kNanoMagic, 65535, 101 | fcs_two_words);  // LINKTYPE_RAW
  pcap_record(w, 1700000000, 123456789, ipv4_tcp_packet(22));
  pcap_record(w, 1700000000, 999999999, ipv6_udp_packet(443, 40));
  return w.bytes();
}

// The "modified" format (Alexey Kuznetsov's patch): each record header has
// an interface index, protocol, packet type and padding after the lengths.
Bytes pcap_modified() {
  ByteWriter w(false);
  pcap_header(w, kModifiedMagic, 262144, 1);
  for (const Bytes& frame : {ethernet_frame(0x0800, ipv4_tcp_packet(80)), arp_frame()}) {
    w.u32(1600000000);
    w.u32(42);
    w.u32(static_cast<uint32_t>(frame.size()));
    w.u32(static_cast<uint32_t>(frame.size()));
    w.u32(2);       // ifindex
    w.u16(0x0008);  // protocol
    w.u8(0);        // packet type
    w.u8(0);        // padding
    w.append(frame);
  }
  return w.bytes();
}

// Version 2.3 files from some old writers have caplen and len swapped.
Bytes pcap_version_2_3_swapped_lengths() {
  ByteWriter w(false);
  pcap_header(w, kMicroMagic, 96, 1, 3);
  Bytes frame = ethernet_frame(0x0800, ipv4_tcp_packet(80));
  pcap_record(w, 900000000, 7, frame, 1514, static_cast<uint32_t>(frame.size()));
  return w.bytes();
}

// Records libpcap tolerates (caplen above snaplen, caplen above the wire
// length) followed by a truncated last record.
Bytes pcap_odd_lengths_and_truncation() {
  ByteWriter w(false);
  pcap_header(w, kMicroMagic, 64, 1);
  Bytes big(100, 0xab);
  pcap_record(w, 1, 2, big);
  Bytes small = ethernet_frame(0x0800, ipv4_tcp_packet(80));
  pcap_record(w, 3, 4, small, static_cast<uint32_t>(small.size()), 20);
  pcap_record(w, 5, 6, small, 1514, 1514);  // claims 1514 bytes, 60 follow
  return w.bytes();
}

Bytes pcap_header_only() {
  ByteWriter w(false);
  pcap_header(w, kMicroMagic, 262144, 1);
  return w.bytes();
}

// --- pcapng ------------------------------------------------------------------

constexpr uint32_t kSectionHeader = 0x0A0D0D0A;
constexpr uint32_t kInterfaceDescription = 1;
constexpr uint32_t kObsoletePacket = 2;
constexpr uint32_t kSimplePacket = 3;
constexpr uint32_t kNameResolution = 4;
constexpr uint32_t kInterfaceStatistics = 5;
constexpr uint32_t kEnhancedPacket = 6;
constexpr uint32_t kDecryptionSecrets = 0x0A;
constexpr uint32_t kCustomCopyable = 0x00000BAD;
constexpr uint32_t kCustomNotCopyable = 0x40000BAD;

constexpr uint16_t kOptEnd = 0;
constexpr uint16_t kOptComment = 1;

// Builds one block: framing, body, options, trailing length.
class BlockBuilder {
 public:
  BlockBuilder(ByteWriter& w, uint32_t type) : w_(w), start_(w.size()) {
    w_.u32(type);
    w_.u32(0);  // total length, patched in finish()
  }
  ByteWriter& body() { return w_; }
  void option(uint16_t code, std::string_view value) {
    w_.u16(code);
    w_.u16(static_cast<uint16_t>(value.size()));
    w_.append(value);
    w_.pad_to_4();
  }
  void option_u8(uint16_t code, uint8_t v) { option(code, std::string_view(reinterpret_cast<const char*>(&v), 1)); }
  void option_u32(uint16_t code, uint32_t v) {
    w_.u16(code);
    w_.u16(4);
    w_.u32(v);
  }
  void option_u64(uint16_t code, uint64_t v) {
    w_.u16(code);
    w_.u16(8);
    w_.u64(v);
  }
  void end_of_options() {
    w_.u16(kOptEnd);
    w_.u16(0);
  }
  void finish() {
    w_.pad_to_4();
    const uint32_t total = static_cast<uint32_t>(w_.size() - start_ + 4);
    w_.u32(total);
    w_.patch_u32(start_ + 4, total);
  }

 private:
  ByteWriter& w_;
  size_t start_;
};

void section_header(ByteWriter& w, int64_t section_length, bool with_options) {
  BlockBuilder b(w, kSectionHeader);
  b.body().u32(0x1A2B3C4D);
  b.body().u16(1);
  b.body().u16(0);
  b.body().u64(static_cast<uint64_t>(section_length));
  if (with_options) {
    b.option(kOptComment, "seed for the bpfc fuzzers");
    b.option(2, "x86_64 test box");  // shb_hardware
    b.option(3, "Linux 6.1");        // shb_os
    b.option(4, "fuzz_seed_generator");  // shb_userappl
    b.end_of_options();
  }
  b.finish();
}

void interface_description(ByteWriter& w, uint16_t linktype, uint32_t snaplen, bool with_options,
                           uint8_t tsresol = 6) {
  BlockBuilder b(w, kInterfaceDescription);
  b.body().u16(linktype);
  b.body().u16(0);
  b.body().u32(snaplen);
  if (with_options) {
    b.option(2, "eth0");                   // if_name
    b.option(3, "the first interface");    // if_description
    b.option_u8(9, tsresol);               // if_tsresol
    b.option(11, std::string("\0tcp port 80", 12));  // if_filter: libpcap filter string
    b.option_u8(13, 4);                    // if_fcslen
    b.option_u64(14, 10);                  // if_tsoffset: ten seconds
    b.end_of_options();
  }
  b.finish();
}

void enhanced_packet(ByteWriter& w, uint32_t interface, uint64_t ticks, const Bytes& data, bool with_options,
                     uint32_t wirelen = 0) {
  BlockBuilder b(w, kEnhancedPacket);
  b.body().u32(interface);
  b.body().u32(static_cast<uint32_t>(ticks >> 32));
  b.body().u32(static_cast<uint32_t>(ticks));
  b.body().u32(static_cast<uint32_t>(data.size()));
  b.body().u32(wirelen != 0 ? wirelen : static_cast<uint32_t>(data.size()));
  b.body().append(data);
  b.body().pad_to_4();
  if (with_options) {
    b.option(kOptComment, "a packet with options");
    b.option_u32(2, 0x00000001);  // epb_flags: inbound
    b.option_u64(4, 3);           // epb_dropcount
    b.end_of_options();
  }
  b.finish();
}

void simple_packet(ByteWriter& w, const Bytes& data) {
  BlockBuilder b(w, kSimplePacket);
  b.body().u32(static_cast<uint32_t>(data.size()));
  b.body().append(data);
  b.finish();
}

void obsolete_packet(ByteWriter& w, uint16_t interface, uint64_t ticks, const Bytes& data) {
  BlockBuilder b(w, kObsoletePacket);
  b.body().u16(interface);
  b.body().u16(0);  // drops count
  b.body().u32(static_cast<uint32_t>(ticks >> 32));
  b.body().u32(static_cast<uint32_t>(ticks));
  b.body().u32(static_cast<uint32_t>(data.size()));
  b.body().u32(static_cast<uint32_t>(data.size()));
  b.body().append(data);
  b.body().pad_to_4();
  b.finish();
}

void name_resolution(ByteWriter& w) {
  BlockBuilder b(w, kNameResolution);
  b.body().u16(1);  // nrb_record_ipv4
  b.body().u16(4 + 10);
  b.body().append(Bytes{10, 0, 0, 1});
  b.body().append(std::string_view("gw.local\0\0", 10));
  b.body().pad_to_4();
  b.body().u16(0);  // nrb_record_end
  b.body().u16(0);
  b.option(kOptComment, "names");
  b.end_of_options();
  b.finish();
}

void interface_statistics(ByteWriter& w, uint32_t interface, uint64_t ticks) {
  BlockBuilder b(w, kInterfaceStatistics);
  b.body().u32(interface);
  b.body().u32(static_cast<uint32_t>(ticks >> 32));
  b.body().u32(static_cast<uint32_t>(ticks));
  b.option_u64(4, 1234);  // isb_ifrecv
  b.option_u64(5, 5);     // isb_ifdrop
  b.end_of_options();
  b.finish();
}

void decryption_secrets(ByteWriter& w) {
  BlockBuilder b(w, kDecryptionSecrets);
  const std::string_view secret = "CLIENT_RANDOM 00112233 44556677\n";
  b.body().u32(0x544c534b);  // TLS key log
  b.body().u32(static_cast<uint32_t>(secret.size()));
  b.body().append(secret);
  b.body().pad_to_4();
  b.finish();
}

void custom_block(ByteWriter& w, uint32_t type) {
  BlockBuilder b(w, type);
  b.body().u32(32473);  // the private enterprise number reserved for examples
  b.body().append(std::string_view("custom data"));
  b.body().pad_to_4();
  b.finish();
}

void unknown_block(ByteWriter& w) {
  BlockBuilder b(w, 0x00000099);
  b.body().u32(0xdeadbeef);
  b.finish();
}

// One little-endian section with every block type and two link types.
Bytes pcapng_every_block() {
  ByteWriter w(false);
  section_header(w, -1, true);
  interface_description(w, 1, 262144, true, 9);
  interface_description(w, 101, 65535, false);
  name_resolution(w);
  enhanced_packet(w, 0, 1700000000123456789ull, ethernet_frame(0x0800, ipv4_tcp_packet(80)), true);
  enhanced_packet(w, 1, 1700000000000000ull, ipv6_udp_packet(53, 20), false);
  simple_packet(w, arp_frame());
  obsolete_packet(w, 0, 1700000001000000000ull, vlan_frame());
  decryption_secrets(w);
  custom_block(w, kCustomCopyable);
  custom_block(w, kCustomNotCopyable);
  interface_statistics(w, 0, 1700000002000000000ull);
  enhanced_packet(w, 0, 1700000003000000000ull, ethernet_frame(0x86dd, ipv6_udp_packet(443, 60)), false, 1514);
  return w.bytes();
}

// A big-endian section with an exact section length, then a little-endian
// one with a power-of-two timestamp resolution.
Bytes pcapng_two_sections() {
  ByteWriter be(true);
  ByteWriter body(true);
  interface_description(body, 1, 262144, false);
  enhanced_packet(body, 0, 1700000000000000ull, ethernet_frame(0x0800, ipv4_tcp_packet(443)), false);
  section_header(be, static_cast<int64_t>(body.size()), false);
  be.append(body.bytes());

  ByteWriter le(false);
  section_header(le, -1, false);
  interface_description(le, 101, 0, true, 0x80 | 20);  // 2^-20 s ticks
  enhanced_packet(le, 0, 1700000000ull << 20, ipv4_tcp_packet(22), true);
  be.append(le.bytes());
  return be.bytes();
}

Bytes pcapng_unknown_block() {
  ByteWriter w(false);
  section_header(w, -1, false);
  interface_description(w, 1, 262144, false);
  enhanced_packet(w, 0, 1, ethernet_frame(0x0800, ipv4_tcp_packet(80)), false);
  unknown_block(w);
  enhanced_packet(w, 0, 2, arp_frame(), false);
  return w.bytes();
}

Bytes pcapng_truncated_last_block() {
  ByteWriter w(false);
  section_header(w, -1, false);
  interface_description(w, 1, 262144, false);
  enhanced_packet(w, 0, 1, ethernet_frame(0x0800, ipv4_tcp_packet(80)), false);
  enhanced_packet(w, 0, 2, ethernet_frame(0x0800, ipv4_tcp_packet(80)), false);
  Bytes bytes = w.bytes();
  bytes.resize(bytes.size() - 30);
  return bytes;
}

bool write_file(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const struct {
    const char* name;
    Bytes bytes;
  } seeds[] = {
      {"seed-pcap-micro-le.pcap", pcap_micro_little_endian()},
      {"seed-pcap-nano-be-fcs.pcap", pcap_nano_big_endian_with_fcs()},
      {"seed-pcap-modified.pcap", pcap_modified()},
      {"seed-pcap-2.3-swapped.pcap", pcap_version_2_3_swapped_lengths()},
      {"seed-pcap-odd-lengths.pcap", pcap_odd_lengths_and_truncation()},
      {"seed-pcap-header-only.pcap", pcap_header_only()},
      {"seed-pcapng-every-block.pcapng", pcapng_every_block()},
      {"seed-pcapng-two-sections.pcapng", pcapng_two_sections()},
      {"seed-pcapng-unknown-block.pcapng", pcapng_unknown_block()},
      {"seed-pcapng-truncated.pcapng", pcapng_truncated_last_block()},
  };
  for (const auto& seed : seeds) {
    if (!write_file(dir + "/" + seed.name, seed.bytes)) {
      std::fprintf(stderr, "%s: cannot write %s/%s\n", argv[0], dir.c_str(), seed.name);
      return 1;
    }
  }
  return 0;
}
