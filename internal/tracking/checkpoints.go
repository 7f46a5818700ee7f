package tracking

import (
	"context"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/courier"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
)

// maxPushedCheckpoints bounds one push.
const maxPushedCheckpoints = 100

// PushInput is a batch of checkpoints for one parcel, from an own fleet, a
// local courier or a custom carrier.
type PushInput struct {
	Slug           string
	TrackingNumber string
	Checkpoints    []waybill.Checkpoint
}

// PushResult says what a push changed.
type PushResult struct {
	Tracking waybill.Tracking
	Created  bool     // the tracking did not exist and was created
	Added    int      // checkpoints stored; the others were already there
	Events   []string // ids of the events the push caused
}

// PushCheckpoints stores pushed checkpoints on the organization's tracking,
// creating the tracking when it is unknown. A checkpoint already stored is
// ignored, so repeating a push is safe. The recomputed status, the events
// it causes and their webhook deliveries commit in one transaction.
func (s *Service) PushCheckpoints(ctx context.Context, orgID int64, in PushInput) (PushResult, error) {
	slug := strings.ToLower(strings.TrimSpace(in.Slug))
	if slug == "" {
		return PushResult{}, waybill.Invalid(waybill.ReasonFieldRequired, "slug is required.")
	}
	if !courier.Exists(slug) {
		return PushResult{}, waybill.Invalid(waybill.ReasonSlugInvalid, "The value of slug is invalid.")
	}
	number := normalize(in.TrackingNumber)
	if strings.TrimSpace(in.TrackingNumber) == "" {
		return PushResult{}, waybill.Invalid(waybill.ReasonNumberRequired, "tracking_number is required.")
	}
	if number == "" || len(number) > courier.MaxNumberLen || !printable(number) {
		return PushResult{}, waybill.Invalid(waybill.ReasonNumberInvalid, "The value of tracking_number is invalid.")
	}
	if len(in.Checkpoints) == 0 || len(in.Checkpoints) > maxPushedCheckpoints {
		return PushResult{}, waybill.Invalid(waybill.ReasonFieldInvalid, "checkpoints must hold 1 to %d checkpoints.", maxPushedCheckpoints)
	}
	now := s.now()
	cps := make([]waybill.Checkpoint, len(in.Checkpoints))
	for i, c := range in.Checkpoints {
		var err error
		if cps[i], err = normalizeCheckpoint(slug, c, now); err != nil {
			return PushResult{}, waybill.Invalid(waybill.ReasonFieldInvalid, "checkpoints[%d]: %s", i, waybill.ErrorMessage(err))
		}
	}

	var res PushResult
	// Committed with other writes of the moment when there is a group
	// committer (SQLite): a push then waits for the one writer connection
	// in one queue, in turn, instead of each racing for it.
	err := s.writeTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		t, err := tx.TrackingByNumberForUpdate(ctx, orgID, slug, number)
		if waybill.ErrorCode(err) == waybill.ENOTFOUND {
			t = s.newTracking(orgID, slug, number, "push", now)
			// The insert waits for a concurrent push that creates the same
			// tracking; if that one committed it (ECONFLICT), this push
			// takes its turn on the stored tracking, as if it came second.
			switch err := tx.InsertTracking(ctx, &t); waybill.ErrorCode(err) {
			case "":
				res.Created = true
			case waybill.ECONFLICT:
				if t, err = tx.TrackingByNumberForUpdate(ctx, orgID, slug, number); err != nil {
					return err
				}
			default:
				return err
			}
		} else if err != nil {
			return err
		}
		added, events, err := s.apply(ctx, tx, &t, waybill.News{Checkpoints: cps}, now)
		if err != nil {
			return err
		}
		res.Tracking, res.Added = t, added
		for _, e := range events {
			res.Events = append(res.Events, e.ID)
		}
		if res.Created && t.Active {
			return s.schedulePoll(ctx, tx, &t, now, queue.PriorityNew)
		}
		return nil
	})
	return res, err
}

// normalizeCheckpoint validates a checkpoint from outside and fills what
// the core derives: the courier, the arrival time, and tag and subtag from
// the courier's status table when the sender gave none.
func normalizeCheckpoint(slug string, c waybill.Checkpoint, now time.Time) (waybill.Checkpoint, error) {
	if _, err := waybill.ParseCheckpointTime(c.CheckpointTime); err != nil {
		return c, waybill.Invalid(waybill.ReasonFieldInvalid, "checkpoint_time must be an ISO 8601 date and time.")
	}
	for _, f := range []string{c.Message, c.City, c.State, c.Zip, c.Location, c.RawTag, c.CountryName} {
		if len(f) > 1024 {
			return c, waybill.Invalid(waybill.ReasonFieldInvalid, "a checkpoint field is longer than 1024 characters.")
		}
	}
	if c.CountryISO3 != "" {
		if _, ok := waybill.CountryISO2(c.CountryISO3); !ok {
			return c, waybill.Invalid(waybill.ReasonFieldInvalid, "country_iso3 is not an ISO 3166-1 alpha-3 code.")
		}
		c.CountryISO3 = strings.ToUpper(c.CountryISO3)
		if c.CountryName == "" {
			c.CountryName = waybill.CountryName(c.CountryISO3)
		}
	}
	if len(c.Coordinates) != 0 && len(c.Coordinates) != 2 {
		return c, waybill.Invalid(waybill.ReasonFieldInvalid, "coordinates must be [latitude, longitude].")
	}
	c = carrier.TagCheckpoint(slug, c)
	if !c.Tag.Valid() || !waybill.ValidSubtag(c.Tag, c.Subtag) {
		return c, waybill.Invalid(waybill.ReasonFieldInvalid, "tag and subtag must be one of AfterShip's (e.g. InTransit, InTransit_002).")
	}
	c.Slug, c.CreatedAt = slug, now
	return c, nil
}

// newTracking is a tracking created by the system rather than a create call.
func (s *Service) newTracking(orgID int64, slug, number, source string, now time.Time) waybill.Tracking {
	return waybill.Tracking{
		OrgID: orgID, CreatedAt: now, UpdatedAt: now, LastUpdatedAt: now, TrackingNumber: number, Slug: slug,
		Active: true, Tag: waybill.TagPending, Subtag: waybill.DefaultSubtag(waybill.TagPending), Title: number,
		Source: source, Checkpoints: []waybill.Checkpoint{},
	}
}
