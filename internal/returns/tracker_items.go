package returns

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// maxItemQuantity bounds the quantity read from a tracker's item.
const maxItemQuantity = 10000

// shipmentItems are the returnable lines of one outbound shipment: the
// items of the tracker it is (the Tracker API's items), or else the whole
// shipment as one line.
func shipmentItems(ctx context.Context, q *store.Queries, t waybill.Tracking) ([]Item, error) {
	whole := []Item{{ID: t.ID, Name: "Shipment " + t.TrackingNumber, Ordered: 1}}
	if t.Source != "tracker" {
		return whole, nil
	}
	tr, err := q.TrackerByTrackingID(ctx, t.OrgID, t.ID)
	if waybill.ErrorCode(err) == waybill.ENOTFOUND {
		return whole, nil
	} else if err != nil {
		return nil, err
	}
	if items := trackerItems(tr); len(items) > 0 {
		return items, nil
	}
	return whole, nil
}

// trackerItems reads a tracker's free-form items as order lines, one per
// item with a positive quantity: its id from "id", "itemId", "externalId"
// or "sku" (else its position), its name from "name", "title" or
// "description" (else its SKU), its SKU from "sku", and its quantity from
// "quantity" or "qty" (a whole number; 1 when absent). A line's id is the
// tracker's external id and the item's, so that the trackers of one order
// never share one. Pure.
func trackerItems(tr waybill.Tracker) []Item {
	var out []Item
	seen := map[string]bool{}
	for i, raw := range tr.Items {
		qty, ok := quantity(raw)
		if !ok {
			continue
		}
		sku := text(raw, "sku")
		id := text(raw, "id", "itemId", "externalId", "sku")
		if id == "" {
			id = strconv.Itoa(i + 1)
		}
		id = tr.ExternalID + "/" + id
		for n := 2; seen[id]; n++ {
			id = tr.ExternalID + "/" + strconv.Itoa(i+1) + "-" + strconv.Itoa(n)
		}
		seen[id] = true
		name := text(raw, "name", "title", "description")
		if name == "" {
			name = cmpOr(sku, "Item "+strconv.Itoa(i+1))
		}
		out = append(out, Item{ID: id, Name: name, SKU: sku, Ordered: qty})
	}
	return out
}

// text is the first of keys whose value is a clean one-line string (or a
// number), trimmed and cut to a line's length.
func text(m map[string]any, keys ...string) string {
	for _, k := range keys {
		var s string
		switch v := m[k].(type) {
		case string:
			s = strings.TrimSpace(v)
		case float64:
			s = strconv.FormatFloat(v, 'f', -1, 64)
		case json.Number:
			s = v.String()
		}
		if len(s) > waybill.MaxTextLen {
			s = s[:waybill.MaxTextLen]
		}
		if s != "" && waybill.CleanLine(s, waybill.MaxTextLen) {
			return s
		}
	}
	return ""
}

// quantity is an item's "quantity" (or "qty"): a whole number from 1 to
// maxItemQuantity, 1 when absent; ok is false for zero, a negative or a
// fraction, which leave the item out.
func quantity(m map[string]any) (int, bool) {
	v, present := m["quantity"]
	if !present {
		v, present = m["qty"]
	}
	if !present || v == nil {
		return 1, true
	}
	var f float64
	switch q := v.(type) {
	case float64:
		f = q
	case json.Number:
		var err error
		if f, err = q.Float64(); err != nil {
			return 0, false
		}
	case string:
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(q), 64); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	if f < 1 || f != math.Trunc(f) {
		return 0, false
	}
	return int(min(f, maxItemQuantity)), true
}
