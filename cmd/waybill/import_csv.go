package main

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// importColumns maps a CSV header, spelled as AfterShip's CSV import
// template spells it or close to it, to the field of a batch row (the
// names of POST /v1/trackings/batch). Headers are matched case-insensitively,
// with spaces and hyphens taken as underscores ("Tracking Number" is
// tracking_number).
var importColumns = map[string]string{
	"tracking_number": "tracking_number", "tracking_no": "tracking_number", "tracking": "tracking_number",
	"courier": "slug", "slug": "slug", "courier_slug": "slug", "carrier": "slug",
	"title":    "title",
	"order_id": "order_id", "order_number": "order_number", "order_no": "order_number",
	"order_path": "order_id_path", "order_id_path": "order_id_path", "order_date": "order_date",
	"customer_name": "customer_name", "customer": "customer_name",
	"email": "emails", "emails": "emails", "e_mail": "emails", "customer_email": "emails",
	"sms": "smses", "smses": "smses", "phone": "smses", "phones": "smses", "phone_number": "smses",
	"destination_country": "destination_country_iso3", "destination_country_iso3": "destination_country_iso3",
	"destination":    "destination_country_iso3",
	"origin_country": "origin_country_iso3", "origin_country_iso3": "origin_country_iso3",
	"language": "language", "note": "note",
	"tracking_postal_code": "tracking_postal_code", "tracking_ship_date": "tracking_ship_date",
	"tracking_account_number": "tracking_account_number", "tracking_key": "tracking_key",
	"tracking_origin_country": "tracking_origin_country", "tracking_destination_country": "tracking_destination_country",
	"tracking_state": "tracking_state",
}

// listFields hold several values separated by commas in one cell.
var listFields = map[string]bool{"emails": true, "smses": true}

// customPrefixes start a custom field's column: "custom_fields.sku",
// "custom_fields[sku]" or "custom_field_sku" fill custom_fields["sku"].
var customPrefixes = []string{"custom_fields.", "custom_fields[", "custom_field.", "custom_field_"}

// importLayout is what each column of a file holds.
type importLayout struct {
	header  []string
	field   []string // batch row field of each column; "" ignores it
	custom  []string // custom field key of each column, or ""
	ignored []string // headers no field matched
}

// normalizeHeader is the form headers are matched in.
func normalizeHeader(h string) string {
	h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(h)
}

// newImportLayout reads a header. It refuses a file without a tracking
// number column or with two columns for one field.
func newImportLayout(header []string) (*importLayout, error) {
	l := &importLayout{header: header, field: make([]string, len(header)), custom: make([]string, len(header))}
	seen := map[string]string{}
	for i, h := range header {
		name := normalizeHeader(h)
		if key, ok := customKey(h, name); ok {
			l.custom[i] = key
			continue
		}
		field, ok := importColumns[name]
		if !ok {
			if name != "" {
				l.ignored = append(l.ignored, h)
			}
			continue
		}
		if prev, dup := seen[field]; dup {
			return nil, fmt.Errorf("columns %q and %q both give %s", prev, h, field)
		}
		seen[field] = h
		l.field[i] = field
	}
	if _, ok := seen["tracking_number"]; !ok {
		return nil, fmt.Errorf("no tracking number column in the header (want tracking_number, as in AfterShip's CSV template)")
	}
	return l, nil
}

// customKey returns the custom field a header names, keeping the key as
// written.
func customKey(raw, name string) (string, bool) {
	raw = strings.TrimSpace(strings.TrimPrefix(raw, "\ufeff"))
	for _, p := range customPrefixes {
		if strings.HasPrefix(name, p) && len(name) > len(p) {
			key := raw[len(p):]
			if p == "custom_fields[" {
				key = strings.TrimSuffix(key, "]")
			}
			return key, key != ""
		}
	}
	return "", false
}

// row turns a record into a batch row. An empty cell leaves its field out,
// so that the server's defaults apply. A record that cannot be sent as
// JSON (a cell not valid UTF-8, more cells than the header) is refused
// here, with the reason the rejects file shows.
func (l *importLayout) row(record []string) (map[string]any, error) {
	if len(record) > len(l.header) {
		return nil, fmt.Errorf("the row has %d cells, the header %d", len(record), len(l.header))
	}
	row := map[string]any{}
	var custom map[string]string
	for i, cell := range record {
		if !utf8.ValidString(cell) {
			return nil, fmt.Errorf("the cell of column %q is not valid UTF-8", l.header[i])
		}
		cell = strings.TrimSpace(cell)
		if cell == "" {
			continue
		}
		switch {
		case l.custom[i] != "":
			if custom == nil {
				custom = map[string]string{}
			}
			custom[l.custom[i]] = cell
		case listFields[l.field[i]]:
			var values []string
			for _, v := range strings.Split(cell, ",") {
				if v = strings.TrimSpace(v); v != "" {
					values = append(values, v)
				}
			}
			row[l.field[i]] = values
		case l.field[i] != "":
			row[l.field[i]] = cell
		}
	}
	if custom != nil {
		row["custom_fields"] = custom
	}
	return row, nil
}
