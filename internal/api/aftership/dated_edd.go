package aftership

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/edd"
)

// Predictor answers estimated-delivery-date predictions
// (internal/edd.Service): all requests or, if one is invalid, none.
type Predictor interface {
	Predict(ctx context.Context, orgID int64, reqs []edd.Request) ([]edd.Prediction, error)
}

// Rate limits of the prediction endpoints, as AfterShip documents them.
const (
	ratePredict      = 5
	ratePredictBatch = 20
)

// Wire formats of the prediction API's times (origin local, no zone).
const (
	eddTimeLayout   = "2006-01-02 15:04:05"
	eddCutoffLayout = "15:04:05"
	eddDateLayout   = "2006-01-02"
)

type eddAddress struct {
	CountryRegion *string `json:"country_region"`
	State         *string `json:"state,omitempty"`
	City          *string `json:"city,omitempty"`
	PostalCode    *string `json:"postal_code,omitempty"`
	RawLocation   *string `json:"raw_location,omitempty"`
}

type eddWeight struct {
	Unit  *string  `json:"unit"`
	Value *float64 `json:"value"`
}

type eddProcessingTime struct {
	Unit  *string `json:"unit"`
	Value *int    `json:"value"`
}

type eddEstimatedPickup struct {
	OrderTime           *string            `json:"order_time"`
	OrderCutoffTime     *string            `json:"order_cutoff_time"`
	BusinessDays        []int              `json:"business_days"`
	OrderProcessingTime *eddProcessingTime `json:"order_processing_time"`
	PickupTime          *string            `json:"pickup_time"` // computed; ignored in requests
}

// eddItem is AfterShip's EstimatedDeliveryDateRequest.
type eddItem struct {
	Slug               *string             `json:"slug"`
	ServiceTypeName    *string             `json:"service_type_name"`
	OriginAddress      *eddAddress         `json:"origin_address"`
	DestinationAddress *eddAddress         `json:"destination_address"`
	Weight             *eddWeight          `json:"weight"`
	PackageCount       *int                `json:"package_count"`
	PickupTime         *string             `json:"pickup_time"`
	EstimatedPickup    *eddEstimatedPickup `json:"estimated_pickup"`
}

// eddAnswer is AfterShip's EstimatedDeliveryDateResponse (the request,
// completed), with Waybill's account of how it predicted.
type eddAnswer struct {
	ID string `json:"id"`
	eddItem
	EstimatedDeliveryDate    string        `json:"estimated_delivery_date"`
	EstimatedDeliveryDateMin string        `json:"estimated_delivery_date_min"`
	EstimatedDeliveryDateMax string        `json:"estimated_delivery_date_max"`
	Prediction               eddPrediction `json:"prediction"`
}

// eddPrediction says where an answer came from: "history" (with the group
// of past deliveries, its size and the share of it that fell inside its
// window) or "custom_edd" (AfterShip's rule with the configured transit
// time).
type eddPrediction struct {
	Source         string   `json:"source"`
	Basis          *string  `json:"basis"`
	SampleSize     int      `json:"sample_size"`
	WindowCoverage *float64 `json:"window_coverage"`
}

func (a *API) registerEDD(mux *http.ServeMux) {
	const b = datedBase + "/estimated-delivery-date"
	mux.HandleFunc("POST "+b+"/predict", a.dated("edd-predict", ratePredict, a.predictDated))
	mux.HandleFunc("POST "+b+"/predict-batch", a.dated("edd-predict-batch", ratePredictBatch, a.predictBatchDated))
}

func (a *API) predictDated(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	var item eddItem
	if err := a.decode(w, r, &item); err != nil {
		return err
	}
	answers, err := a.predict(r.Context(), org.ID, []eddItem{item}, "")
	if err != nil {
		return err
	}
	writeOK(w, answers[0])
	return nil
}

func (a *API) predictBatchDated(w http.ResponseWriter, r *http.Request, org waybill.Organization) error {
	var body struct {
		Items *[]eddItem `json:"estimated_delivery_dates"`
	}
	if err := a.decode(w, r, &body); err != nil {
		return err
	}
	if body.Items == nil {
		return waybill.Invalid(waybill.ReasonFieldRequired, "estimated_delivery_dates is required.")
	}
	if n := len(*body.Items); n == 0 || n > edd.MaxBatch {
		return waybill.Invalid(waybill.ReasonFieldInvalid, "estimated_delivery_dates must have 1 to %d items.", edd.MaxBatch)
	}
	answers, err := a.predict(r.Context(), org.ID, *body.Items, "estimated_delivery_dates")
	if err != nil {
		return err
	}
	writeOK(w, map[string]any{"estimated_delivery_dates": answers})
	return nil
}

// predict reads every item, then asks the core for all of them: one bad
// item refuses the call. list names the items in errors ("" for one).
func (a *API) predict(ctx context.Context, orgID int64, items []eddItem, list string) ([]eddAnswer, error) {
	if a.EDD == nil {
		return nil, waybill.Errorf(waybill.ENOTFOUND, "Estimated delivery date prediction is not available.")
	}
	reqs := make([]edd.Request, len(items))
	for i, item := range items {
		req, err := readEDDItem(item)
		if err != nil {
			return nil, prefixed(err, list, i)
		}
		reqs[i] = req
	}
	preds, err := a.EDD.Predict(ctx, orgID, reqs)
	if err != nil {
		return nil, err
	}
	out := make([]eddAnswer, len(items))
	for i, p := range preds {
		out[i] = renderEDD(items[i], p)
	}
	return out, nil
}

// prefixed names the item an error is about in a batch.
func prefixed(err error, list string, i int) error {
	var e *waybill.Error
	if list != "" && errors.As(err, &e) {
		e.Message = list + "[" + strconv.Itoa(i) + "]." + e.Message
	}
	return err
}

// readEDDItem reads the wire item into a core request; the core checks
// the rest (courier, countries, presence of a pickup).
func readEDDItem(item eddItem) (edd.Request, error) {
	var r edd.Request
	if item.Slug != nil {
		r.Slug = strings.TrimSpace(*item.Slug)
	}
	if item.ServiceTypeName != nil {
		r.Service = *item.ServiceTypeName
	}
	if item.OriginAddress != nil && item.OriginAddress.CountryRegion != nil {
		r.Origin = strings.ToUpper(strings.TrimSpace(*item.OriginAddress.CountryRegion))
	}
	if item.DestinationAddress != nil && item.DestinationAddress.CountryRegion != nil {
		r.Destination = strings.ToUpper(strings.TrimSpace(*item.DestinationAddress.CountryRegion))
	}
	if item.PickupTime != nil {
		t, err := time.Parse(eddTimeLayout, *item.PickupTime)
		if err != nil {
			return r, waybill.Invalid(waybill.ReasonFieldInvalid, "pickup_time must be YYYY-MM-DD HH:mm:ss.")
		}
		r.PickupTime = t
	} else if p := item.EstimatedPickup; p != nil {
		e, err := readEstimatedPickup(p)
		if err != nil {
			return r, err
		}
		r.Estimated = &e
	}
	return r, nil
}

func readEstimatedPickup(p *eddEstimatedPickup) (edd.EstimatedPickup, error) {
	e := edd.EstimatedPickup{Cutoff: -1}
	if p.OrderTime == nil {
		return e, waybill.Invalid(waybill.ReasonFieldRequired, "estimated_pickup.order_time is required.")
	}
	t, err := time.Parse(eddTimeLayout, *p.OrderTime)
	if err != nil {
		return e, waybill.Invalid(waybill.ReasonFieldInvalid, "estimated_pickup.order_time must be YYYY-MM-DD HH:mm:ss.")
	}
	e.OrderTime = t
	if p.OrderCutoffTime != nil {
		c, err := time.Parse(eddCutoffLayout, *p.OrderCutoffTime)
		if err != nil {
			return e, waybill.Invalid(waybill.ReasonFieldInvalid, "estimated_pickup.order_cutoff_time must be HH:mm:ss.")
		}
		e.Cutoff = time.Duration(c.Hour())*time.Hour + time.Duration(c.Minute())*time.Minute + time.Duration(c.Second())*time.Second
	}
	for _, d := range p.BusinessDays {
		if d < 1 || d > 7 {
			return e, waybill.Invalid(waybill.ReasonFieldInvalid, "estimated_pickup.business_days must be days 1 (Monday) to 7 (Sunday).")
		}
		e.BusinessDays = append(e.BusinessDays, time.Weekday(d%7))
	}
	if pt := p.OrderProcessingTime; pt != nil {
		if pt.Unit != nil && *pt.Unit != "day" {
			return e, waybill.Invalid(waybill.ReasonFieldInvalid, "estimated_pickup.order_processing_time.unit must be day.")
		}
		if pt.Value != nil {
			e.ProcessingDays = *pt.Value
		}
	}
	return e, nil
}

// renderEDD completes an item with its prediction.
func renderEDD(item eddItem, p edd.Prediction) eddAnswer {
	pickup := p.PickupTime.Format(eddTimeLayout)
	if item.EstimatedPickup != nil && item.PickupTime == nil {
		ep := *item.EstimatedPickup
		ep.PickupTime = &pickup
		if ep.OrderCutoffTime == nil {
			cutoff := "18:00:00"
			ep.OrderCutoffTime = &cutoff
		}
		if ep.BusinessDays == nil {
			ep.BusinessDays = []int{1, 2, 3, 4, 5}
		}
		item.EstimatedPickup = &ep
	}
	out := eddAnswer{ID: newPredictionID(), eddItem: item, EstimatedDeliveryDate: p.Date.Format(eddDateLayout),
		EstimatedDeliveryDateMin: p.Min.Format(eddDateLayout), EstimatedDeliveryDateMax: p.Max.Format(eddDateLayout),
		Prediction: eddPrediction{Source: string(p.Source), SampleSize: p.Samples}}
	if p.Source == edd.SourceHistory {
		basis, coverage := string(p.Level), p.Coverage
		out.Prediction.Basis, out.Prediction.WindowCoverage = &basis, &coverage
	}
	return out
}

// newPredictionID is a random id for one answer (AfterShip's id: 32 hex
// digits).
func newPredictionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
