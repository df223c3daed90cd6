// Link-type names and numbers against Debian's libpcap, the oracle: every
// name it knows must map to the same value here, and back.
#include <pcap/pcap.h>

#include <gtest/gtest.h>

#include <string>

#include "bpfc/linktype/linktype.h"

namespace bpfc {
namespace {

// Every value libpcap has a name for (DLT values fit in 0..0xffff).
std::vector<int> values_libpcap_names() {
  std::vector<int> values;
  for (int dlt = 0; dlt <= 0xffff; ++dlt)
    if (pcap_datalink_val_to_name(dlt) != nullptr) values.push_back(dlt);
  return values;
}

TEST(Linktype, EveryLibpcapNameHasLibpcapsValue) {
  auto values = values_libpcap_names();
  ASSERT_GT(values.size(), 100u);
  for (int dlt : values) {
    std::string name = pcap_datalink_val_to_name(dlt);
    ASSERT_EQ(pcap_datalink_name_to_val(name.c_str()), dlt);
    EXPECT_EQ(linktype_from_string(name), std::optional<uint32_t>(dlt)) << name;
  }
}

TEST(Linktype, EveryLibpcapValueHasAName) {
  for (int dlt : values_libpcap_names()) {
    auto name = linktype_name(static_cast<uint32_t>(dlt));
    ASSERT_TRUE(name.has_value()) << dlt;
    // The one rename since Debian's libpcap: IPMB_LINUX is now I2C_LINUX.
    if (std::string(pcap_datalink_val_to_name(dlt)) == "IPMB_LINUX") {
      EXPECT_EQ(*name, "I2C_LINUX");
    } else {
      EXPECT_EQ(*name, pcap_datalink_val_to_name(dlt));
    }
  }
}

TEST(Linktype, OurNamesAgreeWithLibpcapWhereItKnowsThem) {
  for (uint32_t dlt = 0; dlt <= 0xffff; ++dlt) {
    auto name = linktype_name(dlt);
    if (!name) {
      EXPECT_EQ(pcap_datalink_val_to_name(static_cast<int>(dlt)), nullptr) << dlt;
      continue;
    }
    EXPECT_EQ(linktype_from_string(*name), std::optional<uint32_t>(dlt)) << *name;
    int libpcap_value = pcap_datalink_name_to_val(std::string(*name).c_str());
    if (libpcap_value != -1) {
      EXPECT_EQ(static_cast<uint32_t>(libpcap_value), dlt) << *name;
    }
  }
}

TEST(Linktype, NamesAreCaseInsensitiveWithOptionalPrefix) {
  EXPECT_EQ(linktype_from_string("EN10MB"), 1u);
  EXPECT_EQ(linktype_from_string("en10mb"), 1u);
  EXPECT_EQ(linktype_from_string("DLT_EN10MB"), 1u);
  EXPECT_EQ(linktype_from_string("dlt_linux_sll2"), 276u);
  EXPECT_EQ(linktype_from_string("NULL"), 0u);
  EXPECT_EQ(linktype_from_string("IPMB_LINUX"), 209u);
  EXPECT_EQ(linktype_from_string("NO_SUCH_LINK"), std::nullopt);
  EXPECT_EQ(linktype_from_string(""), std::nullopt);
  EXPECT_EQ(linktype_from_string("DLT_"), std::nullopt);
}

TEST(Linktype, NumbersAreAccepted) {
  EXPECT_EQ(linktype_from_string("1"), 1u);
  EXPECT_EQ(linktype_from_string("228"), 228u);
  EXPECT_EQ(linktype_from_string("0x71"), 113u);
  EXPECT_EQ(linktype_from_string("12x"), std::nullopt);
}

TEST(Linktype, DisplayQuotesTheDescriptionAsLibpcapMessagesDo) {
  EXPECT_EQ(linktype_display(1), "DLT_EN10MB (Ethernet)");
  EXPECT_EQ(linktype_display(0), "DLT_NULL (BSD loopback)");
  EXPECT_EQ(linktype_display(20), "DLT 20");
  EXPECT_EQ(linktype_description(228), "Raw IPv4");
}

}  // namespace
}  // namespace bpfc
