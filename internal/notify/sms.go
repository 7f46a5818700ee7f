package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// TwilioURL is the default base URL of the SMS provider.
const TwilioURL = "https://api.twilio.com"

// SMSOptions configure an SMS sender speaking Twilio's Messages API.
type SMSOptions struct {
	BaseURL    string // TwilioURL when empty
	AccountSID string
	AuthToken  string
	From       string // E.164 number
	Client     *http.Client
}

// SMSSender sends text messages with a form POST to
// {BaseURL}/2010-04-01/Accounts/{sid}/Messages.json, authenticated with the
// account SID and auth token (HTTP basic).
type SMSSender struct {
	opts SMSOptions
}

// NewSMSSender checks opts and returns a sender.
func NewSMSSender(opts SMSOptions) (*SMSSender, error) {
	if opts.BaseURL == "" {
		opts.BaseURL = TwilioURL
	}
	if u, err := url.Parse(opts.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("sms: base URL %q must be an absolute http(s) URL", opts.BaseURL)
	}
	if opts.AccountSID == "" || opts.AuthToken == "" {
		return nil, errors.New("sms: account SID and auth token are required")
	}
	if !ValidE164(opts.From) {
		return nil, fmt.Errorf("sms: from number %q is not E.164 (+ and up to 15 digits)", opts.From)
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 30 * time.Second}
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	return &SMSSender{opts: opts}, nil
}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)

// ValidE164 reports whether s is a phone number in E.164 form: a plus
// sign, then at most 15 digits, the first not zero.
func ValidE164(s string) bool { return e164.MatchString(s) }

// twilioAnswer is the part of Twilio's answer Waybill reads: the message
// resource on success, the error resource otherwise.
type twilioAnswer struct {
	SID     string `json:"sid"`
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// Send sends one text message and returns the provider's message id. The
// body is fitted to one GSM-7 segment where it can be (see FitSMS). A
// failure is a *SendError: temporary for a network error, 429 or 5xx (and
// 401/403, a configuration the operator can fix), permanent for any other
// 4xx, such as 400 for a number the provider refuses.
func (s *SMSSender) Send(ctx context.Context, to, body string) (string, error) {
	if !ValidE164(to) {
		return "", &SendError{Channel: "sms", Answer: fmt.Sprintf("recipient %q is not an E.164 number", to)}
	}
	form := url.Values{"To": {to}, "From": {s.opts.From}, "Body": {FitSMS(body)}}
	endpoint := s.opts.BaseURL + "/2010-04-01/Accounts/" + url.PathEscape(s.opts.AccountSID) + "/Messages.json"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("sms: request: %w", err)
	}
	req.SetBasicAuth(s.opts.AccountSID, s.opts.AuthToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	res, err := s.opts.Client.Do(req)
	if err != nil {
		return "", &SendError{Channel: "sms", Temporary: true, Answer: err.Error(), Err: err}
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	var a twilioAnswer
	_ = json.Unmarshal(raw, &a)
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		if a.SID == "" {
			return "", &SendError{Channel: "sms", Temporary: true, Code: res.StatusCode, Answer: "answer without a message sid: " + excerpt(raw)}
		}
		return a.SID, nil
	}
	answer := excerpt(raw)
	if a.Message != "" {
		answer = a.Message
		if a.Code != 0 {
			answer = fmt.Sprintf("%d %s", a.Code, a.Message)
		}
	}
	temporary := res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500 ||
		res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden || res.StatusCode < 400
	return "", &SendError{Channel: "sms", Temporary: temporary, Code: res.StatusCode, Answer: answer}
}

func excerpt(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
