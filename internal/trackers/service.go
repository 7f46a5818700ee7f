// Package trackers is the core of the Tracker API: a tracker is a tracking
// (internal/tracking makes, polls and notifies it) with its order context.
// The service decides what a tracker request means (configured provider
// and location, idempotent repeats, warnings, status in the vendor's
// vocabulary, one announcement per status for a group); the face
// internal/api/tracker only translates, and internal/store persists.
package trackers

import (
	"context"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/courier"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/tracking"
)

// EventWriter writes events (and their deliveries or notifications) in
// the transaction of the change that caused them.
type EventWriter interface {
	Dispatch(ctx context.Context, tx *store.Tx, events ...waybill.Event) error
}

// Service is the tracker core. It is safe for concurrent use.
type Service struct {
	Store     *store.Store
	Trackings *tracking.Service
	// Webhooks hears tracker.status_changed events; nil sends none.
	Webhooks EventWriter
	Now      func() time.Time // defaults to time.Now
}

// View is a tracker with its tracking, as a reader sees it: Status is
// waybill.TrackerStatus at the time of reading.
type View struct {
	Tracker  waybill.Tracker
	Tracking waybill.Tracking
	Status   string
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// CreateProvider configures a provider for the organization. Its slug, when
// set, must name a courier; a name already configured gives ECONFLICT.
func (s *Service) CreateProvider(ctx context.Context, orgID int64, in waybill.TrackerProviderInput) (waybill.TrackerProvider, error) {
	if err := validateProvider(&in, true); err != nil {
		return waybill.TrackerProvider{}, err
	}
	now := s.now()
	p := waybill.TrackerProvider{OrgID: orgID, CreatedAt: now, UpdatedAt: now}
	in.Apply(&p)
	if err := s.Store.Write().InsertTrackerProvider(ctx, &p); err != nil {
		return waybill.TrackerProvider{}, err
	}
	return p, nil
}

// UpdateProvider changes the present fields of a provider. Trackers made
// before keep the provider as it was.
func (s *Service) UpdateProvider(ctx context.Context, orgID int64, id string, in waybill.TrackerProviderInput) (waybill.TrackerProvider, error) {
	if err := validateProvider(&in, false); err != nil {
		return waybill.TrackerProvider{}, err
	}
	if !waybill.CleanLine(id, waybill.MaxCodeLen) {
		return waybill.TrackerProvider{}, waybill.Errorf(waybill.ENOTFOUND, "Provider not found.")
	}
	var p waybill.TrackerProvider
	err := s.Store.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		if p, err = tx.TrackerProvider(ctx, orgID, id); err != nil {
			return err
		}
		in.Apply(&p)
		p.UpdatedAt = s.now()
		return tx.UpdateTrackerProvider(ctx, &p)
	})
	return p, err
}

// Provider returns the organization's provider, or ENOTFOUND.
func (s *Service) Provider(ctx context.Context, orgID int64, id string) (waybill.TrackerProvider, error) {
	if !waybill.CleanLine(id, waybill.MaxCodeLen) {
		return waybill.TrackerProvider{}, waybill.Errorf(waybill.ENOTFOUND, "Provider not found.")
	}
	return s.Store.Read().TrackerProvider(ctx, orgID, id)
}

// Providers returns the organization's providers, oldest first.
func (s *Service) Providers(ctx context.Context, orgID int64) ([]waybill.TrackerProvider, error) {
	return s.Store.Read().TrackerProviders(ctx, orgID)
}

// DeleteProvider removes a provider: new trackers can no longer name it.
func (s *Service) DeleteProvider(ctx context.Context, orgID int64, id string) error {
	if !waybill.CleanLine(id, waybill.MaxCodeLen) {
		return waybill.Errorf(waybill.ENOTFOUND, "Provider not found.")
	}
	return s.Store.Write().DeleteTrackerProvider(ctx, orgID, id)
}

func validateProvider(in *waybill.TrackerProviderInput, create bool) error {
	if err := in.Validate(create); err != nil {
		return err
	}
	if in.Slug != nil && *in.Slug != "" && !courier.Exists(*in.Slug) {
		return waybill.Invalid(waybill.ReasonSlugInvalid, "slug %q is not a courier Waybill knows (GET /v4/couriers/all lists them).", *in.Slug)
	}
	return nil
}

// CreateLocation configures a pickup location; an external id already
// configured gives ECONFLICT.
func (s *Service) CreateLocation(ctx context.Context, orgID int64, in waybill.TrackerLocationInput) (waybill.TrackerLocation, error) {
	if err := in.Validate(true); err != nil {
		return waybill.TrackerLocation{}, err
	}
	now := s.now()
	l := waybill.TrackerLocation{OrgID: orgID, CreatedAt: now, UpdatedAt: now}
	in.Apply(&l)
	if err := s.Store.Write().InsertTrackerLocation(ctx, &l); err != nil {
		return waybill.TrackerLocation{}, err
	}
	return l, nil
}

// UpdateLocation changes the present fields of a location. Trackers made
// before keep the address and contact they took from it.
func (s *Service) UpdateLocation(ctx context.Context, orgID int64, id string, in waybill.TrackerLocationInput) (waybill.TrackerLocation, error) {
	if err := in.Validate(false); err != nil {
		return waybill.TrackerLocation{}, err
	}
	if !waybill.CleanLine(id, waybill.MaxCodeLen) {
		return waybill.TrackerLocation{}, waybill.Errorf(waybill.ENOTFOUND, "Location not found.")
	}
	var l waybill.TrackerLocation
	err := s.Store.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		if l, err = tx.TrackerLocation(ctx, orgID, id); err != nil {
			return err
		}
		in.Apply(&l)
		l.UpdatedAt = s.now()
		return tx.UpdateTrackerLocation(ctx, &l)
	})
	return l, err
}

// Location returns the organization's location, or ENOTFOUND.
func (s *Service) Location(ctx context.Context, orgID int64, id string) (waybill.TrackerLocation, error) {
	if !waybill.CleanLine(id, waybill.MaxCodeLen) {
		return waybill.TrackerLocation{}, waybill.Errorf(waybill.ENOTFOUND, "Location not found.")
	}
	return s.Store.Read().TrackerLocation(ctx, orgID, id)
}

// Locations returns the organization's locations, oldest first.
func (s *Service) Locations(ctx context.Context, orgID int64) ([]waybill.TrackerLocation, error) {
	return s.Store.Read().TrackerLocations(ctx, orgID)
}

// DeleteLocation removes a location: new trackers can no longer name it.
func (s *Service) DeleteLocation(ctx context.Context, orgID int64, id string) error {
	if !waybill.CleanLine(id, waybill.MaxCodeLen) {
		return waybill.Errorf(waybill.ENOTFOUND, "Location not found.")
	}
	return s.Store.Write().DeleteTrackerLocation(ctx, orgID, id)
}
