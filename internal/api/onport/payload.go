package onport

import (
	"encoding/json"
	"fmt"

	"github.com/waybillhq/waybill"
)

// Payloads renders commerce events as Onport's webhook bodies. It
// implements the webhook package's PayloadRenderer for the event types
// sale.dropship, dropshipment.acknowledged and dropshipment.fulfillment;
// the server composes it with the tracking renderer by event type.
type Payloads struct {
	PublicURL string
}

// Handles reports whether the event type is one Payloads renders.
func (Payloads) Handles(eventType string) bool {
	switch eventType {
	case waybill.EventSaleDropship, waybill.EventDropshipmentAcknowledged, waybill.EventFulfillment:
		return true
	}
	return false
}

// WebhookPayload renders the event. dropshipment.fulfillment is the
// channel's fulfillment webhook, exactly Onport's bundle ({"instance",
// "fulfillmentItems", "sale"}); dropshipment.acknowledged is the same
// bundle with "event", "event_id" and "created_at" added; sale.dropship is
// the sale with its customer, sale items, purchases and channel side-loaded.
func (p Payloads) WebhookPayload(e waybill.Event, apiVersion string) ([]byte, error) {
	var snap waybill.CommerceSnapshot
	if err := json.Unmarshal([]byte(e.Detail), &snap); err != nil {
		return nil, fmt.Errorf("event %s: decode snapshot: %w", e.ID, err)
	}
	withOrg(&snap, e.OrgID)
	if apiVersion == "onport" {
		return p.resource(e, snap)
	}
	switch e.Type {
	case waybill.EventFulfillment:
		b, err := p.Fulfillment(snap)
		if err != nil {
			return nil, err
		}
		return json.Marshal(b)
	case waybill.EventDropshipmentAcknowledged:
		b, err := p.Fulfillment(snap)
		if err != nil {
			return nil, err
		}
		b["event"], b["event_id"], b["created_at"] = e.Type, e.ID, ts(e.CreatedAt)
		return json.Marshal(b)
	case waybill.EventSaleDropship:
		if snap.Sale == nil {
			return nil, fmt.Errorf("event %s has no sale", e.ID)
		}
		sale := renderSale(*snap.Sale)
		if snap.Customer != nil {
			sale["customer"] = renderCustomer(*snap.Customer)
		}
		if snap.Channel != nil {
			sale["channel"] = renderPayloadChannel(*snap.Channel, p.PublicURL)
		}
		items := []map[string]any{}
		for _, it := range snap.SaleItems {
			items = append(items, renderSaleItem(it))
		}
		purchases := []map[string]any{}
		for _, pu := range snap.Purchases {
			purchases = append(purchases, renderPurchase(pu))
		}
		sale["sale_items"], sale["purchases"] = items, purchases
		return json.Marshal(map[string]any{"event": e.Type, "event_id": e.ID, "created_at": ts(e.CreatedAt), "sale": sale})
	}
	return nil, fmt.Errorf("event type %q is not an Onport event", e.Type)
}

// withOrg gives every value of snap the event's organization: a stored
// snapshot leaves it out (OrgID is no JSON field), and Onport's companyId
// is the organization, as the API renders it.
func withOrg(snap *waybill.CommerceSnapshot, orgID int64) {
	if snap.Channel != nil {
		snap.Channel.OrgID = orgID
	}
	if snap.Customer != nil {
		snap.Customer.OrgID = orgID
	}
	if snap.Sale != nil {
		snap.Sale.OrgID = orgID
	}
	if snap.Dropshipment != nil {
		snap.Dropshipment.OrgID = orgID
	}
	for i := range snap.SaleItems {
		snap.SaleItems[i].OrgID = orgID
	}
	for i := range snap.Purchases {
		snap.Purchases[i].OrgID = orgID
	}
	for i := range snap.PurchaseItems {
		snap.PurchaseItems[i].OrgID = orgID
	}
	for i := range snap.Providers {
		snap.Providers[i].OrgID = orgID
	}
	for i := range snap.DropshipmentItems {
		snap.DropshipmentItems[i].OrgID = orgID
	}
}

// Fulfillment renders the bundle Onport pushes to a custom channel when a
// shipment is made: the dropshipment ("instance", with its purchase and
// the purchase's dropship_provider), "fulfillmentItems" (each with its
// sale_item) and the "sale" with its channel.
func (p Payloads) Fulfillment(snap waybill.CommerceSnapshot) (map[string]any, error) {
	if snap.Dropshipment == nil || snap.Sale == nil || snap.Channel == nil || len(snap.Purchases) == 0 {
		return nil, fmt.Errorf("fulfillment snapshot is incomplete")
	}
	instance := renderDropshipment(*snap.Dropshipment)
	purchase := renderPurchase(snap.Purchases[0])
	// The bundle's purchase carries exactly Onport's attributes.
	for _, k := range []string{"status", "saleId", "companyId", "createdAt", "updatedAt"} {
		delete(purchase, k)
	}
	for _, pr := range snap.Providers {
		if pr.ID == snap.Purchases[0].DropshipProviderID {
			purchase["dropship_provider"] = map[string]any{"name": pr.Name, "id": pr.ID}
		}
	}
	instance["purchase"] = purchase
	for _, k := range []string{"trackingSlug", "trackingError", "acknowledgedAt"} {
		delete(instance, k)
	}
	saleItems := map[int64]waybill.SaleItem{}
	for _, it := range snap.SaleItems {
		saleItems[it.ID] = it
	}
	items := []map[string]any{}
	for _, di := range snap.DropshipmentItems {
		m := renderDropshipmentItem(di)
		if si, ok := saleItems[di.SaleItemID]; ok {
			sm := renderSaleItem(si)
			sm["inventoryStatus"] = "fulfilled"
			sm["inventoryProcessed"] = di.Quantity
			m["sale_item"] = sm
		}
		items = append(items, m)
	}
	sale := renderSale(*snap.Sale)
	delete(sale, "shippingLines")
	delete(sale, "dropshippedAt")
	sale["channel"] = renderPayloadChannel(*snap.Channel, p.PublicURL)
	return map[string]any{"instance": instance, "fulfillmentItems": items, "sale": sale}, nil
}

// renderPayloadChannel renders a channel for a webhook payload: as the API
// does, with a null hash. The hash authenticates the channel's inbound
// endpoints; a payload goes to every subscribed endpoint (and the channel's
// own fulfillment URL gets it in the jetti-webhook-hash header instead).
// Events written before the hash was kept out of snapshots still carry it,
// so it is dropped here too.
func renderPayloadChannel(c waybill.Channel, publicURL string) map[string]any {
	m := renderChannel(c, publicURL)
	m["hash"] = nil
	return m
}

// resource renders an event as Onport's resource webhooks send it (the
// "onport" api_version): the resource itself, its id at the top, as GET
// /api/<resource>/:id.json renders it. sale.dropship is the sale with its
// customer and sale_items; dropshipment.acknowledged and
// dropshipment.fulfillment are the dropshipment with its purchase and
// dropshipment_items. A receiver fetches what else it needs by the id.
func (p Payloads) resource(e waybill.Event, snap waybill.CommerceSnapshot) ([]byte, error) {
	switch e.Type {
	case waybill.EventSaleDropship:
		if snap.Sale == nil {
			return nil, fmt.Errorf("event %s has no sale", e.ID)
		}
		sale := renderSale(*snap.Sale)
		sale["customer"] = nil
		if snap.Customer != nil {
			sale["customer"] = renderCustomer(*snap.Customer)
		}
		items := []map[string]any{}
		for _, it := range snap.SaleItems {
			items = append(items, renderSaleItem(it))
		}
		sale["sale_items"] = items
		return json.Marshal(sale)
	case waybill.EventDropshipmentAcknowledged, waybill.EventFulfillment:
		if snap.Dropshipment == nil {
			return nil, fmt.Errorf("event %s has no dropshipment", e.ID)
		}
		d := renderDropshipment(*snap.Dropshipment)
		d["purchase"] = nil
		for _, pu := range snap.Purchases {
			if pu.ID == snap.Dropshipment.PurchaseID {
				d["purchase"] = renderPurchase(pu)
			}
		}
		items := []map[string]any{}
		for _, it := range snap.DropshipmentItems {
			items = append(items, renderDropshipmentItem(it))
		}
		d["dropshipment_items"] = items
		return json.Marshal(d)
	}
	return nil, fmt.Errorf("event type %q is not an Onport event", e.Type)
}
