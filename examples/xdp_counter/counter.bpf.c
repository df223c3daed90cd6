// The XDP program of the xdp_counter example: it calls the filter bpfc
// compiled (the func hook: `bpfc compile --target=ebpf --ebpf-hook=func`),
// counts what it passes and drops in an array map, and drops what the
// filter rejects. Built with clang -target bpf; linked with bpfc's object
// at run time (libbpf's linker), as `bpftool gen object` would.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "filter.h"  // bpfc compile --target=ebpf --ebpf-hook=func --format=header

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 2);  // [0] dropped, [1] passed
  __type(key, __u32);
  __type(value, __u64);
} counts SEC(".maps");

SEC("xdp")
int count_and_filter(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  __u32 passed = filter(data, data_end) != 0;
  __u64 *count = bpf_map_lookup_elem(&counts, &passed);
  if (count) __sync_fetch_and_add(count, 1);
  return passed ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
