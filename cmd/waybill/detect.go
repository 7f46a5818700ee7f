package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/waybillhq/waybill/internal/courier"
)

// detectLine is one line of `waybill detect` output.
type detectLine struct {
	Input          string            `json:"input"`
	TrackingNumber string            `json:"tracking_number"`
	Couriers       []detectedCourier `json:"couriers"`
}

type detectedCourier struct {
	Slug       string  `json:"slug"`
	Confidence float64 `json:"confidence"`
}

// maxDetectLine bounds one input line; longer lines are an error rather
// than a silent truncation.
const maxDetectLine = 1 << 20

const detectUsage = `usage: waybill detect [NUMBER ...]

Print, for each tracking number given (or each non-blank line of stdin when
none is), one JSON line {"input", "tracking_number", "couriers"}, the
candidate couriers best first. Put "--" before a number that starts with "-".`

// detectCommand parses `waybill detect`'s line and runs runDetect.
func detectCommand(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	numbers, err := newCmdLine("detect", detectUsage, stdout, stderr).parse(args, 0, -1)
	if err != nil {
		return err
	}
	return runDetect(numbers, stdin, stdout)
}

// runDetect implements `waybill detect [number ...]`: for each tracking
// number in args, or, when args is empty, each non-blank line of stdin, it
// writes one JSON line {"input", "tracking_number", "couriers"} to stdout,
// couriers being best first and [] when none is detected. Input is
// streamed; output is buffered and flushed before runDetect returns.
func runDetect(args []string, stdin io.Reader, stdout io.Writer) error {
	w := bufio.NewWriterSize(stdout, 64<<10)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	var (
		line  detectLine
		cands = make([]courier.Candidate, 0, 16)
	)
	emit := func(input string) error {
		number := courier.Normalize(input)
		cands = courier.DetectInto(cands[:0], number, courier.Hints{})
		line.Input, line.TrackingNumber = input, number
		line.Couriers = line.Couriers[:0]
		if line.Couriers == nil {
			line.Couriers = make([]detectedCourier, 0, 16)
		}
		for _, c := range cands {
			line.Couriers = append(line.Couriers, detectedCourier{Slug: c.Slug, Confidence: c.Confidence})
		}
		if err := enc.Encode(&line); err != nil {
			return fmt.Errorf("detect: write result for %q: %w", input, err)
		}
		return nil
	}

	if len(args) > 0 {
		for _, a := range args {
			if err := emit(a); err != nil {
				return err
			}
		}
	} else {
		sc := bufio.NewScanner(stdin)
		sc.Buffer(make([]byte, 0, 64<<10), maxDetectLine)
		for sc.Scan() {
			input := strings.TrimSpace(sc.Text())
			if input == "" {
				continue
			}
			if err := emit(input); err != nil {
				return err
			}
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("detect: read stdin: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("detect: write output: %w", err)
	}
	return nil
}
