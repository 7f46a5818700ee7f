package notify

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTPOptions configure an SMTP sender.
type SMTPOptions struct {
	Host     string
	Port     int
	Username string // no authentication when empty
	Password string
	// ImplicitTLS connects with TLS from the start (smtps://, port 465).
	ImplicitTLS bool
	// NoStartTLS never upgrades the connection; otherwise STARTTLS is used
	// whenever the server offers it.
	NoStartTLS bool
	From       string // the From address, "Store <notify@example.com>" or a bare address
	Timeout    time.Duration
	// TLSConfig, when set, replaces the default TLS settings (a private
	// CA, for instance); ServerName defaults to Host.
	TLSConfig *tls.Config
}

// Email is one email to send.
type Email struct {
	To        string
	Subject   string
	Text      string
	HTML      string // optional; the message is multipart/alternative when set
	MessageID string // without angle brackets; see MessageID
	// UnsubscribeURL, when set, is announced in List-Unsubscribe with
	// List-Unsubscribe-Post, so that mail clients offer a one-click
	// unsubscribe (RFC 8058) that POSTs to it.
	UnsubscribeURL string
}

// SMTPSender sends emails over SMTP, one connection per message.
type SMTPSender struct {
	opts   SMTPOptions
	domain string
}

// NewSMTPSender checks opts and returns a sender.
func NewSMTPSender(opts SMTPOptions) (*SMTPSender, error) {
	if opts.Host == "" {
		return nil, errors.New("smtp: host is required")
	}
	addr, err := mail.ParseAddress(opts.From)
	if err != nil {
		return nil, fmt.Errorf("smtp: from address %q: %w", opts.From, err)
	}
	if opts.Port == 0 {
		opts.Port = 587
		if opts.ImplicitTLS {
			opts.Port = 465
		}
	}
	if opts.Timeout == 0 {
		opts.Timeout = 30 * time.Second
	}
	return &SMTPSender{opts: opts, domain: addr.Address[strings.LastIndexByte(addr.Address, '@')+1:]}, nil
}

// MessageID returns the Message-ID of the message for key (a notification's
// stable identity, such as its id) to recipient: the same inputs always give
// the same id, so a repeat after a crash is recognisable as one.
func (s *SMTPSender) MessageID(key, recipient string) string {
	return MessageID(key, recipient, s.domain)
}

// MessageID derives a stable Message-ID (without angle brackets) from a
// message key and its recipient, under domain.
func MessageID(key, recipient, domain string) string {
	sum := sha256.Sum256([]byte(key + "\x00" + strings.ToLower(recipient)))
	return hex.EncodeToString(sum[:16]) + "@" + domain
}

// Send delivers one email and returns the Message-ID it carried. A failure
// is a *SendError: temporary for a connection that failed, a 4xx reply or
// anything before the recipient was named, permanent for a 5xx reply to the
// recipient or the message.
func (s *SMTPSender) Send(ctx context.Context, e Email) (string, error) {
	m := gomail.NewMsg()
	if err := m.From(s.opts.From); err != nil {
		return "", &SendError{Channel: "email", Answer: "from: " + err.Error(), Err: err}
	}
	if err := m.To(e.To); err != nil {
		return "", &SendError{Channel: "email", Answer: "recipient: " + err.Error(), Err: err}
	}
	m.Subject(e.Subject)
	m.SetDate()
	if e.MessageID == "" {
		return "", errors.New("smtp: message id is required")
	}
	m.SetMessageIDWithValue(e.MessageID)
	if e.UnsubscribeURL != "" {
		m.SetGenHeaderPreformatted(gomail.HeaderListUnsubscribe, "<"+e.UnsubscribeURL+">")
		m.SetGenHeaderPreformatted(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	m.SetGenHeaderPreformatted("Auto-Submitted", "auto-generated")
	m.SetBodyString(gomail.TypeTextPlain, e.Text)
	if e.HTML != "" {
		m.AddAlternativeString(gomail.TypeTextHTML, e.HTML)
	}

	c, err := gomail.NewClient(s.opts.Host, s.clientOptions()...)
	if err != nil {
		return "", fmt.Errorf("smtp: client: %w", err)
	}
	sendCtx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	// go-mail heeds ctx only while dialling; a server that is slow to
	// answer DATA would hold a cancelled send (a shutdown past its
	// timeout) for the whole Timeout. So Send returns as soon as ctx is
	// done, and the abandoned session ends within Timeout on its own; if
	// the server took the message after all, the retry repeats it under
	// the same Message-ID.
	sent := make(chan error, 1)
	go func() { sent <- c.DialAndSendWithContext(sendCtx, m) }()
	select {
	case err := <-sent:
		if err != nil {
			return "", classifySMTP(err)
		}
		return e.MessageID, nil
	case <-sendCtx.Done():
		if err := ctx.Err(); err != nil { // the caller gave up: not the server's failure
			return "", fmt.Errorf("smtp: %w", err)
		}
		return "", classifySMTP(fmt.Errorf("no answer within %s: %w", s.opts.Timeout, sendCtx.Err()))
	}
}

func (s *SMTPSender) clientOptions() []gomail.Option {
	o := []gomail.Option{gomail.WithPort(s.opts.Port), gomail.WithTimeout(s.opts.Timeout)}
	if s.opts.TLSConfig != nil {
		tc := s.opts.TLSConfig.Clone()
		if tc.ServerName == "" {
			tc.ServerName = s.opts.Host
		}
		o = append(o, gomail.WithTLSConfig(tc))
	}
	switch {
	case s.opts.ImplicitTLS:
		o = append(o, gomail.WithSSL())
	case s.opts.NoStartTLS:
		o = append(o, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		o = append(o, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.opts.Username != "" {
		o = append(o, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.opts.Username), gomail.WithPassword(s.opts.Password))
	}
	return o
}

// classifySMTP turns go-mail's error into a *SendError. Only a 5xx reply to
// the recipient or the message itself is permanent: a 5xx to MAIL FROM or
// to authentication is the operator's configuration, which can be fixed, so
// it is retried like a connection failure.
func classifySMTP(err error) *SendError {
	se := &SendError{Channel: "email", Temporary: true, Answer: err.Error(), Err: err}
	var ge *gomail.SendError
	if errors.As(err, &ge) {
		se.Code = ge.ErrorCode()
		switch ge.Reason {
		case gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
			se.Temporary = se.Code < 500 || se.Code > 599
		}
	}
	return se
}
