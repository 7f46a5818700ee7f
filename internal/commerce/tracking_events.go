package commerce

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// TrackingEventInput is a carrier status posted to a dropshipment (Onport's
// POST /api/tracking-events.json). TransactionID names the event: posting
// it again stores nothing new.
type TrackingEventInput struct {
	DropshipmentID int64
	TransactionID  string
	StatusAt       string // RFC 3339
	Status         string
	SubStatus      string
	Details        string
	City           string
	State          string
	Zip            string
	Country        string
	ActionRequired bool
}

// Validate reports every problem of the event.
func (in *TrackingEventInput) Validate() error {
	var p problems
	checkClean(&p, in)
	if in.DropshipmentID <= 0 {
		p.add("dropshipmentId is required")
	}
	in.TransactionID = strings.TrimSpace(in.TransactionID)
	switch {
	case in.TransactionID == "":
		p.add("transactionId is required")
	case len(in.TransactionID) > maxIDLen:
		p.add("transactionId is longer than %d characters", maxIDLen)
	}
	if _, err := time.Parse(time.RFC3339, in.StatusAt); err != nil {
		p.add("statusAt must be an ISO 8601 date and time")
	}
	if !slices.Contains(waybill.OnportStatuses, in.Status) {
		p.add("status must be one of %s", strings.Join(waybill.OnportStatuses, ", "))
	}
	if !slices.Contains(waybill.OnportSubStatuses, in.SubStatus) {
		p.add("subStatus must be one of %s", strings.Join(waybill.OnportSubStatuses[1:], ", "))
	}
	if len(in.Details) > maxText {
		p.add("details is longer than %d characters", maxText)
	}
	for _, v := range []string{in.City, in.State, in.Zip, in.Country} {
		if len(v) > maxIDLen {
			p.add("city, state, zip and country are at most %d characters", maxIDLen)
			break
		}
	}
	return p.err()
}

// AddTrackingEvent stores a tracking event of one of the organization's
// dropshipments, once per transaction id: a repeat returns the stored one.
func (s *Service) AddTrackingEvent(ctx context.Context, orgID int64, in TrackingEventInput) (waybill.DropshipmentTrackingEvent, error) {
	if err := in.Validate(); err != nil {
		return waybill.DropshipmentTrackingEvent{}, err
	}
	at, _ := time.Parse(time.RFC3339, in.StatusAt)
	e := waybill.DropshipmentTrackingEvent{OrgID: orgID, DropshipmentID: in.DropshipmentID, TransactionID: in.TransactionID,
		Status: in.Status, SubStatus: in.SubStatus, StatusAt: at.UTC().Truncate(time.Microsecond), Details: in.Details, City: in.City,
		State: in.State, Zip: in.Zip, Country: in.Country, ActionRequired: in.ActionRequired, CreatedAt: s.now()}
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		if _, err := tx.Dropshipment(ctx, orgID, in.DropshipmentID); err != nil {
			return err
		}
		return tx.InsertDropshipmentTrackingEvent(ctx, &e)
	})
	return e, err
}

// TrackingEventFilter selects tracking events.
type TrackingEventFilter struct {
	IDs, DropshipmentIDs []int64
	Statuses             []string
}

// ListTrackingEvents lists the organization's tracking events.
func (s *Service) ListTrackingEvents(ctx context.Context, orgID int64, f TrackingEventFilter, p Page) ([]waybill.DropshipmentTrackingEvent, error) {
	var c conds
	c.ids("id", f.IDs)
	c.ids("dropshipment_id", f.DropshipmentIDs)
	c.strs("status", f.Statuses)
	return s.Store.Read().DropshipmentTrackingEvents(ctx, orgID, c, p.store())
}
