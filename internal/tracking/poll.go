package tracking

import (
	"context"

	"github.com/waybillhq/waybill"
)

// Poll refreshes one tracking from its carrier. It is the handler of the
// queue's poll job, so it must be idempotent. A tracking that is gone,
// inactive or finished is left alone.
//
// Carrier connectors plug in here (the lifecycle issue); until a courier has
// one, a poll only records that the tracking was checked.
func (s *Service) Poll(ctx context.Context, orgID int64, id string) error {
	_, err := s.modify(ctx, orgID, id, func(t *waybill.Tracking) error {
		if !t.Active || t.Tag.Terminal() {
			return errSkip
		}
		t.TrackedCount++
		return nil
	}, nil)
	if err == errSkip || waybill.ErrorCode(err) == waybill.ENOTFOUND {
		return nil
	}
	return err
}

var errSkip = waybill.Errorf(waybill.ECONFLICT, "nothing to do")
