package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
)

// DeliveredParcel is a delivered tracking as the delivery-date history
// needs it: its service, lane and the dates it was picked up and delivered
// (as the carrier wrote them; either may be "").
type DeliveredParcel struct {
	Service             string
	Origin, Destination string // alpha-3, "" when unknown
	PickupDate          string
	DeliveryDate        string
}

// deliveredDoc is the part of a trackingDoc the history reads.
type deliveredDoc struct {
	ShipmentType           string           `json:"shipment_type"`
	OriginCountryISO3      string           `json:"origin_country_iso3"`
	DestinationCountryISO3 string           `json:"destination_country_iso3"`
	ShipmentPickupDate     string           `json:"shipment_pickup_date"`
	ShipmentDeliveryDate   string           `json:"shipment_delivery_date"`
	CourierFields          courierFieldsDoc `json:"courier_fields"`
}

// DeliveredParcels returns the organization's most recently added
// Delivered trackings of one courier, at most limit, newest first.
func (q *Queries) DeliveredParcels(ctx context.Context, orgID int64, slug string, limit int) ([]DeliveredParcel, error) {
	// The tag is in the text, not a parameter: with a bound tag SQLite
	// can use the partial index of Delivered trackings
	// (trackings_org_slug_delivered) only by planning the statement again
	// at every bind (sqlite3VdbeReprepareOnBind); with the text it plans
	// it once.
	rows, err := q.q.QueryContext(ctx, `SELECT doc FROM trackings WHERE org_id = $1 AND slug = $2 AND tag = 'Delivered'
		ORDER BY id DESC LIMIT $3`, orgID, slug, limit)
	if err != nil {
		return nil, fmt.Errorf("list delivered parcels: %w", err)
	}
	defer rows.Close()
	var out []DeliveredParcel
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("list delivered parcels: %w", err)
		}
		var d deliveredDoc
		if err := json.Unmarshal([]byte(doc), &d); err != nil {
			return nil, fmt.Errorf("list delivered parcels: decode: %w", err)
		}
		out = append(out, DeliveredParcel{Service: d.ShipmentType,
			Origin:      cmp.Or(d.OriginCountryISO3, d.CourierFields.OriginCountry),
			Destination: cmp.Or(d.DestinationCountryISO3, d.CourierFields.DestinationCountry),
			PickupDate:  d.ShipmentPickupDate, DeliveryDate: d.ShipmentDeliveryDate})
	}
	return out, rows.Err()
}
