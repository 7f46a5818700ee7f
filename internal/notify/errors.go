package notify

import (
	"errors"
	"fmt"
)

// SendError is a failed attempt to hand a message to a provider. Temporary
// failures (the provider was unreachable or asked to come back later) are
// worth retrying; permanent ones (the provider refused this message or
// recipient) are not. Answer is what the provider said, for the record.
type SendError struct {
	Channel   string // "email" or "sms"
	Temporary bool
	Code      int    // SMTP reply code or HTTP status; 0 when none came back
	Answer    string // the provider's answer, or the network error
	Err       error
}

func (e *SendError) Error() string {
	kind := "permanent"
	if e.Temporary {
		kind = "temporary"
	}
	if e.Code != 0 {
		return fmt.Sprintf("%s %s failure (%d): %s", e.Channel, kind, e.Code, e.Answer)
	}
	return fmt.Sprintf("%s %s failure: %s", e.Channel, kind, e.Answer)
}

func (e *SendError) Unwrap() error { return e.Err }

// Temporary reports whether err is worth retrying: a *SendError marked
// temporary, or any error that is not a *SendError (a context cancelled
// by shutdown, for instance).
func Temporary(err error) bool {
	var se *SendError
	if errors.As(err, &se) {
		return se.Temporary
	}
	return err != nil
}

// ErrNoProvider is returned by a sender for a channel that is not
// configured; the caller records the message as not sent.
var ErrNoProvider = errors.New("not_sent: no provider")
