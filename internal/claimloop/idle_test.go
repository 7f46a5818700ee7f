package claimloop

import (
	"context"
	"testing"
	"time"
)

// scripted runs a Loop of one worker whose claims find what the test
// sends on finds, and whose waits between claims are reported on asked
// and end when the test sends on fire or wake: no real time passes, so
// the test can follow each wait the loop chooses.
type scripted struct {
	t     *testing.T
	finds chan int
	asked chan time.Duration
	fire  chan time.Time
	wake  chan struct{}
	stop  context.CancelFunc
	done  chan struct{}
}

func runScripted(t *testing.T, poll, idle time.Duration) *scripted {
	t.Helper()
	claims, stop := context.WithCancel(context.Background())
	s := &scripted{t: t, finds: make(chan int), asked: make(chan time.Duration), fire: make(chan time.Time),
		wake: make(chan struct{}, 1), stop: stop, done: make(chan struct{})}
	l := &Loop[int]{Poll: poll, IdlePoll: idle, Wake: s.wake}
	l.Claim = func(ctx context.Context, n int) ([]int, time.Time, error) {
		select {
		case found := <-s.finds:
			return make([]int, min(found, n)), time.Now().Add(time.Minute), nil
		case <-ctx.Done():
			return nil, time.Time{}, ctx.Err()
		}
	}
	l.Work = func(context.Context, int, time.Time) {}
	l.after = func(d time.Duration) <-chan time.Time {
		select {
		case s.asked <- d:
		case <-claims.Done():
		}
		return s.fire
	}
	go func() {
		defer close(s.done)
		l.Run(claims, context.Background())
		_ = l.Wait(context.Background())
	}()
	t.Cleanup(func() { stop(); <-s.done })
	return s
}

// guard bounds a step that must not block (a deadlock guard, not a timing).
const guard = 10 * time.Second

// claim makes the loop's next claim find found items.
func (s *scripted) claim(found int) {
	s.t.Helper()
	select {
	case s.finds <- found:
	case <-time.After(guard):
		s.t.Fatalf("the loop made no claim (finding %d)", found)
	}
}

// wait returns the wait the loop chose after its claim.
func (s *scripted) wait() time.Duration {
	s.t.Helper()
	select {
	case d := <-s.asked:
		return d
	case <-time.After(guard):
		s.t.Fatal("the loop did not wait after a claim that found nothing")
		return 0
	}
}

// end ends the loop's wait as its timer would.
func (s *scripted) end() {
	s.t.Helper()
	select {
	case s.fire <- time.Time{}:
	case <-time.After(guard):
		s.t.Fatal("the loop was not waiting")
	}
}

// emptyClaim makes the next claim find nothing and returns the wait the
// loop then chose, leaving the loop in it.
func (s *scripted) emptyClaim() time.Duration {
	s.t.Helper()
	s.claim(0)
	return s.wait()
}

const (
	testPoll = 10 * time.Millisecond
	testIdle = 80 * time.Millisecond
)

// TestIdleWaitGrowsAndCaps checks that each claim in a row that finds
// nothing doubles the wait, from Poll up to IdlePoll.
func TestIdleWaitGrowsAndCaps(t *testing.T) {
	s := runScripted(t, testPoll, testIdle)
	want := []time.Duration{10, 20, 40, 80, 80, 80}
	for i, w := range want {
		if d := s.emptyClaim(); d != w*time.Millisecond {
			t.Fatalf("empty claim %d: wait %v, want %v", i+1, d, w*time.Millisecond)
		}
		s.end()
	}
}

// TestIdleWaitResetsOnWork checks that a claim that finds an item brings
// the wait after the next empty claim back to Poll.
func TestIdleWaitResetsOnWork(t *testing.T) {
	s := runScripted(t, testPoll, testIdle)
	s.idleOut(t)
	s.end()
	// The claim of one worker finds its item: no wait, the loop claims
	// again at once (more may be due), and finds nothing.
	s.claim(1)
	if d := s.emptyClaim(); d != testPoll {
		t.Fatalf("empty claim after a claim that found work: wait %v, want Poll %v", d, testPoll)
	}
	s.end()
	if d := s.emptyClaim(); d != 2*testPoll {
		t.Fatalf("second empty claim after work: wait %v, want %v", d, 2*testPoll)
	}
	s.end()
}

// TestIdleWaitResetsOnWake checks that a Wake ends the wait at once and
// brings the next empty claim's wait back to Poll, and that a Wake sent
// while the loop claims (not waiting) ends the wait after that claim
// rather than being lost.
func TestIdleWaitResetsOnWake(t *testing.T) {
	s := runScripted(t, testPoll, testIdle)
	s.idleOut(t)
	// Wake the loop in its wait: it claims again without its timer.
	s.wake <- struct{}{}
	if d := s.emptyClaim(); d != testPoll {
		t.Fatalf("empty claim after a wake: wait %v, want Poll %v", d, testPoll)
	}
	s.end()
	if d := s.emptyClaim(); d != 2*testPoll {
		t.Fatalf("second empty claim after a wake: wait %v, want %v", d, 2*testPoll)
	}
	s.end()
	// A wake sent while the loop is in its claim: the wait after it ends
	// on the wake (s.claim below would block, failing, if the loop waited
	// for its timer), and the next wait is Poll again.
	s.emptyClaim()
	s.end()
	s.claim(0) // the loop is in this claim when the wake is sent
	s.wake <- struct{}{}
	if d := s.wait(); d != 8*testPoll {
		t.Fatalf("fourth empty claim in a row: wait %v, want %v", d, 8*testPoll)
	}
	if d := s.emptyClaim(); d != testPoll {
		t.Fatalf("empty claim after a wake sent during a claim: wait %v, want Poll %v", d, testPoll)
	}
	s.end()
}

// TestIdleWaitOffWithoutIdlePoll checks that with IdlePoll at most Poll
// every wait is Poll, as before IdlePoll.
func TestIdleWaitOffWithoutIdlePoll(t *testing.T) {
	for _, idle := range []time.Duration{0, testPoll / 2, testPoll} {
		s := runScripted(t, testPoll, idle)
		for i := range 5 {
			if d := s.emptyClaim(); d != testPoll {
				t.Fatalf("IdlePoll %v, empty claim %d: wait %v, want Poll %v", idle, i+1, d, testPoll)
			}
			s.end()
		}
		s.stop()
		<-s.done
	}
}

// TestIdleWaitFoundSome checks that a claim that found some items but
// fewer than it asked waits Poll and restarts the growth.
func TestIdleWaitFoundSome(t *testing.T) {
	w := newIdleWait(testPoll, testIdle)
	for _, c := range []struct {
		found bool
		want  time.Duration
	}{{false, 10}, {false, 20}, {false, 40}, {true, 10}, {false, 10}, {false, 20}, {false, 40}, {false, 80}, {false, 80}, {true, 10}, {true, 10}, {false, 10}} {
		if d := w.next(c.found); d != c.want*time.Millisecond {
			t.Fatalf("next(%v) = %v, want %v", c.found, d, c.want*time.Millisecond)
		}
	}
}

// idleOut makes the loop's claims find nothing until its wait has grown to
// testIdle, and leaves it in that wait.
func (s *scripted) idleOut(t *testing.T) {
	t.Helper()
	for range 4 {
		s.emptyClaim()
		s.end()
	}
	if d := s.emptyClaim(); d != testIdle {
		t.Fatalf("after 4 empty claims: wait %v, want %v", d, testIdle)
	}
}
