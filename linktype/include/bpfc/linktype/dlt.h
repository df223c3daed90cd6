// The link-type table: every DLT_ name libpcap's dlt_choices[] knows (the
// corpus' libpcap, a superset of Debian's 1.10.3), with the value Linux uses
// and libpcap's one-line description, which its error messages quote. It is
// the one list of link types in the tree: the dlt:: constants below, the
// name lookups (linktype.h), the compiler's per-link-type facts and the
// savefile numbering are all made from it.
//
// Each row is X(identifier, DLT value, canonical name, description), in
// libpcap's order; names and values are both unique. The identifier is the
// name except for NULL, a macro in C++, spelled NULL_LOOPBACK.
#pragma once

#include <cstdint>

// clang-format off
#define BPFC_LINKTYPE_TABLE(X) \
  X(NULL_LOOPBACK, 0, "NULL", "BSD loopback") \
  X(EN10MB, 1, "EN10MB", "Ethernet") \
  X(EN3MB, 2, "EN3MB", "experimental Ethernet (3Mb/s)") \
  X(AX25, 3, "AX25", "AX.25 layer 2") \
  X(PRONET, 4, "PRONET", "Proteon ProNET Token Ring") \
  X(CHAOS, 5, "CHAOS", "MIT Chaosnet") \
  X(IEEE802, 6, "IEEE802", "802.5 Token Ring") \
  X(ARCNET, 7, "ARCNET", "BSD ARCnet") \
  X(SLIP, 8, "SLIP", "Serial Line IP") \
  X(PPP, 9, "PPP", "Point-to-Point Protocol") \
  X(FDDI, 10, "FDDI", "Fiber Distributed Data Interface") \
  X(REDBACK_SMARTEDGE, 32, "REDBACK_SMARTEDGE", "Redback SmartEdge 400/800") \
  X(ATM_RFC1483, 11, "ATM_RFC1483", "RFC 1483 LLC-encapsulated ATM") \
  X(RAW, 12, "RAW", "Raw IPv4/IPv6") \
  X(SLIP_BSDOS, 15, "SLIP_BSDOS", "BSD/OS Serial Line IP") \
  X(PPP_BSDOS, 16, "PPP_BSDOS", "BSD/OS Point-to-Point Protocol") \
  X(ATM_CLIP, 19, "ATM_CLIP", "Linux Classical IP over ATM") \
  X(PPP_SERIAL, 50, "PPP_SERIAL", "Point-to-Point Protocol over serial") \
  X(PPP_ETHER, 51, "PPP_ETHER", "PPPoE session packets") \
  X(SYMANTEC_FIREWALL, 99, "SYMANTEC_FIREWALL", "Symantec Firewall") \
  X(C_HDLC, 104, "C_HDLC", "Cisco HDLC") \
  X(IEEE802_11, 105, "IEEE802_11", "802.11") \
  X(FRELAY, 107, "FRELAY", "Frame Relay") \
  X(LOOP, 108, "LOOP", "OpenBSD loopback") \
  X(ENC, 109, "ENC", "OpenBSD encapsulated IP") \
  X(LINUX_SLL, 113, "LINUX_SLL", "Linux cooked v1") \
  X(LTALK, 114, "LTALK", "LocalTalk") \
  X(PFLOG, 117, "PFLOG", "OpenBSD pflog file") \
  X(PFSYNC, 246, "PFSYNC", "Packet filter state syncing") \
  X(PRISM_HEADER, 119, "PRISM_HEADER", "802.11 plus Prism header") \
  X(IP_OVER_FC, 122, "IP_OVER_FC", "RFC 2625 IP-over-Fibre Channel") \
  X(SUNATM, 123, "SUNATM", "Sun raw ATM") \
  X(IEEE802_11_RADIO, 127, "IEEE802_11_RADIO", "802.11 plus radiotap header") \
  X(ARCNET_LINUX, 129, "ARCNET_LINUX", "Linux ARCnet") \
  X(JUNIPER_MLPPP, 130, "JUNIPER_MLPPP", "Juniper Multi-Link PPP") \
  X(JUNIPER_MLFR, 131, "JUNIPER_MLFR", "Juniper Multi-Link Frame Relay") \
  X(JUNIPER_ES, 132, "JUNIPER_ES", "Juniper Encryption Services PIC") \
  X(JUNIPER_GGSN, 133, "JUNIPER_GGSN", "Juniper GGSN PIC") \
  X(JUNIPER_MFR, 134, "JUNIPER_MFR", "Juniper FRF.16 Frame Relay") \
  X(JUNIPER_ATM2, 135, "JUNIPER_ATM2", "Juniper ATM2 PIC") \
  X(JUNIPER_SERVICES, 136, "JUNIPER_SERVICES", "Juniper Advanced Services PIC") \
  X(JUNIPER_ATM1, 137, "JUNIPER_ATM1", "Juniper ATM1 PIC") \
  X(APPLE_IP_OVER_IEEE1394, 138, "APPLE_IP_OVER_IEEE1394", "Apple IP-over-IEEE 1394") \
  X(MTP2_WITH_PHDR, 139, "MTP2_WITH_PHDR", "SS7 MTP2 with Pseudo-header") \
  X(MTP2, 140, "MTP2", "SS7 MTP2") \
  X(MTP3, 141, "MTP3", "SS7 MTP3") \
  X(SCCP, 142, "SCCP", "SS7 SCCP") \
  X(DOCSIS, 143, "DOCSIS", "DOCSIS") \
  X(LINUX_IRDA, 144, "LINUX_IRDA", "Linux IrDA") \
  X(IEEE802_11_RADIO_AVS, 163, "IEEE802_11_RADIO_AVS", "802.11 plus AVS radio information header") \
  X(JUNIPER_MONITOR, 164, "JUNIPER_MONITOR", "Juniper Passive Monitor PIC") \
  X(BACNET_MS_TP, 165, "BACNET_MS_TP", "BACnet MS/TP") \
  X(PPP_PPPD, 166, "PPP_PPPD", "PPP for pppd, with direction flag") \
  X(JUNIPER_PPPOE, 167, "JUNIPER_PPPOE", "Juniper PPPoE") \
  X(JUNIPER_PPPOE_ATM, 168, "JUNIPER_PPPOE_ATM", "Juniper PPPoE/ATM") \
  X(GPRS_LLC, 169, "GPRS_LLC", "GPRS LLC") \
  X(GPF_T, 170, "GPF_T", "GPF-T") \
  X(GPF_F, 171, "GPF_F", "GPF-F") \
  X(JUNIPER_PIC_PEER, 174, "JUNIPER_PIC_PEER", "Juniper PIC Peer") \
  X(ERF_ETH, 175, "ERF_ETH", "Ethernet with Endace ERF header") \
  X(ERF_POS, 176, "ERF_POS", "Packet-over-SONET with Endace ERF header") \
  X(LINUX_LAPD, 177, "LINUX_LAPD", "Linux vISDN LAPD") \
  X(JUNIPER_ETHER, 178, "JUNIPER_ETHER", "Juniper Ethernet") \
  X(JUNIPER_PPP, 179, "JUNIPER_PPP", "Juniper PPP") \
  X(JUNIPER_FRELAY, 180, "JUNIPER_FRELAY", "Juniper Frame Relay") \
  X(JUNIPER_CHDLC, 181, "JUNIPER_CHDLC", "Juniper C-HDLC") \
  X(MFR, 182, "MFR", "FRF.16 Frame Relay") \
  X(JUNIPER_VP, 183, "JUNIPER_VP", "Juniper Voice PIC") \
  X(A429, 184, "A429", "Arinc 429") \
  X(A653_ICM, 185, "A653_ICM", "Arinc 653 Interpartition Communication") \
  X(USB_FREEBSD, 186, "USB_FREEBSD", "USB with FreeBSD header") \
  X(BLUETOOTH_HCI_H4, 187, "BLUETOOTH_HCI_H4", "Bluetooth HCI UART transport layer") \
  X(IEEE802_16_MAC_CPS, 188, "IEEE802_16_MAC_CPS", "IEEE 802.16 MAC Common Part Sublayer") \
  X(USB_LINUX, 189, "USB_LINUX", "USB with Linux header") \
  X(CAN20B, 190, "CAN20B", "Controller Area Network (CAN) v. 2.0B") \
  X(IEEE802_15_4_LINUX, 191, "IEEE802_15_4_LINUX", "IEEE 802.15.4 with Linux padding") \
  X(PPI, 192, "PPI", "Per-Packet Information") \
  X(IEEE802_16_MAC_CPS_RADIO, 193, "IEEE802_16_MAC_CPS_RADIO", "IEEE 802.16 MAC Common Part Sublayer plus radiotap header") \
  X(JUNIPER_ISM, 194, "JUNIPER_ISM", "Juniper Integrated Service Module") \
  X(IEEE802_15_4, 195, "IEEE802_15_4", "IEEE 802.15.4 with FCS") \
  X(SITA, 196, "SITA", "SITA pseudo-header") \
  X(ERF, 197, "ERF", "Endace ERF header") \
  X(RAIF1, 198, "RAIF1", "Ethernet with u10 Networks pseudo-header") \
  X(IPMB_KONTRON, 199, "IPMB_KONTRON", "IPMB with Kontron pseudo-header") \
  X(JUNIPER_ST, 200, "JUNIPER_ST", "Juniper Secure Tunnel") \
  X(BLUETOOTH_HCI_H4_WITH_PHDR, 201, "BLUETOOTH_HCI_H4_WITH_PHDR", "Bluetooth HCI UART transport layer plus pseudo-header") \
  X(AX25_KISS, 202, "AX25_KISS", "AX.25 with KISS header") \
  X(I2C_LINUX, 209, "I2C_LINUX", "I2C with Linux/Pigeon Point pseudo-header") \
  X(IEEE802_15_4_NONASK_PHY, 215, "IEEE802_15_4_NONASK_PHY", "IEEE 802.15.4 with non-ASK PHY data") \
  X(MPLS, 219, "MPLS", "MPLS with label as link-layer header") \
  X(LINUX_EVDEV, 216, "LINUX_EVDEV", "Linux evdev events") \
  X(USB_LINUX_MMAPPED, 220, "USB_LINUX_MMAPPED", "USB with padded Linux header") \
  X(DECT, 221, "DECT", "DECT") \
  X(AOS, 222, "AOS", "AOS Space Data Link protocol") \
  X(WIHART, 223, "WIHART", "WirelessHART") \
  X(FC_2, 224, "FC_2", "Fibre Channel FC-2") \
  X(FC_2_WITH_FRAME_DELIMS, 225, "FC_2_WITH_FRAME_DELIMS", "Fibre Channel FC-2 with frame delimiters") \
  X(IPNET, 226, "IPNET", "Solaris ipnet") \
  X(CAN_SOCKETCAN, 227, "CAN_SOCKETCAN", "CAN-bus with SocketCAN headers") \
  X(IPV4, 228, "IPV4", "Raw IPv4") \
  X(IPV6, 229, "IPV6", "Raw IPv6") \
  X(IEEE802_15_4_NOFCS, 230, "IEEE802_15_4_NOFCS", "IEEE 802.15.4 without FCS") \
  X(DBUS, 231, "DBUS", "D-Bus") \
  X(JUNIPER_VS, 232, "JUNIPER_VS", "Juniper Virtual Server") \
  X(JUNIPER_SRX_E2E, 233, "JUNIPER_SRX_E2E", "Juniper SRX E2E") \
  X(JUNIPER_FIBRECHANNEL, 234, "JUNIPER_FIBRECHANNEL", "Juniper Fibre Channel") \
  X(DVB_CI, 235, "DVB_CI", "DVB-CI") \
  X(MUX27010, 236, "MUX27010", "MUX27010") \
  X(STANAG_5066_D_PDU, 237, "STANAG_5066_D_PDU", "STANAG 5066 D_PDUs") \
  X(JUNIPER_ATM_CEMIC, 238, "JUNIPER_ATM_CEMIC", "Juniper ATM CEMIC") \
  X(NFLOG, 239, "NFLOG", "Linux netfilter log messages") \
  X(NETANALYZER, 240, "NETANALYZER", "Ethernet with Hilscher netANALYZER pseudo-header") \
  X(NETANALYZER_TRANSPARENT, 241, "NETANALYZER_TRANSPARENT", "Ethernet with Hilscher netANALYZER pseudo-header and with preamble and SFD") \
  X(IPOIB, 242, "IPOIB", "RFC 4391 IP-over-InfiniBand") \
  X(MPEG_2_TS, 243, "MPEG_2_TS", "MPEG-2 transport stream") \
  X(NG40, 244, "NG40", "ng40 protocol tester Iub/Iur") \
  X(NFC_LLCP, 245, "NFC_LLCP", "NFC LLCP PDUs with pseudo-header") \
  X(INFINIBAND, 247, "INFINIBAND", "InfiniBand") \
  X(SCTP, 248, "SCTP", "SCTP") \
  X(USBPCAP, 249, "USBPCAP", "USB with USBPcap header") \
  X(RTAC_SERIAL, 250, "RTAC_SERIAL", "Schweitzer Engineering Laboratories RTAC packets") \
  X(BLUETOOTH_LE_LL, 251, "BLUETOOTH_LE_LL", "Bluetooth Low Energy air interface") \
  X(NETLINK, 253, "NETLINK", "Linux netlink") \
  X(BLUETOOTH_LINUX_MONITOR, 254, "BLUETOOTH_LINUX_MONITOR", "Bluetooth Linux Monitor") \
  X(BLUETOOTH_BREDR_BB, 255, "BLUETOOTH_BREDR_BB", "Bluetooth Basic Rate/Enhanced Data Rate baseband packets") \
  X(BLUETOOTH_LE_LL_WITH_PHDR, 256, "BLUETOOTH_LE_LL_WITH_PHDR", "Bluetooth Low Energy air interface with pseudo-header") \
  X(PROFIBUS_DL, 257, "PROFIBUS_DL", "PROFIBUS data link layer") \
  X(PKTAP, 258, "PKTAP", "Apple PKTAP") \
  X(EPON, 259, "EPON", "Ethernet with 802.3 Clause 65 EPON preamble") \
  X(IPMI_HPM_2, 260, "IPMI_HPM_2", "IPMI trace packets") \
  X(ZWAVE_R1_R2, 261, "ZWAVE_R1_R2", "Z-Wave RF profile R1 and R2 packets") \
  X(ZWAVE_R3, 262, "ZWAVE_R3", "Z-Wave RF profile R3 packets") \
  X(WATTSTOPPER_DLM, 263, "WATTSTOPPER_DLM", "WattStopper Digital Lighting Management (DLM) and Legrand Nitoo Open protocol") \
  X(ISO_14443, 264, "ISO_14443", "ISO 14443 messages") \
  X(RDS, 265, "RDS", "IEC 62106 Radio Data System groups") \
  X(USB_DARWIN, 266, "USB_DARWIN", "USB with Darwin header") \
  X(OPENFLOW, 267, "OPENFLOW", "OpenBSD OpenFlow") \
  X(SDLC, 268, "SDLC", "IBM SDLC frames") \
  X(TI_LLN_SNIFFER, 269, "TI_LLN_SNIFFER", "TI LLN sniffer frames") \
  X(VSOCK, 271, "VSOCK", "Linux vsock") \
  X(NORDIC_BLE, 272, "NORDIC_BLE", "Nordic Semiconductor Bluetooth LE sniffer frames") \
  X(DOCSIS31_XRA31, 273, "DOCSIS31_XRA31", "Excentis XRA-31 DOCSIS 3.1 RF sniffer frames") \
  X(ETHERNET_MPACKET, 274, "ETHERNET_MPACKET", "802.3br mPackets") \
  X(DISPLAYPORT_AUX, 275, "DISPLAYPORT_AUX", "DisplayPort AUX channel monitoring data") \
  X(LINUX_SLL2, 276, "LINUX_SLL2", "Linux cooked v2") \
  X(OPENVIZSLA, 278, "OPENVIZSLA", "OpenVizsla USB") \
  X(EBHSCR, 279, "EBHSCR", "Elektrobit High Speed Capture and Replay (EBHSCR)") \
  X(VPP_DISPATCH, 280, "VPP_DISPATCH", "VPP graph dispatch tracer") \
  X(DSA_TAG_BRCM, 281, "DSA_TAG_BRCM", "Broadcom infix DSA tag") \
  X(DSA_TAG_BRCM_PREPEND, 282, "DSA_TAG_BRCM_PREPEND", "Broadcom prefix DSA tag") \
  X(IEEE802_15_4_TAP, 283, "IEEE802_15_4_TAP", "IEEE 802.15.4 with pseudo-header") \
  X(DSA_TAG_DSA, 284, "DSA_TAG_DSA", "Marvell infix 4-octet DSA tag") \
  X(DSA_TAG_EDSA, 285, "DSA_TAG_EDSA", "Marvell infix 8-octet DSA tag") \
  X(ELEE, 286, "ELEE", "ELEE lawful intercept packets") \
  X(Z_WAVE_SERIAL, 287, "Z_WAVE_SERIAL", "Z-Wave serial frames between host and chip") \
  X(USB_2_0, 288, "USB_2_0", "USB 2.0/1.1/1.0 as transmitted over the cable") \
  X(ATSC_ALP, 289, "ATSC_ALP", "ATSC Link-Layer Protocol packets") \
  X(ETW, 290, "ETW", "Event Tracing for Windows messages") \
  X(NETANALYZER_NG, 291, "NETANALYZER_NG", "Hilscher netANALYZER NG pseudo-footer") \
  X(ZBOSS_NCP, 292, "ZBOSS_NCP", "ZBOSS NCP protocol with pseudo-header") \
  X(USB_2_0_LOW_SPEED, 293, "USB_2_0_LOW_SPEED", "Low-Speed USB 2.0/1.1/1.0 as transmitted over the cable") \
  X(USB_2_0_FULL_SPEED, 294, "USB_2_0_FULL_SPEED", "Full-Speed USB 2.0/1.1/1.0 as transmitted over the cable") \
  X(USB_2_0_HIGH_SPEED, 295, "USB_2_0_HIGH_SPEED", "High-Speed USB 2.0 as transmitted over the cable") \
  X(AUERSWALD_LOG, 296, "AUERSWALD_LOG", "Auerswald Logger Protocol") \
  X(ZWAVE_TAP, 297, "ZWAVE_TAP", "Z-Wave packets with a TAP meta-data header") \
  X(SILABS_DEBUG_CHANNEL, 298, "SILABS_DEBUG_CHANNEL", "Silicon Labs debug channel protocol") \
  X(FIRA_UCI, 299, "FIRA_UCI", "Ultra-wideband controller interface protocol") \
  X(MDB, 300, "MDB", "Multi-Drop Bus") \
  X(DECT_NR, 301, "DECT_NR", "DECT New Radio") \
  X(USER0, 147, "USER0", "Private use 0") \
  X(USER1, 148, "USER1", "Private use 1") \
  X(USER2, 149, "USER2", "Private use 2") \
  X(USER3, 150, "USER3", "Private use 3") \
  X(USER4, 151, "USER4", "Private use 4") \
  X(USER5, 152, "USER5", "Private use 5") \
  X(USER6, 153, "USER6", "Private use 6") \
  X(USER7, 154, "USER7", "Private use 7") \
  X(USER8, 155, "USER8", "Private use 8") \
  X(USER9, 156, "USER9", "Private use 9") \
  X(USER10, 157, "USER10", "Private use 10") \
  X(USER11, 158, "USER11", "Private use 11") \
  X(USER12, 159, "USER12", "Private use 12") \
  X(USER13, 160, "USER13", "Private use 13") \
  X(USER14, 161, "USER14", "Private use 14") \
  X(USER15, 162, "USER15", "Private use 15") \
  X(EDK2_MM, 302, "EDK2_MM", "EDK II MM request serialization protocol") \
  X(DEBUG_ONLY, 303, "DEBUG_ONLY", "unstructured data for manual debugging only") \
  X(DECT_NR_TAP, 304, "DECT_NR_TAP", "DECT-2020 New Radio TAP")

// Names older libpcaps accepted for a value that now has another name.
#define BPFC_LINKTYPE_ALIASES(X) \
  X(IPMB_LINUX, 209, "IPMB_LINUX", "IPMB with Linux/Pigeon Point pseudo-header")
// clang-format on

namespace bpfc::dlt {

#define BPFC_DLT_CONSTANT(identifier, value, name, description) inline constexpr uint32_t identifier = value;
BPFC_LINKTYPE_TABLE(BPFC_DLT_CONSTANT)
#undef BPFC_DLT_CONSTANT

// Linux values of link types that libpcap handles but dlt_choices[] does not name.
inline constexpr uint32_t HDLC = 112;
inline constexpr uint32_t HHDLC = 121;
// The range of values that libpcap accepts for "link[N]"-only filtering.
inline constexpr uint32_t HIGH_MATCHING_MIN = 104;
inline constexpr uint32_t HIGH_MATCHING_MAX = 304;

}  // namespace bpfc::dlt
