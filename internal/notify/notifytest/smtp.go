// Package notifytest runs the outside services of notifications on
// loopback for tests: a real SMTP server (github.com/emersion/go-smtp) that
// keeps what it receives, and a fake of Twilio's Messages API.
package notifytest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mail is one message the SMTP server accepted.
type Mail struct {
	From     string
	To       []string
	Raw      []byte
	Header   mail.Header
	Received time.Time
	TLS      bool // the message came over TLS (STARTTLS)
}

// Subject is the decoded Subject header.
func (m Mail) Subject() string {
	s, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return m.Header.Get("Subject")
	}
	return s
}

// MessageID is the Message-ID header without angle brackets.
func (m Mail) MessageID() string {
	return strings.Trim(m.Header.Get("Message-Id"), "<>")
}

// SMTPServer is an SMTP server on 127.0.0.1 that accepts every message,
// except that a recipient whose local part starts with "bounce" is refused
// with 550 and one starting with "later" with 451. With Username set it
// requires AUTH PLAIN with that name and Password.
type SMTPServer struct {
	Addr     string // host:port
	Host     string
	Port     int
	Username string
	Password string

	// RootCAs trusts the server's certificate when it offers STARTTLS
	// (StartSMTPTLS).
	RootCAs *x509.CertPool

	// Hold, when set before the first message, is called with each
	// message once its data has arrived; the server answers DATA (and
	// keeps the message, as a real server that already has it would) only
	// when Hold returns. Tests make a slow mail server with it.
	Hold func(Mail)

	srv    *smtp.Server
	mu     sync.Mutex
	mails  []Mail
	notify chan struct{}
}

// StartSMTP starts a server for the test and stops it when the test ends.
func StartSMTP(t testing.TB) *SMTPServer {
	t.Helper()
	s, err := NewSMTP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// StartSMTPTLS is StartSMTP with a server that offers STARTTLS, with a
// certificate for 127.0.0.1 that RootCAs trusts.
func StartSMTPTLS(t testing.TB) *SMTPServer {
	t.Helper()
	cert, pool, err := selfSigned()
	if err != nil {
		t.Fatal(err)
	}
	s, err := newSMTP("127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	s.RootCAs = pool
	t.Cleanup(func() { s.Close() })
	return s
}

// NewSMTP starts a server listening on addr (host:port; port 0 picks one).
func NewSMTP(addr string) (*SMTPServer, error) { return newSMTP(addr, nil) }

func newSMTP(addr string, tlsConfig *tls.Config) (*SMTPServer, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &SMTPServer{Addr: l.Addr().String(), Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, notify: make(chan struct{}, 1)}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{s: s, conn: c}, nil }))
	s.srv.TLSConfig = tlsConfig
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ErrorLog = log.New(io.Discard, "", 0) // clients that hang up are expected
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	s.srv.MaxMessageBytes = 1 << 20
	go s.srv.Serve(l) //nolint:errcheck // ends with Close
	return s, nil
}

// Close stops the server.
func (s *SMTPServer) Close() error { return s.srv.Close() }

// Mails returns a copy of the accepted messages, in order of arrival.
func (s *SMTPServer) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// WaitFor waits until at least n messages were accepted or d passed, and
// returns the messages.
func (s *SMTPServer) WaitFor(n int, d time.Duration) []Mail {
	deadline := time.After(d)
	for {
		if m := s.Mails(); len(m) >= n {
			return m
		}
		select {
		case <-s.notify:
		case <-deadline:
			return s.Mails()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

type session struct {
	s        *SMTPServer
	conn     *smtp.Conn
	from     string
	to       []string
	authDone bool
}

func (x *session) AuthMechanisms() []string {
	if x.s.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (x *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != x.s.Username || pass != x.s.Password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication failed"}
		}
		x.authDone = true
		return nil
	}), nil
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.Username != "" && !x.authDone {
		return smtp.ErrAuthRequired
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	switch local := strings.ToLower(to); {
	case strings.HasPrefix(local, "bounce"):
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	case strings.HasPrefix(local, "later"):
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return errors.New("unreadable message")
	}
	_, isTLS := x.conn.TLSConnectionState()
	m := Mail{From: x.from, To: x.to, Raw: raw, Header: msg.Header, Received: time.Now(), TLS: isTLS}
	if x.s.Hold != nil {
		x.s.Hold(m)
	}
	x.s.mu.Lock()
	x.s.mails = append(x.s.mails, m)
	x.s.mu.Unlock()
	select {
	case x.s.notify <- struct{}{}:
	default:
	}
	return nil
}
