package halves

import (
	"errors"
	"sync"
	"testing"
)

func TestWorkCoversEveryItemOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 15, 16, 17, 100} {
		var mu sync.Mutex
		seen := make([]int, n)
		var calls int
		err := Work(n, 16, func(from, to int) error {
			mu.Lock()
			defer mu.Unlock()
			calls++
			for i := from; i < to; i++ {
				seen[i]++
			}
			return nil
		})
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("n=%d: item %d worked %d times", n, i, c)
			}
		}
		want := 1
		if n >= 16 {
			want = 2
		}
		if calls != want {
			t.Errorf("n=%d: %d calls of work, want %d", n, calls, want)
		}
	}
}

func TestWorkJoinsBothHalvesErrors(t *testing.T) {
	first, second := errors.New("first half"), errors.New("second half")
	err := Work(20, 16, func(from, _ int) error {
		if from == 0 {
			return first
		}
		return second
	})
	if !errors.Is(err, first) || !errors.Is(err, second) {
		t.Fatalf("err = %v, want both halves' errors", err)
	}
	if err := Work(20, 16, func(from, _ int) error {
		if from == 0 {
			return nil
		}
		return second
	}); !errors.Is(err, second) {
		t.Fatalf("err = %v, want the second half's", err)
	}
}
