package onportlink

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/commerce"
	"github.com/waybillhq/waybill/internal/store"
)

// The includes of Onport's guide, exactly.
const (
	saleIncludes         = "include[0][model]=Customer&include[1][model]=SaleItem"
	dropshipmentIncludes = "include[0][model]=Purchase&include[1][model]=DropshipmentItem"
)

// unroutedVendor is the vendor of a sale line Onport has not routed to a
// dropship provider: such lines share one purchase.
const unroutedVendor = "onport"

// Fetch is the job a webhook queues: it imports one Onport resource
// ("sale" or "dropshipment") of a connection. An error that another try
// may cure (a 5xx, a network failure) is returned for the queue to retry
// with backoff; a 429 with a long Retry-After snoozes the job; an answer
// that no retry can change (404, 401, a sale Waybill cannot take) is
// logged and ends the job.
func (s *Service) Fetch(ctx context.Context, orgID int64, connectionID, kind string, remoteID int64) error {
	c, err := s.Store.Read().OnportConnection(ctx, orgID, connectionID)
	if waybill.ErrorCode(err) == waybill.ENOTFOUND {
		return nil // the connection was removed since
	} else if err != nil {
		return err
	}
	cl, err := s.client(c)
	if err != nil {
		return err
	}
	switch kind {
	case "sale":
		_, err = s.importSale(ctx, c, cl, remoteID)
	case "dropshipment":
		err = s.importDropshipment(ctx, c, cl, remoteID)
	default:
		err = fmt.Errorf("unknown onport resource kind %q", kind)
	}
	return s.jobError(err, "onport import", "connection", c.ID, "kind", kind, "id", remoteID)
}

// jobError turns an import's or write's error into the job's outcome.
func (s *Service) jobError(err error, msg string, attrs ...any) error {
	var rl *RetryLaterError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &rl) && s.Snooze != nil:
		return s.Snooze(rl.After)
	case Permanent(err), waybill.ErrorCode(err) == waybill.EINVALID:
		s.logger().Warn(msg+" gave up", append(attrs, "err", err)...)
		return nil
	}
	return err
}

// importSale GETs the sale with its customer and lines and makes (or
// updates) it as an order of the connection's channel. It returns the
// Waybill sale.
func (s *Service) importSale(ctx context.Context, c waybill.OnportConnection, cl *Client, remoteID int64) (waybill.Sale, error) {
	var sw saleWire
	if err := cl.Get(ctx, "/api/sales/"+strconv.FormatInt(remoteID, 10)+".json", saleIncludes, &sw); err != nil {
		return waybill.Sale{}, err
	}
	if int64(sw.ID) != remoteID {
		return waybill.Sale{}, &StatusError{Method: "GET", Path: "/api/sales/" + strconv.FormatInt(remoteID, 10) + ".json", Status: 422, Body: "the answer is another sale"}
	}
	ch, err := s.Commerce.Channel(ctx, c.OrgID, c.ChannelID)
	if err != nil {
		return waybill.Sale{}, err
	}
	res, err := s.Commerce.ApplyNow(ctx, ch, manualSale(sw))
	if err != nil {
		return waybill.Sale{}, err
	}
	sales, err := s.Commerce.ListSales(ctx, c.OrgID, commerce.SaleFilter{IDs: []int64{res.SaleID}}, commerce.Page{})
	if err != nil || len(sales) == 0 {
		return waybill.Sale{}, errors.Join(err, fmt.Errorf("sale %d vanished", res.SaleID))
	}
	return sales[0], nil
}

// manualSale maps an Onport sale to the commerce write that makes the
// order: the customer (name, email, phone, addresses) and one line per
// sale item, routed to the item's dropship provider.
func manualSale(sw saleWire) *commerce.ManualSale {
	cust := customerWire{}
	if sw.Customer != nil {
		cust = *sw.Customer
	}
	first := firstOf(string(cust.FirstName), string(sw.ShippingFirstName), string(sw.BillingFirstName))
	last := firstOf(string(cust.LastName), string(sw.ShippingLastName), string(sw.BillingLastName))
	email := firstOf(string(cust.Email), string(sw.ShippingEmail), string(sw.BillingEmail))
	phone := firstOf(string(sw.ShippingPhone), string(cust.Phone), string(sw.BillingPhone))
	in := &commerce.ManualSale{
		ExternalID: strconv.FormatInt(int64(sw.ID), 10),
		SaleDefaults: commerce.SaleDefaults{Reference: firstOf(string(sw.Reference), strconv.FormatInt(int64(sw.ID), 10)),
			DateOrdered: string(sw.DateOrdered), Notes: string(sw.Notes), Tags: sw.Tags,
			BillingFirstName: string(sw.BillingFirstName), BillingLastName: string(sw.BillingLastName), BillingName: string(sw.BillingName),
			BillingAddressLineOne: string(sw.BillingAddressLineOne), BillingAddressLineTwo: string(sw.BillingAddressLineTwo),
			BillingCity: string(sw.BillingCity), BillingState: string(sw.BillingState), BillingCountry: string(sw.BillingCountry),
			BillingZip: string(sw.BillingZip), BillingPhone: string(sw.BillingPhone), BillingEmail: string(sw.BillingEmail),
			ShippingFirstName: firstOf(string(sw.ShippingFirstName), first), ShippingLastName: firstOf(string(sw.ShippingLastName), last),
			ShippingName: string(sw.ShippingName), ShippingAddressLineOne: string(sw.ShippingAddressLineOne),
			ShippingAddressLineTwo: string(sw.ShippingAddressLineTwo), ShippingCity: string(sw.ShippingCity),
			ShippingState: string(sw.ShippingState), ShippingCountry: string(sw.ShippingCountry), ShippingZip: string(sw.ShippingZip),
			ShippingPhone: phone, ShippingEmail: email},
		Customer: commerce.CustomerInput{FirstName: first, LastName: last, Email: email},
	}
	for _, it := range sw.items() {
		qty := 0
		if it.Quantity != nil {
			qty = int(*it.Quantity)
		}
		if qty < 1 {
			continue // a cancelled line: nothing ships
		}
		price := 0.0
		if it.Price != nil && *it.Price > 0 {
			price = *it.Price
		}
		vendor := unroutedVendor
		if it.DropshipProviderID > 0 {
			vendor = strconv.FormatInt(int64(it.DropshipProviderID), 10)
		}
		in.LineItems = append(in.LineItems, commerce.LineItem{ExternalID: strconv.FormatInt(int64(it.ID), 10),
			Name: firstOf(string(it.Name), string(it.DisplayName), "Item "+strconv.FormatInt(int64(it.ID), 10)), Quantity: &qty, Price: &price,
			Taxable: it.Taxable != nil && *it.Taxable, VariantExternalID: string(it.ExternalVariantID),
			Properties: []commerce.PropertyInput{{Key: "dropshipProviderExternalId", Value: vendor}}})
	}
	return in
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// importDropshipment GETs the dropshipment with its purchase and items,
// makes sure its sale is imported, and makes (or updates) its dropshipment
// and tracking in one transaction with the link that remembers it.
func (s *Service) importDropshipment(ctx context.Context, c waybill.OnportConnection, cl *Client, remoteID int64) error {
	var dw dropshipmentWire
	path := "/api/dropshipments/" + strconv.FormatInt(remoteID, 10) + ".json"
	if err := cl.Get(ctx, path, dropshipmentIncludes, &dw); err != nil {
		return err
	}
	if int64(dw.ID) != remoteID || dw.SaleID <= 0 {
		return &StatusError{Method: "GET", Path: path, Status: 422, Body: "the answer is not this dropshipment of a sale"}
	}
	number := strings.TrimSpace(string(dw.TrackingNumber))
	if number == "" {
		return nil // nothing to track yet: the acknowledgement with a number brings it
	}
	sale, err := s.localSale(ctx, c, int64(dw.SaleID))
	if waybill.ErrorCode(err) == waybill.ENOTFOUND {
		sale, err = s.importSale(ctx, c, cl, int64(dw.SaleID))
	}
	if err != nil {
		return err
	}
	purchaseID, items, err := s.localPurchase(ctx, c.OrgID, sale, dw)
	if err != nil {
		return err
	}
	company, level := string(dw.TrackingCompany), string(dw.ServiceLevel)
	return s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		link, err := tx.OnportLink(ctx, c.OrgID, c.ID, remoteID)
		switch waybill.ErrorCode(err) {
		case waybill.ENOTFOUND:
			d, err := s.Commerce.Ship(ctx, c.OrgID, purchaseID, commerce.ShipInput{TrackingNumber: number, TrackingCompany: company,
				ServiceLevel: level, Items: items})
			if err != nil {
				return err
			}
			link = waybill.OnportLink{ConnectionID: c.ID, RemoteID: remoteID, OrgID: c.OrgID, DropshipmentID: d.ID, TrackingID: d.TrackingID, UpdatedAt: s.now()}
			if err := tx.InsertOnportLink(ctx, link); err != nil {
				return err
			}
			return s.writeTrackingURL(ctx, tx, c, link)
		case "":
		default:
			return err
		}
		d, replaced, err := s.Commerce.UpdateDropshipment(ctx, c.OrgID, link.DropshipmentID, commerce.DropshipmentUpdate{
			TrackingNumber: &number, TrackingCompany: &company, ServiceLevel: &level})
		if err != nil {
			return err
		}
		if replaced != "" {
			others, err := tx.OnportLinksByTracking(ctx, c.OrgID, replaced)
			if err != nil {
				return err
			}
			if len(others) <= 1 {
				if _, err := s.Trackings.Delete(ctx, c.OrgID, replaced); err != nil && waybill.ErrorCode(err) != waybill.ENOTFOUND {
					return err
				}
			}
		}
		if d.TrackingID == link.TrackingID {
			return nil
		}
		link.TrackingID, link.UpdatedAt = d.TrackingID, s.now()
		if err := tx.UpdateOnportLink(ctx, link); err != nil {
			return err
		}
		return s.writeTrackingURL(ctx, tx, c, link)
	})
}

// localSale returns the connection's order of an Onport sale, or ENOTFOUND.
func (s *Service) localSale(ctx context.Context, c waybill.OnportConnection, remoteSaleID int64) (waybill.Sale, error) {
	sales, err := s.Commerce.ListSales(ctx, c.OrgID, commerce.SaleFilter{ChannelIDs: []int64{c.ChannelID},
		ExternalIDs: []string{strconv.FormatInt(remoteSaleID, 10)}}, commerce.Page{Limit: 1})
	if err != nil {
		return waybill.Sale{}, err
	}
	if len(sales) == 0 {
		return waybill.Sale{}, waybill.Errorf(waybill.ENOTFOUND, "Onport sale %d is not imported.", remoteSaleID)
	}
	return sales[0], nil
}

// localPurchase finds the Waybill purchase that holds the dropshipment's
// lines, and those lines as ship items. A dropshipment without items ships
// the whole purchase of its vendor.
func (s *Service) localPurchase(ctx context.Context, orgID int64, sale waybill.Sale, dw dropshipmentWire) (int64, []commerce.ShipItemInput, error) {
	purchases, err := s.Commerce.ListPurchases(ctx, orgID, commerce.PurchaseFilter{SaleIDs: []int64{sale.ID}}, commerce.Page{})
	if err != nil {
		return 0, nil, err
	}
	if len(purchases) == 0 {
		return 0, nil, waybill.Invalid(waybill.ReasonFieldInvalid, "sale %s has no purchase to ship from", sale.ExternalID)
	}
	pids := make([]int64, len(purchases))
	for i, p := range purchases {
		pids[i] = p.ID
	}
	pitems, err := s.Commerce.ListPurchaseItems(ctx, orgID, commerce.PurchaseItemFilter{PurchaseIDs: pids}, commerce.Page{})
	if err != nil {
		return 0, nil, err
	}
	sitems, err := s.Commerce.ListSaleItems(ctx, orgID, commerce.SaleItemFilter{SaleIDs: []int64{sale.ID}}, commerce.Page{})
	if err != nil {
		return 0, nil, err
	}
	byExternal := map[string]int64{}
	for _, it := range sitems {
		byExternal[it.ExternalID] = it.ID
	}
	purchaseOf := map[int64]int64{}
	for _, pi := range pitems {
		purchaseOf[pi.SaleItemID] = pi.PurchaseID
	}
	var purchaseID int64
	var items []commerce.ShipItemInput
	for _, di := range dw.items() {
		local, ok := byExternal[strconv.FormatInt(int64(di.SaleItemID), 10)]
		if !ok || purchaseOf[local] == 0 {
			continue
		}
		if purchaseID == 0 {
			purchaseID = purchaseOf[local]
		}
		if purchaseOf[local] != purchaseID {
			continue // a dropshipment is of one purchase; a stray line stays out
		}
		qty := 0
		if di.Quantity != nil {
			qty = max(int(*di.Quantity), 0)
		}
		items = append(items, commerce.ShipItemInput{SaleItemID: local, Quantity: qty})
	}
	if purchaseID != 0 {
		return purchaseID, items, nil
	}
	// No line matched: the purchase of the dropshipment's vendor.
	vendor := unroutedVendor
	if dw.Purchase != nil && dw.Purchase.DropshipProviderID > 0 {
		vendor = strconv.FormatInt(int64(dw.Purchase.DropshipProviderID), 10)
	}
	providers, err := s.Commerce.ListProviders(ctx, orgID, commerce.ProviderFilter{IDs: providerIDs(purchases)}, commerce.Page{})
	if err != nil {
		return 0, nil, err
	}
	for _, p := range purchases {
		for _, pr := range providers {
			if pr.ID == p.DropshipProviderID && pr.ExternalID == vendor {
				return p.ID, nil, nil
			}
		}
	}
	if len(purchases) == 1 {
		return purchases[0].ID, nil, nil
	}
	return 0, nil, waybill.Invalid(waybill.ReasonFieldInvalid, "dropshipment %d matches no purchase of sale %s", int64(dw.ID), sale.ExternalID)
}

func providerIDs(ps []waybill.Purchase) []int64 {
	out := make([]int64, len(ps))
	for i, p := range ps {
		out[i] = p.DropshipProviderID
	}
	return out
}
