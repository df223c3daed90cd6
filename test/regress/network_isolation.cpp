// These tests hand expressions to libpcap: isolate the process from the
// network first (see test/support/network_isolation.h).
#include "../support/network_isolation.h"

BPFC_ISOLATE_NETWORK("regress");
