package courier

import "testing"

// The benchmarks run over a mixed corpus (see corpus in helpers_test.go):
// 16 formats, valid and invalid, raw and already normalized.

func BenchmarkDetect(b *testing.B) {
	numbers := corpus(1024)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Detect(numbers[i%len(numbers)], Hints{})
		i++
	}
}

func BenchmarkDetectInto(b *testing.B) {
	numbers := corpus(1024)
	for i, n := range numbers {
		numbers[i] = Normalize(n)
	}
	dst := make([]Candidate, 0, maxCandidates)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		dst = DetectInto(dst[:0], numbers[i%len(numbers)], Hints{})
		i++
	}
}

func BenchmarkDetectWithSlugFilter(b *testing.B) {
	numbers := corpus(1024)
	h := Hints{Slugs: DefaultActivated()}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Detect(numbers[i%len(numbers)], h)
		i++
	}
}

func BenchmarkNormalize(b *testing.B) {
	numbers := corpus(1024)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Normalize(numbers[i%len(numbers)])
		i++
	}
}
