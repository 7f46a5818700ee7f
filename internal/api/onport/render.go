package onport

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"time"

	"github.com/waybillhq/waybill"
)

// templates holds, per resource, every attribute Onport renders, with
// Onport's defaults for those Waybill does not model (taken from Onport's
// fulfillment webhook documentation). Renderers start from a copy and set
// what Waybill knows, so the wire shape is Onport's.
//
//go:embed templates.json
var templatesJSON []byte

var templates map[string]map[string]any

func init() {
	if err := json.Unmarshal(templatesJSON, &templates); err != nil {
		panic(fmt.Sprintf("onport templates: %v", err))
	}
}

func from(resource string) map[string]any { return maps.Clone(templates[resource]) }

// ts renders a time as Onport does (ISO 8601, milliseconds, Z), or null.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullableID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func renderChannel(c waybill.Channel, publicURL string) map[string]any {
	m := from("channel")
	m["id"], m["companyId"], m["name"], m["displayName"], m["hash"] = c.ID, c.OrgID, c.Name, c.Name, c.WebhookHash
	m["shipstationUrl"] = publicURL + "/api/channels/" + strconv.FormatInt(c.ID, 10) + "/shipstation.xml"
	m["createdAt"], m["updatedAt"] = ts(c.CreatedAt), ts(c.CreatedAt)
	return m
}

func renderCustomer(c waybill.Customer) map[string]any {
	return map[string]any{"id": c.ID, "companyId": c.OrgID, "firstName": c.FirstName, "lastName": c.LastName,
		"email": nullable(c.Email), "fullName": nullable(joinName(c.FirstName, c.LastName)), "createdAt": ts(c.CreatedAt), "updatedAt": ts(c.UpdatedAt)}
}

func joinName(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}

func renderSale(s waybill.Sale) map[string]any {
	m := from("sale")
	m["id"], m["companyId"], m["channelId"], m["customerId"] = s.ID, s.OrgID, s.ChannelID, nullableID(s.CustomerID)
	m["externalId"], m["reference"], m["status"] = s.ExternalID, s.Reference, s.Status
	m["notes"] = nullable(s.Notes)
	tags := []string{}
	tags = append(tags, s.Tags...)
	m["tags"] = tags
	b, sh := s.Billing, s.Shipping
	m["billingFullName"], m["shippingFullName"] = b.FullName(), sh.FullName()
	m["billingFirstName"], m["billingLastName"], m["billingName"] = nullable(b.FirstName), nullable(b.LastName), nullable(b.Name)
	m["billingAddressLineOne"], m["billingAddressLineTwo"] = nullable(b.AddressLine1), nullable(b.AddressLine2)
	m["billingCity"], m["billingState"], m["billingCountry"], m["billingZip"] = nullable(b.City), nullable(b.State), nullable(b.Country), nullable(b.Zip)
	m["shippingFirstName"], m["shippingLastName"], m["shippingName"] = nullable(sh.FirstName), nullable(sh.LastName), nullable(sh.Name)
	m["shippingAddressLineOne"], m["shippingAddressLineTwo"] = nullable(sh.AddressLine1), nullable(sh.AddressLine2)
	m["shippingCity"], m["shippingState"], m["shippingCountry"], m["shippingZip"] = nullable(sh.City), nullable(sh.State), nullable(sh.Country), nullable(sh.Zip)
	m["subtotal"], m["total"], m["quantity"] = s.Subtotal, s.Total, s.Quantity
	m["finalized"], m["dateOrdered"] = true, ts(s.DateOrdered)
	m["createdAt"], m["updatedAt"] = ts(s.CreatedAt), ts(s.UpdatedAt)
	if s.Status == waybill.SaleStatusCompleted {
		m["inventoryStatus"] = "fulfilled"
	} else {
		m["inventoryStatus"] = "unfulfilled"
	}
	lines := []map[string]any{}
	for _, l := range s.ShippingLines {
		lines = append(lines, map[string]any{"code": l.Code, "name": l.Name, "serviceLevel": nullable(l.ServiceLevel), "price": l.Price})
	}
	m["shippingLines"] = lines
	m["dropshippedAt"] = ts(s.DropshippedAt)
	m["returnStatus"] = returnStatus(s.ReturnStatus)
	return m
}

func renderSaleItem(it waybill.SaleItem) map[string]any {
	m := from("sale_item")
	m["id"], m["companyId"], m["saleId"], m["externalId"] = it.ID, it.OrgID, it.SaleID, nullable(it.ExternalID)
	m["name"], m["displayName"], m["quantity"], m["price"], m["taxable"] = it.Name, it.Name, it.Quantity, it.Price, it.Taxable
	m["subtotal"] = float64(it.Quantity) * it.Price
	m["variantId"], m["externalVariantId"] = nullableID(it.VariantID), nullable(it.VariantExternalID)
	m["dropshipProviderId"] = nullableID(it.DropshipProviderID)
	if len(it.Properties) > 0 {
		props := make([]map[string]string, len(it.Properties))
		for i, p := range it.Properties {
			props[i] = map[string]string{"key": p.Key, "value": p.Value}
		}
		m["properties"] = props
	}
	m["quantityReturned"], m["returnStatus"] = it.QuantityReturned, returnStatus(it.ReturnStatus)
	m["createdAt"], m["updatedAt"] = ts(it.CreatedAt), ts(it.UpdatedAt)
	return m
}

// returnStatus is Onport's returnStatus of a sale or line.
func returnStatus(s string) string {
	if s == "" {
		return "notReturned"
	}
	return s
}

func renderProvider(p waybill.DropshipProvider) map[string]any {
	return map[string]any{"id": p.ID, "name": p.Name, "externalId": p.ExternalID}
}

func renderPurchase(p waybill.Purchase) map[string]any {
	m := from("purchase")
	m["id"], m["dropshipProviderId"], m["reference"], m["displayName"], m["externalReference"] = p.ID, p.DropshipProviderID, p.Reference, p.Reference, p.Reference
	m["isDropship"], m["status"], m["saleId"], m["companyId"] = true, p.Status, p.SaleID, p.OrgID
	m["createdAt"], m["updatedAt"] = ts(p.CreatedAt), ts(p.UpdatedAt)
	return m
}

func renderPurchaseItem(it waybill.PurchaseItem) map[string]any {
	return map[string]any{"id": it.ID, "companyId": it.OrgID, "purchaseId": it.PurchaseID, "saleItemId": it.SaleItemID,
		"quantity": it.Quantity, "createdAt": ts(it.CreatedAt)}
}

func renderDropshipment(d waybill.Dropshipment) map[string]any {
	m := from("dropshipment")
	m["id"], m["companyId"], m["purchaseId"], m["saleId"], m["reference"] = d.ID, d.OrgID, d.PurchaseID, d.SaleID, d.Reference
	m["trackingCompany"], m["trackingNumber"] = nullable(d.TrackingCompany), nullable(d.TrackingNumber)
	m["trackingUrl"], m["serviceLevel"] = nullable(d.TrackingURL), nullable(d.ServiceLevel)
	m["aftershipId"] = nullable(d.TrackingID) // the Waybill tracking of this parcel
	m["trackingSlug"], m["trackingError"] = nullable(d.Slug), nullable(d.TrackingError)
	m["acknowledgedAt"] = ts(d.AcknowledgedAt)
	m["createdAt"], m["updatedAt"] = ts(d.CreatedAt), ts(d.UpdatedAt)
	return m
}

func renderDropshipmentItem(it waybill.DropshipmentItem) map[string]any {
	m := from("fulfillment_item")
	m["id"], m["companyId"], m["dropshipmentId"], m["saleItemId"] = it.ID, it.OrgID, it.DropshipmentID, it.SaleItemID
	m["purchaseItemId"], m["quantity"], m["source"] = it.PurchaseItemID, it.Quantity, "sale_item"
	m["createdAt"], m["updatedAt"] = ts(it.CreatedAt), ts(it.CreatedAt)
	return m
}

func renderVariant(v waybill.Variant) map[string]any {
	vendors := []map[string]any{}
	for _, vs := range v.VendorSKUs {
		vendors = append(vendors, map[string]any{"vendorSku": vs.VendorSKU, "dropshipProviderExternalId": vs.DropshipProviderExternalID,
			"dropshipProviderId": vs.DropshipProviderID, "state": vs.State})
	}
	return map[string]any{"id": v.ID, "companyId": v.OrgID, "channelId": v.ChannelID, "sku": v.SKU, "externalId": nullable(v.ExternalID),
		"name": v.Name, "price": v.Price, "productExternalId": nullable(v.ProductExternalID), "productName": nullable(v.ProductName),
		"vendorSkus": vendors, "createdAt": ts(v.CreatedAt), "updatedAt": ts(v.UpdatedAt)}
}
