package returns_test

import (
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/notify"
	"github.com/waybillhq/waybill/internal/returns"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/tracking"
)

const day = 24 * time.Hour

func TestWindowAfterDelivery(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		in := e.ship(e.org, "1111111111", "#IN", 29*day)
		out := e.ship(e.org, "2222222222", "#OUT", 31*day)
		o, err := e.svc.FindOrder(e.ctx, returns.OrderRef{OrgID: e.org.ID, OrderNumber: "#OUT"}, "nw1 6xe")
		if err != nil {
			t.Fatal(err)
		}
		if o.Open || o.Closed != returns.ClosedWindow {
			t.Fatalf("31 days after delivery: open=%v closed=%q; want the window passed", o.Open, o.Closed)
		}
		_, err = e.submit(e.org, "#OUT", map[string]int{out.ID: 1})
		wantCode(t, err, waybill.EINVALID, waybill.ReasonNotReturnable)
		r := e.mustSubmit(e.org, "#IN", map[string]int{in.ID: 1})
		if r.Status != waybill.ReturnSubmitted || r.RMA == "" || len(r.Lines) != 1 || r.Lines[0].Name != "Shipment 1111111111" {
			t.Fatalf("return %+v", r)
		}
		// A longer window opens the older order.
		w := 45
		if _, err := e.svc.UpdateSettings(e.ctx, e.org.ID, waybill.ReturnSettingsPatch{WindowDays: &w}); err != nil {
			t.Fatal(err)
		}
		e.mustSubmit(e.org, "#OUT", map[string]int{out.ID: 1})
	})
}

func TestBeforeDelivery(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		tr := e.ship(e.org, "3333333333", "#PENDING", 0)
		_, err := e.submit(e.org, "#PENDING", map[string]int{tr.ID: 1})
		wantCode(t, err, waybill.EINVALID, waybill.ReasonNotReturnable)
		on := true
		if _, err := e.svc.UpdateSettings(e.ctx, e.org.ID, waybill.ReturnSettingsPatch{BeforeDelivery: &on}); err != nil {
			t.Fatal(err)
		}
		e.mustSubmit(e.org, "#PENDING", map[string]int{tr.ID: 1})
		off := false
		if _, err := e.svc.UpdateSettings(e.ctx, e.org.ID, waybill.ReturnSettingsPatch{BeforeDelivery: &off}); err != nil {
			t.Fatal(err)
		}
		o, err := e.svc.FindOrder(e.ctx, returns.OrderRef{OrgID: e.org.ID, OrderNumber: "#PENDING"}, "ann@example.com")
		if err != nil || o.Closed != returns.ClosedNotDelivered {
			t.Fatalf("before delivery switched off again: %+v %v", o.Closed, err)
		}
	})
}

func TestNonReturnableItem(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		e.sale(e.org, "S-100", saleLine{"Gift card", 1, "GIFT-25"}, saleLine{"Trail shoe", 2, "SHOE-42"})
		e.ship(e.org, "4444444444", "S-100", day)
		list := []string{"gift-25"}
		if _, err := e.svc.UpdateSettings(e.ctx, e.org.ID, waybill.ReturnSettingsPatch{NonReturnable: &list}); err != nil {
			t.Fatal(err)
		}
		o, err := e.svc.FindOrder(e.ctx, returns.OrderRef{OrgID: e.org.ID, OrderNumber: "S-100"}, "ann@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if len(o.Items) != 2 || o.Items[0].Returnable || !o.Items[1].Returnable || o.Items[1].SKU != "SHOE-42" {
			t.Fatalf("items %+v", o.Items)
		}
		_, err = e.submit(e.org, "S-100", map[string]int{"L1": 1})
		wantCode(t, err, waybill.EINVALID, waybill.ReasonNotReturnable)
		if n := len(e.events(e.org)); n != 0 {
			t.Fatalf("a refused return left %d events", n)
		}
		e.mustSubmit(e.org, "S-100", map[string]int{"L2": 2})
	})
}

func TestOverQuantityAcrossReturns(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		e.sale(e.org, "S-200", saleLine{"Sock", 3, ""})
		e.ship(e.org, "5555555555", "S-200", day)
		e.mustSubmit(e.org, "S-200", map[string]int{"L1": 2})
		_, err := e.submit(e.org, "S-200", map[string]int{"L1": 2})
		wantCode(t, err, waybill.ECONFLICT, waybill.ReasonOverQuantity)
		if got := e.events(e.org); len(got) != 1 {
			t.Fatalf("events after the refused return: %v", got)
		}
		rs, err := e.svc.List(e.ctx, e.org.ID, waybill.ReturnFilter{})
		if err != nil || len(rs) != 1 {
			t.Fatalf("a refused return was stored: %d returns, %v", len(rs), err)
		}
		e.mustSubmit(e.org, "S-200", map[string]int{"L1": 1})
		// Everything is claimed now: the order has nothing left to return.
		_, err = e.submit(e.org, "S-200", map[string]int{"L1": 1})
		wantCode(t, err, waybill.EINVALID, waybill.ReasonNotReturnable)
		// A rejected return gives its quantity back.
		if _, err := e.svc.Reject(e.ctx, e.org.ID, rs[0].ID, "Worn"); err != nil {
			t.Fatal(err)
		}
		e.mustSubmit(e.org, "S-200", map[string]int{"L1": 2})
	})
}

// TestConcurrentReturnsNeverExceed races returns of one item each for a
// line of three: exactly three win, whatever the interleaving.
func TestConcurrentReturnsNeverExceed(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		e.sale(e.org, "S-300", saleLine{"Cap", 3, ""})
		e.ship(e.org, "6666666666", "S-300", day)
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.submit(e.org, "S-300", map[string]int{"L1": 1})
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case waybill.ErrorReason(err) != waybill.ReasonOverQuantity && waybill.ErrorReason(err) != waybill.ReasonNotReturnable:
				t.Errorf("unexpected error %v", err)
			}
		}
		rs, _ := e.svc.List(e.ctx, e.org.ID, waybill.ReturnFilter{})
		if won != 3 || len(rs) != 3 {
			t.Fatalf("%d returns won, %d stored; want 3", won, len(rs))
		}
	})
}

// TestClaimsAreTheDatabases races claims straight at the store, past
// every check of the service: the database alone lets exactly three of
// eight one-item claims on a line of three through.
func TestClaimsAreTheDatabases(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = e.st.WithTx(e.ctx, func(tx *store.Tx) error {
					return tx.ClaimReturnQuantity(e.ctx, e.org.ID, "order:X", "L1", 3, 1)
				})
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
			} else if waybill.ErrorReason(err) != waybill.ReasonOverQuantity {
				t.Errorf("unexpected error %v", err)
			}
		}
		claimed, err := e.st.Read().ClaimedReturnQuantities(e.ctx, e.org.ID, "order:X")
		if won != 3 || err != nil || claimed["L1"] != 3 {
			t.Fatalf("%d claims won, %v claimed (%v); want 3", won, claimed, err)
		}
		// The CHECK constraint refuses what no statement of the store would write.
		if _, err := e.st.Writer().ExecContext(e.ctx, `UPDATE return_quantities SET claimed = 4 WHERE org_id = $1`, e.org.ID); err == nil {
			t.Fatal("the database accepted claimed > ordered")
		}
	})
}

// reach makes a return and moves it to status.
func reach(t *testing.T, e *env, order string, status waybill.ReturnStatus) waybill.Return {
	t.Helper()
	tr := e.ship(e.org, "7"+order, order, day)
	r := e.mustSubmit(e.org, order, map[string]int{tr.ID: 1})
	var err error
	step := func(fn func() (waybill.Return, error)) {
		if err == nil {
			r, err = fn()
		}
	}
	switch status {
	case waybill.ReturnRejected:
		step(func() (waybill.Return, error) { return e.svc.Reject(e.ctx, e.org.ID, r.ID, "No") })
	case waybill.ReturnApproved, waybill.ReturnShipped, waybill.ReturnReceived, waybill.ReturnResolved, waybill.ReturnExpired:
		step(func() (waybill.Return, error) {
			return e.svc.Approve(e.ctx, e.org.ID, r.ID, returns.ApproveInput{TrackingNumber: "R" + order + "00", Slug: "dhl"})
		})
	}
	switch status {
	case waybill.ReturnShipped:
		e.scan(r.ReturnTrackingNumber, waybill.TagInTransit)
		r, err = e.svc.Get(e.ctx, e.org.ID, r.ID)
	case waybill.ReturnReceived, waybill.ReturnResolved:
		step(func() (waybill.Return, error) { return e.svc.Receive(e.ctx, e.org.ID, r.ID, nil) })
		if status == waybill.ReturnResolved {
			step(func() (waybill.Return, error) { return e.svc.Resolve(e.ctx, e.org.ID, r.ID, "Refunded") })
		}
	case waybill.ReturnExpired:
		e.advance(15 * day)
		if _, err := e.svc.ExpireStale(e.ctx); err != nil {
			t.Fatal(err)
		}
		r, err = e.svc.Get(e.ctx, e.org.ID, r.ID)
	}
	if err != nil || r.Status != status {
		t.Fatalf("reach %s: %s, %v", status, r.Status, err)
	}
	return r
}

// scan pushes one checkpoint with that tag to the return parcel.
func (e *env) scan(number string, tag waybill.Tag) {
	e.t.Helper()
	if _, err := e.trackings.PushCheckpoints(e.ctx, e.org.ID, tracking.PushInput{Slug: "dhl", TrackingNumber: number,
		Checkpoints: []waybill.Checkpoint{{CheckpointTime: e.clock().Format(time.RFC3339), Message: string(tag), Tag: tag}}}); err != nil {
		e.t.Fatal(err)
	}
}

// TestRefusedActionsChangeNothing tries every merchant action in every
// status: each one the state machine refuses is a 409-coded error, and the
// return, its events and its deliveries stay as they were.
func TestRefusedActionsChangeNothing(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		actions := map[waybill.ReturnAction]func(id string) (waybill.Return, error){
			waybill.ActionApprove: func(id string) (waybill.Return, error) {
				return e.svc.Approve(e.ctx, e.org.ID, id, returns.ApproveInput{TrackingNumber: "RX" + id[:8], Slug: "dhl"})
			},
			waybill.ActionReject:  func(id string) (waybill.Return, error) { return e.svc.Reject(e.ctx, e.org.ID, id, "No") },
			waybill.ActionReceive: func(id string) (waybill.Return, error) { return e.svc.Receive(e.ctx, e.org.ID, id, nil) },
			waybill.ActionResolve: func(id string) (waybill.Return, error) { return e.svc.Resolve(e.ctx, e.org.ID, id, "") },
		}
		refused := 0
		for i, status := range waybill.ReturnStatuses {
			r := reach(t, e, "#S"+string(rune('A'+i)), status)
			for action, do := range actions {
				if _, err := status.Next(action); err == nil {
					continue
				}
				refused++
				before, events, deliveries := r, len(e.events(e.org)), e.deliveries(e.org)
				_, err := do(r.ID)
				if waybill.ErrorCode(err) != waybill.ECONFLICT || waybill.ErrorReason(err) != waybill.ReasonReturnStatus {
					t.Errorf("%s in %s: %v; want conflict/return_status", action, status, err)
					continue
				}
				after, err := e.svc.Get(e.ctx, e.org.ID, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(before, after) {
					t.Errorf("%s in %s changed the return:\n%+v\n%+v", action, status, before, after)
				}
				if n, d := len(e.events(e.org)), e.deliveries(e.org); n != events || d != deliveries {
					t.Errorf("%s in %s wrote events (%d→%d) or deliveries (%d→%d)", action, status, events, n, deliveries, d)
				}
			}
		}
		if refused < 18 {
			t.Fatalf("only %d refusals tried", refused)
		}
	})
}

// TestReturnParcelMovesTheReturn approves with a return tracking number:
// the parcel becomes a return tracking, its first scan ships the return
// and its delivery receives it, each change one event, one delivery and
// one email notification with its job, recorded in the same transaction.
func TestReturnParcelMovesTheReturn(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		tr := e.ship(e.org, "8888888888", "#P1", day)
		r := e.mustSubmit(e.org, "#P1", map[string]int{tr.ID: 1})
		r, err := e.svc.Approve(e.ctx, e.org.ID, r.ID, returns.ApproveInput{TrackingNumber: "RET 0001", Slug: "dhl",
			LabelURL: "https://labels.example.com/r1.pdf"})
		if err != nil {
			t.Fatal(err)
		}
		parcel, err := e.trackings.Get(e.ctx, e.org.ID, r.ReturnTrackingID)
		if err != nil || parcel.ShipmentDirection != "return" || parcel.TrackingNumber != "RET0001" || parcel.OrderNumber != "#P1" {
			t.Fatalf("return parcel %+v, %v", parcel, err)
		}
		e.scan("RET0001", waybill.TagInTransit)
		e.scan("RET0001", waybill.TagInTransit) // no change, no event
		if r, _ = e.svc.Get(e.ctx, e.org.ID, r.ID); r.Status != waybill.ReturnShipped {
			t.Fatalf("after the first scan: %s", r.Status)
		}
		e.scan("RET0001", waybill.TagDelivered)
		if r, _ = e.svc.Get(e.ctx, e.org.ID, r.ID); r.Status != waybill.ReturnReceived {
			t.Fatalf("after delivery: %s", r.Status)
		}
		want := []string{waybill.EventReturnSubmitted, waybill.EventReturnApproved, waybill.EventReturnShipped, waybill.EventReturnReceived}
		if got := e.events(e.org); !slices.Equal(got, want) {
			t.Fatalf("events %v; want %v", got, want)
		}
		if d, j := e.deliveries(e.org), e.jobs("send_notification"); d != 4 || j != 4 {
			t.Fatalf("%d deliveries and %d notification jobs; want 4 each", d, j)
		}
		ns, err := e.notifier.List(e.ctx, e.org.ID, notify.Filter{ReturnID: r.ID})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, n := range ns {
			if n.Recipient != "ann@example.com" || n.Channel != waybill.ChannelEmail || n.State != waybill.NotificationPending || n.TrackingID != "" {
				t.Errorf("notification %+v", n)
			}
			keys = append(keys, string(n.Status))
		}
		slices.Sort(keys)
		if w := slices.Sorted(slices.Values(want)); !slices.Equal(keys, w) {
			t.Errorf("notifications %v; want one per change %v", keys, w)
		}
		// Received by the merchant first: the parcel's delivery changes nothing.
		tr2 := e.ship(e.org, "9999999999", "#P2", day)
		r2 := e.mustSubmit(e.org, "#P2", map[string]int{tr2.ID: 1})
		if r2, err = e.svc.Approve(e.ctx, e.org.ID, r2.ID, returns.ApproveInput{TrackingNumber: "RET0002", Slug: "dhl"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Receive(e.ctx, e.org.ID, r2.ID, nil); err != nil {
			t.Fatal(err)
		}
		n := len(e.events(e.org))
		e.scan("RET0002", waybill.TagDelivered)
		if r2, _ = e.svc.Get(e.ctx, e.org.ID, r2.ID); r2.Status != waybill.ReturnReceived || len(e.events(e.org)) != n {
			t.Fatalf("delivery after the merchant received: %s, %d events (was %d)", r2.Status, len(e.events(e.org)), n)
		}
	})
}

func TestExpiry(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		e.sale(e.org, "S-400", saleLine{"Hat", 1, ""})
		e.ship(e.org, "1212121212", "S-400", day)
		r := e.mustSubmit(e.org, "S-400", map[string]int{"L1": 1})
		if _, err := e.svc.Approve(e.ctx, e.org.ID, r.ID, returns.ApproveInput{}); err != nil {
			t.Fatal(err)
		}
		e.advance(13 * day)
		if n, err := e.svc.ExpireStale(e.ctx); err != nil || n != 0 {
			t.Fatalf("expired %d before the limit, %v", n, err)
		}
		e.advance(2 * day)
		if n, err := e.svc.ExpireStale(e.ctx); err != nil || n != 1 {
			t.Fatalf("expired %d after the limit, %v", n, err)
		}
		if r, _ = e.svc.Get(e.ctx, e.org.ID, r.ID); r.Status != waybill.ReturnExpired {
			t.Fatalf("status %s", r.Status)
		}
		if got := e.events(e.org); got[len(got)-1] != waybill.EventReturnExpired {
			t.Fatalf("events %v", got)
		}
		// The expired return gave its item back (the window still open).
		e.mustSubmit(e.org, "S-400", map[string]int{"L1": 1})
	})
}

func TestTenantIsolation(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		tr := e.ship(e.org, "1313131313", "#ISO", day)
		r := e.mustSubmit(e.org, "#ISO", map[string]int{tr.ID: 1})
		if _, err := e.svc.Get(e.ctx, e.org2.ID, r.ID); waybill.ErrorCode(err) != waybill.ENOTFOUND {
			t.Errorf("get from another organization: %v", err)
		}
		if _, err := e.svc.Approve(e.ctx, e.org2.ID, r.ID, returns.ApproveInput{}); waybill.ErrorCode(err) != waybill.ENOTFOUND {
			t.Errorf("approve from another organization: %v", err)
		}
		if _, err := e.svc.Reject(e.ctx, e.org2.ID, r.ID, "x"); waybill.ErrorCode(err) != waybill.ENOTFOUND {
			t.Errorf("reject from another organization: %v", err)
		}
		if rs, err := e.svc.List(e.ctx, e.org2.ID, waybill.ReturnFilter{}); err != nil || len(rs) != 0 {
			t.Errorf("list of another organization: %d, %v", len(rs), err)
		}
		// The portal of another organization does not find the order.
		if _, err := e.svc.FindOrder(e.ctx, returns.OrderRef{OrgID: e.org2.ID, OrderNumber: "#ISO"}, "ann@example.com"); waybill.ErrorCode(err) != waybill.ENOTFOUND {
			t.Errorf("order found through another organization's portal: %v", err)
		}
		if _, err := e.submit(e.org2, "#ISO", map[string]int{tr.ID: 1}); waybill.ErrorCode(err) != waybill.ENOTFOUND {
			t.Errorf("submit through another organization's portal: %v", err)
		}
		if r2, _ := e.svc.Get(e.ctx, e.org.ID, r.ID); r2.Status != waybill.ReturnSubmitted {
			t.Errorf("status %s", r2.Status)
		}
		if n := len(e.events(e.org2)); n != 0 {
			t.Errorf("the other organization heard %d return events", n)
		}
	})
}

func TestProofAndReasons(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		tr := e.ship(e.org, "1414141414", "#PR", day)
		for _, verify := range []string{"bob@example.com", "", "SW1A 1AA"} {
			if _, err := e.svc.FindOrder(e.ctx, returns.OrderRef{OrgID: e.org.ID, OrderNumber: "#PR"}, verify); waybill.ErrorCode(err) != waybill.ENOTFOUND {
				t.Errorf("verify %q: %v", verify, err)
			}
		}
		ref := returns.OrderRef{Token: tr.PageToken}
		if _, err := e.svc.FindOrder(e.ctx, ref, "NW16XE"); err != nil {
			t.Errorf("by page token and postal code: %v", err)
		}
		// "damaged" asks for a comment; an offered resolution is required.
		in := returns.SubmitInput{Lines: []returns.LineInput{{ID: tr.ID, Quantity: 1, Reason: "damaged", Resolution: waybill.ResolutionRefund}}}
		_, err := e.svc.Submit(e.ctx, ref, "ann@example.com", in)
		wantCode(t, err, waybill.EINVALID, waybill.ReasonFieldInvalid)
		only := []waybill.Resolution{waybill.ResolutionStoreCredit}
		if _, err := e.svc.UpdateSettings(e.ctx, e.org.ID, waybill.ReturnSettingsPatch{Resolutions: &only}); err != nil {
			t.Fatal(err)
		}
		in.Lines[0].Comment = "Box crushed"
		_, err = e.svc.Submit(e.ctx, ref, "ann@example.com", in)
		wantCode(t, err, waybill.EINVALID, waybill.ReasonFieldInvalid)
		in.Lines[0].Resolution = waybill.ResolutionStoreCredit
		r, err := e.svc.Submit(e.ctx, ref, "ann@example.com", in)
		if err != nil || r.TrackingID != tr.ID || r.Lines[0].Comment != "Box crushed" || r.Email != "ann@example.com" {
			t.Fatalf("%+v %v", r, err)
		}
	})
}

func TestAutoApprove(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		on := true
		if _, err := e.svc.UpdateSettings(e.ctx, e.org.ID, waybill.ReturnSettingsPatch{AutoApprove: &on}); err != nil {
			t.Fatal(err)
		}
		tr := e.ship(e.org, "1515151515", "#AA", day)
		r := e.mustSubmit(e.org, "#AA", map[string]int{tr.ID: 1})
		if r.Status != waybill.ReturnApproved || r.ExpiresAt != t0.Add(14*day) {
			t.Fatalf("auto-approved return %s, expires %v", r.Status, r.ExpiresAt)
		}
		if got := e.events(e.org); !slices.Equal(got, []string{waybill.EventReturnSubmitted, waybill.EventReturnApproved}) {
			t.Fatalf("events %v", got)
		}
	})
}

func TestSettingsValidation(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		bad := []waybill.ReturnSettingsPatch{
			{WindowDays: ptr(-1)},
			{ShipWithinDays: ptr(0)},
			{Reasons: &[]waybill.ReturnReason{}},
			{Reasons: &[]waybill.ReturnReason{{Code: "a", Label: "A"}, {Code: "a", Label: "B"}}},
			{Reasons: &[]waybill.ReturnReason{{Code: "a", Label: "A", Translations: map[string]string{"it": "x"}}}},
			{Reasons: &[]waybill.ReturnReason{{Code: "a\x00", Label: "A"}}},
			{Resolutions: &[]waybill.Resolution{"cash"}},
			{NonReturnable: &[]string{"ok", "bad\x00"}},
			{ReturnAddress: ptr("\xff")},
		}
		for i, p := range bad {
			_, err := e.svc.UpdateSettings(e.ctx, e.org.ID, p)
			wantCode(t, err, waybill.EINVALID, waybill.ReasonFieldInvalid)
			if s, _ := e.svc.Settings(e.ctx, e.org.ID); !s.UpdatedAt.IsZero() {
				t.Fatalf("patch %d was stored", i)
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestOnportSaleReturned receives a return of an Onport sale in two steps:
// the line and the sale go partially returned, then returned.
func TestOnportSaleReturned(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		sale := e.sale(e.org, "S-500", saleLine{"Boot", 2, ""}, saleLine{"Lace", 1, ""})
		e.ship(e.org, "1616161616", "S-500", day)
		r := e.mustSubmit(e.org, "S-500", map[string]int{"L1": 2, "L2": 1})
		if _, err := e.svc.Approve(e.ctx, e.org.ID, r.ID, returns.ApproveInput{}); err != nil {
			t.Fatal(err)
		}
		check := func(wantSale string, wantItems map[string][2]any) {
			t.Helper()
			s, items, err := e.st.Read().OrderSale(e.ctx, e.org.ID, "S-500")
			if err != nil || s.ID != sale.ID {
				t.Fatal(err)
			}
			if s.ReturnStatus != wantSale {
				t.Errorf("sale returnStatus %q; want %q", s.ReturnStatus, wantSale)
			}
			for _, it := range items {
				if w := wantItems[it.ExternalID]; it.QuantityReturned != w[0] || it.ReturnStatus != w[1] {
					t.Errorf("line %s: %d %q; want %v", it.ExternalID, it.QuantityReturned, it.ReturnStatus, w)
				}
			}
		}
		check("", map[string][2]any{"L1": {0, ""}, "L2": {0, ""}})
		if _, err := e.svc.Receive(e.ctx, e.org.ID, r.ID, []returns.Received{{LineID: "L1", Quantity: 1}}); err != nil {
			t.Fatal(err)
		}
		check(waybill.ReturnPartiallyReturned, map[string][2]any{"L1": {1, waybill.ReturnPartiallyReturned}, "L2": {0, ""}})
		if _, err := e.svc.Receive(e.ctx, e.org.ID, r.ID, nil); err != nil {
			t.Fatal(err)
		}
		check(waybill.ReturnReturned, map[string][2]any{"L1": {2, waybill.ReturnReturned}, "L2": {1, waybill.ReturnReturned}})
	})
}
