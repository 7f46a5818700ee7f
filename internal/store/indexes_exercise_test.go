package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/store"
)

// exerciseStore runs every read, list, sweep, update and delete of the
// store once, naming each call on rec, so that the index test explains the
// SQL the code really builds. Results do not matter here (most tables are
// empty); a query that fails to run fails the test.
func exerciseStore(t *testing.T, st *store.Store, rec *queryRecorder) {
	t.Helper()
	ctx := context.Background()
	org := mustOrg(t, st, "indexes")
	tr := newTracking(org.ID, "ups", "1Z999AA10123456784")
	tr.OrderID, tr.OrderNumber = "order-1", "#1001"
	if err := st.Write().InsertTracking(ctx, tr); err != nil {
		t.Fatal(err)
	}
	day := now.Truncate(24 * time.Hour)
	seedTrackings(t, st, org.ID, day)
	r, w := st.Read(), st.Write()
	run := func(call string, fn func() error) {
		t.Helper()
		rec.as(call)
		// A coded error (not found, unauthorized) is a normal answer on
		// near-empty tables; anything else means a query did not run.
		// A foreign key refusing a row of this sketch data is fine too:
		// the statement was planned and ran.
		if err := fn(); err != nil && waybill.ErrorCode(err) == waybill.EINTERNAL &&
			!strings.Contains(strings.ToLower(err.Error()), "foreign key") {
			t.Errorf("%s: %v", call, err)
		}
		rec.mu.Lock()
		ran := len(rec.byCall[call])
		rec.mu.Unlock()
		if ran == 0 {
			t.Errorf("%s ran no query: the index test would check nothing for it", call)
		}
	}
	ignore := func(...any) error { return nil }
	get := func(err error) error { return err }
	seven := 7
	yes := true

	// API keys.
	run("Authenticate", func() error { _, err := r.Authenticate(ctx, store.NewAPIKey()); return err })
	run("APIKeys", func() error { _, err := r.APIKeys(ctx, org.ID); return err })
	run("APIKeyGeneration", func() error { _, err := r.APIKeyGeneration(ctx); return err })
	run("RevokeAPIKey", func() error { _, err := w.RevokeAPIKey(ctx, org.ID, "wb_nope"); return err })
	run("SetActivatedCouriers", func() error { return w.SetActivatedCouriers(ctx, org.ID, []string{"ups", "dhl"}) })

	// Trackings: by id, by number, locked, updated, swept, listed.
	run("Tracking", func() error { _, err := r.Tracking(ctx, org.ID, tr.ID); return err })
	run("TrackingAtKeyGeneration", func() error { _, _, err := r.TrackingAtKeyGeneration(ctx, org.ID, tr.ID); return err })
	run("TrackingAtKeyGenerationUnlessSeen", func() error {
		_, err := r.TrackingAtKeyGenerationUnlessSeen(ctx, org.ID, tr.ID, func(store.TrackingVersion) bool { return true })
		return err
	})
	run("TrackingByNumber", func() error { _, err := r.TrackingByNumber(ctx, org.ID, "ups", tr.TrackingNumber); return err })
	run("TrackingsByNumbers", func() error {
		_, err := r.TrackingsByNumbers(ctx, org.ID, []store.TrackingKey{{Slug: "ups", Number: tr.TrackingNumber}, {Slug: "dhl", Number: "1234567890"}})
		return err
	})
	run("InsertTrackings", func() error {
		_, err := w.InsertTrackings(ctx, []*waybill.Tracking{tr, newTracking(org.ID, "dhl", "9234567890")})
		return err
	})
	run("TrackingForUpdate", func() error { _, err := w.TrackingForUpdate(ctx, org.ID, tr.ID); return err })
	run("TrackingByNumberForUpdate", func() error {
		_, err := w.TrackingByNumberForUpdate(ctx, org.ID, "ups", tr.TrackingNumber)
		return err
	})
	run("UpdateTracking", func() error { return w.UpdateTracking(ctx, tr) })
	run("StaleTrackings (expiry sweep)", func() error { _, err := r.StaleTrackings(ctx, now, 100); return err })
	lists := []struct {
		name string
		f    waybill.TrackingFilter
	}{
		{"all", waybill.TrackingFilter{}},
		{"tag", waybill.TrackingFilter{Tags: []string{"Delivered"}}},
		{"tags", waybill.TrackingFilter{Tags: []string{"InTransit", "Delivered"}}},
		{"slug", waybill.TrackingFilter{Slugs: []string{"ups"}}},
		{"created range", waybill.TrackingFilter{CreatedMin: day, CreatedMax: day.Add(24 * time.Hour)}},
		{"updated range", waybill.TrackingFilter{UpdatedMin: day, UpdatedMax: day.Add(24 * time.Hour)}},
		{"keyword", waybill.TrackingFilter{Keyword: "shoes"}},
		{"order id", waybill.TrackingFilter{OrderID: "order-1"}},
		{"tracking numbers", waybill.TrackingFilter{TrackingNumbers: []string{tr.TrackingNumber}}},
		{"destination", waybill.TrackingFilter{Destinations: []string{"GBR"}}},
		{"delivery days", waybill.TrackingFilter{DeliveryDays: &seven}},
		{"return to sender", waybill.TrackingFilter{ReturnToSender: &yes}},
		{"cursor", waybill.TrackingFilter{BeforeSeq: 1_000_000}},
		{"cursor and tag", waybill.TrackingFilter{BeforeSeq: 1_000_000, Tags: []string{"Delivered"}}},
	}
	for _, l := range lists {
		l.f.Limit = 100
		run("ListTrackings/"+l.name, func() error { _, err := r.ListTrackings(ctx, org.ID, l.f); return err })
	}
	run("DeliveredParcels (EDD history)", func() error { _, err := r.DeliveredParcels(ctx, org.ID, "ups", 500); return err })
	run("ActivatedCouriers", func() error { _, err := r.ActivatedCouriers(ctx, org.ID); return err })

	// Tracking pages.
	run("TrackingPage/token", func() error { _, err := r.TrackingPage(ctx, "page-token", false); return err })
	run("TrackingPage/order token", func() error { _, err := r.TrackingPage(ctx, "page-token", true); return err })
	run("TrackingPageUnlessSeen", func() error {
		_, err := r.TrackingPageUnlessSeen(ctx, "page-token", false, func(store.PageVersion) bool { return true })
		return err
	})
	run("OrderTrackings", func() error { _, err := r.OrderTrackings(ctx, org.ID, "#1001"); return err })
	run("NumberTrackings", func() error { _, err := r.NumberTrackings(ctx, org.ID, tr.TrackingNumber); return err })
	run("OrderSale", func() error { _, _, err := r.OrderSale(ctx, org.ID, "#1001"); return err })
	run("Branding", func() error { _, err := r.Branding(ctx, org.ID); return err })
	run("PortalOrgByHost", func() error { _, err := r.PortalOrgByHost(ctx, "track.example.com"); return err })
	run("PortalOrgByName", func() error { _, err := r.PortalOrgByName(ctx, "indexes"); return err })

	// Events, webhook endpoints, deliveries.
	run("Event", func() error { _, _, err := r.Event(ctx, org.ID, "evt"); return err })
	run("Events (replay of a day)", func() error { _, _, err := r.Events(ctx, org.ID, day, day.Add(24*time.Hour), 1000); return err })
	run("Endpoint", func() error { _, err := r.Endpoint(ctx, org.ID, "ep"); return err })
	run("EndpointForUpdate", func() error { _, err := w.EndpointForUpdate(ctx, org.ID, "ep"); return err })
	run("EndpointSeq", func() error { _, _, err := r.EndpointSeq(ctx, org.ID, "ep"); return err })
	run("Endpoints", func() error { _, _, err := r.Endpoints(ctx, org.ID); return err })
	run("ChannelEndpoint", func() error { _, err := r.ChannelEndpoint(ctx, org.ID, 1); return err })
	run("DeleteEndpoint", func() error { return w.DeleteEndpoint(ctx, org.ID, "ep") })
	run("Delivery", func() error { _, err := r.Delivery(ctx, org.ID, 1); return err })
	run("Deliveries", func() error {
		_, err := r.Deliveries(ctx, []store.DeliveryKey{{OrgID: org.ID, ID: 1}, {OrgID: org.ID, ID: 2}})
		return err
	})
	run("Attempts/endpoint", func() error { _, err := r.Attempts(ctx, org.ID, 1, 0, 50); return err })
	run("Attempts/event", func() error { _, err := r.Attempts(ctx, org.ID, 0, 1, 50); return err })
	run("Attempts/both", func() error { _, err := r.Attempts(ctx, org.ID, 1, 1, 50); return err })
	run("PendingTimeEndpoints (pending-time sweep)", func() error { _, err := r.PendingTimeEndpoints(ctx); return err })
	run("PendingSince (pending-time sweep)", func() error { _, err := r.PendingSince(ctx, org.ID, 1, now, 100); return err })

	// Notifications.
	run("Notification", func() error { _, err := r.Notification(ctx, org.ID, 1); return err })
	run("NotificationByToken", func() error { _, err := r.NotificationByToken(ctx, "token"); return err })
	for name, f := range map[string]store.NotificationFilter{
		"all": {}, "tracking": {TrackingID: tr.ID}, "return": {ReturnID: "ret"}, "state": {State: "sent"}, "since": {Since: day},
	} {
		run("Notifications/"+name, func() error { _, err := r.Notifications(ctx, org.ID, f); return err })
	}
	run("NotificationSettings", func() error { _, _, err := r.NotificationSettings(ctx, org.ID); return err })
	run("NotificationTemplate", func() error { _, err := r.NotificationTemplate(ctx, org.ID, waybill.TagDelivered, "en"); return err })
	run("NotificationTemplates", func() error { _, err := r.NotificationTemplates(ctx, org.ID); return err })
	run("DeleteNotificationTemplate", func() error { return w.DeleteNotificationTemplate(ctx, org.ID, waybill.TagDelivered, "en") })
	run("Unsubscribed", func() error { _, err := r.Unsubscribed(ctx, org.ID, tr.ID, "", "a@example.com"); return err })
	run("Unsubscribed/return", func() error { _, err := r.Unsubscribed(ctx, org.ID, "", "ret", "a@example.com"); return err })

	// Commerce (Onport): every list with each filter column, and the gets.
	method := map[string]string{
		"channels": "Channels", "customers": "Customers", "dropship_providers": "Providers", "sales": "Sales",
		"sale_items": "SaleItems", "purchases": "Purchases", "purchase_items": "PurchaseItems",
		"dropshipments": "Dropshipments", "dropshipment_items": "DropshipmentItems", "variants": "Variants",
		"dropshipment_tracking_events": "DropshipmentTrackingEvents",
	}
	lister := map[string]func(conds []store.Cond) error{
		"channels":           func(c []store.Cond) error { return get(ignore(r.Channels(ctx, org.ID, c, store.Page{Limit: 50}))) },
		"customers":          func(c []store.Cond) error { return get(ignore(r.Customers(ctx, org.ID, c, store.Page{Limit: 50}))) },
		"dropship_providers": func(c []store.Cond) error { return get(ignore(r.Providers(ctx, org.ID, c, store.Page{Limit: 50}))) },
		"sales":              func(c []store.Cond) error { _, err := r.Sales(ctx, org.ID, c, store.Page{Limit: 50}); return err },
		"sale_items":         func(c []store.Cond) error { _, err := r.SaleItems(ctx, org.ID, c, store.Page{Limit: 50}); return err },
		"purchases":          func(c []store.Cond) error { _, err := r.Purchases(ctx, org.ID, c, store.Page{Limit: 50}); return err },
		"purchase_items": func(c []store.Cond) error {
			_, err := r.PurchaseItems(ctx, org.ID, c, store.Page{Limit: 50})
			return err
		},
		"dropshipments": func(c []store.Cond) error {
			_, err := r.Dropshipments(ctx, org.ID, c, store.Page{Limit: 50})
			return err
		},
		"dropshipment_items": func(c []store.Cond) error {
			_, err := r.DropshipmentItems(ctx, org.ID, c, store.Page{Limit: 50})
			return err
		},
		"variants": func(c []store.Cond) error { _, err := r.Variants(ctx, org.ID, c, store.Page{Limit: 50}); return err },
		"dropshipment_tracking_events": func(c []store.Cond) error {
			_, err := r.DropshipmentTrackingEvents(ctx, org.ID, c, store.Page{Limit: 50})
			return err
		},
	}
	for table, columns := range store.FilterColumns {
		list, ok := lister[table]
		if !ok {
			t.Errorf("FilterColumns has %s, which the index test does not list: add it to exerciseStore", table)
			continue
		}
		run(method[table]+"/all", func() error { return list(nil) })
		for _, col := range columns {
			val := any(int64(1))
			if !isNumericColumn(col) {
				val = "x"
			}
			run(method[table]+"/by "+col, func() error { return list([]store.Cond{{Column: col, Values: []any{val}}}) })
		}
	}
	run("Channel", func() error { _, err := r.Channel(ctx, org.ID, 1); return err })
	run("ChannelByHash", func() error { _, err := r.ChannelByHash(ctx, "hash"); return err })
	run("Customer", func() error { _, err := r.Customer(ctx, org.ID, 1); return err })
	run("Sale", func() error { _, err := r.Sale(ctx, org.ID, 1); return err })
	run("SaleByExternalID", func() error { _, err := r.SaleByExternalID(ctx, org.ID, 1, "x"); return err })
	run("SaleForUpdate", func() error { _, err := w.SaleForUpdate(ctx, org.ID, 1); return err })
	run("SaleByExternalIDForUpdate", func() error { _, err := w.SaleByExternalIDForUpdate(ctx, org.ID, 1, "x"); return err })
	run("Purchase", func() error { _, err := r.Purchase(ctx, org.ID, 1); return err })
	run("SalesByExternalIDForUpdate", func() error {
		_, err := w.SalesByExternalIDForUpdate(ctx, org.ID, 1, []string{"x", "y"})
		return err
	})
	run("UpdateSales", func() error {
		return w.UpdateSales(ctx, org.ID, []waybill.Sale{{ID: 1, OrgID: org.ID}, {ID: 2, OrgID: org.ID}})
	})
	run("UpdateSaleItems", func() error {
		return w.UpdateSaleItems(ctx, org.ID, []waybill.SaleItem{{ID: 1, OrgID: org.ID}, {ID: 2, OrgID: org.ID}})
	})
	run("UpdatePurchaseItemQuantities", func() error {
		return w.UpdatePurchaseItemQuantities(ctx, org.ID, []waybill.PurchaseItem{{ID: 1, Quantity: 1}, {ID: 2, Quantity: 2}})
	})
	run("CustomersByEmail", func() error { _, err := r.CustomersByEmail(ctx, org.ID, []string{"a@example.com"}); return err })
	run("ProvidersByExternalID", func() error { _, err := r.ProvidersByExternalID(ctx, org.ID, []string{"v"}); return err })
	run("Dropshipment", func() error { _, err := r.Dropshipment(ctx, org.ID, 1); return err })
	run("Variant", func() error { _, err := r.Variant(ctx, org.ID, 1); return err })

	// Inbound messages (/v1/api-logs and the processor's queue).
	run("CountPendingInbound", func() error { _, err := r.CountPendingInbound(ctx); return err })
	run("PendingInboundChannels", func() error { _, err := r.PendingInboundChannels(ctx); return err })
	run("PendingInbound", func() error { _, err := r.PendingInbound(ctx, 1, 100); return err })
	for name, f := range map[string]store.InboundFilter{
		"all": {}, "channel": {ChannelID: 1}, "status": {Status: "failed"}, "kind": {Kind: "sale"},
		"external id": {ExternalID: "x"}, "day": {Since: day, Until: day.Add(24 * time.Hour)}, "page 2": {Offset: 100},
	} {
		run("InboundLogs (/v1/api-logs) "+name, func() error { _, err := r.InboundLogs(ctx, org.ID, f); return err })
	}

	// Courier connections.
	run("Connection", func() error { _, err := r.Connection(ctx, org.ID, "conn"); return err })
	run("FirstConnection", func() error { _, err := r.FirstConnection(ctx, org.ID, "ups"); return err })
	run("ConnectedCouriers", func() error {
		// Two keys: on PostgreSQL the many-key statement, else one probe each.
		_, err := r.ConnectedCouriers(ctx, []store.OrgCourier{{OrgID: org.ID, Slug: "ups"}, {OrgID: org.ID, Slug: "dhl"}})
		return err
	})
	run("EveryConnection", func() error {
		return r.EveryConnection(ctx, func(waybill.CourierConnection) error { return nil })
	})
	run("ListConnections", func() error { _, _, _, err := r.ListConnections(ctx, org.ID, "", 50, 0); return err })
	run("ListConnections/slug", func() error { _, _, _, err := r.ListConnections(ctx, org.ID, "ups", 50, 10); return err })
	run("DeleteConnection", func() error { return w.DeleteConnection(ctx, org.ID, "conn") })

	// Trackers, providers, locations.
	run("TrackerProvider", func() error { _, err := r.TrackerProvider(ctx, org.ID, "p"); return err })
	run("TrackerProviderByName", func() error { _, err := r.TrackerProviderByName(ctx, org.ID, "p"); return err })
	run("TrackerProviders", func() error { _, err := r.TrackerProviders(ctx, org.ID); return err })
	run("DeleteTrackerProvider", func() error { return w.DeleteTrackerProvider(ctx, org.ID, "p") })
	run("TrackerLocation", func() error { _, err := r.TrackerLocation(ctx, org.ID, "l"); return err })
	run("TrackerLocationByExternalID", func() error { _, err := r.TrackerLocationByExternalID(ctx, org.ID, "l"); return err })
	run("TrackerLocations", func() error { _, err := r.TrackerLocations(ctx, org.ID); return err })
	run("DeleteTrackerLocation", func() error { return w.DeleteTrackerLocation(ctx, org.ID, "l") })
	run("TrackerByExternalID", func() error { _, err := r.TrackerByExternalID(ctx, org.ID, "x"); return err })
	run("TrackerByTrackingID", func() error { _, err := r.TrackerByTrackingID(ctx, org.ID, tr.ID); return err })
	run("FirstTrackerOfGroup", func() error { _, err := r.FirstTrackerOfGroup(ctx, org.ID, "g"); return err })
	from, to := now.UnixMilli(), now.Add(time.Hour).UnixMilli()
	for name, f := range map[string]waybill.TrackerFilter{
		"all": {}, "group": {GroupID: "g"}, "status": {Status: "delivered"}, "provider": {Provider: "p"},
		"created range": {CreatedFrom: &from, CreatedTo: &to},
	} {
		f.Limit = 50
		run("Trackers/"+name, func() error { _, _, err := r.Trackers(ctx, org.ID, f); return err })
	}

	// Onport connector.
	run("OnportConnection", func() error { _, err := r.OnportConnection(ctx, org.ID, "c"); return err })
	run("OnportConnectionByHook", func() error { _, err := r.OnportConnectionByHook(ctx, "hook"); return err })
	run("OnportConnections", func() error { _, err := r.OnportConnections(ctx, org.ID); return err })
	run("OnportLink", func() error { _, err := r.OnportLink(ctx, org.ID, "c", 1); return err })
	run("OnportLinksByTracking", func() error { _, err := r.OnportLinksByTracking(ctx, org.ID, tr.ID); return err })
	run("DeleteOnportConnection", func() error { return w.DeleteOnportConnection(ctx, org.ID, "c") })

	// Returns.
	run("Return", func() error { _, _, err := r.Return(ctx, org.ID, "ret", false); return err })
	run("Return/locked", func() error { _, _, err := w.Return(ctx, org.ID, "ret", true); return err })
	run("ReturnBySeq", func() error { _, err := r.ReturnBySeq(ctx, org.ID, 1); return err })
	run("ReturnByToken", func() error { _, _, err := r.ReturnByToken(ctx, "token", false); return err })
	run("ReturnsByTracking", func() error { _, err := w.ReturnsByTracking(ctx, org.ID, tr.ID); return err })
	run("OrderReturns", func() error { _, err := r.OrderReturns(ctx, org.ID, "order-key"); return err })
	for name, f := range map[string]waybill.ReturnFilter{
		"all": {}, "status": {Status: waybill.ReturnApproved}, "since": {Since: day}, "order number": {OrderNumber: "#1001"},
	} {
		f.Limit = 100
		run("Returns/"+name, func() error { _, err := r.Returns(ctx, org.ID, f); return err })
	}
	run("ExpiringReturns (return expiry sweep)", func() error { _, err := r.ExpiringReturns(ctx, now, 100); return err })
	run("ClaimReturnQuantity", func() error { return w.ClaimReturnQuantity(ctx, org.ID, "order-key", "line", 2, 1) })
	run("ReleaseReturnQuantity", func() error { return w.ReleaseReturnQuantity(ctx, org.ID, "order-key", "line", 1) })
	run("ClaimedReturnQuantities", func() error { _, err := r.ClaimedReturnQuantities(ctx, org.ID, "order-key"); return err })
	run("ReturnSettings", func() error { _, _, err := r.ReturnSettings(ctx, org.ID); return err })
	run("UpdateReturn", func() error { return w.UpdateReturn(ctx, &waybill.Return{OrgID: org.ID, ID: "ret", UpdatedAt: now}) })
	run("ClaimGroupNotice", func() error {
		_, err := w.ClaimGroupNotice(ctx, org.ID, "g", waybill.TagDelivered, "x", now)
		return err
	})

	// Updates by key, and the inbound queue's writes (whose duplicate check
	// is a read).
	ch := &waybill.Channel{OrgID: org.ID, Name: "shop", WebhookHash: "hash", CreatedAt: now}
	if err := w.InsertChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	run("InsertInbound", func() error {
		return w.InsertInbound(ctx, []*waybill.InboundMessage{{OrgID: org.ID, ChannelID: ch.ID,
			Kind: waybill.InboundManualSale, ExternalID: "sale-1", Body: []byte("{}"), ReceivedAt: now}})
	})
	run("FinishInbound", func() error { return w.FinishInbound(ctx, 1, "processed", nil, nil, now) })
	run("FinishInboundDone", func() error {
		return w.FinishInboundDone(ctx, []int64{1, 2}, []*waybill.InboundResult{{}, {}}, now)
	})
	run("UpdateChannel", func() error { return w.UpdateChannel(ctx, *ch) })
	run("UpdateEndpoint", func() error {
		return w.UpdateEndpoint(ctx, &waybill.WebhookEndpoint{ID: "ep", OrgID: org.ID, URL: "https://example.com/hook"})
	})
	run("FinishAttempts", func() error {
		return w.FinishAttempts(ctx, []store.AttemptRecord{{OrgID: org.ID, DeliveryID: 1, Status: store.DeliverySucceeded},
			{OrgID: org.ID, DeliveryID: 2, Status: store.DeliveryPending, NextAt: now}})
	})
	run("ClaimDueDeliveries", func() error { _, err := w.ClaimDueDeliveries(ctx, now, time.Minute, 10); return err })
	run("ClaimAndReadDueDeliveries", func() error { _, err := w.ClaimAndReadDueDeliveries(ctx, now, time.Minute, 10); return err })
	run("DeferClaim", func() error { return w.DeferClaim(ctx, store.DeliveryKey{OrgID: org.ID, ID: 1}, now, now) })
	run("ReleaseClaims", func() error {
		return w.ReleaseClaims(ctx, []store.DeliveryKey{{OrgID: org.ID, ID: 1}, {OrgID: org.ID, ID: 2}}, now, now)
	})
	run("ReleaseDeliveryClaims", func() error { _, err := w.ReleaseDeliveryClaims(ctx, now, time.Minute); return err })
	run("ClaimPolls", func() error { _, err := w.ClaimPolls(ctx, now, time.Minute, 10); return err })
	run("DeferPoll", func() error {
		return w.DeferPoll(ctx, store.PollKey{OrgID: org.ID, ID: tr.ID}, now, now)
	})
	run("TrackingUnderPollClaim", func() error {
		_, _, err := w.TrackingUnderPollClaim(ctx, store.PollKey{OrgID: org.ID, ID: tr.ID}, now)
		return err
	})
	run("UpdateTrackingNextPoll", func() error { return w.UpdateTrackingNextPoll(ctx, tr, now) })
	run("SchedulePolls", func() error {
		return w.SchedulePolls(ctx, []store.PollDue{{OrgID: org.ID, ID: tr.ID, Due: now}, {OrgID: org.ID, ID: "other", Due: now}})
	})
	run("ReleasePollClaims", func() error { _, err := w.ReleasePollClaims(ctx, now, time.Minute); return err })
	run("EndPollClaim", func() error {
		_, err := w.EndPollClaim(ctx, store.PollKey{OrgID: org.ID, ID: tr.ID}, now)
		return err
	})
	run("ClearFailing", func() error {
		return w.ClearFailing(ctx, []store.EndpointKey{{OrgID: org.ID, Seq: 1}, {OrgID: org.ID, Seq: 2}}, now)
	})
	run("FinishNotification", func() error { return w.FinishNotification(ctx, org.ID, 1, waybill.Notification{}) })
	run("UpdateConnection", func() error {
		return w.UpdateConnection(ctx, &waybill.CourierConnection{OrgID: org.ID, ID: "conn", UpdatedAt: now})
	})
	run("UpdateOnportConnection", func() error {
		return w.UpdateOnportConnection(ctx, waybill.OnportConnection{OrgID: org.ID, ID: "c", UpdatedAt: now})
	})
	run("UpdateOnportLink", func() error {
		return w.UpdateOnportLink(ctx, waybill.OnportLink{OrgID: org.ID, ConnectionID: "c", RemoteID: 1, UpdatedAt: now})
	})
	run("UpdateTrackerProvider", func() error {
		return w.UpdateTrackerProvider(ctx, &waybill.TrackerProvider{OrgID: org.ID, ID: "p"})
	})
	run("UpdateTrackerLocation", func() error {
		return w.UpdateTrackerLocation(ctx, &waybill.TrackerLocation{OrgID: org.ID, ID: "l"})
	})
	run("UpdateTracker", func() error { return w.UpdateTracker(ctx, &waybill.Tracker{OrgID: org.ID, ID: "x"}) })
	run("OrgByName", func() error { _, err := r.OrgByName(ctx, "indexes"); return err })
	run("OrgByID", func() error { _, err := r.OrgByID(ctx, org.ID); return err })
	run("ListOrgs", func() error { _, err := r.ListOrgs(ctx); return err })
	run("HasOrgs", func() error { _, err := r.HasOrgs(ctx); return err })

	// Last, since it removes the tracking the calls above read.
	run("DeleteTracking", func() error { return w.DeleteTracking(ctx, org.ID, tr.ID) })
}

// isNumericColumn reports whether a commerce filter column holds an
// integer: internal keys and times (microseconds).
func isNumericColumn(col string) bool {
	switch {
	case col == "external_id" || col == "transaction_id" || col == "tracking_id":
		return false
	case col == "id", strings.HasSuffix(col, "_id"), strings.HasSuffix(col, "_at"):
		return true
	}
	return false
}

// Seeded trackings: neighbourOrgs other organizations and the tested one
// each get perOrg, so that PostgreSQL's statistics tell a selective filter
// (one organization of many, a rare tag, one day) from a broad one.
const (
	neighbourOrgs = 30
	perOrg        = 200
)

// seedTrackings gives the organization, and neighbourOrgs others,
// trackings the list filters mostly do not match: Pending, created and
// updated over the 200 days before day, in one transaction. On PostgreSQL
// it then analyzes the table, as autovacuum would on a live database;
// SQLite is left without statistics, as Waybill runs it.
func seedTrackings(t *testing.T, st *store.Store, orgID int64, day time.Time) {
	t.Helper()
	ctx := context.Background()
	orgs := []int64{orgID}
	for i := range neighbourOrgs {
		orgs = append(orgs, mustOrg(t, st, fmt.Sprintf("neighbour-%d", i)).ID)
	}
	err := st.WithTx(ctx, func(tx *store.Tx) error {
		for _, org := range orgs {
			for i := range perOrg {
				tr := newTracking(org, []string{"fedex", "dhl", "usps"}[i%3], fmt.Sprintf("SEED%06d", i))
				tr.CreatedAt = day.Add(-time.Duration(i%200+1) * 24 * time.Hour)
				tr.UpdatedAt = tr.CreatedAt.Add(time.Hour)
				tr.OrderID = fmt.Sprintf("seed-order-%d", i)
				if err := tx.InsertTracking(ctx, tr); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Engine() == store.Postgres {
		if _, err := st.Writer().ExecContext(ctx, "ANALYZE trackings"); err != nil {
			t.Fatal(err)
		}
	}
}
