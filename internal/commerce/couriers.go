package commerce

import (
	"strings"
	"unicode"
)

// courierAliases maps a normalized tracking company (lower case, letters
// and digits only) to a courier slug. A company is matched exactly first,
// then by the longest alias it starts with ("fedexground" -> fedex,
// "royalmail24" -> royal-mail). Anything else goes to detection.
var courierAliases = map[string]string{
	"ups": "ups", "unitedparcelservice": "ups", "upsground": "ups", "upsmailinnovations": "ups",
	"fedex": "fedex", "federalexpress": "fedex", "fedexground": "fedex", "fedexexpress": "fedex", "fedexhomedelivery": "fedex",
	"usps": "usps", "unitedstatespostalservice": "usps", "uspostalservice": "usps", "uspriority": "usps", "uspsfirstclass": "usps",
	"dhl": "dhl", "dhlexpress": "dhl", "dhlworldwide": "dhl", "dhlecommerce": "dhl-ecommerce", "dhlglobalmail": "dhl-ecommerce",
	"dhlparcel": "dhl-ecommerce", "dhlpaket": "deutsch-post", "deutschepost": "deutsch-post", "deutschpost": "deutsch-post",
	"royalmail": "royal-mail", "rm": "royal-mail", "parcelforce": "royal-mail",
	"canadapost": "canada-post", "postescanada": "canada-post", "purolator": "purolator",
	"amazon": "amazon", "amazonlogistics": "amazon", "amazonshipping": "amazon",
	"ontrac": "ontrac", "lasership": "lasership",
	"dpd": "dpd", "dpduk": "dpd-uk", "dpdlocal": "dpd-uk", "gls": "gls", "tnt": "tnt", "aramex": "aramex",
	"evri": "hermes", "hermes": "hermes", "myhermes": "hermes", "yodel": "yodel",
	"postnl": "postnl", "bpost": "bpost", "swisspost": "swiss-post", "laposte": "la-poste-colissimo", "colissimo": "la-poste-colissimo",
	"posteitaliane": "poste-italiane", "australiapost": "australia-post", "auspost": "australia-post",
	"japanpost": "japan-post", "chinapost": "china-post", "chinaems": "china-post", "sfexpress": "sf-express", "sf": "sf-express",
}

// CourierSlug returns the slug for a tracking company as vendors spell it
// ("UPS", "FedEx Ground", "Royal Mail 24", "DHL Express", "USPS Priority",
// "Canada Post", ...), or "" when it is not known.
func CourierSlug(company string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(company) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	key := b.String()
	if key == "" {
		return ""
	}
	if slug, ok := courierAliases[key]; ok {
		return slug
	}
	best, bestLen := "", 0
	for alias, slug := range courierAliases {
		if len(alias) >= 3 && len(alias) > bestLen && strings.HasPrefix(key, alias) {
			best, bestLen = slug, len(alias)
		}
	}
	return best
}
