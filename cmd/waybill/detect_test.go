package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

func TestRunDetectArgs(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := runDetect([]string{"Tracking #: 1z5r 8939 0357 5671 27", "hello"}, strings.NewReader("ignored\n"), &out)
	if err != nil {
		t.Fatalf("runDetect: %v", err)
	}
	want := `{"input":"Tracking #: 1z5r 8939 0357 5671 27","tracking_number":"1Z5R89390357567127","couriers":[{"slug":"ups","confidence":0.99}]}
{"input":"hello","tracking_number":"HELLO","couriers":[]}
`
	if got := out.String(); got != want {
		t.Errorf("runDetect output mismatch:\n got %s\nwant %s", got, want)
	}
}

func TestRunDetectStdin(t *testing.T) {
	t.Parallel()
	in := "986578788855\n\n   \r\n8487135506\r\n<b>&\n"
	var out bytes.Buffer
	if err := runDetect(nil, strings.NewReader(in), &out); err != nil {
		t.Fatalf("runDetect: %v", err)
	}
	want := `{"input":"986578788855","tracking_number":"986578788855","couriers":[{"slug":"fedex","confidence":0.9},{"slug":"gls","confidence":0.25}]}
{"input":"8487135506","tracking_number":"8487135506","couriers":[{"slug":"dhl","confidence":0.85}]}
{"input":"<b>&","tracking_number":"B","couriers":[]}
`
	if got := out.String(); got != want {
		t.Errorf("runDetect output mismatch:\n got %s\nwant %s", got, want)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestRunDetectWriteError(t *testing.T) {
	t.Parallel()
	if err := runDetect([]string{"1Z5R89390357567127"}, nil, failingWriter{}); err == nil {
		t.Error("runDetect succeeded writing to a failing writer")
	}
}

func TestRunDetectLineTooLong(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("9", maxDetectLine+1)
	if err := runDetect(nil, strings.NewReader(long), io.Discard); err == nil {
		t.Error("runDetect accepted a line over the limit")
	}
}

// detectCorpus returns n tracking-number lines of mixed formats, valid and
// not, generated deterministically: hand-checked numbers with their serial
// digits varied (which mostly breaks their check digits), S10 items and
// non-numbers.
func detectCorpus(n int) string {
	bases := []string{
		"1Z5R89390357567127", "986578788855", "449044304137821", "8487135506",
		"C11031500001879", "TBA123456789012", "JV123456785GB", "RR123456785DE",
		"9205590123456789012347", "3SABCD123456789", "YT2012345678901234",
		"7023210039414604", "Tracking #: 1z5r 8939 0357 5671 27", "not a number",
	}
	var b strings.Builder
	for i := 0; i < n; i++ {
		s := bases[i%len(bases)]
		if i%3 != 0 && len(s) > 6 { // vary a digit in the middle
			j := len(s) / 2
			if c := s[j]; c >= '0' && c <= '9' {
				s = s[:j] + string(rune('0'+(int(c-'0')+i)%10)) + s[j+1:]
			}
		}
		fmt.Fprintln(&b, s)
	}
	return b.String()
}

func TestRunDetectCorpus(t *testing.T) {
	t.Parallel()
	in := detectCorpus(1000)
	var out bytes.Buffer
	if err := runDetect(nil, strings.NewReader(in), &out); err != nil {
		t.Fatalf("runDetect: %v", err)
	}
	sc := bufio.NewScanner(&out)
	lines := 0
	for sc.Scan() {
		var l struct {
			Input, TrackingNumber string
			Couriers              []struct{ Slug string }
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %d: %v", lines, err)
		}
		lines++
	}
	if lines != 1000 {
		t.Errorf("runDetect wrote %d lines for 1000 numbers", lines)
	}
}

// BenchmarkRunDetect100k measures runDetect over 100,000 mixed numbers read
// from an in-memory stdin (per op = the whole batch).
func BenchmarkRunDetect100k(b *testing.B) {
	in := detectCorpus(100_000)
	b.ReportAllocs()
	for b.Loop() {
		if err := runDetect(nil, strings.NewReader(in), io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWriteDetectCorpus writes detectCorpus(100_000) to the file named by
// WAYBILL_DETECT_CORPUS, for timing a built binary (docs/benchmarks/courier.md).
func TestWriteDetectCorpus(t *testing.T) {
	path := os.Getenv("WAYBILL_DETECT_CORPUS")
	if path == "" {
		t.Skip("WAYBILL_DETECT_CORPUS not set")
	}
	if err := os.WriteFile(path, []byte(detectCorpus(100_000)), 0o644); err != nil {
		t.Fatal(err)
	}
}
