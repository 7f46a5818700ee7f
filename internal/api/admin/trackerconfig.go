package admin

import (
	"context"
	"net/http"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/trackers"
)

// TrackerConfig is what /v1/providers and /v1/locations need of the
// tracker core: the carriers and pickup locations a business configures
// for the Tracker API.
type TrackerConfig interface {
	CreateProvider(ctx context.Context, orgID int64, in waybill.TrackerProviderInput) (waybill.TrackerProvider, error)
	UpdateProvider(ctx context.Context, orgID int64, id string, in waybill.TrackerProviderInput) (waybill.TrackerProvider, error)
	Provider(ctx context.Context, orgID int64, id string) (waybill.TrackerProvider, error)
	Providers(ctx context.Context, orgID int64) ([]waybill.TrackerProvider, error)
	DeleteProvider(ctx context.Context, orgID int64, id string) error
	CreateLocation(ctx context.Context, orgID int64, in waybill.TrackerLocationInput) (waybill.TrackerLocation, error)
	UpdateLocation(ctx context.Context, orgID int64, id string, in waybill.TrackerLocationInput) (waybill.TrackerLocation, error)
	Location(ctx context.Context, orgID int64, id string) (waybill.TrackerLocation, error)
	Locations(ctx context.Context, orgID int64) ([]waybill.TrackerLocation, error)
	DeleteLocation(ctx context.Context, orgID int64, id string) error
}

var _ TrackerConfig = (*trackers.Service)(nil)

func (a *API) registerTrackerConfig(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/providers", a.handle(a.createProvider))
	mux.HandleFunc("GET /v1/providers", a.handle(a.listProviders))
	mux.HandleFunc("GET /v1/providers/{id}", a.handle(a.getProvider))
	mux.HandleFunc("PATCH /v1/providers/{id}", a.handle(a.updateProvider))
	mux.HandleFunc("DELETE /v1/providers/{id}", a.handle(a.deleteProvider))
	mux.HandleFunc("POST /v1/locations", a.handle(a.createLocation))
	mux.HandleFunc("GET /v1/locations", a.handle(a.listLocations))
	mux.HandleFunc("GET /v1/locations/{id}", a.handle(a.getLocation))
	mux.HandleFunc("PATCH /v1/locations/{id}", a.handle(a.updateLocation))
	mux.HandleFunc("DELETE /v1/locations/{id}", a.handle(a.deleteLocation))
}

// providerBody is the body of POST and PATCH /v1/providers.
type providerBody struct {
	Name        *string `json:"name"`
	Slug        *string `json:"slug"`
	ServiceType *string `json:"service_type"`
	DisplayName *string `json:"display_name"`
}

type providerJSON struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Slug        string    `json:"slug"`
	ServiceType string    `json:"service_type"`
	ServiceID   string    `json:"service_id"`
	DisplayName string    `json:"display_name"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func renderProvider(p waybill.TrackerProvider) providerJSON {
	return providerJSON{ID: p.ID, Name: p.Name, Slug: p.Slug, ServiceType: p.ServiceType, ServiceID: p.ServiceID(),
		DisplayName: p.DisplayName, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

func (a *API) readProvider(w http.ResponseWriter, r *http.Request) (waybill.TrackerProviderInput, error) {
	var b providerBody
	if err := a.decode(w, r, &b); err != nil {
		return waybill.TrackerProviderInput{}, err
	}
	return waybill.TrackerProviderInput{Name: b.Name, Slug: b.Slug, ServiceType: b.ServiceType, DisplayName: b.DisplayName}, nil
}

// createProvider serves POST /v1/providers.
func (a *API) createProvider(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	in, err := a.readProvider(w, r)
	if err != nil {
		return err
	}
	p, err := a.Trackers.CreateProvider(r.Context(), org.ID, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, renderProvider(p))
}

// listProviders serves GET /v1/providers.
func (a *API) listProviders(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	list, err := a.Trackers.Providers(r.Context(), org.ID)
	if err != nil {
		return err
	}
	out := make([]providerJSON, len(list))
	for i, p := range list {
		out[i] = renderProvider(p)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"providers": out})
}

// getProvider serves GET /v1/providers/{id}.
func (a *API) getProvider(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	p, err := a.Trackers.Provider(r.Context(), org.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, renderProvider(p))
}

// updateProvider serves PATCH /v1/providers/{id}: present fields change.
func (a *API) updateProvider(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	in, err := a.readProvider(w, r)
	if err != nil {
		return err
	}
	p, err := a.Trackers.UpdateProvider(r.Context(), org.ID, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, renderProvider(p))
}

// deleteProvider serves DELETE /v1/providers/{id}: 204.
func (a *API) deleteProvider(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	if err := a.Trackers.DeleteProvider(r.Context(), org.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// addressJSON is a location's address, in the Tracker API's own names.
type addressJSON struct {
	Street1     string   `json:"street1"`
	Street2     string   `json:"street2"`
	City        string   `json:"city"`
	State       string   `json:"state"`
	CountryCode string   `json:"countryCode"`
	PostalCode  string   `json:"postalCode"`
	Latitude    *float64 `json:"latitude"`
	Longitude   *float64 `json:"longitude"`
}

type contactJSON struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

// locationBody is the body of POST and PATCH /v1/locations.
type locationBody struct {
	ExternalID         *string      `json:"external_id"`
	Name               *string      `json:"name"`
	Address            *addressJSON `json:"address"`
	Contact            *contactJSON `json:"contact"`
	TimeZone           *string      `json:"time_zone"`
	PickupInstructions *string      `json:"pickup_instructions"`
}

type locationJSON struct {
	ID                 string      `json:"id"`
	ExternalID         string      `json:"external_id"`
	Name               string      `json:"name"`
	Address            addressJSON `json:"address"`
	Contact            contactJSON `json:"contact"`
	TimeZone           string      `json:"time_zone"`
	PickupInstructions string      `json:"pickup_instructions"`
	CreatedAt          time.Time   `json:"created_at"`
	UpdatedAt          time.Time   `json:"updated_at"`
}

func renderLocation(l waybill.TrackerLocation) locationJSON {
	a := l.Address
	return locationJSON{ID: l.ID, ExternalID: l.ExternalID, Name: l.Name,
		Address: addressJSON{Street1: a.Street1, Street2: a.Street2, City: a.City, State: a.State, CountryCode: a.CountryCode,
			PostalCode: a.PostalCode, Latitude: a.Latitude, Longitude: a.Longitude},
		Contact:  contactJSON{Name: l.Contact.Name, Phone: l.Contact.Phone, Email: l.Contact.Email},
		TimeZone: l.TimeZone, PickupInstructions: l.PickupInstructions, CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt}
}

func (a *API) readLocation(w http.ResponseWriter, r *http.Request) (waybill.TrackerLocationInput, error) {
	var b locationBody
	if err := a.decode(w, r, &b); err != nil {
		return waybill.TrackerLocationInput{}, err
	}
	in := waybill.TrackerLocationInput{ExternalID: b.ExternalID, Name: b.Name, TimeZone: b.TimeZone, PickupInstructions: b.PickupInstructions}
	if b.Address != nil {
		x := b.Address
		in.Address = &waybill.TrackerAddress{Street1: x.Street1, Street2: x.Street2, City: x.City, State: x.State,
			CountryCode: x.CountryCode, PostalCode: x.PostalCode, Latitude: x.Latitude, Longitude: x.Longitude}
	}
	if b.Contact != nil {
		in.Contact = &waybill.TrackerContact{Name: b.Contact.Name, Phone: b.Contact.Phone, Email: b.Contact.Email}
	}
	return in, nil
}

// createLocation serves POST /v1/locations.
func (a *API) createLocation(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	in, err := a.readLocation(w, r)
	if err != nil {
		return err
	}
	l, err := a.Trackers.CreateLocation(r.Context(), org.ID, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, renderLocation(l))
}

// listLocations serves GET /v1/locations.
func (a *API) listLocations(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	list, err := a.Trackers.Locations(r.Context(), org.ID)
	if err != nil {
		return err
	}
	out := make([]locationJSON, len(list))
	for i, l := range list {
		out[i] = renderLocation(l)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"locations": out})
}

// getLocation serves GET /v1/locations/{id}.
func (a *API) getLocation(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	l, err := a.Trackers.Location(r.Context(), org.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, renderLocation(l))
}

// updateLocation serves PATCH /v1/locations/{id}: present fields change;
// an address or contact replaces the stored one whole.
func (a *API) updateLocation(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	in, err := a.readLocation(w, r)
	if err != nil {
		return err
	}
	l, err := a.Trackers.UpdateLocation(r.Context(), org.ID, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, renderLocation(l))
}

// deleteLocation serves DELETE /v1/locations/{id}: 204.
func (a *API) deleteLocation(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	if err := a.Trackers.DeleteLocation(r.Context(), org.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
