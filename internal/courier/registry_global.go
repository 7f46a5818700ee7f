package courier

// middleEastAfrica lists couriers based in the Middle East and Africa.
var middleEastAfrica = []Courier{
	{Slug: "aramex", Name: "Aramex", WebURL: "https://www.aramex.com", Countries: []string{"ARE", "JOR", "SAU"}, TrackingURLTemplate: "https://www.aramex.com/us/en/track/results?ShipmentNumber={tracking_number}", SupportedLanguages: []string{"en", "ar"}},
	{Slug: "emirates-post", Name: "Emirates Post", WebURL: "https://www.emiratespost.ae", Countries: []string{"ARE"}, SupportedLanguages: []string{"en", "ar"}},
	{Slug: "smsa-express", Name: "SMSA Express", WebURL: "https://www.smsaexpress.com", Countries: []string{"SAU"}, SupportedLanguages: []string{"en", "ar"}},
	{Slug: "naqel", Name: "Naqel Express", WebURL: "https://www.naqelexpress.com", Countries: []string{"SAU"}, SupportedLanguages: []string{"en", "ar"}},
	{Slug: "saudi-post", Name: "Saudi Post", OtherNames: []string{"SPL"}, WebURL: "https://splonline.com.sa", Countries: []string{"SAU"}, DefaultLanguage: "ar", SupportedLanguages: []string{"ar", "en"}},
	{Slug: "qatar-post", Name: "Qatar Post", WebURL: "https://www.qatarpost.qa", Countries: []string{"QAT"}, SupportedLanguages: []string{"en", "ar"}},
	{Slug: "israel-post", Name: "Israel Post", WebURL: "https://www.israelpost.co.il", Countries: []string{"ISR"}, DefaultLanguage: "he", SupportedLanguages: []string{"he", "en"}},
	{Slug: "egypt-post", Name: "Egypt Post", WebURL: "https://www.egyptpost.org", Countries: []string{"EGY"}, DefaultLanguage: "ar", SupportedLanguages: []string{"ar", "en"}},
	{Slug: "poste-maroc", Name: "Poste Maroc", OtherNames: []string{"Barid Al-Maghrib"}, WebURL: "https://www.poste.ma", Countries: []string{"MAR"}, DefaultLanguage: "fr", SupportedLanguages: []string{"fr", "ar"}},
	{Slug: "sapo", Name: "South African Post Office", WebURL: "https://www.postoffice.co.za", Countries: []string{"ZAF"}},
	{Slug: "the-courier-guy", Name: "The Courier Guy", WebURL: "https://www.thecourierguy.co.za", Countries: []string{"ZAF"}},
	{Slug: "nipost", Name: "NIPOST", OtherNames: []string{"Nigerian Postal Service"}, WebURL: "https://www.nipost.gov.ng", Countries: []string{"NGA"}},
	{Slug: "posta-kenya", Name: "Posta Kenya", WebURL: "https://www.posta.co.ke", Countries: []string{"KEN"}},
}

// global lists carriers that operate in many countries, and the sandbox.
var global = []Courier{
	{Slug: "dhl", Name: "DHL Express", OtherNames: []string{"DHL"}, WebURL: "https://www.dhl.com", Phone: "+1 800 225 5345", Countries: []string{"DEU", "USA"}, TrackingURLTemplate: "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id={tracking_number}", SupportedLanguages: []string{"en", "de", "fr", "es", "zh"}},
	{Slug: "dhl-global-forwarding", Name: "DHL Global Forwarding", WebURL: "https://www.dhl.com/global-en/home/our-divisions/global-forwarding.html", Countries: []string{"DEU"}},
	{Slug: "tnt", Name: "TNT", OtherNames: []string{"TNT Express"}, WebURL: "https://www.tnt.com", Countries: []string{"NLD"}, TrackingURLTemplate: "https://www.tnt.com/express/en_gc/site/shipping-tools/tracking.html?searchType=con&cons={tracking_number}"},
	{Slug: "dpd", Name: "DPD", OtherNames: []string{"Dynamic Parcel Distribution"}, WebURL: "https://www.dpd.com", Countries: []string{"DEU", "FRA", "NLD", "BEL", "AUT", "CHE", "POL"}, TrackingURLTemplate: "https://tracking.dpd.de/status/en_US/parcel/{tracking_number}", SupportedLanguages: []string{"en", "de", "fr", "nl"}},
	{Slug: "gls", Name: "GLS", OtherNames: []string{"General Logistics Systems"}, WebURL: "https://gls-group.com", Countries: []string{"DEU", "NLD", "BEL", "DNK", "AUT", "FRA", "ESP", "POL", "HUN"}, TrackingURLTemplate: "https://gls-group.com/GROUP/en/parcel-tracking?match={tracking_number}", SupportedLanguages: []string{"en", "de"}},
	{Slug: "asendia", Name: "Asendia", WebURL: "https://www.asendia.com", Countries: []string{"FRA", "CHE", "GBR"}},
	{Slug: "landmark-global", Name: "Landmark Global", WebURL: "https://landmarkglobal.com", Countries: []string{"BEL", "USA", "GBR"}},
	{Slug: "i-parcel", Name: "i-parcel", WebURL: "https://www.i-parcel.com", Countries: []string{"USA", "GBR"}},
	{Slug: "skynet", Name: "SkyNet Worldwide Express", WebURL: "https://www.skynetworldwide.com", Countries: []string{"GBR", "MYS"}},
	{Slug: "ems", Name: "EMS", OtherNames: []string{"Express Mail Service"}, WebURL: "https://www.ems.post", Countries: []string{"CHN"}},
	{Slug: "dhl-parcel-uk", Name: "DHL Parcel UK", WebURL: "https://www.dhl.com/gb-en/parcel.html", Countries: []string{"GBR"}},
	{Slug: SandboxSlug, Name: "Waybill Sandbox", OtherNames: []string{"Sandbox"}, WebURL: "https://github.com/waybillhq/waybill", Countries: []string{}},
}
