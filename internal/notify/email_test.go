package notify_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/notify"
	"github.com/waybillhq/waybill/internal/notify/notifytest"
)

func smtpSender(t *testing.T, srv *notifytest.SMTPServer, user, pass string) *notify.SMTPSender {
	t.Helper()
	opts := notify.SMTPOptions{Host: srv.Host, Port: srv.Port, Username: user, Password: pass,
		From: "Example Store <notify@shop.example>", Timeout: 5 * time.Second}
	if srv.RootCAs != nil {
		opts.TLSConfig = &tls.Config{RootCAs: srv.RootCAs}
	}
	s, err := notify.NewSMTPSender(opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func renderDefault(t *testing.T, tag waybill.Tag, lang string) notify.Message {
	t.Helper()
	c, _ := notify.Default(tag, lang)
	d := notify.SampleData
	d.Status = notify.StatusLabel(tag, lang)
	m, err := c.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSMTPSendsMultipartWithStableMessageID(t *testing.T) {
	t.Parallel()
	srv := notifytest.StartSMTPTLS(t)
	srv.Username, srv.Password = "mailer", "s3cret"
	s := smtpSender(t, srv, "mailer", "s3cret")
	m := renderDefault(t, waybill.TagOutForDelivery, "de")
	id := s.MessageID("ntf_1", "Kunde@Example.org")
	if id != s.MessageID("ntf_1", "kunde@example.org") || id == s.MessageID("ntf_2", "kunde@example.org") || !strings.HasSuffix(id, "@shop.example") {
		t.Fatalf("MessageID not stable per (key, recipient): %s", id)
	}
	got, err := s.Send(context.Background(), notify.Email{To: "kunde@example.org", Subject: m.Subject, Text: m.Text, HTML: m.HTML,
		MessageID: id, UnsubscribeURL: notify.SampleData.UnsubscribeURL})
	if err != nil {
		t.Fatal(err)
	}
	if got != id {
		t.Errorf("Send returned id %q, want %q", got, id)
	}
	mails := srv.Mails()
	if len(mails) != 1 {
		t.Fatalf("server received %d mails, want 1", len(mails))
	}
	mail := mails[0]
	if mail.MessageID() != id {
		t.Errorf("Message-ID = %q, want %q", mail.MessageID(), id)
	}
	if h := mail.Header.Get("List-Unsubscribe"); h != "<"+notify.SampleData.UnsubscribeURL+">" {
		t.Errorf("List-Unsubscribe = %q", h)
	}
	if h := mail.Header.Get("List-Unsubscribe-Post"); h != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post = %q", h)
	}
	if ct := mail.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") {
		t.Errorf("Content-Type = %q, want multipart/alternative", ct)
	}
	raw := string(mail.Raw)
	for _, want := range []string{"text/plain", "text/html", notify.SampleData.TrackingNumber} {
		if !strings.Contains(raw, want) {
			t.Errorf("message lacks %q", want)
		}
	}
	if !mail.TLS {
		t.Error("the server offered STARTTLS but the message came in clear")
	}
	if len(mail.To) != 1 || mail.To[0] != "kunde@example.org" || mail.From != "notify@shop.example" {
		t.Errorf("envelope from %q to %v", mail.From, mail.To)
	}
}

func TestSMTPFailures(t *testing.T) {
	t.Parallel()
	srv := notifytest.StartSMTP(t)
	s := smtpSender(t, srv, "", "")
	m := renderDefault(t, waybill.TagDelivered, "en")
	send := func(s *notify.SMTPSender, to string) error {
		_, err := s.Send(context.Background(), notify.Email{To: to, Subject: m.Subject, Text: m.Text, HTML: m.HTML, MessageID: s.MessageID("k", to)})
		return err
	}
	var se *notify.SendError
	// Permanent: the server refuses the recipient with 550.
	err := send(s, "bounce@example.org")
	if !errors.As(err, &se) || se.Temporary || se.Code != 550 || !strings.Contains(se.Answer, "No such user") {
		t.Errorf("550 recipient: err = %#v, want a permanent SendError with code 550 and the answer", err)
	}
	if notify.Temporary(err) {
		t.Error("Temporary(550) = true")
	}
	// Temporary: 451 for the recipient.
	err = send(s, "later@example.org")
	if !errors.As(err, &se) || !se.Temporary || se.Code != 451 {
		t.Errorf("451 recipient: err = %#v, want a temporary SendError with code 451", err)
	}
	// Temporary: nothing listens (connection refused).
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	closed, _ := notify.NewSMTPSender(notify.SMTPOptions{Host: "127.0.0.1", Port: port, From: "a@shop.example", Timeout: 2 * time.Second})
	err = send(closed, "someone@example.org")
	if !errors.As(err, &se) || !se.Temporary || !strings.Contains(se.Answer, "refused") {
		t.Errorf("connection refused: err = %#v, want a temporary SendError", err)
	}
	// Wrong password: the operator's to fix, so retried rather than dropped.
	auth := notifytest.StartSMTPTLS(t)
	auth.Username, auth.Password = "mailer", "right"
	err = send(smtpSender(t, auth, "mailer", "wrong"), "someone@example.org")
	if !errors.As(err, &se) || !se.Temporary {
		t.Errorf("bad credentials: err = %#v, want a temporary SendError", err)
	}
	if n := len(srv.Mails()) + len(auth.Mails()); n != 0 {
		t.Errorf("%d mails accepted, want none", n)
	}
}

func TestSMTPStartTLSOff(t *testing.T) {
	t.Parallel()
	srv := notifytest.StartSMTPTLS(t)
	s, err := notify.NewSMTPSender(notify.SMTPOptions{Host: srv.Host, Port: srv.Port, NoStartTLS: true, From: "a@shop.example"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Send(context.Background(), notify.Email{To: "c@example.org", Subject: "s", Text: "t", MessageID: "x@shop.example"}); err != nil {
		t.Fatal(err)
	}
	if m := srv.Mails(); len(m) != 1 || m[0].TLS {
		t.Fatalf("starttls=off: got %d mails, TLS %v; want one in clear", len(m), len(m) == 1 && m[0].TLS)
	}
}
