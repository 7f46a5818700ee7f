package trackers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/courier"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/tracking"
)

// Create makes a tracker and its tracking (or adopts the organization's
// tracking of the same parcel that no tracker has yet) in one
// transaction, with the tracking's first poll. The provider must be
// configured for the organization and the location, when named, too.
//
// A trackerExternalId that exists answers the stored tracker when the
// request is the same as the one that made it (idempotent repeat) and
// EUNPROCESSABLE otherwise. Errors are *waybill.FieldErrors for the
// request's fields: EINVALID when required values are missing,
// EUNPROCESSABLE when values are invalid; anything else is a fault.
func (s *Service) Create(ctx context.Context, orgID int64, in waybill.TrackerInput) (View, error) {
	now := s.now()
	warnings, err := in.ValidateCreate(now)
	if err != nil {
		return View{}, err
	}
	hash, err := requestHash(in)
	if err != nil {
		return View{}, err
	}
	// Two identical creates racing: the loser's insert conflicts, and its
	// second try finds the winner's tracker and answers it.
	for attempt := 0; ; attempt++ {
		v, err := s.create(ctx, orgID, in, hash, warnings)
		if waybill.ErrorCode(err) == waybill.ECONFLICT && attempt == 0 {
			continue
		}
		if waybill.ErrorCode(err) == waybill.ECONFLICT {
			return View{}, fieldError("trackerExternalId", "trackerExternalId is being created by another request; try again")
		}
		return v, err
	}
}

func (s *Service) create(ctx context.Context, orgID int64, in waybill.TrackerInput, hash string, warnings []waybill.TrackerWarning) (View, error) {
	var v View
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		existing, err := tx.TrackerByExternalID(ctx, orgID, *in.ExternalID)
		if err == nil {
			if existing.RequestHash != hash {
				return fieldError("trackerExternalId", fmt.Sprintf("A tracker with trackerExternalId %q already exists with different content.", *in.ExternalID))
			}
			v, err = s.view(ctx, tx, existing)
			return err
		} else if waybill.ErrorCode(err) != waybill.ENOTFOUND {
			return err
		}
		provider, err := tx.TrackerProviderByName(ctx, orgID, *in.Provider)
		if waybill.ErrorCode(err) == waybill.ENOTFOUND {
			return fieldError("provider", fmt.Sprintf("Provider %q is not configured for the business (POST /v1/providers).", *in.Provider))
		} else if err != nil {
			return err
		}
		tr := waybill.Tracker{OrgID: orgID, ExternalID: *in.ExternalID, TrackingNumber: *in.TrackingID, Type: *in.Type,
			Provider: provider, RequestHash: hash, CreatedAt: s.now(), OrderAttributes: map[string]any{},
			Packages: []map[string]any{}, Items: []map[string]any{}, Barcodes: []string{}}
		tr.UpdatedAt = tr.CreatedAt
		if in.GroupID != nil {
			tr.GroupID = *in.GroupID
		}
		if in.LocationExternalID != nil && *in.LocationExternalID != "" {
			loc, err := tx.TrackerLocationByExternalID(ctx, orgID, *in.LocationExternalID)
			if waybill.ErrorCode(err) == waybill.ENOTFOUND {
				return fieldError("locationExternalId", fmt.Sprintf("Location %q is not configured for the business (POST /v1/locations).", *in.LocationExternalID))
			} else if err != nil {
				return err
			}
			tr.LocationExternalID = loc.ExternalID
			addr, contact := loc.Address, loc.Contact
			tr.PickupAddress, tr.PickupContact = &addr, &contact
			tr.TimeZone, tr.PickupInstructions = loc.TimeZone, loc.PickupInstructions
		}
		if p := in.Pickup; p != nil {
			if p.Address != nil {
				addr := *p.Address
				tr.PickupAddress = &addr
			}
			if p.Contact != nil {
				c := *p.Contact
				tr.PickupContact = &c
			}
			if p.TimeZone != "" {
				tr.TimeZone = p.TimeZone
			}
		}
		applyFields(&tr, in)
		warnings = append(formatWarnings(provider, tr.TrackingNumber), warnings...)
		tr.Warnings = warnings

		t, created, err := s.Trackings.FindOrCreate(ctx, orgID, tracking.CreateInput{TrackingNumber: tr.TrackingNumber,
			Slug: provider.Slug, Source: "tracker", Fields: trackingFields(tr)})
		if waybill.ErrorCode(err) == waybill.EINVALID {
			return trackingIDProblem(err)
		} else if err != nil {
			return err
		}
		if !created {
			if _, err := tx.TrackerByTrackingID(ctx, orgID, t.ID); err == nil {
				return fieldError("trackingId", "trackingId is already tracked by another tracker of the business.")
			}
			if t, err = s.Trackings.Update(ctx, orgID, t.ID, tracking.UpdateInput{Fields: trackingFields(tr)}); err != nil {
				return err
			}
		}
		tr.TrackingID = t.ID
		tr.GroupToken = t.PageToken
		if tr.GroupID != "" {
			first, err := tx.FirstTrackerOfGroup(ctx, orgID, tr.GroupID)
			if err == nil {
				tr.GroupToken = first.GroupToken
			} else if waybill.ErrorCode(err) != waybill.ENOTFOUND {
				return err
			}
		}
		tr.Status = waybill.TrackerStatus(tr, t, tr.CreatedAt)
		if err := tx.InsertTracker(ctx, &tr); err != nil {
			return err
		}
		v = View{Tracker: tr, Tracking: t, Status: tr.Status}
		return nil
	})
	return v, err
}

// applyFields copies the present order fields of in onto tr.
func applyFields(tr *waybill.Tracker, in waybill.TrackerInput) {
	if in.OrderAttributes != nil {
		tr.OrderAttributes = *in.OrderAttributes
	}
	if in.OrderValue != nil {
		v := *in.OrderValue
		tr.OrderValue = &v
	}
	if in.PickupTime != nil {
		w := *in.PickupTime
		tr.PickupTime = &w
	}
	if in.DeliveryTime != nil {
		w := *in.DeliveryTime
		tr.DeliveryTime = &w
	}
	if in.DeliveryContact != nil {
		tr.DeliveryContact = *in.DeliveryContact
	}
	if in.DeliveryAddress != nil {
		a := *in.DeliveryAddress
		tr.DeliveryAddress = &a
	}
	if in.PickupInstructions != nil {
		tr.PickupInstructions = *in.PickupInstructions
	}
	if in.DeliveryInstructions != nil {
		d := *in.DeliveryInstructions
		tr.DeliveryInstructions = &d
	}
	if in.Packages != nil {
		tr.Packages = *in.Packages
	}
	if in.Items != nil {
		tr.Items = *in.Items
	}
	if in.Barcodes != nil {
		tr.Barcodes = *in.Barcodes
	}
	if in.CreatedDate != nil {
		d := *in.CreatedDate
		tr.CreatedDate = &d
	}
	if in.Locale != nil {
		tr.Locale = *in.Locale
	}
}

// formatWarnings warns when the number does not fit the provider's courier
// but another courier's formats: the business probably named the wrong
// provider. A number no format knows (many carriers publish none) is not
// warned about.
func formatWarnings(p waybill.TrackerProvider, number string) []waybill.TrackerWarning {
	if p.Slug == "" {
		return nil
	}
	cands := courier.Detect(number, courier.Hints{})
	if len(cands) == 0 || slices.ContainsFunc(cands, func(c courier.Candidate) bool { return c.Slug == p.Slug }) {
		return nil
	}
	name := cands[0].Slug
	if c, ok := courier.Lookup(name); ok {
		name = c.Name
	}
	return []waybill.TrackerWarning{{Type: waybill.WarnTrackingIDFormat,
		Message: fmt.Sprintf("trackingId does not match the formats of provider %q; it looks like a %s number", p.Name, name)}}
}

// requestHash identifies a create's normalized input, so that a repeat can
// be told from a different request with the same trackerExternalId.
func requestHash(in waybill.TrackerInput) (string, error) {
	b, err := json.Marshal(in)
	if err != nil {
		return "", fmt.Errorf("hash tracker request: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// view is the tracker with its tracking, read in tx, and its status now.
func (s *Service) view(ctx context.Context, tx *store.Tx, tr waybill.Tracker) (View, error) {
	t, err := tx.Tracking(ctx, tr.OrgID, tr.TrackingID)
	if err != nil {
		return View{}, fmt.Errorf("tracking of tracker %s: %w", tr.ID, err)
	}
	return View{Tracker: tr, Tracking: t, Status: waybill.TrackerStatus(tr, t, s.now())}, nil
}
