package courier

// s10Posts maps the ISO 3166 alpha-2 code ending a UPU S10 identifier to
// the courier slug of that country's designated postal operator.
var s10Posts = map[string]string{
	// Americas.
	"US": "usps", "CA": "canada-post", "MX": "correos-de-mexico", "BR": "brazil-correios",
	"AR": "correo-argentino", "CL": "correos-chile", "CO": "4-72", "PE": "serpost",
	"UY": "correo-uruguayo", "CR": "correos-costa-rica",
	// Europe.
	"GB": "royal-mail", "IE": "an-post", "NL": "postnl", "BE": "bpost", "LU": "post-luxembourg",
	"DE": "deutsch-post", "AT": "austrian-post", "CH": "swiss-post", "LI": "liechtenstein-post",
	"FR": "la-poste-colissimo", "IT": "poste-italiane", "ES": "correos-de-espana", "PT": "portugal-ctt",
	"MT": "malta-post", "CY": "cyprus-post", "GR": "greece-post",
	"NO": "posten-norge", "SE": "sweden-posten", "DK": "danmark-post", "FI": "finland-posti", "IS": "iceland-post",
	"EE": "omniva", "LV": "latvijas-pasts", "LT": "lietuvos-pastas",
	"PL": "poczta-polska", "CZ": "ceska-posta", "SK": "slovakia-post", "HU": "magyar-posta",
	"RO": "posta-romana", "BG": "bulgarian-posts", "HR": "hrvatska-posta", "SI": "post-slovenia",
	"RS": "posta-srbije", "RU": "russian-post", "BY": "belpost", "UA": "ukrposhta", "TR": "ptt-posta",
	// Asia and Oceania.
	"CN": "china-post", "HK": "hong-kong-post", "MO": "macao-post", "TW": "taiwan-post",
	"JP": "japan-post", "KR": "korea-post", "SG": "singapore-post", "MY": "malaysia-post",
	"TH": "thailand-post", "VN": "vnpost", "PH": "phlpost", "ID": "pos-indonesia",
	"IN": "india-post", "PK": "pakistan-post", "LK": "sri-lanka-post",
	"AU": "australia-post", "NZ": "new-zealand-post",
	// Middle East and Africa.
	"AE": "emirates-post", "SA": "saudi-post", "QA": "qatar-post", "IL": "israel-post",
	"EG": "egypt-post", "MA": "poste-maroc", "ZA": "sapo", "NG": "nipost", "KE": "posta-kenya",
}
