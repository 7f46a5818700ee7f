package onportlink

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// Write-back: what Waybill tells the Onport account, each optional per
// connection. Both are jobs written in the transaction of the change that
// causes them, so a write never holds up the tracking, and each runs
// within the token's write budget.

// writeTrackingURL queues PUT /api/dropshipments/:id.json with the
// tracking's page, when the connection writes tracking URLs.
func (s *Service) writeTrackingURL(ctx context.Context, tx *store.Tx, c waybill.OnportConnection, l waybill.OnportLink) error {
	if !c.WriteTrackingURL || l.TrackingID == "" {
		return nil
	}
	t, err := tx.Tracking(ctx, c.OrgID, l.TrackingID)
	if err != nil {
		return err
	}
	if t.PageToken == "" {
		return nil
	}
	body, err := json.Marshal(trackingURLWire{TrackingURL: strings.TrimRight(s.PublicURL, "/") + "/t/" + t.PageToken})
	if err != nil {
		return err
	}
	return s.Queue.EnqueueOnportWrite(ctx, tx.SQL(), c.OrgID, c.ID, "PUT",
		"/api/dropshipments/"+strconv.FormatInt(l.RemoteID, 10)+".json", string(body))
}

// EventWriter writes the events of a change in its transaction (the
// webhook and notification dispatchers have this shape).
type EventWriter interface {
	Dispatch(ctx context.Context, tx *store.Tx, events ...waybill.Event) error
}

// After returns an EventWriter that runs first, then queues a tracking
// event for Onport for each tracking_update of a tracking that a
// connection writing events made.
func (s *Service) After(first EventWriter) EventWriter { return chain{first: first, s: s} }

type chain struct {
	first EventWriter
	s     *Service
}

func (c chain) Dispatch(ctx context.Context, tx *store.Tx, events ...waybill.Event) error {
	if c.first != nil {
		if err := c.first.Dispatch(ctx, tx, events...); err != nil {
			return err
		}
	}
	return c.s.queueTrackingEvents(ctx, tx, events)
}

func (s *Service) queueTrackingEvents(ctx context.Context, tx *store.Tx, events []waybill.Event) error {
	conns := map[string]waybill.OnportConnection{}
	for _, e := range events {
		if e.Type != waybill.EventTrackingUpdate || e.TrackingID == "" || e.Tracking == nil {
			continue
		}
		links, err := tx.OnportLinksByTracking(ctx, e.OrgID, e.TrackingID)
		if err != nil {
			return err
		}
		for _, l := range links {
			c, ok := conns[l.ConnectionID]
			if !ok {
				if c, err = tx.OnportConnection(ctx, e.OrgID, l.ConnectionID); err != nil {
					if waybill.ErrorCode(err) == waybill.ENOTFOUND {
						continue
					}
					return err
				}
				conns[l.ConnectionID] = c
			}
			if !c.WriteEvents {
				continue
			}
			body, err := json.Marshal(trackingEventWire{TrackingEvents: trackingEvent(l.RemoteID, e)})
			if err != nil {
				return err
			}
			if err := s.Queue.EnqueueOnportWrite(ctx, tx.SQL(), e.OrgID, c.ID, "POST", "/api/tracking-events.json", string(body)); err != nil {
				return err
			}
		}
	}
	return nil
}

// trackingEvent is Onport's tracking event for a status change: status and
// sub-status from the tag (waybill.OnportStatusOf), place and details from
// the latest checkpoint, and a transaction id that is the same for the
// same change, so that Onport can drop a repeat.
func trackingEvent(dropshipmentID int64, e waybill.Event) trackingEventFields {
	t := e.Tracking
	status, sub := waybill.OnportStatusOf(t.Tag, t.Subtag)
	f := trackingEventFields{DropshipmentID: dropshipmentID, ExternalID: t.TrackingNumber, Status: status, SubStatus: sub,
		ActionRequired: t.Tag == waybill.TagException || t.Tag == waybill.TagAttemptFail || t.Tag == waybill.TagAvailableForPickup,
		StatusAt:       e.CreatedAt.UTC().Format(time.RFC3339)}
	if n := len(t.Checkpoints); n > 0 {
		cp := t.Checkpoints[n-1]
		if at, err := time.Parse(time.RFC3339, cp.CheckpointTime); err == nil {
			f.StatusAt = at.UTC().Format(time.RFC3339)
		}
		f.Details, f.City, f.State, f.Zip, f.Country = cp.Message, cp.City, cp.State, cp.Zip, cp.CountryISO3
	}
	f.TransactionID = "waybill:" + t.ID + ":" + string(t.Tag) + ":" + t.Subtag + ":" + f.StatusAt
	return f
}

// Write is the job of one write to a connection's Onport. Errors are
// handled as Fetch handles them.
func (s *Service) Write(ctx context.Context, orgID int64, connectionID, method, path, body string) error {
	c, err := s.Store.Read().OnportConnection(ctx, orgID, connectionID)
	if waybill.ErrorCode(err) == waybill.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	cl, err := s.client(c)
	if err != nil {
		return err
	}
	return s.jobError(cl.Send(ctx, method, path, []byte(body)), "onport write", "connection", c.ID, "method", method, "path", path)
}
