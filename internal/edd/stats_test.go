package edd

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/store"
)

func TestSummarize(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		days []int
		want Stats
	}{
		{"none", nil, Stats{}},
		{"one", []int{3}, Stats{Samples: 1, Median: 3, Low: 3, High: 3, Coverage: 1}},
		{"even count takes the lower median", []int{4, 1, 3, 2}, Stats{Samples: 4, Median: 2, Low: 1, High: 4, Coverage: 1}},
		// Ten values 1..10: p10 is the 1st, p90 the 9th; 10 is outside.
		{"tails", []int{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, Stats{Samples: 10, Median: 5, Low: 1, High: 9, Coverage: 0.9}},
		// Twenty: p10 is the 2nd (1), p90 the 18th (9): 0 and 20, 30 fall outside.
		{"outliers", []int{0, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 5, 5, 9, 9, 20, 30},
			Stats{Samples: 20, Median: 3, Low: 1, High: 9, Coverage: 17.0 / 20}},
	} {
		before := append([]int(nil), tt.days...)
		if got := Summarize(tt.days); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
		for i := range before {
			if before[i] != tt.days[i] {
				t.Errorf("%s: Summarize reordered its input", tt.name)
				break
			}
		}
	}
}

// TestSummarizeCoverageAtLeastEighty: whatever the distribution, the
// 10th–90th percentile window holds at least 80% of its own samples.
func TestSummarizeCoverageAtLeastEighty(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		days := make([]int, 1+rng.IntN(200))
		spread := 1 + rng.IntN(15)
		for i := range days {
			days[i] = rng.IntN(spread) + rng.IntN(spread)
		}
		s := Summarize(days)
		if s.Coverage < 0.8 || s.Low > s.Median || s.Median > s.High {
			t.Fatalf("%v: %+v", days, s)
		}
	}
}

func TestPredictLevels(t *testing.T) {
	t.Parallel()
	var history []Sample
	add := func(n int, service, origin, dest string, days int) {
		for range n {
			history = append(history, Sample{Slug: "ups", Service: service, Origin: origin, Destination: dest, TransitDays: days})
		}
	}
	add(20, "Ground", "USA", "USA", 4)
	add(5, "Next Day", "USA", "USA", 1)
	add(3, "Ground", "USA", "CAN", 6)
	add(20, "Ground", "USA", "MEX", 8)
	m := Predictor{}.Fit(history)
	pickup := time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC) // a Wednesday
	for _, tt := range []struct {
		name                 string
		req                  Request
		source               Source
		level                Level
		samples              int
		date, lowest, latest string
	}{
		{"service and lane", Request{Slug: "UPS", Service: " ground ", Origin: "USA", Destination: "USA"}, SourceHistory, LevelServiceLane, 20, "2026-07-05", "2026-07-05", "2026-07-05"},
		{"thin service, lane", Request{Slug: "ups", Service: "Next Day", Origin: "USA", Destination: "USA"}, SourceHistory, LevelLane, 25, "2026-07-05", "2026-07-02", "2026-07-05"},
		{"no service, lane", Request{Slug: "ups", Origin: "USA", Destination: "MEX"}, SourceHistory, LevelLane, 20, "2026-07-09", "2026-07-09", "2026-07-09"},
		{"thin lane, scope", Request{Slug: "ups", Service: "Ground", Origin: "USA", Destination: "CAN"}, SourceHistory, LevelScope, 23, "2026-07-09", "2026-07-07", "2026-07-09"},
		{"another courier: rule", Request{Slug: "fedex", Origin: "USA", Destination: "USA"}, SourceCustomRule, "", 0, "2026-07-08", "2026-07-03", "2026-07-08"},
	} {
		tt.req.PickupTime = pickup
		p := m.Predict(tt.req)
		got := [3]string{p.Date.Format(time.DateOnly), p.Min.Format(time.DateOnly), p.Max.Format(time.DateOnly)}
		if p.Source != tt.source || p.Level != tt.level || p.Samples != tt.samples || got != [3]string{tt.date, tt.lowest, tt.latest} {
			t.Errorf("%s: %s %s %d %v, want %s %s %d %s %s %s", tt.name, p.Source, p.Level, p.Samples, got,
				tt.source, tt.level, tt.samples, tt.date, tt.lowest, tt.latest)
		}
	}
	// A lower threshold trusts the thin service group.
	p := Predictor{MinSamples: 5}.Fit(history).Predict(Request{Slug: "ups", Service: "Next Day", Origin: "USA", Destination: "USA", PickupTime: pickup})
	if p.Level != LevelServiceLane || p.Date.Format(time.DateOnly) != "2026-07-02" {
		t.Errorf("MinSamples 5: %+v", p)
	}
}

func TestPickupTime(t *testing.T) {
	t.Parallel()
	at := func(s string) time.Time {
		v, err := time.Parse(time.DateTime, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	weekend := []time.Weekday{time.Saturday, time.Sunday}
	for _, tt := range []struct {
		name string
		p    EstimatedPickup
		want string
	}{
		{"before the cut-off", EstimatedPickup{OrderTime: at("2026-07-01 10:00:00"), Cutoff: -1}, "2026-07-01 18:00:00"},
		{"at the cut-off", EstimatedPickup{OrderTime: at("2026-07-01 18:00:00"), Cutoff: -1}, "2026-07-01 18:00:00"},
		{"after the cut-off", EstimatedPickup{OrderTime: at("2026-07-01 18:00:01"), Cutoff: -1}, "2026-07-02 18:00:00"},
		{"friday night waits for monday", EstimatedPickup{OrderTime: at("2026-07-03 20:00:00"), Cutoff: -1}, "2026-07-06 18:00:00"},
		{"processing days are business days", EstimatedPickup{OrderTime: at("2026-07-02 09:00:00"), Cutoff: 12 * time.Hour, ProcessingDays: 2}, "2026-07-06 12:00:00"},
		{"weekend shipper", EstimatedPickup{OrderTime: at("2026-07-01 09:00:00"), Cutoff: -1, BusinessDays: weekend}, "2026-07-04 18:00:00"},
		{"midnight cut-off", EstimatedPickup{OrderTime: at("2026-07-01 00:00:01"), Cutoff: 0}, "2026-07-02 00:00:00"},
	} {
		if got := tt.p.PickupTime().Format(time.DateTime); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestTransitDaysAndSamples(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		pickup, delivery string
		days             int
		ok               bool
	}{
		{"2026-07-01T23:00:00-04:00", "2026-07-02T09:00:00-04:00", 1, true},
		{"2026-07-01T17:00:00-04:00", "2026-07-01T20:00:00-04:00", 0, true},
		{"2026-07-01T17:00:00+09:00", "2026-07-03T08:00:00-05:00", 2, true}, // each date in its own offset
		{"2026-07-03T10:00:00Z", "2026-07-01T10:00:00Z", 0, false},
		{"", "2026-07-01T10:00:00Z", 0, false},
		{"2026-07-01T10:00:00Z", "soon", 0, false},
	} {
		days, ok := TransitDays(tt.pickup, tt.delivery)
		if days != tt.days || ok != tt.ok {
			t.Errorf("TransitDays(%q, %q) = %d, %v; want %d, %v", tt.pickup, tt.delivery, days, ok, tt.days, tt.ok)
		}
	}
	got := Samples("dhl", []store.DeliveredParcel{
		{Service: "Express", Origin: "DEU", Destination: "FRA", PickupDate: "2026-07-01T10:00:00+02:00", DeliveryDate: "2026-07-03T09:00:00+02:00"},
		{Origin: "DEU", Destination: "FRA", PickupDate: "", DeliveryDate: "2026-07-03T09:00:00+02:00"},
	})
	if len(got) != 1 || got[0] != (Sample{Slug: "dhl", Service: "Express", Origin: "DEU", Destination: "FRA", TransitDays: 2}) {
		t.Errorf("Samples: %+v", got)
	}
}
