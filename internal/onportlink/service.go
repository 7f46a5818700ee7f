package onportlink

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/commerce"
	"github.com/waybillhq/waybill/internal/secretbox"
	"github.com/waybillhq/waybill/internal/store"
)

// Queue takes the connector's jobs inside the caller's transaction.
type Queue interface {
	// EnqueueOnportFetch schedules the import of one Onport resource
	// ("sale" or "dropshipment"); key names the webhook that asked for it.
	EnqueueOnportFetch(ctx context.Context, tx *sql.Tx, orgID int64, connectionID, kind string, remoteID int64, key string) error
	// EnqueueOnportWrite schedules one write to the connection's Onport.
	EnqueueOnportWrite(ctx context.Context, tx *sql.Tx, orgID int64, connectionID, method, path, body string) error
}

// Trackings is what the connector needs of the tracking core beyond what
// commerce does for it: removing a tracking a dropshipment no longer uses.
type Trackings interface {
	Delete(ctx context.Context, orgID int64, id string) (waybill.Tracking, error)
}

// Service is the Onport connector. It is safe for concurrent use.
type Service struct {
	Store     *store.Store
	Box       *secretbox.Box // seals tokens; without a key no connection can be made
	Commerce  *commerce.Service
	Trackings Trackings
	Queue     Queue
	Throttle  *Throttle    // shared by every job of the process
	HTTP      *http.Client // NewHTTPClient
	PublicURL string       // base of the webhook URLs and of the pages written back
	// Snooze returns the error that runs a job again after d without
	// counting an attempt (queue.Snooze).
	Snooze func(d time.Duration) error
	Logger *slog.Logger
	Now    func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

func (s *Service) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// associated binds a sealed token to its organization and connection, so
// a sealed value copied to another row does not open.
func associated(orgID int64, connectionID string) []byte {
	return []byte("onport-connection:" + strconv.FormatInt(orgID, 10) + ":" + connectionID)
}

// client returns the API client of a connection, its token unsealed.
func (s *Service) client(c waybill.OnportConnection) (*Client, error) {
	token, err := s.Box.Open(c.SealedToken, associated(c.OrgID, c.ID))
	if err != nil {
		return nil, err
	}
	return s.clientFor(c.APIURL, string(token)), nil
}

func (s *Service) clientFor(apiURL, token string) *Client {
	th := s.Throttle
	if th == nil {
		th = NewThrottle()
		s.Throttle = th
	}
	h := s.HTTP
	if h == nil {
		h = NewHTTPClient(false)
	}
	return &Client{BaseURL: apiURL, Token: token, HTTP: h, Throttle: th}
}
