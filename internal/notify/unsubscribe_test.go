package notify_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/api/unsubscribe"
	"github.com/waybillhq/waybill/internal/testdb"
)

// TestUnsubscribeOneClick: the List-Unsubscribe link of a sent email shows
// a confirmation on GET, unsubscribes on the one-click POST (RFC 8058),
// removes the address from the tracking and records it; later statuses
// reach only the remaining recipients.
func TestUnsubscribeOneClick(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, engine, false)
			ctx := context.Background()
			mux := http.NewServeMux()
			(&unsubscribe.Face{Subscriptions: e.notifier}).Register(mux)
			srv := httptest.NewServer(mux)
			defer srv.Close()

			tr := e.create(t, "dhl", "JD014600006281230009", []string{"leave@example.org", "stay@example.org"}, nil, "fr")
			e.push(t, "dhl", tr.TrackingNumber, "InTransit_002")
			e.sendAll(t, tr.ID)
			var link string
			for _, m := range e.smtp.Mails() {
				if m.To[0] == "leave@example.org" {
					link = strings.Trim(m.Header.Get("List-Unsubscribe"), "<>")
				}
			}
			u, err := url.Parse(link)
			if err != nil || !strings.HasPrefix(u.Path, "/u/") {
				t.Fatalf("List-Unsubscribe link %q", link)
			}
			page := srv.URL + u.Path

			res, body := get(t, page)
			if res.StatusCode != 200 || !strings.Contains(body, "l***e@example.org") || !strings.Contains(body, `method="post"`) || strings.Contains(body, "leave@example.org") {
				t.Fatalf("GET: %d\n%s", res.StatusCode, body)
			}
			if got, _ := e.trackings.Get(ctx, e.org, tr.ID); !slices.Contains(got.Emails, "leave@example.org") {
				t.Fatal("GET unsubscribed already; only the POST may")
			}
			for i := 0; i < 2; i++ { // a second POST changes nothing
				res, err := http.Post(page, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != 200 || !strings.Contains(string(b), "l***e@example.org") {
					t.Fatalf("POST %d: %d\n%s", i, res.StatusCode, b)
				}
			}
			got, _ := e.trackings.Get(ctx, e.org, tr.ID)
			if slices.Contains(got.Emails, "leave@example.org") || !slices.Contains(got.Emails, "stay@example.org") {
				t.Errorf("emails after unsubscribe: %v", got.Emails)
			}
			var recorded int
			if err := e.st.Writer().QueryRow(`SELECT COUNT(*) FROM notification_unsubscribes WHERE org_id = $1 AND tracking_id = $2 AND recipient = $3`,
				e.org, tr.ID, "leave@example.org").Scan(&recorded); err != nil || recorded != 1 {
				t.Errorf("unsubscribes recorded: %d (%v), want 1", recorded, err)
			}

			before := len(e.smtp.Mails())
			e.push(t, "dhl", tr.TrackingNumber, "OutForDelivery_001")
			e.sendAll(t, tr.ID)
			mails := e.smtp.WaitFor(before+1, 5*time.Second)
			if len(mails) != before+1 || mails[len(mails)-1].To[0] != "stay@example.org" {
				t.Errorf("after unsubscribe: %d new mails, want one to stay@", len(mails)-before)
			}

			if res, _ := get(t, srv.URL+"/u/notatoken"); res.StatusCode != 404 {
				t.Errorf("unknown token: %d, want 404", res.StatusCode)
			}
			if res, _ := get(t, srv.URL+"/u/"+strings.Repeat("a", 200)); res.StatusCode != 404 {
				t.Errorf("long token: %d, want 404", res.StatusCode)
			}
		})
	}
}

func get(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}
