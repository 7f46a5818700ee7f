package aftership

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/courier"
)

// courierDated is the SDK's Courier model.
type courierDated struct {
	Slug                      string   `json:"slug"`
	Name                      string   `json:"name"`
	Phone                     *string  `json:"phone"`
	OtherName                 *string  `json:"other_name"`
	WebURL                    *string  `json:"web_url"`
	RequiredFields            []string `json:"required_fields"`
	OptionalFields            []string `json:"optional_fields"`
	DefaultLanguage           *string  `json:"default_language"`
	SupportLanguages          []string `json:"support_languages"`
	ServiceFromCountryRegions []string `json:"service_from_country_regions"`
}

// datedFieldNames maps the core's (v4) names of courier-required fields to
// the 2026-07 names (the SDK's AdditionalFields): the address fields
// themselves replaced the tracking_* copies.
var datedFieldNames = map[string]string{
	courier.FieldPostalCode:         "destination_postal_code",
	courier.FieldState:              "destination_state",
	courier.FieldOriginCountry:      "origin_country_region",
	courier.FieldDestinationCountry: "destination_country_region",
}

func datedFields(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = cmpOr(datedFieldNames[n], n)
	}
	return out
}

func renderCourierDated(c courier.Courier) courierDated {
	regions := make([]string, 0, len(c.Countries))
	for _, iso3 := range c.Countries {
		if code := iso2(iso3); code != nil {
			regions = append(regions, *code)
		}
	}
	return courierDated{
		Slug: c.Slug, Name: c.Name, Phone: nullable(c.Phone), OtherName: nullable(strings.Join(c.OtherNames, ",")),
		WebURL: nullable(c.WebURL), RequiredFields: datedFields(c.RequiredFields), OptionalFields: datedFields(c.OptionalFields),
		DefaultLanguage: nullable(cmpOr(c.DefaultLanguage, "en")), SupportLanguages: list(c.SupportedLanguages),
		ServiceFromCountryRegions: regions,
	}
}

func renderCouriersDated(cs []courier.Courier) map[string]any {
	out := make([]courierDated, len(cs))
	for i, c := range cs {
		out[i] = renderCourierDated(c)
	}
	return map[string]any{"total": len(out), "couriers": out}
}

// couriersDated lists couriers (the SDK's GetCouriersQuery): the
// organization's activated couriers, or with active=false every courier
// Waybill knows; slug narrows to a comma-separated list.
func (a *API) couriersDated(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	q := r.URL.Query()
	active := true
	if v := q.Get("active"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return waybill.Invalid(waybill.ReasonFieldInvalid, "The value of active is invalid.")
		}
		active = b
	}
	cs := courier.All()
	if active {
		var err error
		if cs, err = a.Trackings.Activated(r.Context(), org.ID); err != nil {
			return err
		}
	}
	if slugs := splitList(strings.ToLower(q.Get("slug"))); len(slugs) > 0 {
		cs = slices.DeleteFunc(slices.Clone(cs), func(c courier.Courier) bool { return !slices.Contains(slugs, c.Slug) })
	}
	writeOK(w, renderCouriersDated(cs))
	return nil
}

// detectRequestDated is the SDK's DetectCourierRequest: the fields sit at
// the top level of the body.
type detectRequestDated struct {
	TrackingNumber           *string  `json:"tracking_number"`
	Slug                     []string `json:"slug"`
	SlugGroup                string   `json:"slug_group"`
	DestinationPostalCode    string   `json:"destination_postal_code"`
	TrackingShipDate         string   `json:"tracking_ship_date"`
	TrackingAccountNumber    string   `json:"tracking_account_number"`
	TrackingKey              string   `json:"tracking_key"`
	DestinationState         string   `json:"destination_state"`
	OriginCountryRegion      *string  `json:"origin_country_region"`
	DestinationCountryRegion *string  `json:"destination_country_region"`
}

// detectDated answers the couriers a number may belong to, best first, or
// 4012 when none fits.
func (a *API) detectDated(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	body, err := a.readDatedBody(w, r)
	if err != nil {
		return err
	}
	if body == nil {
		return waybill.Invalid(waybill.ReasonTrackingRequired, "tracking object is required.")
	}
	var req detectRequestDated
	if err := unmarshalObject(body, &req); err != nil {
		return err
	}
	var number string
	if req.TrackingNumber != nil {
		number = *req.TrackingNumber
	}
	hints := courier.Hints{Slugs: req.Slug, PostalCode: req.DestinationPostalCode, ShipDate: req.TrackingShipDate,
		AccountNumber: req.TrackingAccountNumber, Key: req.TrackingKey, State: req.DestinationState}
	for _, c := range []struct {
		name string
		v    *string
		dst  *string
	}{
		{"origin_country_region", req.OriginCountryRegion, &hints.OriginCountry},
		{"destination_country_region", req.DestinationCountryRegion, &hints.DestinationCountry},
	} {
		if c.v == nil || strings.TrimSpace(*c.v) == "" {
			continue
		}
		iso3, ok := waybill.NormalizeCountry(*c.v)
		if !ok {
			return waybill.Invalid(waybill.ReasonFieldInvalid, "The value of %s is invalid: use an ISO 3166-1 alpha-2 code.", c.name)
		}
		*c.dst = iso3
	}
	cands, err := a.Trackings.Detect(r.Context(), org.ID, number, req.SlugGroup, hints)
	if err != nil {
		return err
	}
	cs := make([]courier.Courier, len(cands))
	for i, c := range cands {
		cs[i] = c.Courier
	}
	writeOK(w, renderCouriersDated(cs))
	return nil
}
