package loadgen

import (
	"math"
	"math/bits"
	"time"
)

// Histogram records durations in log-linear buckets, as HdrHistogram does:
// values below 256ns are exact, and above that each power of two is split
// into 128 equal buckets, so a reported value is within 1/128 (0.8%) of
// the recorded one. Its size is fixed (about 60 KB) whatever it records.
//
// The zero value is ready to use. A Histogram is not safe for concurrent
// use: give each worker its own and Merge them.
type Histogram struct {
	counts [numBuckets]uint64
	total  uint64
	min    time.Duration
	max    time.Duration
	sum    float64 // nanoseconds; float, so long runs do not overflow
}

const (
	subBits    = 7
	subBuckets = 1 << subBits // buckets per power of two
	// numBuckets covers every non-negative int64: the largest, 1<<63-1,
	// has shift 63-subBits-1 and lands in the last bucket.
	numBuckets = (64 - subBits) * subBuckets
)

// bucketOf returns the index of the bucket that holds v (v >= 0).
func bucketOf(v uint64) int {
	if v < 2*subBuckets {
		return int(v)
	}
	shift := bits.Len64(v) - subBits - 1 // v>>shift is in [subBuckets, 2*subBuckets)
	return shift*subBuckets + int(v>>shift)
}

// bucketHigh returns the largest value that falls in bucket i.
func bucketHigh(i int) uint64 {
	if i < 2*subBuckets {
		return uint64(i)
	}
	shift := i/subBuckets - 1
	m := uint64(i - shift*subBuckets)
	return (m+1)<<shift - 1
}

// Record adds one duration; negative durations count as zero.
func (h *Histogram) Record(d time.Duration) {
	d = max(d, 0)
	h.counts[bucketOf(uint64(d))]++
	if h.total == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.total++
	h.sum += float64(d)
}

// Merge adds every value recorded in o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.total == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.total == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.total += o.total
	h.sum += o.sum
}

// Count is the number of recorded values.
func (h *Histogram) Count() int64 { return int64(h.total) }

// Max is the largest recorded value, exactly; 0 if none.
func (h *Histogram) Max() time.Duration { return h.max }

// Min is the smallest recorded value, exactly; 0 if none.
func (h *Histogram) Min() time.Duration { return h.min }

// Mean is the average of the recorded values; 0 if none.
func (h *Histogram) Mean() time.Duration {
	if h.total == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.total))
}

// Percentile returns the value at or below which p percent of the recorded
// values lie (the nearest-rank definition), to within the bucket precision
// and never above Max or below Min. p is clamped to [0, 100]; Percentile(100)
// is Max. It returns 0 if nothing was recorded.
func (h *Histogram) Percentile(p float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	p = min(max(p, 0), 100)
	rank := uint64(math.Ceil(p / 100 * float64(h.total)))
	rank = min(max(rank, 1), h.total)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			v := time.Duration(min(bucketHigh(i), uint64(math.MaxInt64)))
			return min(max(v, h.min), h.max)
		}
	}
	return h.max
}
