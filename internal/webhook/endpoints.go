package webhook

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/claimloop"
	"github.com/waybillhq/waybill/internal/store"
)

// API versions an endpoint can receive payloads in. "onport" is Onport's
// resource webhooks (the resource itself, its id at the top), for the
// commerce events only (onportEvents). "tracker" is the Tracker API's
// tracker object with the status change, for tracker.status_changed only.
var apiVersions = []string{"v4", "2026-07", "onport", "tracker"}

// onportEvents are the events an "onport" endpoint may hear.
var onportEvents = []string{waybill.EventSaleDropship, waybill.EventDropshipmentAcknowledged, waybill.EventFulfillment}

// EndpointInput creates or changes an endpoint. Nil fields are left as
// they are on update; on create, Events defaults to tracking_update and
// APIVersion to v4.
type EndpointInput struct {
	URL        *string
	Events     *[]string
	Tags       *[]string
	APIVersion *string
	Enabled    *bool
	// PendingHours is the tracking_pending_time threshold (1 to 720);
	// an endpoint that subscribes to the event without one gets
	// waybill.DefaultPendingHours.
	PendingHours *int
}

// Service manages webhook endpoints and records and replays deliveries.
type Service struct {
	Store *store.Store
	Queue DeliveryQueue
	// AllowPrivate lets endpoints target private and loopback addresses
	// (WAYBILL_WEBHOOK_ALLOW_PRIVATE).
	AllowPrivate bool
	// RotationOverlap is how long an old secret keeps signing after a
	// rotation; 24 hours when zero.
	RotationOverlap time.Duration
	Now             func() time.Time
	// ClaimFirstAttempts makes new deliveries' first attempts wait in the
	// deliveries table for a FirstAttempts claimer (claim.go) instead of
	// as jobs of Queue; retries stay jobs. Set it only where a claimer runs.
	ClaimFirstAttempts bool

	// handoff is the FirstAttempts running in this process, if any: the
	// deliveries a push inserts are handed to it after the commit (see
	// handoff.go).
	handoff atomic.Pointer[FirstAttempts]
	// claimWake wakes this process's FirstAttempts loop (wake.go).
	claimWake claimloop.Waker
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// validateURL sets e.URL to raw if it is an absolute http(s) URL that the
// SSRF guard admits, its host read as the HTTP client will dial it (see
// CanonicalHost); field names the input in the error.
func (s *Service) validateURL(e *waybill.WebhookEndpoint, raw, field string) error {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(raw) > 2048 {
		return waybill.Invalid(waybill.ReasonFieldInvalid, "%s must be an absolute http or https URL.", field)
	}
	if _, err := checkURL(raw, s.AllowPrivate); err != nil {
		if errors.Is(err, ErrRefusedAddress) {
			return waybill.Invalid(waybill.ReasonFieldInvalid, "%s is refused: %v. Private, loopback and link-local targets need WAYBILL_WEBHOOK_ALLOW_PRIVATE=true.", field, err)
		}
		return waybill.Invalid(waybill.ReasonFieldInvalid, "%s is refused: %v.", field, err)
	}
	e.URL = raw
	return nil
}

func (s *Service) validate(e *waybill.WebhookEndpoint, in EndpointInput) error {
	if in.URL != nil {
		if err := s.validateURL(e, *in.URL, "url"); err != nil {
			return err
		}
	}
	if in.Events != nil {
		if len(*in.Events) == 0 {
			return waybill.Invalid(waybill.ReasonFieldInvalid, "events must name at least one event.")
		}
		for _, ev := range *in.Events {
			if !slices.Contains(waybill.WebhookEvents, ev) {
				return waybill.Invalid(waybill.ReasonFieldInvalid, "events: %q is not one of %s.", ev, strings.Join(waybill.WebhookEvents, ", "))
			}
		}
		e.Events = slices.Compact(slices.Sorted(slices.Values(*in.Events)))
	}
	if in.Tags != nil {
		e.Tags = e.Tags[:0]
		for _, t := range *in.Tags {
			if !waybill.Tag(t).Valid() {
				return waybill.Invalid(waybill.ReasonFieldInvalid, "tags: %q is not a tag.", t)
			}
			e.Tags = append(e.Tags, waybill.Tag(t))
		}
	}
	if in.APIVersion != nil {
		if !slices.Contains(apiVersions, *in.APIVersion) {
			return waybill.Invalid(waybill.ReasonFieldInvalid, "api_version must be v4, 2026-07, onport or tracker.")
		}
		e.APIVersion = *in.APIVersion
	}
	if in.PendingHours != nil {
		if h := *in.PendingHours; h < waybill.MinPendingHours || h > waybill.MaxPendingHours {
			return waybill.Invalid(waybill.ReasonFieldInvalid, "pending_hours must be %d to %d.", waybill.MinPendingHours, waybill.MaxPendingHours)
		}
		e.PendingHours = *in.PendingHours
	}
	if e.PendingHours == 0 && slices.Contains(e.Events, waybill.EventTrackingPendingTime) {
		e.PendingHours = waybill.DefaultPendingHours
	}
	if e.APIVersion == "onport" {
		for _, ev := range e.Events {
			if !slices.Contains(onportEvents, ev) {
				return waybill.Invalid(waybill.ReasonFieldInvalid, "events: an onport endpoint hears only %s, not %q.", strings.Join(onportEvents, ", "), ev)
			}
		}
	}
	if e.APIVersion == "tracker" {
		if in.Events == nil && slices.Equal(e.Events, []string{waybill.EventTrackingUpdate}) {
			e.Events = []string{waybill.EventTrackerStatusChanged} // the default of a tracker endpoint
		}
		for _, ev := range e.Events {
			if ev != waybill.EventTrackerStatusChanged {
				return waybill.Invalid(waybill.ReasonFieldInvalid, "events: a tracker endpoint hears only %s, not %q.", waybill.EventTrackerStatusChanged, ev)
			}
		}
	}
	if in.Enabled != nil {
		e.Enabled = *in.Enabled
		if e.Enabled {
			e.DisabledReason, e.FailingSince = "", time.Time{}
		} else if e.DisabledReason == "" {
			e.DisabledReason = "disabled by the user"
		}
	}
	return nil
}

// CreateEndpoint adds an endpoint to the organization (at most
// waybill.MaxWebhookEndpoints) and returns it with its signing secret, which
// is shown only here.
func (s *Service) CreateEndpoint(ctx context.Context, orgID int64, in EndpointInput) (waybill.WebhookEndpoint, string, error) {
	if in.URL == nil {
		return waybill.WebhookEndpoint{}, "", waybill.Invalid(waybill.ReasonFieldRequired, "url is required.")
	}
	now := s.now()
	e := waybill.WebhookEndpoint{OrgID: orgID, Events: []string{waybill.EventTrackingUpdate}, Tags: []waybill.Tag{},
		APIVersion: "v4", Enabled: true, CreatedAt: now, UpdatedAt: now}
	if err := s.validate(&e, in); err != nil {
		return e, "", err
	}
	secret, err := NewSecret()
	if err != nil {
		return e, "", err
	}
	e.Secrets = []waybill.WebhookSecret{{Secret: secret, CreatedAt: now}}
	err = s.Store.WithTx(ctx, func(tx *store.Tx) error {
		ok, err := tx.InsertEndpointCapped(ctx, &e, waybill.MaxWebhookEndpoints)
		if err == nil && !ok {
			err = waybill.Errorf(waybill.ECONFLICT, "An organization has at most %d webhook endpoints.", waybill.MaxWebhookEndpoints)
		}
		return err
	})
	return e, secret, err
}

// UpdateEndpoint changes the present fields of an endpoint.
func (s *Service) UpdateEndpoint(ctx context.Context, orgID int64, id string, in EndpointInput) (waybill.WebhookEndpoint, error) {
	var e waybill.WebhookEndpoint
	err := s.Store.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		if e, err = ownEndpoint(tx.EndpointForUpdate(ctx, orgID, id)); err != nil {
			return err
		}
		if err := s.validate(&e, in); err != nil {
			return err
		}
		e.UpdatedAt = s.now()
		return tx.UpdateEndpoint(ctx, &e)
	})
	return e, err
}

// MaxActiveSecrets is how many secrets of an endpoint sign a delivery at
// once: the current one and, for RotationOverlap after a rotation, the
// previous one.
const MaxActiveSecrets = 2

// RotateSecret gives the endpoint a new secret and returns it. The secret it
// replaces keeps signing, beside the new one, for RotationOverlap (24 hours
// by default; less if it was itself already expiring). Any older secret is
// dropped, so a rotation during the overlap replaces the older of the two
// and an endpoint never has more than MaxActiveSecrets. Concurrent
// rotations take turns: each returned secret was the endpoint's newest
// when its rotation committed.
func (s *Service) RotateSecret(ctx context.Context, orgID int64, id string) (waybill.WebhookEndpoint, string, error) {
	secret, err := NewSecret()
	if err != nil {
		return waybill.WebhookEndpoint{}, "", err
	}
	overlap := s.RotationOverlap
	if overlap <= 0 {
		overlap = 24 * time.Hour
	}
	var e waybill.WebhookEndpoint
	err = s.Store.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		if e, err = ownEndpoint(tx.EndpointForUpdate(ctx, orgID, id)); err != nil {
			return err
		}
		now := s.now()
		e.Secrets = rotated(e.Secrets, waybill.WebhookSecret{Secret: secret, CreatedAt: now}, now, overlap)
		e.UpdatedAt = now
		return tx.UpdateEndpoint(ctx, &e)
	})
	return e, secret, err
}

// rotated returns an endpoint's secrets after a rotation at now: the
// newest secret still active, set to expire after overlap (or sooner, if
// it already expired sooner), followed by next. Every other secret is
// dropped.
func rotated(secrets []waybill.WebhookSecret, next waybill.WebhookSecret, now time.Time, overlap time.Duration) []waybill.WebhookSecret {
	out := make([]waybill.WebhookSecret, 0, MaxActiveSecrets)
	for i := len(secrets) - 1; i >= 0; i-- {
		prev := secrets[i]
		if !prev.ExpiresAt.IsZero() && !now.Before(prev.ExpiresAt) {
			continue // expired
		}
		if prev.ExpiresAt.IsZero() || prev.ExpiresAt.After(now.Add(overlap)) {
			prev.ExpiresAt = now.Add(overlap)
		}
		out = append(out, prev)
		break
	}
	return append(out, next)
}

// signingSecrets returns the secrets that sign a delivery to e at now,
// newest first: its active secrets, at most MaxActiveSecrets of them (an
// endpoint stored before this limit may hold more).
func signingSecrets(e waybill.WebhookEndpoint, now time.Time) []string {
	active := e.ActiveSecrets(now)
	return active[:min(len(active), MaxActiveSecrets)]
}

// ownEndpoint hides channel endpoints from /v1/webhooks: they belong to
// their channel, which manages them (SetChannelEndpoint).
func ownEndpoint(e waybill.WebhookEndpoint, err error) (waybill.WebhookEndpoint, error) {
	if err == nil && e.ChannelID != 0 {
		return waybill.WebhookEndpoint{}, waybill.Errorf(waybill.ENOTFOUND, "Webhook endpoint does not exist.")
	}
	return e, err
}

// Endpoint returns one of the organization's endpoints.
func (s *Service) Endpoint(ctx context.Context, orgID int64, id string) (waybill.WebhookEndpoint, error) {
	return ownEndpoint(s.Store.Read().Endpoint(ctx, orgID, id))
}

// Endpoints lists the organization's endpoints, oldest first, without its
// channels' fulfillment endpoints.
func (s *Service) Endpoints(ctx context.Context, orgID int64) ([]waybill.WebhookEndpoint, error) {
	es, _, err := s.Store.Read().Endpoints(ctx, orgID)
	own := es[:0]
	for _, e := range es {
		if e.ChannelID == 0 {
			own = append(own, e)
		}
	}
	return own, err
}

// DeleteEndpoint removes an endpoint; its pending deliveries are dropped.
func (s *Service) DeleteEndpoint(ctx context.Context, orgID int64, id string) error {
	return s.Store.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := ownEndpoint(tx.Endpoint(ctx, orgID, id)); err != nil {
			return err
		}
		return tx.DeleteEndpoint(ctx, orgID, id)
	})
}
