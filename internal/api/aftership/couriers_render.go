package aftership

import (
	"github.com/waybillhq/waybill/internal/courier"
	"github.com/waybillhq/waybill/internal/tracking"
)

// courierV4 is AfterShip's courier object.
type courierV4 struct {
	Slug                   string   `json:"slug"`
	Name                   string   `json:"name"`
	Phone                  *string  `json:"phone"`
	OtherName              *string  `json:"other_name"`
	WebURL                 *string  `json:"web_url"`
	RequiredFields         []string `json:"required_fields"`
	OptionalFields         []string `json:"optional_fields"`
	DefaultLanguage        string   `json:"default_language"`
	SupportLanguages       []string `json:"support_languages"`
	ServiceFromCountryISO3 []string `json:"service_from_country_iso3"`
	Confidence             *float64 `json:"confidence,omitempty"`
}

func renderCourierV4(c courier.Courier) courierV4 {
	other := ""
	for i, n := range c.OtherNames {
		if i > 0 {
			other += ","
		}
		other += n
	}
	return courierV4{
		Slug: c.Slug, Name: c.Name, Phone: nullable(c.Phone), OtherName: nullable(other), WebURL: nullable(c.WebURL),
		RequiredFields: list(c.RequiredFields), OptionalFields: list(c.OptionalFields),
		DefaultLanguage: cmpOr(c.DefaultLanguage, "en"), SupportLanguages: list(c.SupportedLanguages),
		ServiceFromCountryISO3: list(c.Countries),
	}
}

func renderCouriersV4(cs []courier.Courier) map[string]any {
	out := make([]courierV4, len(cs))
	for i, c := range cs {
		out[i] = renderCourierV4(c)
	}
	return map[string]any{"total": len(out), "couriers": out}
}

func renderCandidatesV4(cands []tracking.Candidate) map[string]any {
	out := make([]courierV4, len(cands))
	for i, c := range cands {
		out[i] = renderCourierV4(c.Courier)
		conf := c.Confidence
		out[i].Confidence = &conf
	}
	return map[string]any{"total": len(out), "couriers": out}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
