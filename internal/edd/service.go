package edd

import (
	"context"
	"errors"
	"strconv"
	"strings"
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

// Service predicts delivery dates from an organization's history.
type Service struct {
	Store     *store.Store
	Predictor Predictor
	// HistoryLimit bounds the deliveries read per courier;
	// DefaultHistoryLimit when zero.
	HistoryLimit int
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
	limit := s.HistoryLimit
	if limit <= 0 {
		limit = DefaultHistoryLimit
	}
	models := map[string]*Model{}
	out := make([]Prediction, len(reqs))
	for i, r := range reqs {
		slug := strings.ToLower(r.Slug)
		m, ok := models[slug]
		if !ok {
			parcels, err := s.Store.Read().DeliveredParcels(ctx, orgID, slug, limit)
			if err != nil {
				return nil, err
			}
			m = s.Predictor.Fit(Samples(slug, parcels))
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
