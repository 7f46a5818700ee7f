package courier

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPublicData checks Detect against the test numbers of a checkout of
// the public tracking_number_data project (github.com/jkeen/tracking_number_data),
// when WAYBILL_TRACKING_NUMBER_DATA names its couriers/ directory:
//
//	git clone https://github.com/jkeen/tracking_number_data /tmp/tnd
//	WAYBILL_TRACKING_NUMBER_DATA=/tmp/tnd/couriers go test -run PublicData -v ./internal/courier
//
// Every valid number must have its courier among the candidates, and no
// invalid number may name the courier it is invalid for. The data is read,
// never copied into this repository; without the variable the test skips.
// The generated tests in families_test.go are the ones that always run.
func TestPublicData(t *testing.T) {
	dir := os.Getenv("WAYBILL_TRACKING_NUMBER_DATA")
	if dir == "" {
		t.Skip("WAYBILL_TRACKING_NUMBER_DATA not set")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no courier files in %s (%v)", dir, err)
	}
	var all []publicCourier
	validFor := map[string]bool{} // slug + " " + normalized number
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var data publicCourier
		if err := json.Unmarshal(raw, &data); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		all = append(all, data)
		for _, format := range data.TrackingNumbers {
			for _, n := range format.TestNumbers.Valid {
				slug, _ := publicSlug(data.CourierCode, format.Name, n)
				validFor[slug+" "+Normalize(n)] = true
			}
		}
	}
	var valid, found, first, invalid, rejected int
	for _, data := range all {
		for _, format := range data.TrackingNumbers {
			for _, n := range format.TestNumbers.Valid {
				slug, ok := publicSlug(data.CourierCode, format.Name, n)
				if !ok {
					t.Logf("skip %s %q: courier %q not in the registry", format.Name, n, data.CourierCode)
					continue
				}
				valid++
				got := Detect(n, Hints{})
				for _, typed := range []string{spaced(Normalize(n)), groupedByFours(Normalize(n))} {
					if again := Detect(typed, Hints{}); slugs(again) != slugs(got) {
						t.Errorf("%s: Detect(%q) = [%s], but Detect(%q) = [%s]", format.Name, typed, slugs(again), n, slugs(got))
					}
				}
				switch i := indexOf(got, slug); {
				case i < 0:
					t.Errorf("%s: Detect(%q) = [%s], want %s among them", format.Name, n, slugs(got), slug)
				case i == 0:
					found++
					first++
				default:
					found++
					t.Logf("%s: Detect(%q) = [%s], %s not first", format.Name, n, slugs(got), slug)
				}
			}
			for _, n := range format.TestNumbers.Invalid {
				slug, ok := publicSlug(data.CourierCode, format.Name, n)
				if !ok || validFor[slug+" "+Normalize(n)] {
					continue // a number invalid for one format may be valid for another of the courier's
				}
				invalid++
				if got := Detect(n, Hints{}); indexOf(got, slug) >= 0 {
					t.Errorf("%s: Detect(%q) = [%s], names %s for a number invalid for it", format.Name, n, slugs(got), slug)
				} else {
					rejected++
				}
			}
		}
	}
	t.Logf("valid: %d/%d detected (%d first); invalid: %d/%d not named", found, valid, first, rejected, invalid)
}

type publicCourier struct {
	CourierCode     string `json:"courier_code"`
	TrackingNumbers []struct {
		Name        string `json:"name"`
		TestNumbers struct {
			Valid   []string `json:"valid"`
			Invalid []string `json:"invalid"`
		} `json:"test_numbers"`
	} `json:"tracking_numbers"`
}

// publicSlug maps the data's courier code (and, for couriers the data
// groups together, the format's name) to a registry slug.
func publicSlug(code, format, number string) (string, bool) {
	slug := strings.ReplaceAll(code, "_", "-")
	switch {
	case code == "dhl" && strings.Contains(format, "E-Commerce"):
		slug = "dhl-ecommerce"
	case code == "landmark":
		slug = "landmark-global"
	case code == "s10":
		n := Normalize(number)
		if len(n) < 2 {
			return "", false
		}
		slug = s10Posts[n[len(n)-2:]]
	}
	return slug, Exists(slug)
}

func indexOf(cs []Candidate, slug string) int {
	for i, c := range cs {
		if c.Slug == slug {
			return i
		}
	}
	return -1
}
