package loadgen

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBucketsAreContiguous(t *testing.T) {
	t.Parallel()
	// Every bucket starts right after the previous one ends, and each value
	// lands in the bucket whose bounds hold it.
	for i := 1; i < numBuckets; i++ {
		low := bucketHigh(i-1) + 1
		if got := bucketOf(low); got != i {
			t.Fatalf("bucketOf(%d) = %d, want %d", low, got, i)
		}
		if got := bucketOf(bucketHigh(i)); got != i {
			t.Fatalf("bucketOf(high %d) = %d, want %d", bucketHigh(i), got, i)
		}
	}
	if got := bucketOf(1<<63 - 1); got != numBuckets-1 {
		t.Errorf("bucketOf(MaxInt64) = %d, want the last bucket %d", got, numBuckets-1)
	}
}

func TestPercentileKnownData(t *testing.T) {
	t.Parallel()
	// 1..1000 ms: the nearest-rank p-th percentile is p*10 ms.
	var h Histogram
	for i := 1000; i >= 1; i-- {
		h.Record(time.Duration(i) * time.Millisecond)
	}
	for _, tt := range []struct {
		p    float64
		want time.Duration
	}{
		{0, 1 * time.Millisecond},
		{1, 10 * time.Millisecond},
		{50, 500 * time.Millisecond},
		{90, 900 * time.Millisecond},
		{99, 990 * time.Millisecond},
		{99.9, 999 * time.Millisecond},
		{100, 1000 * time.Millisecond},
	} {
		got := h.Percentile(tt.p)
		if !within(got, tt.want) {
			t.Errorf("Percentile(%v) = %v, want %v within 1/128", tt.p, got, tt.want)
		}
	}
	if h.Count() != 1000 || h.Min() != time.Millisecond || h.Max() != time.Second {
		t.Errorf("count, min, max = %d, %v, %v; want 1000, 1ms, 1s", h.Count(), h.Min(), h.Max())
	}
	if h.Mean() != 500500*time.Microsecond {
		t.Errorf("Mean = %v, want 500.5ms", h.Mean())
	}
}

func TestPercentileSmallValuesExact(t *testing.T) {
	t.Parallel()
	var h Histogram
	for _, v := range []time.Duration{5, 1, 3, 2, 4} {
		h.Record(v)
	}
	for _, tt := range []struct {
		p    float64
		want time.Duration
	}{{20, 1}, {40, 2}, {50, 3}, {60, 3}, {80, 4}, {100, 5}} {
		if got := h.Percentile(tt.p); got != tt.want {
			t.Errorf("Percentile(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
}

func TestPercentileMatchesSortedSlice(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	var h, a, b Histogram
	var all []time.Duration
	for i := range 100_000 {
		// Log-normal-ish latencies from microseconds to seconds.
		v := time.Duration(float64(time.Microsecond) * (1 + r.ExpFloat64()*r.ExpFloat64()*2000))
		all = append(all, v)
		h.Record(v)
		if i%2 == 0 {
			a.Record(v)
		} else {
			b.Record(v)
		}
	}
	a.Merge(&b)
	slices.Sort(all)
	for _, p := range []float64{50, 90, 99, 99.9} {
		want := all[int(p/100*float64(len(all))+0.999999)-1]
		if got := h.Percentile(p); !within(got, want) {
			t.Errorf("Percentile(%v) = %v, want %v within 1/128", p, got, want)
		}
		if got, merged := h.Percentile(p), a.Percentile(p); got != merged {
			t.Errorf("merged Percentile(%v) = %v, want %v as recorded in one", p, merged, got)
		}
	}
	if h.Max() != all[len(all)-1] || h.Min() != all[0] {
		t.Errorf("Max, Min = %v, %v; want %v, %v", h.Max(), h.Min(), all[len(all)-1], all[0])
	}
}

func TestEmptyHistogram(t *testing.T) {
	t.Parallel()
	var h Histogram
	if h.Percentile(50) != 0 || h.Mean() != 0 || h.Max() != 0 {
		t.Error("an empty histogram reports non-zero figures")
	}
	h.Record(-time.Second)
	if h.Percentile(100) != 0 {
		t.Errorf("a negative duration was recorded as %v, want 0", h.Percentile(100))
	}
}

// within reports whether got is within the histogram's precision of want.
func within(got, want time.Duration) bool {
	diff := got - want
	return max(diff, -diff) <= want/subBuckets
}
