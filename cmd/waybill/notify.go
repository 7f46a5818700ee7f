package main

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/config"
	"github.com/waybillhq/waybill/internal/notify"
	"github.com/waybillhq/waybill/internal/returns"
	"github.com/waybillhq/waybill/internal/store"
)

// newNotifier builds the notification service with the senders that cfg
// configures; a channel without one records its messages as not sent.
func newNotifier(cfg config.Config, st *store.Store, events notify.EventWriter, logger *slog.Logger) (*notify.Service, error) {
	base := strings.TrimRight(cfg.PublicURL, "/")
	n := &notify.Service{Store: st, PublicURL: cfg.PublicURL, Events: events, Logger: logger,
		// The tracking's hosted page (internal/web serves /t/{token}).
		PageURL: func(t waybill.Tracking) string {
			if t.PageToken == "" {
				return ""
			}
			return base + "/t/" + t.PageToken
		},
		// The shopper's page of a return (internal/web serves /r/{token}).
		ReturnPageURL: func(r waybill.Return) string { return returns.PageURL(cfg.PublicURL, r.PageToken) },
	}
	if cfg.SMTPURL != "" {
		s, err := config.ParseSMTPURL(cfg.SMTPURL)
		if err != nil {
			return nil, err
		}
		sender, err := notify.NewSMTPSender(notify.SMTPOptions{Host: s.Host, Port: s.Port, Username: s.Username,
			Password: s.Password, ImplicitTLS: s.ImplicitTLS, NoStartTLS: s.NoStartTLS, From: cfg.MailFrom})
		if err != nil {
			return nil, fmt.Errorf("WAYBILL_SMTP_URL: %w", err)
		}
		n.Email = sender
	}
	if cfg.SMSAccountSID != "" {
		sender, err := notify.NewSMSSender(notify.SMSOptions{BaseURL: cfg.SMSURL, AccountSID: cfg.SMSAccountSID,
			AuthToken: cfg.SMSAuthToken, From: cfg.SMSFrom})
		if err != nil {
			return nil, fmt.Errorf("WAYBILL_SMS_*: %w", err)
		}
		n.SMS = sender
	}
	return n, nil
}
