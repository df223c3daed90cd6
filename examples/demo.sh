#!/usr/bin/env bash
# A tour of the bpfc command line: compiles a few filters and shows every
# output form, an error, the asm/verify/run tools, and filtering a savefile.
# Usage: examples/demo.sh [path/to/bpfc]   (`make run` passes the built binary)
set -euo pipefail
bpfc=${1:-bpfc}

# Prints the command as one would type it (quoting words that need it), then runs it.
show() {
  local shown="" word
  for word in "$@"; do
    if [[ $word =~ [^A-Za-z0-9_./:=-] ]]; then word="'$word'"; fi
    shown+=" $word"
  done
  printf '\n$ bpfc%s\n' "$shown"
  "$bpfc" "$@"
}

echo "== bpfc $("$bpfc" --version | cut -d' ' -f2): pcap-filter expressions to classic BPF =="

show compile 'tcp dst port 80'
show compile -dd 'ip and udp'
show compile -ddd -y RAW icmp
show compile --format=json -s 128 'vlan 100 and arp'
show compile -m 255.255.255.0 ip broadcast
show compile --emit=ir 'tcp[tcpflags] & tcp-syn != 0'

printf '\n$ bpfc compile tcp port 70000    # an error: message, expression, caret\n'
"$bpfc" compile tcp port 70000 2>&1 || echo "(exit status $?)"

printf '\n$ bpfc compile -ddd udp | bpfc asm -d    # convert between layouts\n'
"$bpfc" compile -ddd udp | "$bpfc" asm -d

printf '\n$ bpfc compile udp | bpfc verify --kernel\n'
"$bpfc" compile udp | "$bpfc" verify --kernel

# An Ethernet frame carrying IPv4 + UDP 10.0.0.1:1024 -> 10.0.0.2:53, and an ARP request.
dns=ffffffffffff00112233445508004500001c00000000401100000a0000010a0000020400003500080000
arp=ffffffffffff001122334455080600010800060400010011223344550a0000010000000000000a000002
show run -e 'udp port 53' "$dns" "$arp"
show run -e 'arp' "$dns" "$arp"

# Savefiles: examples/sample.pcap is 54 packets of generated mixed traffic
# (IPv4/IPv6, TCP/UDP/ICMP, VLAN, ARP), made with test/bench/bench_gen_traffic.
sample=$(dirname "$0")/sample.pcap
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '\n$ bpfc filter -r sample.pcap tcp port 80    # one line per kept packet, like tcpdump -n -q\n'
"$bpfc" filter -r "$sample" tcp port 80 2>&1
printf '\n$ bpfc filter -r sample.pcap -w udp.pcapng --format pcapng udp    # keep some, convert to pcapng\n'
"$bpfc" filter -r "$sample" -w "$out/udp.pcapng" --format pcapng udp 2>&1
printf '\n$ bpfc filter -r udp.pcapng -c 3 udp port 53    # read it back: the first three DNS packets\n'
"$bpfc" filter -r "$out/udp.pcapng" -c 3 udp port 53 2>&1
