package config

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
)

// SMTP is a parsed WAYBILL_SMTP_URL.
type SMTP struct {
	Host        string
	Port        int
	Username    string
	Password    string
	ImplicitTLS bool // smtps://
	NoStartTLS  bool // ?starttls=off
}

// ParseSMTPURL reads smtp://[user[:pass]@]host[:port][?starttls=off] or
// smtps://...; the port defaults to 587 (smtp) or 465 (smtps).
func ParseSMTPURL(raw string) (SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return SMTP{}, fmt.Errorf("WAYBILL_SMTP_URL: %q is not a URL", Mask(raw))
	}
	var s SMTP
	switch u.Scheme {
	case "smtp":
		s.Port = 587
	case "smtps":
		s.Port, s.ImplicitTLS = 465, true
	default:
		return SMTP{}, fmt.Errorf("WAYBILL_SMTP_URL: %q must start with smtp:// or smtps://", Mask(raw))
	}
	if s.Host = u.Hostname(); s.Host == "" {
		return SMTP{}, fmt.Errorf("WAYBILL_SMTP_URL: %q has no host", Mask(raw))
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTP{}, fmt.Errorf("WAYBILL_SMTP_URL: port %q is not a port", p)
		}
		s.Port = n
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	for k, v := range u.Query() {
		switch {
		case k == "starttls" && len(v) == 1 && (v[0] == "off" || v[0] == "on"):
			s.NoStartTLS = v[0] == "off"
		default:
			return SMTP{}, fmt.Errorf("WAYBILL_SMTP_URL: unknown option %q (only starttls=off|on)", k)
		}
	}
	if s.ImplicitTLS && s.NoStartTLS {
		return SMTP{}, errors.New("WAYBILL_SMTP_URL: starttls=off makes no sense with smtps:// (TLS from the start)")
	}
	return s, nil
}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)

// validateNotifications checks the email and SMS settings: a mail server
// needs a From address, an SMS account needs its token and an E.164 sender.
func (c Config) validateNotifications() []error {
	var errs []error
	if c.SMTPURL != "" {
		if _, err := ParseSMTPURL(c.SMTPURL); err != nil {
			errs = append(errs, err)
		}
		if c.MailFrom == "" {
			errs = append(errs, errors.New("WAYBILL_MAIL_FROM is required with WAYBILL_SMTP_URL"))
		}
	}
	if c.MailFrom != "" {
		if _, err := mail.ParseAddress(c.MailFrom); err != nil {
			errs = append(errs, fmt.Errorf("WAYBILL_MAIL_FROM: %q is not an email address", c.MailFrom))
		}
	}
	if u, err := url.Parse(c.SMSURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("WAYBILL_SMS_URL: %q must be an absolute http(s) URL", c.SMSURL))
	}
	if c.SMSAccountSID != "" || c.SMSAuthToken != "" || c.SMSFrom != "" {
		if c.SMSAccountSID == "" || c.SMSAuthToken == "" || c.SMSFrom == "" {
			errs = append(errs, errors.New("WAYBILL_SMS_ACCOUNT_SID, WAYBILL_SMS_AUTH_TOKEN and WAYBILL_SMS_FROM go together"))
		} else if !e164.MatchString(c.SMSFrom) {
			errs = append(errs, fmt.Errorf("WAYBILL_SMS_FROM: %q is not an E.164 number (+ and up to 15 digits)", c.SMSFrom))
		}
	}
	return errs
}
