package tracking

import (
	"context"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/courier"
	"github.com/waybillhq/waybill/internal/store"
)

// FindOrCreate returns the organization's tracking of the parcel in, or
// creates it as Create does (created is then true). The courier is resolved
// as Create resolves it, so a tracking found is the one Create would have
// conflicted with; its fields are left as they are.
//
// FindOrCreate joins the transaction ctx carries (store.InTx), else runs in
// its own: a caller that makes a record pointing at the tracking (a
// dropshipment) calls it inside its own InTx, and both commit or neither
// does. An EINVALID error (a number, courier or field that cannot be
// tracked) is decided before anything is written, so a caller whose
// transaction it joined may carry on without the tracking; any other error
// must end the caller's transaction.
func (s *Service) FindOrCreate(ctx context.Context, orgID int64, in CreateInput) (t waybill.Tracking, created bool, err error) {
	err = s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		t, err = s.Create(ctx, orgID, in)
		if waybill.ErrorCode(err) != waybill.ECONFLICT {
			created = err == nil
			return err
		}
		var hints courier.Hints
		if in.Fields.CourierFields != nil {
			hints = hintsFrom(*in.Fields.CourierFields)
		}
		hints.Slugs = in.Candidates
		number := normalize(in.TrackingNumber)
		c, err := s.resolveCourier(ctx, orgID, number, strings.ToLower(strings.TrimSpace(in.Slug)), in.SlugGroup, hints)
		if err != nil {
			return err
		}
		t, err = tx.TrackingByNumber(ctx, orgID, c.Slug, number)
		return err
	})
	if err != nil {
		return waybill.Tracking{}, false, err
	}
	return t, created, nil
}
