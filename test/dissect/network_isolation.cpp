// The printing tests run bpfc and tcpdump: isolate them from the network
// first (child processes inherit the namespace; see
// test/support/network_isolation.h).
#include "../support/network_isolation.h"

BPFC_ISOLATE_NETWORK("dissect");
