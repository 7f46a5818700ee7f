package edd

import (
	"cmp"
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/courier"
	"github.com/waybillhq/waybill/internal/store"
)

// MaxBatch is how many predictions one call may ask for, as on AfterShip.
const MaxBatch = 5

// DefaultHistoryLimit is how many of a courier's latest deliveries a
// prediction reads.
const DefaultHistoryLimit = 5000

// DefaultHistoryTTL is how long a fitted history is reused.
const DefaultHistoryTTL = 10 * time.Minute

// Service predicts delivery dates from an organization's history. Reading
// and fitting a courier's history is the expensive part of a prediction,
// so the fitted history of each organization and courier is reused for
// HistoryTTL: a delivery counts in predictions at most that long after it
// is stored. Service is safe for concurrent use.
type Service struct {
	Store     *store.Store
	Predictor Predictor
	// HistoryLimit bounds the deliveries read per courier;
	// DefaultHistoryLimit when zero.
	HistoryLimit int
	// HistoryTTL is how long a fitted history is reused;
	// DefaultHistoryTTL when zero, never when negative.
	HistoryTTL time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	mu     sync.Mutex
	models map[modelKey]fitted
}

type modelKey struct {
	orgID int64
	slug  string
}

type fitted struct {
	model *Model
	at    time.Time
}

// maxCachedModels bounds the cache; past it, it starts afresh.
const maxCachedModels = 10_000

// model returns the organization's fitted history of a courier, from the
// cache while it is fresh.
func (s *Service) model(ctx context.Context, orgID int64, slug string) (*Model, error) {
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	ttl := cmp.Or(s.HistoryTTL, DefaultHistoryTTL)
	k := modelKey{orgID, slug}
	s.mu.Lock()
	f, ok := s.models[k]
	s.mu.Unlock()
	if ok && now.Sub(f.at) < ttl {
		return f.model, nil
	}
	parcels, err := s.Store.Read().DeliveredParcels(ctx, orgID, slug, cmp.Or(s.HistoryLimit, DefaultHistoryLimit))
	if err != nil {
		return nil, err
	}
	m := s.Predictor.Fit(Samples(slug, parcels))
	if ttl > 0 {
		s.mu.Lock()
		if s.models == nil || len(s.models) >= maxCachedModels {
			s.models = map[modelKey]fitted{}
		}
		s.models[k] = fitted{m, now}
		s.mu.Unlock()
	}
	return m, nil
}

// Validate checks a request; the error is a waybill.Invalid naming the
// field as the API does (slug, origin_address.country_region, ...).
func Validate(r Request) error {
	if strings.TrimSpace(r.Slug) == "" {
		return waybill.Invalid(waybill.ReasonFieldRequired, "slug is required.")
	}
	if !courier.Exists(strings.ToLower(r.Slug)) {
		return waybill.Invalid(waybill.ReasonSlugInvalid, "slug is not a courier Waybill knows.")
	}
	if !waybill.CleanLine(r.Service, waybill.MaxCodeLen) {
		return waybill.Invalid(waybill.ReasonFieldInvalid, "service_type_name is invalid.")
	}
	for field, code := range map[string]string{"origin_address.country_region": r.Origin, "destination_address.country_region": r.Destination} {
		if code == "" {
			return waybill.Invalid(waybill.ReasonFieldRequired, "%s is required.", field)
		}
		if _, ok := waybill.CountryISO2(code); !ok {
			return waybill.Invalid(waybill.ReasonFieldInvalid, "%s must be an ISO 3166-1 alpha-3 code.", field)
		}
	}
	if r.PickupTime.IsZero() && r.Estimated == nil {
		return waybill.Invalid(waybill.ReasonFieldRequired, "pickup_time or estimated_pickup is required.")
	}
	if e := r.Estimated; r.PickupTime.IsZero() && e != nil {
		if e.OrderTime.IsZero() {
			return waybill.Invalid(waybill.ReasonFieldRequired, "estimated_pickup.order_time is required.")
		}
		if e.Cutoff >= 24*time.Hour {
			return waybill.Invalid(waybill.ReasonFieldInvalid, "estimated_pickup.order_cutoff_time must be a time of day.")
		}
		if e.ProcessingDays < 0 || e.ProcessingDays > 30 {
			return waybill.Invalid(waybill.ReasonFieldInvalid, "estimated_pickup.order_processing_time.value must be 0 to 30 days.")
		}
	}
	return nil
}

// Predict answers every request, or none: the first invalid one makes
// the whole call fail with its error, prefixed with its position when
// there are several ("estimated_delivery_dates[2].slug is required.").
func (s *Service) Predict(ctx context.Context, orgID int64, reqs []Request) ([]Prediction, error) {
	if len(reqs) == 0 || len(reqs) > MaxBatch {
		return nil, waybill.Invalid(waybill.ReasonFieldInvalid, "estimated_delivery_dates must have 1 to %d items.", MaxBatch)
	}
	for i, r := range reqs {
		if err := Validate(r); err != nil {
			if len(reqs) > 1 {
				var e *waybill.Error
				if errors.As(err, &e) {
					e.Message = "estimated_delivery_dates[" + strconv.Itoa(i) + "]." + e.Message
				}
			}
			return nil, err
		}
	}
	models := map[string]*Model{}
	out := make([]Prediction, len(reqs))
	for i, r := range reqs {
		slug := strings.ToLower(r.Slug)
		m, ok := models[slug]
		if !ok {
			var err error
			if m, err = s.model(ctx, orgID, slug); err != nil {
				return nil, err
			}
			models[slug] = m
		}
		out[i] = m.Predict(r)
	}
	return out, nil
}

// Samples turns delivered parcels into history: a parcel without a
// readable pickup or delivery date, or delivered before it was picked up,
// is left out.
func Samples(slug string, parcels []store.DeliveredParcel) []Sample {
	out := make([]Sample, 0, len(parcels))
	for _, p := range parcels {
		days, ok := TransitDays(p.PickupDate, p.DeliveryDate)
		if !ok {
			continue
		}
		out = append(out, Sample{Slug: slug, Service: p.Service, Origin: p.Origin, Destination: p.Destination, TransitDays: days})
	}
	return out
}

// TransitDays counts the calendar days from a pickup to a delivery, each
// date read in its own offset; ok is false when either does not parse or
// the delivery comes first.
func TransitDays(pickup, delivery string) (days int, ok bool) {
	a, err := waybill.ParseCheckpointTime(pickup)
	if err != nil {
		return 0, false
	}
	b, err := waybill.ParseCheckpointTime(delivery)
	if err != nil {
		return 0, false
	}
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	n := int(time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC).Sub(time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)).Hours() / 24)
	if n < 0 {
		return 0, false
	}
	return n, true
}
