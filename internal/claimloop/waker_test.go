package claimloop

import "testing"

// TestWakerKeepsOneWake checks that a wake sent before anyone receives is
// kept, that several count as one, and that Wake never blocks.
func TestWakerKeepsOneWake(t *testing.T) {
	var w Waker
	w.Wake() // before C: not lost
	w.Wake()
	w.Wake()
	select {
	case <-w.C():
	default:
		t.Fatal("the wakes sent before the receive were lost")
	}
	select {
	case <-w.C():
		t.Fatal("three wakes before one receive gave two")
	default:
	}
	w.Wake()
	select {
	case <-w.C():
	default:
		t.Fatal("a wake after the receive was lost")
	}
}
