package tracking

import (
	"context"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/courier"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
)

// Create stores a new tracking for the organization and schedules its first
// poll in the same transaction (a job of the queue, or with
// ClaimPolls a time in the poll schedule that PollClaims claims),
// and returns once both are committed; a
// first poll that cannot ask the carrier is applied at once instead
// (planFirstPoll). With a committer (CreateCommit or GroupCommit), creates
// that arrive together share one transaction and its statements
// (insertBatched); in a transaction ctx carries, the create joins it. Without a slug the courier comes from
// detection among the organization's activated couriers. A tracking already
// stored for the same courier and number gives ECONFLICT and changes nothing.
func (s *Service) Create(ctx context.Context, orgID int64, in CreateInput) (waybill.Tracking, error) {
	return s.create(ctx, orgID, in, nil)
}

// ErrKeyGenerationMoved is CreateAtKeyGeneration's error when the API key
// generation its transaction read was not the one claimed: nothing was
// written.
var ErrKeyGenerationMoved = errors.New("the API key generation moved on")

// CreateAtKeyGeneration is Create for a request whose key is remembered
// as authenticated under API key generation gen (tenant.Service.CachedKey)
// but not confirmed: the transaction that writes the tracking reads the
// generation too, and commits the create only when it is still gen. So a
// create it returns was made with a key valid after the request arrived,
// as if the request had authenticated first. Otherwise it writes nothing
// and returns ErrKeyGenerationMoved; any other error may come before that
// check (validation, detection), so the caller must authenticate before
// showing it.
func (s *Service) CreateAtKeyGeneration(ctx context.Context, orgID int64, in CreateInput, gen int64) (waybill.Tracking, error) {
	return s.create(ctx, orgID, in, &gen)
}

// create is Create, and with keyGen CreateAtKeyGeneration.
func (s *Service) create(ctx context.Context, orgID int64, in CreateInput, keyGen *int64) (waybill.Tracking, error) {
	t, err := s.prepare(ctx, orgID, in, nil)
	if err != nil {
		return waybill.Tracking{}, err
	}
	if g := s.creates(); g != nil && !s.Store.InTransaction(ctx) {
		if err := s.insertBatched(ctx, g, &t, keyGen); err != nil {
			return waybill.Tracking{}, err
		}
		return t, nil
	}
	plan := s.planFirstPoll(ctx, &t)
	// In the caller's transaction (or without a committer) the create is
	// written at once, so that the caller sees it, or its conflict, now.
	claimed := s.ClaimPolls && plan != pollNever
	err = s.writeTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		if keyGen != nil {
			gen, err := tx.APIKeyGeneration(ctx)
			if err != nil {
				return err
			}
			if gen != *keyGen {
				return ErrKeyGenerationMoved
			}
		}
		if claimed {
			// The first poll in the poll schedule (PollClaims).
			return tx.InsertTrackingPollDue(ctx, &t, t.NextPollAt)
		}
		if err := tx.InsertTracking(ctx, &t); err != nil {
			return err
		}
		switch plan {
		case pollNever:
			return nil
		case pollDone:
			return s.enqueuePoll(ctx, tx, orgID, t.ID, t.NextPollAt, queue.PriorityRoutine)
		}
		return s.enqueuePoll(ctx, tx, orgID, t.ID, t.NextPollAt, queue.PriorityNew)
	})
	if err != nil {
		return waybill.Tracking{}, err
	}
	if claimed && plan == pollAtOnce {
		s.pollsCommitted()
	}
	return t, nil
}

// writeTx runs fn in a transaction of the group committer when there is
// one (Store.InTx's contract, shared with concurrent callers), else in one
// of its own.
func (s *Service) writeTx(ctx context.Context, fn func(ctx context.Context, tx *store.Tx) error) error {
	if s.GroupCommit != nil {
		return s.GroupCommit.InTx(ctx, fn)
	}
	return s.Store.InTx(ctx, fn)
}

// prepare applies every rule of a create to in and returns the tracking to
// insert: the input's checks, the number's, the courier (given or
// detected) and its required fields. It writes nothing. activated, when
// not nil, stands for the organization's activated couriers in detection
// (a batch reads them once); nil reads them.
func (s *Service) prepare(ctx context.Context, orgID int64, in CreateInput, activated []string) (waybill.Tracking, error) {
	if err := in.Validate(); err != nil {
		return waybill.Tracking{}, err
	}
	number := normalize(in.TrackingNumber)
	if !validNumber(number) {
		return waybill.Tracking{}, waybill.Invalid(waybill.ReasonNumberInvalid, "The value of tracking_number is invalid.")
	}
	var hints courier.Hints
	if in.Fields.CourierFields != nil {
		hints = hintsFrom(*in.Fields.CourierFields)
	}
	hints.Slugs = in.Candidates
	if len(hints.Slugs) == 0 {
		hints.Slugs = activated
	}
	c, err := s.resolveCourier(ctx, orgID, number, strings.ToLower(strings.TrimSpace(in.Slug)), in.SlugGroup, hints)
	if err != nil {
		return waybill.Tracking{}, err
	}
	var cf waybill.CourierFields
	if in.Fields.CourierFields != nil {
		cf = *in.Fields.CourierFields
	}
	if err := checkRequiredFields(c, cf); err != nil {
		return waybill.Tracking{}, err
	}

	now := s.now()
	t := waybill.Tracking{
		OrgID:          orgID,
		CreatedAt:      now,
		UpdatedAt:      now,
		LastUpdatedAt:  now,
		TrackingNumber: number,
		Slug:           c.Slug,
		Active:         true,
		Tag:            waybill.TagPending,
		Subtag:         waybill.DefaultSubtag(waybill.TagPending),
		Title:          number,
		Source:         cmpOr(in.Source, "api"),
		Checkpoints:    []waybill.Checkpoint{},
	}
	in.Fields.Apply(&t)
	t.CourierFields = cf
	t.NextPollAt = now
	if t.Title == "" {
		t.Title = number
	}
	return t, nil
}

// resolveCourier returns the courier for a new tracking: the slug given, or
// the best detected candidate.
func (s *Service) resolveCourier(ctx context.Context, orgID int64, number, slug, group string, hints courier.Hints) (courier.Courier, error) {
	if slug != "" {
		c, ok := courier.Lookup(slug)
		if !ok {
			return c, waybill.Invalid(waybill.ReasonSlugInvalid, "The value of slug is invalid.")
		}
		return c, nil
	}
	cands, err := s.Detect(ctx, orgID, number, group, hints)
	if err != nil {
		return courier.Courier{}, err
	}
	return cands[0].Courier, nil
}

// checkRequiredFields enforces the courier's required_fields.
func checkRequiredFields(c courier.Courier, cf waybill.CourierFields) error {
	for _, name := range c.RequiredFields {
		if cf.Get(name) == "" {
			return waybill.Invalid(waybill.ReasonCourierFieldRequired, "Missing or invalid value of the required fields for this courier. Besides tracking_number, also required: %s", name)
		}
	}
	return nil
}

func hintsFrom(cf waybill.CourierFields) courier.Hints {
	return courier.Hints{PostalCode: cf.PostalCode, ShipDate: cf.ShipDate, AccountNumber: cf.AccountNumber,
		Key: cf.Key, OriginCountry: cf.OriginCountry, DestinationCountry: cf.DestinationCountry, State: cf.State}
}

func normalize(number string) string {
	if len(number) > 4*courier.MaxNumberLen {
		return number
	}
	return courier.Normalize(number)
}

// validNumber reports whether a normalized tracking number can be stored:
// not empty, not too long, and printable ASCII or other non-space runes.
func validNumber(number string) bool {
	return number != "" && len(number) <= courier.MaxNumberLen && printable(number)
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x21 || r == 0x7f || unicode.IsControl(r) {
			return false
		}
	}
	return true
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
