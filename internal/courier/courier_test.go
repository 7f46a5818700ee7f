package courier

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestRegistry(t *testing.T) {
	t.Parallel()
	all := All()
	if len(all) < 150 {
		t.Errorf("registry has %d couriers, want at least 150", len(all))
	}
	slugRE := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	iso3RE := regexp.MustCompile(`^[A-Z]{3}$`)
	fields := []string{FieldPostalCode, FieldShipDate, FieldAccountNumber, FieldKey, FieldOriginCountry, FieldDestinationCountry, FieldState}
	for i, c := range all {
		if i > 0 && all[i-1].Slug >= c.Slug {
			t.Errorf("All not sorted or not unique at %q, %q", all[i-1].Slug, c.Slug)
		}
		if !slugRE.MatchString(c.Slug) {
			t.Errorf("%s: slug is not lowercase-dashed", c.Slug)
		}
		if c.Name == "" || !strings.HasPrefix(c.WebURL, "https://") {
			t.Errorf("%s: missing name or https web URL", c.Slug)
		}
		if tpl := c.TrackingURLTemplate; tpl != "" && (!strings.HasPrefix(tpl, "https://") || !strings.Contains(tpl, placeholder)) {
			t.Errorf("%s: template %q lacks https or %s", c.Slug, tpl, placeholder)
		}
		for _, iso := range c.Countries {
			if !iso3RE.MatchString(iso) {
				t.Errorf("%s: country %q is not ISO alpha-3", c.Slug, iso)
			}
		}
		if len(c.Countries) == 0 && c.Slug != SandboxSlug {
			t.Errorf("%s: no countries", c.Slug)
		}
		for _, f := range append(slices.Clone(c.RequiredFields), c.OptionalFields...) {
			if !slices.Contains(fields, f) {
				t.Errorf("%s: unknown field %q", c.Slug, f)
			}
		}
		if c.DefaultLanguage == "" || !slices.Contains(c.SupportedLanguages, c.DefaultLanguage) {
			t.Errorf("%s: default language %q not among supported %v", c.Slug, c.DefaultLanguage, c.SupportedLanguages)
		}
		if got, ok := Lookup(c.Slug); !ok || got.Slug != c.Slug {
			t.Errorf("Lookup(%q) = %q, %v", c.Slug, got.Slug, ok)
		}
	}
	if _, ok := Lookup("no-such-courier"); ok {
		t.Error("Lookup of an unknown slug succeeded")
	}
	if c, ok := Lookup(SandboxSlug); !ok || c.Name != "Waybill Sandbox" {
		t.Errorf("sandbox courier = %+v, %v", c, ok)
	}
}

func TestReferencedSlugsExist(t *testing.T) {
	t.Parallel()
	for _, s := range DefaultActivated() {
		if !Exists(s) {
			t.Errorf("DefaultActivated has unknown slug %q", s)
		}
	}
	if !slices.IsSorted(DefaultActivated()) || !slices.Contains(DefaultActivated(), SandboxSlug) {
		t.Error("DefaultActivated is not sorted or lacks the sandbox")
	}
	for country, slug := range s10Posts {
		if !Exists(slug) {
			t.Errorf("s10Posts[%s] = unknown slug %q", country, slug)
		}
	}
	// Every slug a format rule can emit: run the rules on the corpus and
	// the format tests' inputs and check what comes out.
	for _, n := range corpus(4096) {
		for _, c := range Detect(n, Hints{}) {
			if !Exists(c.Slug) {
				t.Errorf("Detect(%q) returned unknown slug %q", n, c.Slug)
			}
		}
	}
}

func TestTrackingURL(t *testing.T) {
	t.Parallel()
	ups, _ := Lookup("ups")
	if got, want := ups.TrackingURL("1Z5R89390357567127"), "https://www.ups.com/track?tracknum=1Z5R89390357567127"; got != want {
		t.Errorf("TrackingURL = %q, want %q", got, want)
	}
	if got, want := ups.TrackingURL("A B&C"), "https://www.ups.com/track?tracknum=A+B%26C"; got != want {
		t.Errorf("TrackingURL escapes to %q, want %q", got, want)
	}
	sb, _ := Lookup(SandboxSlug)
	if got := sb.TrackingURL("X"); got != sb.WebURL {
		t.Errorf("TrackingURL without template = %q, want WebURL %q", got, sb.WebURL)
	}
}
