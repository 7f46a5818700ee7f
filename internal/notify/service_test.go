package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/notify"
	"github.com/waybillhq/waybill/internal/notify/notifytest"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
	"github.com/waybillhq/waybill/internal/webhook"
)

// clock is a settable time shared by the services of a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.t) {
		c.t = t
	}
}

type env struct {
	st        *store.Store
	trackings *tracking.Service
	notifier  *notify.Service
	smtp      *notifytest.SMTPServer
	twilio    *notifytest.Twilio
	org       int64
	clock     *clock
}

const sandboxStep = time.Minute

// newEnv wires tracking, webhooks and notifications on a fresh database,
// with a real SMTP server and a fake Twilio. With work set, the queue's
// workers send notifications; otherwise the test calls Send itself.
func newEnv(t *testing.T, engine string, work bool) *env {
	t.Helper()
	ctx := context.Background()
	st := testdb.Open(t, engine)
	e := &env{st: st, smtp: notifytest.StartSMTP(t), twilio: notifytest.StartTwilio(t),
		// An hour in the past, so that jobs due "now" are due for River too.
		clock: &clock{t: time.Now().UTC().Add(-time.Hour).Truncate(time.Second)}}
	org, err := st.Write().CreateOrg(ctx, "Example Store", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.org = org.ID
	email, err := notify.NewSMTPSender(notify.SMTPOptions{Host: e.smtp.Host, Port: e.smtp.Port, From: "Example Store <notify@shop.example>", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	sms, err := notify.NewSMSSender(notify.SMSOptions{BaseURL: e.twilio.URL, AccountSID: e.twilio.AccountSID, AuthToken: e.twilio.AuthToken, From: "+14155550100"})
	if err != nil {
		t.Fatal(err)
	}
	webhooks := &webhook.Service{Store: st, Now: e.clock.Now}
	e.notifier = &notify.Service{Store: st, Email: email, SMS: sms, PublicURL: "https://track.shop.example", Events: webhooks,
		PageURL: func(t waybill.Tracking) string { return "https://track.shop.example/t/" + t.ID }, Now: e.clock.Now,
		Schedule: []time.Duration{time.Millisecond}}
	carriers := carrier.NewRegistry()
	carriers.Register(carrier.SandboxSlug, &carrier.Sandbox{Step: sandboxStep, Now: e.clock.Now})
	e.trackings = &tracking.Service{Store: st, Dispatcher: e.notifier.After(webhooks), Carriers: carriers,
		SandboxStep: sandboxStep, Now: e.clock.Now}
	h := queue.Handlers{}
	if work {
		// The test polls by hand, following its clock.
		h.PollTracking = func(context.Context, int64, string, time.Time) error { return nil }
		h.SendNotification = e.notifier.Send
	}
	q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine(), Work: work, PollInterval: 20 * time.Millisecond}, h)
	if err != nil {
		t.Fatal(err)
	}
	e.trackings.Queue, webhooks.Queue, e.notifier.Queue = q, q, q
	if work {
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = q.Stop(ctx)
		})
	}
	return e
}

func (e *env) create(t *testing.T, slug, number string, emails, smses []string, lang string) waybill.Tracking {
	t.Helper()
	in := tracking.CreateInput{TrackingNumber: number, Slug: slug}
	in.Fields.Emails, in.Fields.Smses = &emails, &smses
	if lang != "" {
		in.Fields.Language = &lang
	}
	tr, err := e.trackings.Create(context.Background(), e.org, in)
	if err != nil {
		t.Fatalf("create %s: %v", number, err)
	}
	return tr
}

// push sends checkpoints with the given subtags, a minute apart.
func (e *env) push(t *testing.T, slug, number string, subtags ...string) waybill.Tracking {
	t.Helper()
	var cps []waybill.Checkpoint
	for _, st := range subtags {
		base := e.clock.Now().Add(time.Duration(len(cps)) * time.Minute)
		cps = append(cps, waybill.Checkpoint{CheckpointTime: base.Format(time.RFC3339), Subtag: st, Message: st, City: "Berlin"})
	}
	e.clock.Set(e.clock.Now().Add(time.Duration(len(cps)+1) * time.Minute))
	res, err := e.trackings.PushCheckpoints(context.Background(), e.org, tracking.PushInput{Slug: slug, TrackingNumber: number, Checkpoints: cps})
	if err != nil {
		t.Fatalf("push %v: %v", subtags, err)
	}
	return res.Tracking
}

func (e *env) list(t *testing.T, trackingID string) []waybill.Notification {
	t.Helper()
	ns, err := e.notifier.List(context.Background(), e.org, notify.Filter{TrackingID: trackingID})
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

// sendAll runs the first attempt of every pending notification of a
// tracking, as the queue would.
func (e *env) sendAll(t *testing.T, trackingID string) {
	t.Helper()
	e.sendPending(t, "tracking_id", trackingID)
}

// sendPending sends the pending notifications whose column (tracking_id
// or return_id) is id, oldest first, as the queue's jobs would.
func (e *env) sendPending(t *testing.T, column, id string) {
	t.Helper()
	rows, err := e.st.Writer().Query(`SELECT id FROM notifications WHERE org_id = $1 AND `+column+` = $2 AND state = 'pending' ORDER BY id`, e.org, id)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	for rows.Next() {
		var s int64
		_ = rows.Scan(&s)
		seqs = append(seqs, s)
	}
	rows.Close()
	for _, s := range seqs {
		if err := e.notifier.Send(context.Background(), e.org, s, 1); err != nil {
			t.Fatalf("send %d: %v", s, err)
		}
	}
}

func statuses(ns []waybill.Notification, channel string) map[waybill.Tag]int {
	out := map[waybill.Tag]int{}
	for _, n := range ns {
		if n.Channel == channel {
			out[n.Status]++
		}
	}
	return out
}

// TestJourneyOneMessagePerStatus follows the sandbox's delivered journey
// poll by poll: each status change sends one email and one SMS, through
// the queue, and nothing else is sent.
func TestJourneyOneMessagePerStatus(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, engine, true)
			ctx := context.Background()
			tr := e.create(t, carrier.SandboxSlug, "SBXDELIVERED0001", []string{"alex@example.org"}, []string{"+4930123456"}, "de")
			for i := 0; i < 20 && tr.Tag != waybill.TagDelivered; i++ {
				e.clock.Set(tr.NextPollAt)
				if err := e.trackings.Poll(ctx, e.org, tr.ID, tr.NextPollAt); err != nil {
					t.Fatal(err)
				}
				var err error
				if tr, err = e.trackings.Get(ctx, e.org, tr.ID); err != nil {
					t.Fatal(err)
				}
			}
			if tr.Tag != waybill.TagDelivered {
				t.Fatalf("journey ended at %s", tr.Tag)
			}
			want := []waybill.Tag{waybill.TagInfoReceived, waybill.TagInTransit, waybill.TagOutForDelivery, waybill.TagDelivered}
			e.smtp.WaitFor(len(want), 20*time.Second)
			deadline := time.Now().Add(20 * time.Second)
			for len(e.twilio.Sent()) < len(want) && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			// Let a duplicate, if any, arrive before counting.
			time.Sleep(300 * time.Millisecond)
			mails, texts := e.smtp.Mails(), e.twilio.Sent()
			if len(mails) != len(want) || len(texts) != len(want) {
				t.Fatalf("got %d emails and %d SMS, want %d of each", len(mails), len(texts), len(want))
			}
			ids := map[string]bool{}
			for i, m := range mails {
				subject := m.Subject()
				if ids[m.MessageID()] {
					t.Errorf("Message-ID %s twice", m.MessageID())
				}
				ids[m.MessageID()] = true
				body := string(m.Raw)
				if !strings.Contains(body, "SBXDELIVERED0001") || !strings.Contains(body, "/t/"+tr.ID) || !strings.Contains(body, "https://track.shop.example/u/") {
					t.Errorf("mail %d (%s) lacks the number, page link or unsubscribe link", i, subject)
				}
			}
			ns := e.list(t, tr.ID)
			for _, ch := range []string{waybill.ChannelEmail, waybill.ChannelSMS} {
				got := statuses(ns, ch)
				for _, s := range want {
					if got[s] != 1 {
						t.Errorf("%s: %d notifications for %s, want 1 (all: %v)", ch, got[s], s, got)
					}
				}
				if len(got) != len(want) {
					t.Errorf("%s: notified %v, want exactly %v", ch, got, want)
				}
			}
			for _, n := range ns {
				if n.State != waybill.NotificationSent || n.Attempts != 1 || n.Language != "de" || n.Template != "default" {
					t.Errorf("notification %+v, want sent in one attempt, in German, from the default template", n)
				}
				if n.Channel == waybill.ChannelSMS && !strings.HasPrefix(n.ProviderID, "SM") {
					t.Errorf("SMS without the provider's id: %+v", n)
				}
				if n.Channel == waybill.ChannelEmail && !ids[n.MessageID] {
					t.Errorf("email notification's Message-ID %q was not sent", n.MessageID)
				}
			}
			// One German subject per status (workers may send them in any
			// order, since the test's polls follow each other at once).
			for _, want := range []string{"versandbereit", "ist unterwegs", "wird heute zugestellt", "wurde zugestellt"} {
				n := 0
				for _, m := range mails {
					if s := m.Subject(); strings.HasPrefix(s, "Example Store: ") && strings.Contains(s, want) {
						n++
					}
				}
				if n != 1 {
					t.Errorf("%d mails with a subject saying %q, want 1", n, want)
				}
			}
		})
	}
}

// TestFirstBatchAndFirstKnownDelivered: a first batch announces only the
// status it ends on; a tracking first seen delivered announces nothing;
// a repeated status is never announced twice.
func TestFirstBatchAndFirstKnownDelivered(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, engine, false)
			emails := []string{"first@example.org"}
			a := e.create(t, "dhl", "JD014600006281230001", emails, nil, "")
			e.push(t, "dhl", a.TrackingNumber, "InfoReceived_001", "InTransit_002", "OutForDelivery_001")
			ns := e.list(t, a.ID)
			if len(ns) != 1 || ns[0].Status != waybill.TagOutForDelivery {
				t.Fatalf("first batch decided %v, want one OutForDelivery", statuses(ns, waybill.ChannelEmail))
			}
			e.push(t, "dhl", a.TrackingNumber, "Exception_004")
			e.push(t, "dhl", a.TrackingNumber, "OutForDelivery_003") // back to a status already announced
			e.push(t, "dhl", a.TrackingNumber, "Delivered_001")
			got := statuses(e.list(t, a.ID), waybill.ChannelEmail)
			want := map[waybill.Tag]int{waybill.TagOutForDelivery: 1, waybill.TagException: 1, waybill.TagDelivered: 1}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("decided %v, want %v", got, want)
			}

			b := e.create(t, "dhl", "JD014600006281230002", emails, []string{"+4930123456"}, "")
			e.push(t, "dhl", b.TrackingNumber, "InfoReceived_001", "InTransit_002", "Delivered_001")
			if ns := e.list(t, b.ID); len(ns) != 0 {
				t.Errorf("a tracking first seen delivered decided %d notifications, want none", len(ns))
			}
		})
	}
}

// TestDelayRule: with a delay, a message goes out only if its status still
// holds when it is due.
func TestDelayRule(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, engine, false)
			ctx := context.Background()
			st := notify.DefaultSettings()
			st.Delay, st.SMS = 10*time.Minute, false
			if _, err := e.notifier.PutSettings(ctx, e.org, st); err != nil {
				t.Fatal(err)
			}
			tr := e.create(t, "dhl", "JD014600006281230003", []string{"delay@example.org"}, []string{"+4930123456"}, "")
			e.push(t, "dhl", tr.TrackingNumber, "InTransit_002")
			e.push(t, "dhl", tr.TrackingNumber, "OutForDelivery_001")
			e.sendAll(t, tr.ID)
			ns := e.list(t, tr.ID)
			byStatus := map[waybill.Tag]waybill.Notification{}
			for _, n := range ns {
				byStatus[n.Status] = n
			}
			if len(ns) != 2 {
				t.Fatalf("decided %d, want 2 emails (SMS is off)", len(ns))
			}
			if n := byStatus[waybill.TagInTransit]; n.State != waybill.NotificationSkipped || !n.Delayed || !strings.Contains(n.LastError, "OutForDelivery") {
				t.Errorf("InTransit: %+v, want skipped because the status changed", n)
			}
			if n := byStatus[waybill.TagOutForDelivery]; n.State != waybill.NotificationSent || !n.DueAt.Equal(n.CreatedAt.Add(10*time.Minute)) {
				t.Errorf("OutForDelivery: %+v, want sent, due 10 minutes after the change", n)
			}
			if m := e.smtp.Mails(); len(m) != 1 {
				t.Errorf("%d mails, want 1", len(m))
			}
			if _, err := e.notifier.PutSettings(ctx, e.org, waybill.NotificationSettings{Statuses: []waybill.Tag{waybill.TagPending}}); waybill.ErrorCode(err) != waybill.EINVALID {
				t.Errorf("Pending in settings: %v, want EINVALID", err)
			}
			if _, err := e.notifier.PutSettings(ctx, e.org, waybill.NotificationSettings{Delay: 90 * time.Second}); waybill.ErrorCode(err) != waybill.EINVALID {
				t.Errorf("a delay of 90s: %v, want EINVALID", err)
			}
		})
	}
}

// TestFailuresAndNoProvider: permanent failures are recorded once with the
// provider's answer; temporary ones retry, then fail when the schedule
// runs out; without a provider messages are recorded as not sent.
func TestFailuresAndNoProvider(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, engine, false)
			var logs bytes.Buffer
			e.notifier.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
			ctx := context.Background()
			tr := e.create(t, "dhl", "JD014600006281230004",
				[]string{"bounce@example.org", "later@example.org"}, []string{"+15550001234", "+15554291234"}, "")
			e.push(t, "dhl", tr.TrackingNumber, "InTransit_002")
			e.sendAll(t, tr.ID)
			byRecipient := func() map[string]waybill.Notification {
				m := map[string]waybill.Notification{}
				for _, n := range e.list(t, tr.ID) {
					m[n.Recipient] = n
				}
				return m
			}
			got := byRecipient()
			for _, tt := range []struct {
				rcpt, state, errPart string
			}{
				{"bounce@example.org", waybill.NotificationFailed, "550"},
				{"+15550001234", waybill.NotificationFailed, "21211"},
				{"later@example.org", waybill.NotificationPending, "451"},
				{"+15554291234", waybill.NotificationPending, "429"},
			} {
				n := got[tt.rcpt]
				if n.State != tt.state || n.Attempts != 1 || !strings.Contains(n.LastError, tt.errPart) {
					t.Errorf("%s: state %s attempts %d error %q; want %s after 1 attempt with %q", tt.rcpt, n.State, n.Attempts, n.LastError, tt.state, tt.errPart)
				}
			}
			// The retry is queued; run attempt 2 (the last, with a
			// one-step schedule) and attempt 1 again (a repeat: ignored).
			var retries int
			if err := e.st.Writer().QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'send_notification'`).Scan(&retries); err != nil {
				t.Fatal(err)
			}
			if retries != 4+2 {
				t.Errorf("%d send jobs, want 4 first attempts and 2 retries", retries)
			}
			rows, _ := e.st.Writer().Query(`SELECT id FROM notifications WHERE org_id = $1 AND state = 'pending'`, e.org)
			var seqs []int64
			for rows.Next() {
				var s int64
				_ = rows.Scan(&s)
				seqs = append(seqs, s)
			}
			rows.Close()
			for _, s := range seqs {
				if err := e.notifier.Send(ctx, e.org, s, 1); err != nil {
					t.Fatal(err)
				}
				if err := e.notifier.Send(ctx, e.org, s, 2); err != nil {
					t.Fatal(err)
				}
			}
			got = byRecipient()
			for _, r := range []string{"later@example.org", "+15554291234"} {
				if n := got[r]; n.State != waybill.NotificationFailed || n.Attempts != 2 || !strings.Contains(n.LastError, "gave up") {
					t.Errorf("%s after the schedule: %+v, want failed after 2 attempts", r, n)
				}
			}
			if n := got["bounce@example.org"]; n.Attempts != 1 {
				t.Errorf("permanent failure attempted %d times, want once", n.Attempts)
			}
			// One warning per failed attempt (before, none): 2 permanent and
			// 2 temporary failures, then the 2 that gave up; no recipient.
			var final, retried int
			for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				var l struct {
					Level, Msg, Error string
					Next              string `json:"next_attempt"`
				}
				if err := json.Unmarshal([]byte(line), &l); err != nil || l.Level != "WARN" || l.Msg != "notification failed" || l.Error == "" {
					t.Errorf("log line %q (%v)", line, err)
				}
				if l.Next == "none" {
					final++
				} else if _, err := time.Parse(time.RFC3339, l.Next); err == nil {
					retried++
				}
			}
			if final != 4 || retried != 2 {
				t.Errorf("%d final and %d retried failures logged, want 4 and 2:\n%s", final, retried, logs.String())
			}
			for _, r := range []string{"bounce@example.org", "later@example.org", "+15550001234", "+15554291234"} {
				if strings.Contains(logs.String(), r) {
					t.Errorf("recipient %s in the log:\n%s", r, logs.String())
				}
			}

			// Without providers: decided and recorded, not sent.
			e.notifier.Email, e.notifier.SMS = nil, nil
			tr2 := e.create(t, "dhl", "JD014600006281230005", []string{"x@example.org"}, []string{"+4930123456"}, "")
			e.push(t, "dhl", tr2.TrackingNumber, "InTransit_002")
			e.sendAll(t, tr2.ID)
			for _, n := range e.list(t, tr2.ID) {
				if n.State != waybill.NotificationNotSent || n.LastError != "not_sent: no provider" || n.Attempts != 0 {
					t.Errorf("no provider: %+v, want not_sent: no provider", n)
				}
			}
		})
	}
}
