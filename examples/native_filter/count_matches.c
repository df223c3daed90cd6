/* Native filters linked into a C program: `bpfc compile --target=llvm`
 * compiled the filters of filters.h into filters.o (see CMakeLists.txt):
 *
 *   bpfc compile --target=llvm -o filters.o web='tcp port 80' dns='udp port 53'
 *   bpfc compile --emit=header -o filters.h web='tcp port 80' dns='udp port 53'
 *
 * This program reads a pcap savefile (Ethernet, either byte order, no
 * libpcap) and prints how many packets each filter matches, running the
 * filters a batch of packets per call.
 * Usage: count_matches FILE.pcap */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filters.h"

enum { kBatch = 256 };

static uint32_t swap32(uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s FILE.pcap\n", argv[0]);
    return 2;
  }
  FILE *in = fopen(argv[1], "rb");
  if (in == NULL) {
    perror(argv[1]);
    return 1;
  }
  uint32_t header[6];
  if (fread(header, 4, 6, in) != 6) {
    fprintf(stderr, "%s: not a pcap savefile\n", argv[1]);
    return 1;
  }
  int swapped;
  if (header[0] == 0xa1b2c3d4u || header[0] == 0xa1b23c4du) {
    swapped = 0;
  } else if (header[0] == 0xd4c3b2a1u || header[0] == 0x4d3cb2a1u) {
    swapped = 1;
  } else {
    fprintf(stderr, "%s: not a pcap savefile\n", argv[1]);
    return 1;
  }
  uint32_t linktype = swapped ? swap32(header[5]) : header[5];
  if ((linktype & 0x0fffffffu) != 1) {
    fprintf(stderr, "%s: link type %u; the filters were compiled for Ethernet\n", argv[1], linktype);
    return 1;
  }

  struct bpfc_packet packets[kBatch];
  uint8_t *buffers[kBatch] = {0};
  uint32_t web_verdicts[kBatch], dns_verdicts[kBatch];
  unsigned long total = 0, web = 0, dns = 0;
  for (;;) {
    uint32_t count = 0;
    uint32_t record[4];
    while (count < kBatch && fread(record, 4, 4, in) == 4) {
      uint32_t caplen = swapped ? swap32(record[2]) : record[2];
      uint32_t wirelen = swapped ? swap32(record[3]) : record[3];
      uint8_t *bytes = realloc(buffers[count], caplen ? caplen : 1);
      if (bytes == NULL || fread(bytes, 1, caplen, in) != caplen) {
        fprintf(stderr, "%s: truncated record\n", argv[1]);
        return 1;
      }
      buffers[count] = bytes;
      packets[count].data = bytes;
      packets[count].caplen = caplen;
      packets[count].wirelen = wirelen;
      ++count;
    }
    if (count == 0) break;
    web_batch(packets, count, web_verdicts);
    dns_batch(packets, count, dns_verdicts);
    for (uint32_t i = 0; i < count; ++i) {
      web += web_verdicts[i] != 0;
      dns += dns_verdicts[i] != 0;
    }
    total += count;
  }
  printf("%lu packets: web %lu, dns %lu\n", total, web, dns);
  for (int i = 0; i < kBatch; ++i) free(buffers[i]);
  fclose(in);
  return 0;
}
