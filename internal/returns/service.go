package returns

import (
	"context"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/tracking"
)

// EventWriter records events and what follows from them in a
// transaction: webhook.Service records their webhook deliveries, and
// notify.Service.After(webhooks) the shopper's emails too.
type EventWriter interface {
	Dispatch(ctx context.Context, tx *store.Tx, events ...waybill.Event) error
}

// Trackings makes the return parcel's tracking; tracking.Service is one.
// FindOrCreate joins the transaction ctx carries.
type Trackings interface {
	FindOrCreate(ctx context.Context, orgID int64, in tracking.CreateInput) (waybill.Tracking, bool, error)
}

var _ Trackings = (*tracking.Service)(nil)

// Service is the returns core. It is safe for concurrent use.
type Service struct {
	Store     *store.Store
	Trackings Trackings
	// Events hears every change of a return, in its transaction; nil
	// records no events (and so sends no webhooks and no emails).
	Events EventWriter
	Now    func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// Settings returns the organization's rules, DefaultReturnSettings until
// it stores its own.
func (s *Service) Settings(ctx context.Context, orgID int64) (waybill.ReturnSettings, error) {
	return settings(ctx, s.Store.Read(), orgID)
}

func settings(ctx context.Context, q *store.Queries, orgID int64) (waybill.ReturnSettings, error) {
	st, ok, err := q.ReturnSettings(ctx, orgID)
	if err != nil || !ok {
		return waybill.DefaultReturnSettings(), err
	}
	return st, nil
}

// UpdateSettings applies the patch to the organization's rules and stores
// them: EINVALID with the first bad field, and nothing written.
func (s *Service) UpdateSettings(ctx context.Context, orgID int64, p waybill.ReturnSettingsPatch) (waybill.ReturnSettings, error) {
	var out waybill.ReturnSettings
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		cur, err := settings(ctx, tx.Queries, orgID)
		if err != nil {
			return err
		}
		out = cur.Apply(p)
		for i := range out.NonReturnable {
			out.NonReturnable[i] = strings.TrimSpace(out.NonReturnable[i])
		}
		if err := out.Validate(); err != nil {
			return err
		}
		out.UpdatedAt = s.now()
		return tx.PutReturnSettings(ctx, orgID, out)
	})
	if err != nil {
		return waybill.ReturnSettings{}, err
	}
	return out, nil
}

// notFound is the one answer for a return that is not the caller's.
func notFound() error { return waybill.Errorf(waybill.ENOTFOUND, "Return does not exist.") }

// validID reports whether id could be a public id.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Get returns the organization's return with that id, or ENOTFOUND.
func (s *Service) Get(ctx context.Context, orgID int64, id string) (waybill.Return, error) {
	if !validID(id) {
		return waybill.Return{}, notFound()
	}
	r, _, err := s.Store.Read().Return(ctx, orgID, id, false)
	return r, err
}

// List returns the organization's returns matching f, newest first.
func (s *Service) List(ctx context.Context, orgID int64, f waybill.ReturnFilter) ([]waybill.Return, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return s.Store.Read().Returns(ctx, orgID, f)
}
