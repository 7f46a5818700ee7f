package notifytest

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// SMS is one message the fake Twilio accepted.
type SMS struct {
	SID, To, From, Body string
}

// Twilio is a fake of Twilio's Messages API on loopback: POST
// /2010-04-01/Accounts/{AccountSID}/Messages.json with basic auth. It
// answers as Twilio documents: 201 with the message resource, 400 with
// error 21211 for a To starting with +1555000, 429 (error 20429) for one
// starting with +1555429, 503 for +1555503, and 401 for wrong credentials.
type Twilio struct {
	URL        string
	AccountSID string
	AuthToken  string

	srv  *httptest.Server
	mu   sync.Mutex
	sent []SMS
}

// StartTwilio starts the fake for the test and stops it when the test ends.
func StartTwilio(t testing.TB) *Twilio {
	f := NewTwilio()
	t.Cleanup(f.Close)
	return f
}

// NewTwilio starts the fake; Close stops it.
func NewTwilio() *Twilio {
	f := &Twilio{AccountSID: "AC00000000000000000000000000000001", AuthToken: "test-auth-token"}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{sid}/Messages.json", f.messages)
	f.srv = httptest.NewServer(mux)
	f.URL = f.srv.URL
	return f
}

// Close stops the fake.
func (f *Twilio) Close() { f.srv.Close() }

// Sent returns a copy of the accepted messages.
func (f *Twilio) Sent() []SMS {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]SMS(nil), f.sent...)
}

func twilioError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code), "status": status})
}

func (f *Twilio) messages(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || r.PathValue("sid") != f.AccountSID || user != f.AccountSID || subtle.ConstantTimeCompare([]byte(pass), []byte(f.AuthToken)) != 1 {
		twilioError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if err := r.ParseForm(); err != nil {
		twilioError(w, http.StatusBadRequest, 21602, "Message body is required.")
		return
	}
	to, from, body := r.PostForm.Get("To"), r.PostForm.Get("From"), r.PostForm.Get("Body")
	switch {
	case body == "":
		twilioError(w, http.StatusBadRequest, 21602, "Message body is required.")
		return
	case strings.HasPrefix(to, "+1555000"):
		twilioError(w, http.StatusBadRequest, 21211, fmt.Sprintf("The 'To' number %s is not a valid phone number.", to))
		return
	case strings.HasPrefix(to, "+1555429"):
		twilioError(w, http.StatusTooManyRequests, 20429, "Too Many Requests")
		return
	case strings.HasPrefix(to, "+1555503"):
		http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
		return
	}
	f.mu.Lock()
	sid := fmt.Sprintf("SM%032d", len(f.sent)+1)
	f.sent = append(f.sent, SMS{SID: sid, To: to, From: from, Body: body})
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{"sid": sid, "account_sid": f.AccountSID, "to": to, "from": from,
		"body": body, "status": "queued", "num_segments": "1", "api_version": "2010-04-01"})
}
