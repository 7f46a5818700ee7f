package notify_test

import (
	"context"
	"database/sql"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/api/unsubscribe"
	"github.com/waybillhq/waybill/internal/notify"
	"github.com/waybillhq/waybill/internal/notify/notifytest"
	"github.com/waybillhq/waybill/internal/returns"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
)

const shopper = "shopper@example.org"

// returnsEnv adds the returns core to env: its changes reach webhooks and
// then the notifier, in the transaction of each change.
func returnsEnv(t *testing.T, engine string) (*env, *returns.Service) {
	t.Helper()
	e := newEnv(t, engine, false)
	e.notifier.ReturnPageURL = func(r waybill.Return) string { return returns.PageURL("https://track.shop.example", r.PageToken) }
	rets := &returns.Service{Store: e.st, Events: e.notifier.After(e.notifier.Events), Trackings: e.trackings, Now: e.clock.Now}
	address := "Example Returns\n1 Dock Road\nLeeds LS1 1AA"
	if _, err := rets.UpdateSettings(context.Background(), e.org, waybill.ReturnSettingsPatch{ReturnAddress: &address}); err != nil {
		t.Fatal(err)
	}
	return e, rets
}

// shipAndReturn delivers a parcel of an order to the shopper and submits
// a return of it.
func shipAndReturn(t *testing.T, e *env, rets *returns.Service, number, order, lang string) waybill.Return {
	t.Helper()
	ctx := context.Background()
	in := tracking.CreateInput{TrackingNumber: number, Slug: "dhl"}
	in.Fields.OrderNumber, in.Fields.Emails = &order, &[]string{shopper}
	tr, err := e.trackings.Create(ctx, e.org, in)
	if err != nil {
		t.Fatal(err)
	}
	e.push(t, "dhl", number, "Delivered_001")
	r, err := rets.Submit(ctx, returns.OrderRef{OrgID: e.org, OrderNumber: order}, shopper, returns.SubmitInput{Language: lang,
		Lines: []returns.LineInput{{ID: tr.ID, Quantity: 1, Reason: "too_small", Resolution: waybill.ResolutionRefund}}})
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return r
}

// sendReturn sends the pending notifications of a return.
func (e *env) sendReturn(t *testing.T, returnID string) {
	t.Helper()
	e.sendPending(t, "return_id", returnID)
}

// plainText decodes the text/plain part of a mail (the whole body of a
// plain-text one).
func plainText(t *testing.T, m notifytest.Mail) string {
	t.Helper()
	decode := func(r io.Reader, encoding string) string {
		if encoding == "quoted-printable" {
			r = quotedprintable.NewReader(r)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	typ, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	raw := string(m.Raw)
	body := strings.NewReader(raw[strings.Index(raw, "\r\n\r\n")+4:])
	if !strings.HasPrefix(typ, "multipart/") {
		return decode(body, m.Header.Get("Content-Transfer-Encoding"))
	}
	r := multipart.NewReader(body, params["boundary"])
	for {
		p, err := r.NextRawPart()
		if err != nil {
			t.Fatalf("no text/plain part: %v", err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			return decode(p, p.Header.Get("Content-Transfer-Encoding"))
		}
	}
}

// TestReturnEmailsAreNotifications walks a return through its changes:
// each is one recorded notification and one email from the default
// template or the organization's own, with the RMA, the items, what
// happens next, the return's page and an unsubscribe link; a shopper who
// unsubscribes hears no more about that return.
func TestReturnEmailsAreNotifications(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			e, rets := returnsEnv(t, engine)
			ctx := context.Background()
			if _, err := e.notifier.PutTemplate(ctx, e.org, "return.approved", "en", notify.Template{
				Subject: "{{.StoreName}} says yes to {{.RMA}}", SMS: "{{.RMA}}",
				Text: "Approved {{.RMA}}. Label {{.LabelURL}}. Send to {{.ReturnAddress}}. {{range .Items}}[{{.}}]{{end}} {{.PageURL}}"}); err != nil {
				t.Fatal(err)
			}
			r := shipAndReturn(t, e, rets, "JD014600006281230001", "#1001", "en")
			e.sendReturn(t, r.ID)
			r, err := rets.Approve(ctx, e.org, r.ID, returns.ApproveInput{LabelURL: "https://labels.shop.example/l1.pdf"})
			if err != nil {
				t.Fatal(err)
			}
			e.sendReturn(t, r.ID)
			if r, err = rets.Receive(ctx, e.org, r.ID, nil); err != nil {
				t.Fatal(err)
			}
			e.sendReturn(t, r.ID)

			mails := e.smtp.WaitFor(3, 5*time.Second)
			if len(mails) != 3 {
				t.Fatalf("%d mails, want 3", len(mails))
			}
			pageURL := returns.PageURL("https://track.shop.example", r.PageToken)
			for i, want := range []struct{ subject, text string }{
				{"Example Store: your return " + r.RMA + " is submitted", "We will let you know as soon as it is reviewed."},
				{"Example Store says yes to " + r.RMA, "Approved " + r.RMA + ". Label https://labels.shop.example/l1.pdf. Send to Example Returns\n1 Dock Road\nLeeds LS1 1AA. [1 × Shipment JD014600006281230001]"},
				{"Example Store: your return " + r.RMA + " is received", "We are checking the items"},
			} {
				m := mails[i]
				text := plainText(t, m)
				if m.Subject() != want.subject || !strings.Contains(text, want.text) || !strings.Contains(text, pageURL) {
					t.Errorf("mail %d: subject %q, text:\n%s\nwant %q and %q and %s", i, m.Subject(), text, want.subject, want.text, pageURL)
				}
				if len(m.To) != 1 || m.To[0] != shopper || !strings.HasPrefix(m.Header.Get("List-Unsubscribe"), "<https://track.shop.example/u/") {
					t.Errorf("mail %d to %v, List-Unsubscribe %q", i, m.To, m.Header.Get("List-Unsubscribe"))
				}
			}
			if text := plainText(t, mails[0]); !strings.Contains(text, "Return number: "+r.RMA) || !strings.Contains(text, "- 1 × ") {
				t.Errorf("submitted mail lacks the RMA or the items:\n%s", text)
			}

			ns, err := e.notifier.List(ctx, e.org, notify.Filter{ReturnID: r.ID})
			if err != nil {
				t.Fatal(err)
			}
			got := map[waybill.Tag]string{}
			for _, n := range ns {
				if n.State != waybill.NotificationSent || n.MessageID == "" || n.Recipient != shopper || n.TrackingID != "" {
					t.Errorf("notification %+v", n)
				}
				got[n.Status] = n.Template
			}
			want := map[waybill.Tag]string{"return.submitted": "default", "return.approved": "custom", "return.received": "default"}
			if len(got) != len(want) || got["return.submitted"] != "default" || got["return.approved"] != "custom" || got["return.received"] != "default" {
				t.Errorf("notifications %v; want %v", got, want)
			}

			// The shopper unsubscribes through the link of the last mail:
			// the return keeps its email, the resolution sends nothing.
			mux := http.NewServeMux()
			(&unsubscribe.Face{Subscriptions: e.notifier}).Register(mux)
			srv := httptest.NewServer(mux)
			defer srv.Close()
			link, _ := url.Parse(strings.Trim(mails[2].Header.Get("List-Unsubscribe"), "<>"))
			res, err := http.Post(srv.URL+link.Path, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || !strings.Contains(string(b), r.RMA) || !strings.Contains(string(b), "s***r@example.org") {
				t.Fatalf("unsubscribe: %d\n%s", res.StatusCode, b)
			}
			if r, err = rets.Resolve(ctx, e.org, r.ID, ""); err != nil || r.Email != shopper {
				t.Fatalf("resolve: %v, email %q", err, r.Email)
			}
			if ns, _ := e.notifier.List(ctx, e.org, notify.Filter{ReturnID: r.ID}); len(ns) != 3 {
				t.Errorf("%d notifications after unsubscribing, want still 3", len(ns))
			}
		})
	}
}

// TestReturnEmailSkippedAfterUnsubscribe: an email decided before the
// shopper unsubscribed is recorded skipped, not sent; a rejected return's
// email says why, in the shopper's language.
func TestReturnEmailSkippedAfterUnsubscribe(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			e, rets := returnsEnv(t, engine)
			ctx := context.Background()
			r := shipAndReturn(t, e, rets, "JD014600006281230002", "#1002", "de")
			e.sendReturn(t, r.ID)
			r, err := rets.Reject(ctx, e.org, r.ID, "Getragen")
			if err != nil {
				t.Fatal(err)
			}
			e.sendReturn(t, r.ID)
			mails := e.smtp.WaitFor(2, 5*time.Second)
			if len(mails) != 2 {
				t.Fatalf("%d mails, want 2", len(mails))
			}
			if text := plainText(t, mails[1]); mails[1].Subject() != "Example Store: Ihre Rücksendung "+r.RMA+" ist abgelehnt" || !strings.Contains(text, "Grund: Getragen") {
				t.Errorf("rejected mail %q:\n%s", mails[1].Subject(), text)
			}

			// A second return of another order, its email decided but not
			// yet sent when the shopper unsubscribes from it.
			r2 := shipAndReturn(t, e, rets, "JD014600006281230003", "#1003", "en")
			ns, err := e.notifier.List(ctx, e.org, notify.Filter{ReturnID: r2.ID})
			if err != nil || len(ns) != 1 {
				t.Fatalf("notifications of the second return: %v, %v", ns, err)
			}
			if _, err := e.notifier.Unsubscribe(ctx, ns[0].UnsubscribeToken); err != nil {
				t.Fatal(err)
			}
			e.sendReturn(t, r2.ID)
			if ns, _ = e.notifier.List(ctx, e.org, notify.Filter{ReturnID: r2.ID}); ns[0].State != waybill.NotificationSkipped {
				t.Errorf("state %s (%s); want skipped", ns[0].State, ns[0].LastError)
			}
			if n := len(e.smtp.Mails()); n != 2 {
				t.Errorf("%d mails; the unsubscribed shopper got one", n)
			}
			var unsubscribed int
			if err := e.st.Writer().QueryRow(`SELECT COUNT(*) FROM notification_unsubscribes WHERE org_id = $1 AND return_id = $2`, e.org, r2.ID).Scan(&unsubscribed); err != nil || unsubscribed != 1 {
				t.Errorf("unsubscribes of the return: %d (%v), want 1", unsubscribed, err)
			}
		})
	}
}

// failingQueue refuses every job, as a database that fails mid-change.
type failingQueue struct{}

func (failingQueue) EnqueueNotification(context.Context, *sql.Tx, int64, int64, int, time.Time) error {
	return io.ErrUnexpectedEOF
}

// TestReturnChangeAndEmailCommitTogether: when the shopper's email cannot
// be recorded, the change it announces is not made either: nothing is
// acknowledged that would not be told.
func TestReturnChangeAndEmailCommitTogether(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			e, rets := returnsEnv(t, engine)
			ctx := context.Background()
			r := shipAndReturn(t, e, rets, "JD014600006281230004", "#1004", "en")
			broken := *e.notifier
			broken.Queue = failingQueue{}
			failing := &returns.Service{Store: e.st, Events: broken.After(e.notifier.Events), Trackings: e.trackings, Now: e.clock.Now}
			if _, err := failing.Approve(ctx, e.org, r.ID, returns.ApproveInput{}); err == nil {
				t.Fatal("approve succeeded without its email")
			}
			got, err := rets.Get(ctx, e.org, r.ID)
			if err != nil || got.Status != waybill.ReturnSubmitted {
				t.Errorf("after the failed approval: %s, %v; want submitted", got.Status, err)
			}
			var events int
			if err := e.st.Writer().QueryRow(`SELECT COUNT(*) FROM events WHERE org_id = $1 AND type = $2`, e.org, waybill.EventReturnApproved).Scan(&events); err != nil || events != 0 {
				t.Errorf("%d return.approved events (%v), want 0", events, err)
			}
			if ns, _ := e.notifier.List(ctx, e.org, notify.Filter{ReturnID: r.ID}); len(ns) != 1 {
				t.Errorf("%d notifications, want only the submitted one", len(ns))
			}
		})
	}
}
