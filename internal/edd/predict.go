package edd

import (
	"time"
)

// Request asks when a parcel not yet shipped will be delivered.
type Request struct {
	Slug    string
	Service string // AfterShip's service_type_name; "" for any
	// Origin and Destination are ISO 3166-1 alpha-3 codes.
	Origin, Destination string
	// PickupTime is the local pickup time at the origin (a wall clock
	// reading kept in time.UTC); when zero, Estimated gives the pickup.
	PickupTime time.Time
	Estimated  *EstimatedPickup
}

// Source says what a prediction was computed from.
type Source string

// The sources of a prediction.
const (
	// SourceHistory: the organization's own delivered parcels.
	SourceHistory Source = "history"
	// SourceCustomRule: AfterShip's custom-EDD rule with the configured
	// transit time, for want of history.
	SourceCustomRule Source = "custom_edd"
)

// Prediction answers a Request.
type Prediction struct {
	// PickupTime is the request's pickup time, or the one computed from
	// its EstimatedPickup.
	PickupTime time.Time
	// Date is the predicted delivery date; Min and Max bound the window.
	// All three are dates at midnight UTC.
	Date, Min, Max time.Time
	Source         Source
	// Level is the group of history used (SourceHistory only).
	Level Level
	// Samples is the number of deliveries in that group; 0 for the rule.
	Samples int
	// Coverage is the share of that group's deliveries that fell inside
	// their window; 0 for the rule, which claims nothing.
	Coverage float64
}

// TransitRange is a transit time in business days, for the custom rule.
type TransitRange struct{ Min, Max int }

// Predictor predicts from a history. Its zero value uses the defaults.
type Predictor struct {
	// MinSamples is how many deliveries a group needs before it is
	// trusted; DefaultMinSamples when zero.
	MinSamples int
	// Domestic and International are the custom rule's transit times;
	// DefaultDomestic and DefaultInternational when zero.
	Domestic, International TransitRange
}

// Defaults of a Predictor.
const DefaultMinSamples = 20

// Default transit times of the custom rule, in business days.
var (
	DefaultDomestic      = TransitRange{Min: 2, Max: 5}
	DefaultInternational = TransitRange{Min: 5, Max: 12}
)

// Model is a history summarized at every level, ready for many
// predictions. It is not changed after Fit, so it is safe for concurrent
// use.
type Model struct {
	p     Predictor
	stats map[Level]map[string]Stats
}

// Fit groups a history and summarizes each group. The samples are not
// kept.
func (p Predictor) Fit(history []Sample) *Model {
	m := &Model{p: p, stats: map[Level]map[string]Stats{}}
	for _, level := range Levels {
		groups := map[string][]int{}
		for _, s := range history {
			if s.TransitDays < 0 {
				continue
			}
			if k, ok := key(level, s.Slug, s.Service, s.Origin, s.Destination); ok {
				groups[k] = append(groups[k], s.TransitDays)
			}
		}
		m.stats[level] = make(map[string]Stats, len(groups))
		for k, days := range groups {
			m.stats[level][k] = Summarize(days)
		}
	}
	return m
}

// group returns the statistics of a group; the zero Stats for none.
func (m *Model) group(level Level, k string) Stats { return m.stats[level][k] }

// Predict answers one request: from the finest group with at least
// MinSamples deliveries, else by the custom rule. The request is assumed
// valid (a known courier, alpha-3 countries, a pickup time or an
// estimated pickup).
func (m *Model) Predict(r Request) Prediction {
	pickup := r.PickupTime
	business := DefaultBusinessDays
	if pickup.IsZero() && r.Estimated != nil {
		pickup = r.Estimated.PickupTime()
		if len(r.Estimated.BusinessDays) > 0 {
			business = r.Estimated.BusinessDays
		}
	}
	day := time.Date(pickup.Year(), pickup.Month(), pickup.Day(), 0, 0, 0, 0, time.UTC)
	minSamples := m.p.MinSamples
	if minSamples <= 0 {
		minSamples = DefaultMinSamples
	}
	for _, level := range Levels {
		k, ok := key(level, r.Slug, r.Service, r.Origin, r.Destination)
		if !ok {
			continue
		}
		if s := m.group(level, k); s.Samples >= minSamples {
			return Prediction{PickupTime: pickup, Date: day.AddDate(0, 0, s.Median), Min: day.AddDate(0, 0, s.Low),
				Max: day.AddDate(0, 0, s.High), Source: SourceHistory, Level: level, Samples: s.Samples, Coverage: s.Coverage}
		}
	}
	transit := m.p.Domestic
	if transit == (TransitRange{}) {
		transit = DefaultDomestic
	}
	if scope(r.Origin, r.Destination) == "international" {
		transit = m.p.International
		if transit == (TransitRange{}) {
			transit = DefaultInternational
		}
	}
	latest := addBusinessDays(day, transit.Max, business)
	return Prediction{PickupTime: pickup, Date: latest, Min: addBusinessDays(day, transit.Min, business), Max: latest,
		Source: SourceCustomRule}
}
