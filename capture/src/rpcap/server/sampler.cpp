// SETSAMPLING applied to the packets a capture delivers, with the meaning
// libpcap gives the two methods (pcap_setsampling(3PCAP)).
#include "bpfc/capture/rpcap/server.h"

namespace bpfc::capture::rpcap {

void Sampler::configure(SamplingPayload sampling) {
  method_ = static_cast<SamplingMethod>(sampling.method);
  if (method_ != SamplingMethod::OneEveryN && method_ != SamplingMethod::FirstAfterNMilliseconds) {
    method_ = SamplingMethod::None;
  }
  value_ = sampling.value;
  counter_ = 0;
  next_us_ = 0;
}

bool Sampler::admit(uint64_t timestamp_us) {
  switch (method_) {
    case SamplingMethod::OneEveryN:
      if (value_ <= 1) return true;
      // The N-th, 2N-th, ... packet: the counter runs 1..N and wraps to 0.
      counter_ = (counter_ + 1) % value_;
      return counter_ == 0;
    case SamplingMethod::FirstAfterNMilliseconds:
      if (timestamp_us < next_us_) return false;
      next_us_ = timestamp_us + uint64_t{value_} * 1000;
      return true;
    case SamplingMethod::None:
      break;
  }
  return true;
}

}  // namespace bpfc::capture::rpcap
