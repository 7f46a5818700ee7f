package returns

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/tracking"
)

// emit records the return's event for its current status (the whole
// return in it) through Events, in tx: its webhook deliveries and the
// shopper's email (a notification) commit with the change.
func (s *Service) emit(ctx context.Context, tx *store.Tx, r *waybill.Return) error {
	snapshot := *r
	snapshot.Lines = append([]waybill.ReturnLine(nil), r.Lines...)
	e := waybill.Event{ID: store.NewEventID(), OrgID: r.OrgID, Type: waybill.ReturnEvent(r.Status), Return: &snapshot,
		Detail: "return " + r.RMA + " " + string(r.Status), CreatedAt: r.UpdatedAt}
	if s.Events == nil {
		return nil
	}
	return s.Events.Dispatch(ctx, tx, e)
}

// apply moves the return by action (refused with ECONFLICT, changing
// nothing, when its status does not allow it), lets change adjust it,
// stamps the time, gives back its quantities when it leaves the order
// (rejected, expired), stores it and emits the change, in tx.
func (s *Service) apply(ctx context.Context, tx *store.Tx, seq int64, r *waybill.Return, action waybill.ReturnAction, change func(r *waybill.Return)) error {
	next, err := r.Status.Next(action)
	if err != nil {
		return err
	}
	now := s.now()
	before := r.Status
	r.Status, r.UpdatedAt = next, now
	if change != nil {
		change(r)
	}
	switch next {
	case waybill.ReturnApproved:
		r.ApprovedAt = now
	case waybill.ReturnShipped:
		r.ShippedAt = now
	case waybill.ReturnReceived:
		if r.ReceivedAt.IsZero() {
			r.ReceivedAt = now
		}
	case waybill.ReturnResolved:
		r.ResolvedAt = now
	}
	if before.Holds() && !next.Holds() {
		for _, l := range r.Lines {
			if err := tx.ReleaseReturnQuantity(ctx, r.OrgID, r.OrderKey, l.ID, l.Quantity); err != nil {
				return err
			}
		}
	}
	if err := tx.UpdateReturn(ctx, r); err != nil {
		return err
	}
	if next == waybill.ReturnReceived {
		if err := s.recordReturned(ctx, tx, r); err != nil {
			return err
		}
	}
	return s.emit(ctx, tx, r)
}

// change runs one action on the organization's return in its own
// transaction (or the caller's), the row locked on PostgreSQL: fn decides
// and applies; a status that does not allow the action is refused first.
func (s *Service) change(ctx context.Context, orgID int64, id string, action waybill.ReturnAction, fn func(ctx context.Context, tx *store.Tx, seq int64, r *waybill.Return) error) (waybill.Return, error) {
	if !validID(id) {
		return waybill.Return{}, notFound()
	}
	var r waybill.Return
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var seq int64
		var err error
		if r, seq, err = tx.Return(ctx, orgID, id, true); err != nil {
			return err
		}
		if _, err := r.Status.Next(action); err != nil {
			return err
		}
		return fn(ctx, tx, seq, &r)
	})
	if err != nil {
		return waybill.Return{}, err
	}
	return r, nil
}

// ApproveInput is what a merchant may give with an approval.
type ApproveInput struct {
	LabelURL       string // an https URL of the return label
	TrackingNumber string // the return parcel's number, when known
	Slug           string // its courier; detected when empty
}

func (in ApproveInput) validate() error {
	if in.LabelURL != "" {
		u, err := url.Parse(in.LabelURL)
		if err != nil || u.Scheme != "https" || u.Host == "" || !waybill.CleanLine(in.LabelURL, 2048) {
			return invalid("label_url must be an https URL of at most 2048 characters.")
		}
	}
	if !waybill.CleanLine(in.TrackingNumber, waybill.MaxTextLen) || !waybill.CleanLine(in.Slug, waybill.MaxCodeLen) {
		return invalid("tracking_number and slug must be short values on one line.")
	}
	if in.Slug != "" && strings.TrimSpace(in.TrackingNumber) == "" {
		return invalid("slug needs a tracking_number.")
	}
	return nil
}

// Approve approves a submitted return: it must be shipped within the
// organization's ship_within_days. With a tracking number, the return
// parcel becomes a tracking (shipment_direction "return") in the same
// transaction; an untrackable number is EINVALID and nothing changes.
func (s *Service) Approve(ctx context.Context, orgID int64, id string, in ApproveInput) (waybill.Return, error) {
	if err := in.validate(); err != nil {
		return waybill.Return{}, err
	}
	return s.change(ctx, orgID, id, waybill.ActionApprove, func(ctx context.Context, tx *store.Tx, seq int64, r *waybill.Return) error {
		st, err := settings(ctx, tx.Queries, orgID)
		if err != nil {
			return err
		}
		// The parcel first, so that return.approved carries it.
		var parcel waybill.Tracking
		if strings.TrimSpace(in.TrackingNumber) != "" {
			if parcel, err = s.parcel(ctx, r, in.TrackingNumber, in.Slug); err != nil {
				return err
			}
		}
		now := s.now()
		if err := s.apply(ctx, tx, seq, r, waybill.ActionApprove, func(r *waybill.Return) {
			r.LabelURL = in.LabelURL
			r.ExpiresAt = now.Add(time.Duration(st.ShipWithinDays) * 24 * time.Hour)
			if parcel.ID != "" {
				r.ReturnTrackingID, r.ReturnTrackingNumber, r.ReturnSlug = parcel.ID, parcel.TrackingNumber, parcel.Slug
			}
		}); err != nil {
			return err
		}
		return s.follow(ctx, tx, seq, r, parcel.Tag)
	})
}

// parcel finds or makes the return parcel's tracking (shipment_direction
// "return"), joining the transaction ctx carries.
func (s *Service) parcel(ctx context.Context, r *waybill.Return, number, slug string) (waybill.Tracking, error) {
	in := tracking.CreateInput{TrackingNumber: strings.TrimSpace(number), Slug: strings.TrimSpace(slug), Source: "returns"}
	dir, title := "return", "Return "+r.RMA
	in.Fields.ShipmentDirection, in.Fields.Title = &dir, &title
	if r.OrderID != "" {
		in.Fields.OrderID = &r.OrderID
	}
	if r.OrderNumber != "" {
		in.Fields.OrderNumber = &r.OrderNumber
	}
	t, _, err := s.Trackings.FindOrCreate(ctx, r.OrgID, in)
	return t, err
}

// link records the return parcel the shopper entered on an approved
// return, in tx. A tracking that already has scans moves the return at
// once, as its next scan would.
func (s *Service) link(ctx context.Context, tx *store.Tx, seq int64, r *waybill.Return, number, slug string) error {
	t, err := s.parcel(ctx, r, number, slug)
	if err != nil {
		return err
	}
	r.ReturnTrackingID, r.ReturnTrackingNumber, r.ReturnSlug = t.ID, t.TrackingNumber, t.Slug
	r.UpdatedAt = s.now()
	if err := tx.UpdateReturn(ctx, r); err != nil {
		return err
	}
	return s.follow(ctx, tx, seq, r, t.Tag)
}

// follow moves a return as its parcel's status says: a first scan ships
// it, a delivery receives it (shipping it first when that scan was
// missed), unless the merchant has received it already.
func (s *Service) follow(ctx context.Context, tx *store.Tx, seq int64, r *waybill.Return, tag waybill.Tag) error {
	if tag == "" || tag == waybill.TagPending {
		return nil
	}
	if r.Status == waybill.ReturnApproved {
		if err := s.apply(ctx, tx, seq, r, waybill.ActionShip, nil); err != nil {
			return err
		}
	}
	if tag == waybill.TagDelivered && r.Status == waybill.ReturnShipped {
		return s.apply(ctx, tx, seq, r, waybill.ActionDeliver, nil)
	}
	return nil
}

// Reject rejects a submitted return with a reason the shopper is shown;
// its quantities may be returned again.
func (s *Service) Reject(ctx context.Context, orgID int64, id, reason string) (waybill.Return, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > waybill.MaxReturnRejectReason || !waybill.CleanText(reason) {
		return waybill.Return{}, invalid("reason is required: at most %d characters of text, shown to the shopper.", waybill.MaxReturnRejectReason)
	}
	return s.change(ctx, orgID, id, waybill.ActionReject, func(ctx context.Context, tx *store.Tx, seq int64, r *waybill.Return) error {
		return s.apply(ctx, tx, seq, r, waybill.ActionReject, func(r *waybill.Return) { r.RejectReason = reason })
	})
}

// Received is how many of one line the merchant received.
type Received struct {
	LineID   string
	Quantity int
}

// Receive records items the merchant received: every line in full when
// lines is empty, else the given quantities added to what was received
// (never more than the line's quantity). It is allowed once the return is
// approved, and again while it is received.
func (s *Service) Receive(ctx context.Context, orgID int64, id string, lines []Received) (waybill.Return, error) {
	if len(lines) > waybill.MaxReturnLines {
		return waybill.Return{}, invalid("lines lists at most %d lines.", waybill.MaxReturnLines)
	}
	return s.change(ctx, orgID, id, waybill.ActionReceive, func(ctx context.Context, tx *store.Tx, seq int64, r *waybill.Return) error {
		got := make([]int, len(r.Lines))
		if len(lines) == 0 {
			for i, l := range r.Lines {
				got[i] = l.Quantity - l.Received
			}
		}
		for _, rl := range lines {
			i := -1
			for j, l := range r.Lines {
				if l.ID == rl.LineID {
					i = j
				}
			}
			if i < 0 {
				return invalid("The return has no line %q.", truncate(rl.LineID, 64))
			}
			if rl.Quantity < 1 || got[i]+rl.Quantity > r.Lines[i].Quantity-r.Lines[i].Received {
				return invalid("The quantity received of line %q must be from 1 to what is still expected (%d).",
					rl.LineID, r.Lines[i].Quantity-r.Lines[i].Received-got[i])
			}
			got[i] += rl.Quantity
		}
		return s.apply(ctx, tx, seq, r, waybill.ActionReceive, func(r *waybill.Return) {
			for i := range r.Lines {
				r.Lines[i].Received += got[i]
			}
		})
	})
}

// Resolve marks a received return done (refunded, credited or
// exchanged), with an optional note.
func (s *Service) Resolve(ctx context.Context, orgID int64, id, note string) (waybill.Return, error) {
	note = strings.TrimSpace(note)
	if len(note) > waybill.MaxReturnRejectReason || !waybill.CleanText(note) {
		return waybill.Return{}, invalid("note must be at most %d characters of text.", waybill.MaxReturnRejectReason)
	}
	return s.change(ctx, orgID, id, waybill.ActionResolve, func(ctx context.Context, tx *store.Tx, seq int64, r *waybill.Return) error {
		return s.apply(ctx, tx, seq, r, waybill.ActionResolve, func(r *waybill.Return) { r.Note = note })
	})
}

// Dispatch follows return parcels: for each tracking_update of a tracking
// that is a return's parcel, it moves the return (follow), in the
// transaction of the tracking's change. It has the shape of
// tracking.Dispatcher, so main chains it after webhooks and notifications.
func (s *Service) Dispatch(ctx context.Context, tx *store.Tx, events ...waybill.Event) error {
	for _, e := range events {
		if e.Type != waybill.EventTrackingUpdate || e.Tracking == nil || e.Tracking.ShipmentDirection != "return" {
			continue
		}
		rs, err := tx.ReturnsByTracking(ctx, e.OrgID, e.TrackingID)
		if err != nil {
			return err
		}
		for _, r := range rs {
			_, seq, err := tx.Return(ctx, r.OrgID, r.ID, false)
			if err != nil {
				return err
			}
			if err := s.follow(ctx, tx, seq, &r, e.Tag); err != nil {
				return err
			}
		}
	}
	return nil
}

// After returns the dispatcher of a tracking change's events: first (the
// webhook service, or a chain that starts with it) and then s, in the
// same transaction, so a return hears of its parcel after the parcel's
// own event is recorded. It has the shape of tracking.Dispatcher.
func (s *Service) After(first tracking.Dispatcher) tracking.Dispatcher { return chain{first, s} }

type chain []tracking.Dispatcher

func (c chain) Dispatch(ctx context.Context, tx *store.Tx, events ...waybill.Event) error {
	for _, d := range c {
		if err := d.Dispatch(ctx, tx, events...); err != nil {
			return err
		}
	}
	return nil
}
