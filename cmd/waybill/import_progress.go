package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress shows how far an import is: on a terminal one bar redrawn in
// place, with the rate and the time left; elsewhere (a pipe, a log file)
// a plain line at most every plainEvery, and always at the end.
type progress struct {
	w          io.Writer
	tty        bool
	total      int // rows in the file; 0 if unknown
	start      time.Time
	startDone  int // rows done before this run (a resume)
	last       time.Time
	lastDone   int // rows the last line showed
	plainEvery time.Duration
	now        func() time.Time
}

// isTerminal reports whether w is a character device: a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func newProgress(w io.Writer, total, done int) *progress {
	p := &progress{w: w, tty: isTerminal(w), total: total, startDone: done, plainEvery: 2 * time.Second, now: time.Now}
	p.start = p.now()
	return p
}

// update shows done rows of total and the counts so far; final forces a
// line and ends the bar.
func (p *progress) update(done int, c importCounts, final bool) {
	now := p.now()
	if final && !p.tty && done == p.lastDone && !p.last.IsZero() {
		return // the last line already says it
	}
	if !final {
		every := p.plainEvery
		if p.tty {
			every = 100 * time.Millisecond
		}
		if now.Sub(p.last) < every {
			return
		}
	}
	p.last, p.lastDone = now, done
	elapsed := now.Sub(p.start)
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(done-p.startDone) / s
	}
	eta := "?"
	if rate > 0 && p.total > 0 {
		eta = time.Duration(float64(p.total-done) / rate * float64(time.Second)).Truncate(time.Second).String()
	}
	counts := fmt.Sprintf("created %d, existing %d, rejected %d", c.Created, c.Exists, c.Rejected)
	if !p.tty {
		fmt.Fprintf(p.w, "import: %d/%d rows (%s), %.0f rows/s, %s, ETA %s\n", done, p.total, percent(done, p.total), rate, counts, eta)
		return
	}
	const width = 30
	filled := 0
	if p.total > 0 {
		filled = width * done / p.total
	}
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	if filled < width {
		bar = bar[:filled] + ">" + bar[filled+1:]
	}
	fmt.Fprintf(p.w, "\r\x1b[K[%s] %d/%d %s  %.0f rows/s  ETA %s  %s", bar, done, p.total, percent(done, p.total), rate, eta, counts)
	if final {
		fmt.Fprintln(p.w)
	}
}

func percent(done, total int) string {
	if total <= 0 {
		return "?%"
	}
	return fmt.Sprintf("%d%%", 100*done/total)
}
