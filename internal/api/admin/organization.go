package admin

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/waybillhq/waybill"
)

// Organizations is what /v1/organization needs from the core: the
// organization's branding of its hosted tracking pages.
type Organizations interface {
	Branding(ctx context.Context, orgID int64) (waybill.Branding, error)
	UpdateBranding(ctx context.Context, orgID int64, p waybill.BrandingPatch) (waybill.Branding, error)
}

// organizationJSON is the wire form of the organization and its branding.
type organizationJSON struct {
	Name            string  `json:"name"`
	PortalPath      string  `json:"portal_path"`
	DisplayName     string  `json:"display_name"`
	LogoURL         string  `json:"logo_url"`
	AccentColor     string  `json:"accent_color"`
	SupportEmail    string  `json:"support_email"`
	SupportURL      string  `json:"support_url"`
	Language        string  `json:"language"`
	TimeZone        string  `json:"time_zone"`
	CustomHost      string  `json:"custom_host"`
	HideCourier     bool    `json:"hide_courier"`
	CourierMessage  string  `json:"courier_message"`
	MaskLocations   bool    `json:"mask_locations"`
	LocationMessage string  `json:"location_message"`
	UpdatedAt       *string `json:"updated_at"`
}

// organizationPatch is a PATCH body: absent or null fields stay as they
// are; "" clears a text field.
type organizationPatch struct {
	DisplayName     *string `json:"display_name"`
	LogoURL         *string `json:"logo_url"`
	AccentColor     *string `json:"accent_color"`
	SupportEmail    *string `json:"support_email"`
	SupportURL      *string `json:"support_url"`
	Language        *string `json:"language"`
	TimeZone        *string `json:"time_zone"`
	CustomHost      *string `json:"custom_host"`
	HideCourier     *bool   `json:"hide_courier"`
	CourierMessage  *string `json:"courier_message"`
	MaskLocations   *bool   `json:"mask_locations"`
	LocationMessage *string `json:"location_message"`
}

func renderOrganization(org waybill.Organization, b waybill.Branding) map[string]any {
	out := organizationJSON{Name: org.Name, PortalPath: "/track/" + url.PathEscape(org.Name),
		DisplayName: b.DisplayName, LogoURL: b.LogoURL, AccentColor: b.AccentColor, SupportEmail: b.SupportEmail,
		SupportURL: b.SupportURL, Language: b.Language, TimeZone: b.TimeZone, CustomHost: b.CustomHost,
		HideCourier: b.HideCourier, CourierMessage: b.CourierMessage, MaskLocations: b.MaskLocations,
		LocationMessage: b.LocationMessage}
	if !b.UpdatedAt.IsZero() {
		ts := b.UpdatedAt.UTC().Format(time.RFC3339)
		out.UpdatedAt = &ts
	}
	return map[string]any{"organization": out}
}

func (a *API) getOrganization(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	b, err := a.Organizations.Branding(r.Context(), org.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, renderOrganization(org, b))
}

func (a *API) updateOrganization(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	var req organizationPatch
	if err := a.decode(w, r, &req); err != nil {
		return err
	}
	b, err := a.Organizations.UpdateBranding(r.Context(), org.ID, waybill.BrandingPatch{
		DisplayName: req.DisplayName, LogoURL: req.LogoURL, AccentColor: req.AccentColor,
		SupportEmail: req.SupportEmail, SupportURL: req.SupportURL, Language: req.Language, TimeZone: req.TimeZone,
		CustomHost: req.CustomHost, HideCourier: req.HideCourier, CourierMessage: req.CourierMessage,
		MaskLocations: req.MaskLocations, LocationMessage: req.LocationMessage})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, renderOrganization(org, b))
}
