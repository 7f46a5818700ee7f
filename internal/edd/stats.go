package edd

import (
	"slices"
	"strings"
)

// Sample is one delivered parcel of the history.
type Sample struct {
	Slug    string
	Service string // the carrier's service name; "" when unknown
	// Origin and Destination are ISO 3166-1 alpha-3 codes, "" when unknown.
	Origin, Destination string
	// TransitDays are the calendar days from the pickup date to the
	// delivery date, each read in its own offset. Never negative.
	TransitDays int
}

// Level names the group of history a prediction came from, finest first.
type Level string

// The levels of history, finest first.
const (
	LevelServiceLane Level = "courier_service_lane" // courier, service and origin→destination
	LevelLane        Level = "courier_lane"         // courier and origin→destination
	LevelScope       Level = "courier_scope"        // courier, domestic or international
)

// Levels lists the levels in the order Predict tries them.
var Levels = []Level{LevelServiceLane, LevelLane, LevelScope}

// key is the group a sample or request belongs to at a level; ok is false
// when it lacks what the level needs (a service, a lane).
func key(level Level, slug, service, origin, destination string) (k string, ok bool) {
	slug, service = strings.ToLower(slug), strings.ToLower(strings.TrimSpace(service))
	lane := origin != "" && destination != ""
	switch level {
	case LevelServiceLane:
		return slug + "|" + service + "|" + origin + ">" + destination, lane && service != ""
	case LevelLane:
		return slug + "|" + origin + ">" + destination, lane
	case LevelScope:
		return slug + "|" + scope(origin, destination), lane
	}
	return "", false
}

// scope is "domestic" when a parcel stays in one country, else
// "international".
func scope(origin, destination string) string {
	if origin == destination {
		return "domestic"
	}
	return "international"
}

// Stats summarizes the transit days of a group of deliveries.
type Stats struct {
	Samples int
	// Median is the lower median of the transit days.
	Median int
	// Low and High are the 10th and 90th percentiles (nearest rank): the
	// window a prediction answers.
	Low, High int
	// Coverage is the share of the group's deliveries whose transit days
	// lie in [Low, High]: what the window claims.
	Coverage float64
}

// Window percentiles of the predicted window.
const (
	lowPercentile  = 10
	highPercentile = 90
)

// Summarize returns the statistics of a set of transit days; the zero
// Stats for none. It does not modify days.
func Summarize(days []int) Stats {
	if len(days) == 0 {
		return Stats{}
	}
	sorted := slices.Sorted(slices.Values(days))
	s := Stats{Samples: len(sorted), Median: sorted[(len(sorted)-1)/2],
		Low: nearestRank(sorted, lowPercentile), High: nearestRank(sorted, highPercentile)}
	in := 0
	for _, d := range sorted {
		if d >= s.Low && d <= s.High {
			in++
		}
	}
	s.Coverage = float64(in) / float64(len(sorted))
	return s
}

// nearestRank is the p-th percentile of sorted by the nearest-rank method.
func nearestRank(sorted []int, p int) int {
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 × n)
	return sorted[max(rank, 1)-1]
}
