package notify

import (
	"strings"

	"github.com/waybillhq/waybill"
)

// MaskRecipient hides most of an address for lists and logs:
// "alex.doe@example.com" becomes "a***e@example.com", "+14155550100"
// becomes "+1415***0100".
func MaskRecipient(channel, addr string) string {
	if channel == waybill.ChannelSMS {
		if len(addr) <= 8 {
			return strings.Repeat("*", len(addr))
		}
		return addr[:5] + "***" + addr[len(addr)-4:]
	}
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return "***"
	}
	local := addr[:at]
	switch {
	case local == "":
		local = "***"
	case len(local) <= 2:
		local = local[:1] + "***"
	default:
		local = local[:1] + "***" + local[len(local)-1:]
	}
	return local + addr[at:]
}
