package usps

import (
	"fmt"
	"strings"
	"time"

	"github.com/waybillhq/waybill/internal/carrier/carrierhttp"
)

// USPS writes eventTimestamp in the local time of the scan, usually
// without an offset, and sometimes with a "Z" that does not mean UTC;
// GMTTimestamp (UTC) and GMTOffset, when present, say what the local time
// is. A checkpoint time keeps the local wall clock and gains the offset
// when USPS gives it or it can be worked out from the two timestamps;
// otherwise it stays without one (which the API shows as it is).

// eventTimes are the times of events (eventTime). An event whose time
// has no offset takes the offset of the nearest event of the same answer
// that has one: USPS's scans of one item are at most a few time zones
// apart, while reading a local time as UTC would misplace it by five
// hours or more among its neighbours.
func eventTimes(events []event) []string {
	times := make([]string, len(events))
	withOffset := func(s string) bool { return len(s) == len("2006-01-02T15:04:05-07:00") }
	for i, e := range events {
		times[i] = eventTime(e)
	}
	for i, t := range times {
		if len(t) != len("2006-01-02T15:04:05") {
			continue
		}
		for d := 1; d < len(times); d++ {
			if j := i - d; j >= 0 && withOffset(times[j]) {
				times[i] = carrierhttp.Time(t + times[j][19:])
				break
			}
			if j := i + d; j < len(times) && withOffset(times[j]) {
				times[i] = carrierhttp.Time(t + times[j][19:])
				break
			}
		}
	}
	return times
}

// localLayouts are the forms of eventTimestamp, without zone.
var localLayouts = []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04"}

// eventTime is a scan's time in ISO 8601, "" when USPS gives none that
// can be read.
func eventTime(e event) string { return carrierhttp.Time(eventTimeOf(e)) }

func eventTimeOf(e event) string {
	local, ok := parseLocal(e.EventTimestamp.String())
	gmt, gmtErr := time.Parse(time.RFC3339Nano, e.GMTTimestamp.String())
	if !ok {
		if gmtErr == nil {
			return gmt.UTC().Format(time.RFC3339)
		}
		return ""
	}
	wall := local.Format("2006-01-02T15:04:05")
	if off, ok := parseOffset(e.GMTOffset.String()); ok {
		return wall + formatOffset(off)
	}
	if gmtErr == nil {
		// The offset is how far the local wall clock is from UTC, to the
		// quarter hour (GMTTimestamp has seconds the local time lacks).
		off := local.Sub(gmt.UTC()).Round(15 * time.Minute)
		if off >= -14*time.Hour && off <= 14*time.Hour {
			return wall + formatOffset(off)
		}
	}
	return wall
}

// parseLocal reads a local timestamp, ignoring a trailing "Z" and
// keeping an explicit numeric offset's wall clock.
func parseLocal(s string) (time.Time, bool) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "Z")
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC), true
	}
	for _, l := range localLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseOffset reads "-05:00", "-5:00", "-0500" or "+05:30".
func parseOffset(s string) (time.Duration, bool) {
	if len(s) < 2 || (s[0] != '+' && s[0] != '-') {
		return 0, false
	}
	digits := strings.ReplaceAll(s[1:], ":", "")
	if len(digits) == 3 {
		digits = "0" + digits
	}
	if len(digits) != 4 || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	h, m := int(digits[0]-'0')*10+int(digits[1]-'0'), int(digits[2]-'0')*10+int(digits[3]-'0')
	if h > 14 || m > 59 {
		return 0, false
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	if s[0] == '-' {
		d = -d
	}
	return d, true
}

func formatOffset(d time.Duration) string {
	sign := '+'
	if d < 0 {
		sign, d = '-', -d
	}
	return fmt.Sprintf("%c%02d:%02d", sign, int(d.Hours()), int(d.Minutes())%60)
}

// dateOrTime reads an estimate: a date stays a date; a timestamp at
// midnight becomes its date, another its local wall clock.
func dateOrTime(s string) string { return carrierhttp.Time(dateOrTimeOf(s)) }

func dateOrTimeOf(s string) string {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.Format(time.DateOnly)
	}
	t, ok := parseLocal(s)
	if !ok {
		return ""
	}
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return t.Format(time.DateOnly)
	}
	return t.Format("2006-01-02T15:04:05")
}

// windowBound reads a predicted window's start or end: a timestamp, or a
// time of day ("14:00", "14:00:00") on day.
func windowBound(s, day string) string { return carrierhttp.Time(windowBoundOf(s, day)) }

func windowBoundOf(s, day string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if t, ok := parseLocal(s); ok {
		return t.Format("2006-01-02T15:04:05")
	}
	if len(day) < 10 {
		return ""
	}
	for _, l := range []string{"15:04:05", "15:04", "3:04 pm", "3:04pm"} {
		if t, err := time.Parse(l, strings.ToLower(s)); err == nil {
			return day[:10] + "T" + t.Format("15:04:05")
		}
	}
	return ""
}
