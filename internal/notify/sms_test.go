package notify_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/notify"
	"github.com/waybillhq/waybill/internal/notify/notifytest"
)

func TestSMSSendsThroughTwilioAPI(t *testing.T) {
	t.Parallel()
	tw := notifytest.StartTwilio(t)
	s, err := notify.NewSMSSender(notify.SMSOptions{BaseURL: tw.URL, AccountSID: tw.AccountSID, AuthToken: tw.AuthToken, From: "+14155550100"})
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range notify.Languages {
		m := renderDefault(t, waybill.TagInTransit, lang)
		sid, err := s.Send(context.Background(), "+4930123456", m.SMS)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		if !strings.HasPrefix(sid, "SM") {
			t.Errorf("sid = %q", sid)
		}
	}
	sent := tw.Sent()
	if len(sent) != len(notify.Languages) {
		t.Fatalf("provider got %d messages, want %d", len(sent), len(notify.Languages))
	}
	for _, m := range sent {
		if m.To != "+4930123456" || m.From != "+14155550100" || !strings.Contains(m.Body, notify.SampleData.PageURL) {
			t.Errorf("sent %+v", m)
		}
		if len([]rune(m.Body)) > 160 {
			t.Errorf("body over one segment (%d): %q", len([]rune(m.Body)), m.Body)
		}
	}
}

func TestSMSFailures(t *testing.T) {
	t.Parallel()
	tw := notifytest.StartTwilio(t)
	s, err := notify.NewSMSSender(notify.SMSOptions{BaseURL: tw.URL, AccountSID: tw.AccountSID, AuthToken: tw.AuthToken, From: "+14155550100"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		to        string
		temporary bool
		code      int
		answer    string
	}{
		{"+15550001234", false, 400, "21211 The 'To' number +15550001234 is not a valid phone number."},
		{"+15554291234", true, 429, "20429 Too Many Requests"},
		{"+15555031234", true, 503, "Service Unavailable"},
		{"004930123", false, 0, "not an E.164 number"},
	} {
		_, err := s.Send(context.Background(), tt.to, "hello")
		var se *notify.SendError
		if !errors.As(err, &se) || se.Temporary != tt.temporary || se.Code != tt.code || !strings.Contains(se.Answer, tt.answer) {
			t.Errorf("to %s: err = %#v, want temporary=%v code %d answer %q", tt.to, err, tt.temporary, tt.code, tt.answer)
		}
	}
	bad, _ := notify.NewSMSSender(notify.SMSOptions{BaseURL: tw.URL, AccountSID: tw.AccountSID, AuthToken: "wrong", From: "+14155550100"})
	if _, err := bad.Send(context.Background(), "+4930123456", "hi"); !notify.Temporary(err) {
		t.Errorf("wrong token: err = %v, want temporary (operator can fix)", err)
	}
	tw.Close()
	if _, err := s.Send(context.Background(), "+4930123456", "hi"); !notify.Temporary(err) {
		t.Errorf("provider down: err = %v, want temporary", err)
	}
	if n := len(tw.Sent()); n != 0 {
		t.Errorf("%d messages accepted, want none", n)
	}
}
