package waybill

import "strings"

// TrackerProviderInput creates or changes a provider. A nil field is
// absent: a create requires Name, an update leaves the stored value.
type TrackerProviderInput struct {
	Name, Slug, ServiceType, DisplayName *string
}

// Validate checks the input and trims it in place. Whether Slug names a
// courier the tracker service decides. The first problem is returned as
// an EINVALID error (ReasonFieldRequired or ReasonFieldInvalid).
func (in *TrackerProviderInput) Validate(create bool) error {
	var p Problems
	for _, f := range []struct {
		name string
		v    **string
	}{{"name", &in.Name}, {"slug", &in.Slug}, {"service_type", &in.ServiceType}, {"display_name", &in.DisplayName}} {
		if *f.v == nil {
			continue
		}
		s := strings.TrimSpace(**f.v)
		*f.v = &s
		p.line(f.name, s, MaxTrackerIDLen)
	}
	if (create && in.Name == nil) || (in.Name != nil && *in.Name == "") {
		p.missing("name", "name is required")
	}
	return p.first()
}

// Apply copies the present fields onto p. A provider without a display
// name shows its name; without a service type, "Delivery".
func (in *TrackerProviderInput) Apply(p *TrackerProvider) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&p.Name, in.Name)
	set(&p.Slug, in.Slug)
	p.Slug = strings.ToLower(p.Slug)
	set(&p.ServiceType, in.ServiceType)
	set(&p.DisplayName, in.DisplayName)
	if p.ServiceType == "" {
		p.ServiceType = "Delivery"
	}
	if p.DisplayName == "" {
		p.DisplayName = p.Name
	}
}

// TrackerLocationInput creates or changes a pickup location. A nil field is
// absent: a create requires ExternalID and Address, an update leaves the
// stored value.
type TrackerLocationInput struct {
	ExternalID, Name             *string
	Address                      *TrackerAddress
	Contact                      *TrackerContact
	TimeZone, PickupInstructions *string
}

// Validate checks the input as TrackerInput checks its pickup, normalizing
// the country to an alpha-2 code. The first problem is returned as an
// EINVALID error.
func (in *TrackerLocationInput) Validate(create bool) error {
	var p Problems
	for _, f := range []struct {
		name  string
		v     **string
		limit int
	}{{"external_id", &in.ExternalID, MaxTrackerIDLen}, {"name", &in.Name, MaxTextLen}, {"time_zone", &in.TimeZone, MaxTimeZoneLen}} {
		if *f.v == nil {
			continue
		}
		s := strings.TrimSpace(**f.v)
		*f.v = &s
		p.line(f.name, s, f.limit)
	}
	if (create && in.ExternalID == nil) || (in.ExternalID != nil && *in.ExternalID == "") {
		p.missing("external_id", "external_id is required")
	}
	if in.Address != nil {
		checkAddress(&p, "address", in.Address)
	} else if create {
		p.missing("address", "address is required")
	}
	if in.Contact != nil {
		checkContact(&p, "contact", in.Contact)
	}
	if in.TimeZone != nil {
		checkTimeZone(&p, "time_zone", *in.TimeZone)
	}
	if in.PickupInstructions != nil {
		p.text("pickup_instructions", *in.PickupInstructions, MaxTrackerInstructionsLen)
	}
	return p.first()
}

// Apply copies the present fields onto l.
func (in *TrackerLocationInput) Apply(l *TrackerLocation) {
	if in.ExternalID != nil {
		l.ExternalID = *in.ExternalID
	}
	if in.Name != nil {
		l.Name = *in.Name
	}
	if in.Address != nil {
		l.Address = *in.Address
	}
	if in.Contact != nil {
		l.Contact = *in.Contact
	}
	if in.TimeZone != nil {
		l.TimeZone = *in.TimeZone
	}
	if in.PickupInstructions != nil {
		l.PickupInstructions = *in.PickupInstructions
	}
}

// first returns the first problem recorded as a plain EINVALID error, the
// form faces with one message per error (the admin face) show; nil when
// there is none.
func (p *Problems) first() error {
	if len(p.list) == 0 {
		return nil
	}
	f := p.list[0]
	if f.Missing {
		return Invalid(ReasonFieldRequired, "%s", f.Message)
	}
	return Invalid(ReasonFieldInvalid, "%s", f.Message)
}
