#!/usr/bin/env bash
# Installs the Debian packages bpfc needs to build and test. Idempotent: when
# everything is present it prints nothing and changes nothing.
set -euo pipefail

packages=(
  build-essential cmake make pkg-config
  antlr4 default-jre-headless libantlr4-runtime-dev
  libfmt-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  llvm-dev libz3-dev
  # compressed savefiles: gzip, xz and zstd decompression (the command-line
  # tools let the tests make such files independently, and are optional)
  zlib1g-dev liblzma-dev libzstd-dev gzip xz-utils zstd
  # rpcaps:// (TLS for the rpcap client and bpfc-rpcapd); the openssl
  # command line makes the tests' certificates
  libssl-dev openssl
  # the fuzz targets: clang with libFuzzer and the sanitizer runtimes
  clang libclang-rt-14-dev
  # test-only oracles: libpcap's compiler and tcpdump
  libpcap-dev tcpdump
  # the man page test renders bpfc.1 with groff -ww
  groff-base
  iproute2
  # the eBPF target's tests: libbpf opens and loads its objects, bpftool
  # loads and links them as users do
  libbpf-dev libelf-dev bpftool
  # bpfc-rpcapd checks passwords with crypt_r (libxcrypt)
  libcrypt-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
