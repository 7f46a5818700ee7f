package edd

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// syntheticHistory builds n deliveries over a few couriers, services and
// lanes, each lane with its own typical transit time and a long tail of
// delays, from a seeded generator: the same seed gives the same history.
func syntheticHistory(seed uint64, n int) []Sample {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	type lane struct {
		slug, service, origin, destination string
		base, spread                       float64 // days
		weight                             int
	}
	lanes := []lane{
		{"ups", "UPS Ground", "USA", "USA", 3, 1.0, 30},
		{"ups", "UPS 2nd Day Air", "USA", "USA", 2, 0.4, 10},
		{"ups", "UPS Worldwide Saver", "USA", "CAN", 4, 1.5, 6},
		{"fedex", "FEDEX HOME DELIVERY", "USA", "USA", 4, 1.2, 25},
		{"fedex", "FEDEX INTERNATIONAL PRIORITY", "USA", "GBR", 5, 2.0, 8},
		{"usps", "Priority Mail", "USA", "USA", 3, 1.5, 15},
		{"dhl", "EXPRESS WORLDWIDE", "DEU", "USA", 4, 1.0, 5},
		{"dhl", "EXPRESS WORLDWIDE", "DEU", "FRA", 2, 0.8, 4},
	}
	total := 0
	for _, l := range lanes {
		total += l.weight
	}
	out := make([]Sample, n)
	for i := range out {
		pick := rng.IntN(total)
		l := lanes[0]
		for _, c := range lanes {
			if pick < c.weight {
				l = c
				break
			}
			pick -= c.weight
		}
		days := l.base + l.spread*rng.NormFloat64()
		if rng.Float64() < 0.07 { // a delay: weather, customs, a missed scan
			days += rng.ExpFloat64() * 3
		}
		out[i] = Sample{Slug: l.slug, Service: l.service, Origin: l.origin, Destination: l.destination,
			TransitDays: max(0, int(math.Round(days)))}
	}
	// Thin groups, two deliveries in every thousand (one kept for
	// training, one held back by calibrate): a DHL service and lane too
	// rare for their own group (answered from DHL's international
	// deliveries), and a courier too rare for any (answered by the custom
	// rule).
	for i := 0; i+4 < n; i += 1000 {
		thin := Sample{Slug: "royal-mail", Service: "Tracked 48", Origin: "GBR", Destination: "GBR", TransitDays: 2 + rng.IntN(2)}
		if (i/1000)%2 == 0 {
			thin = Sample{Slug: "dhl", Service: "ECONOMY SELECT", Origin: "DEU", Destination: "AUT", TransitDays: 3 + rng.IntN(3)}
		}
		out[i+3], out[i+4] = thin, thin
	}
	return out
}

// calibration is what TestCalibration measures.
type calibration struct {
	held, fromHistory, inside int
	claimed                   float64 // mean claimed coverage of the history answers
	ruleHeld, ruleInside      int
	perLevel                  map[Level][2]int // held, inside
}

// calibrate fits on four fifths of a history and predicts the held-back
// fifth (every fifth sample): how many of the held-back deliveries fall in
// their predicted window, against the coverage the answers claim.
func calibrate(history []Sample) calibration {
	var train, test []Sample
	for i, s := range history {
		if i%5 == 4 {
			test = append(test, s)
		} else {
			train = append(train, s)
		}
	}
	m := Predictor{}.Fit(train)
	pickup := time.Date(2026, 7, 1, 15, 0, 0, 0, time.UTC)
	c := calibration{perLevel: map[Level][2]int{}}
	sumClaim := 0.0
	for _, s := range test {
		p := m.Predict(Request{Slug: s.Slug, Service: s.Service, Origin: s.Origin, Destination: s.Destination, PickupTime: pickup})
		delivered := pickup.AddDate(0, 0, s.TransitDays)
		day := time.Date(delivered.Year(), delivered.Month(), delivered.Day(), 0, 0, 0, 0, time.UTC)
		inside := !day.Before(p.Min) && !day.After(p.Max)
		c.held++
		if p.Source != SourceHistory {
			c.ruleHeld++
			if inside {
				c.ruleInside++
			}
			continue
		}
		c.fromHistory++
		sumClaim += p.Coverage
		lv := c.perLevel[p.Level]
		lv[0]++
		if inside {
			c.inside++
			lv[1]++
		}
		c.perLevel[p.Level] = lv
	}
	if c.fromHistory > 0 {
		c.claimed = sumClaim / float64(c.fromHistory)
	}
	return c
}

// TestCalibration: on a synthetic history (seeded), the held-back fifth
// falls inside the predicted window at the rate the answers claim, within
// 2.5 points. `go test ./internal/edd -run TestCalibration -v` prints the
// figures recorded in docs/BENCHMARKS.md.
func TestCalibration(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2, 3} {
		c := calibrate(syntheticHistory(seed, 20_000))
		measured := float64(c.inside) / float64(c.fromHistory)
		t.Logf("seed %d: %d held back, %d answered from history: claimed coverage %.1f%%, measured %.1f%% (%d inside)",
			seed, c.held, c.fromHistory, 100*c.claimed, 100*measured, c.inside)
		for _, level := range Levels {
			if lv := c.perLevel[level]; lv[0] > 0 {
				t.Logf("  %-21s %5d held back, %.1f%% inside", level, lv[0], 100*float64(lv[1])/float64(lv[0]))
			}
		}
		if c.ruleHeld > 0 {
			t.Logf("  custom_edd rule        %5d held back, %.1f%% inside (claims nothing)", c.ruleHeld, 100*float64(c.ruleInside)/float64(c.ruleHeld))
		}
		if math.Abs(measured-c.claimed) > 0.025 {
			t.Errorf("seed %d: measured coverage %.3f, claimed %.3f", seed, measured, c.claimed)
		}
		if c.fromHistory < c.held*9/10 || c.ruleHeld == 0 || c.perLevel[LevelScope][0] == 0 {
			t.Errorf("seed %d: %d of %d answered from history, %d by the rule, %v per level: the history does not exercise every source",
				seed, c.fromHistory, c.held, c.ruleHeld, c.perLevel)
		}
	}
}

// BenchmarkPredict measures one prediction against a fitted history of
// 5,000 deliveries (DefaultHistoryLimit), the fit included once per
// courier as Service.Predict does it.
func BenchmarkPredict(b *testing.B) {
	history := syntheticHistory(7, DefaultHistoryLimit)
	req := Request{Slug: "ups", Service: "UPS Ground", Origin: "USA", Destination: "USA", PickupTime: time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)}
	b.Run("fit", func(b *testing.B) {
		for b.Loop() {
			Predictor{}.Fit(history)
		}
	})
	m := Predictor{}.Fit(history)
	b.Run("predict", func(b *testing.B) {
		for b.Loop() {
			_ = m.Predict(req)
		}
	})
	b.ReportMetric(float64(len(history)), "samples")
}
