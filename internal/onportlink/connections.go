package onportlink

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"strings"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/commerce"
	"github.com/waybillhq/waybill/internal/store"
)

// ConnectionInput creates or changes a connection. Nil fields are left as
// they are on update; APIURL and Token are required on create.
type ConnectionInput struct {
	APIURL           *string
	Token            *string
	WriteTrackingURL *bool
	WriteEvents      *bool
}

// Hook kinds: the last segment of a webhook URL.
const (
	HookSales         = "sales"         // Integrations > Api: sales, action dropship
	HookDropshipments = "dropshipments" // Integrations > Api: dropshipments, externally acknowledged
	HookFulfillments  = "fulfillments"  // the custom channel's fulfillment webhook (seeds/003)
)

// HookKinds lists the webhook URLs of a connection.
var HookKinds = []string{HookSales, HookDropshipments, HookFulfillments}

// HookURLs returns the webhook URLs to paste into Onport, by kind.
func (s *Service) HookURLs(c waybill.OnportConnection) map[string]string {
	out := map[string]string{}
	for _, k := range HookKinds {
		out[k] = strings.TrimRight(s.PublicURL, "/") + "/v1/connectors/onport/hooks/" + c.HookToken + "/" + k
	}
	return out
}

func noKey() error {
	return waybill.Errorf(waybill.EUNPROCESSABLE,
		"Onport tokens are stored encrypted: set WAYBILL_SECRET_KEY (waybill config shows whether it is set) and restart Waybill.")
}

// cleanAPIURL checks an API URL: an absolute http(s) URL without query,
// fragment or credentials; a trailing slash is dropped.
func cleanAPIURL(raw string) (string, error) {
	raw = strings.TrimRight(strings.TrimSpace(raw), "/")
	u, err := url.Parse(raw)
	if err != nil || !waybill.CleanLine(raw, 2048) || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", waybill.Invalid(waybill.ReasonFieldInvalid, "api_url must be an absolute http or https URL such as https://api.jetti.io, without query or credentials.")
	}
	return raw, nil
}

func cleanToken(raw string) (string, error) {
	t := strings.TrimSpace(raw)
	if t == "" || !waybill.CleanLine(t, 4096) || strings.ContainsAny(t, " \t") {
		return "", waybill.Invalid(waybill.ReasonFieldInvalid, "token must be Onport's API token: 1 to 4096 characters, without spaces or control characters.")
	}
	return t, nil
}

// check makes the one read that proves the token: a page of one channel.
func (s *Service) check(ctx context.Context, apiURL, token string) error {
	var channels []map[string]any
	err := s.clientFor(apiURL, token).Get(ctx, "/api/channels.json", "limit=1", &channels)
	var se *StatusError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se) && (se.Status == 401 || se.Status == 403):
		return waybill.Invalid(waybill.ReasonFieldInvalid, "token: Onport refused it (%d); copy the token from Onport's Integrations > Api.", se.Status)
	case errors.As(err, &se):
		return waybill.Errorf(waybill.EUNPROCESSABLE, "api_url: %s answered %d to GET /api/channels.json; is it Onport's API?", apiURL, se.Status)
	}
	var rl *RetryLaterError
	if errors.As(err, &rl) {
		return waybill.Errorf(waybill.EUNAVAILABLE, "Onport is throttling this token; try again in %s.", rl.After)
	}
	return waybill.Errorf(waybill.EUNPROCESSABLE, "api_url: could not reach Onport: %v", err)
}

func newHookToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// CreateConnection checks the token with one read against the API URL,
// seals it, and stores the connection with a channel of its own for the
// account's sales. Without WAYBILL_SECRET_KEY it refuses (EUNPROCESSABLE).
func (s *Service) CreateConnection(ctx context.Context, orgID int64, in ConnectionInput) (waybill.OnportConnection, error) {
	if !s.Box.HasKey() {
		return waybill.OnportConnection{}, noKey()
	}
	if in.APIURL == nil || in.Token == nil {
		return waybill.OnportConnection{}, waybill.Invalid(waybill.ReasonFieldRequired, "api_url and token are required.")
	}
	apiURL, err := cleanAPIURL(*in.APIURL)
	if err != nil {
		return waybill.OnportConnection{}, err
	}
	token, err := cleanToken(*in.Token)
	if err != nil {
		return waybill.OnportConnection{}, err
	}
	if err := s.check(ctx, apiURL, token); err != nil {
		return waybill.OnportConnection{}, err
	}
	now := s.now()
	c := waybill.OnportConnection{ID: store.NewPublicID(), OrgID: orgID, APIURL: apiURL, HookToken: newHookToken(),
		WriteTrackingURL: in.WriteTrackingURL != nil && *in.WriteTrackingURL, WriteEvents: in.WriteEvents != nil && *in.WriteEvents,
		CreatedAt: now, UpdatedAt: now}
	if c.SealedToken, err = s.Box.Seal([]byte(token), associated(orgID, c.ID)); err != nil {
		return waybill.OnportConnection{}, err
	}
	host, _ := url.Parse(apiURL)
	name := "Onport " + host.Host
	err = s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		ch, err := s.Commerce.CreateChannel(ctx, orgID, commerce.ChannelInput{Name: &name})
		if err != nil {
			return err
		}
		c.ChannelID = ch.ID
		return tx.InsertOnportConnection(ctx, c)
	})
	return c, err
}

// UpdateConnection changes the present fields. A new token (or API URL)
// is checked with one read before it is stored.
func (s *Service) UpdateConnection(ctx context.Context, orgID int64, id string, in ConnectionInput) (waybill.OnportConnection, error) {
	c, err := s.Connection(ctx, orgID, id)
	if err != nil {
		return c, err
	}
	if in.APIURL != nil || in.Token != nil {
		if !s.Box.HasKey() {
			return c, noKey()
		}
		apiURL := c.APIURL
		if in.APIURL != nil {
			if apiURL, err = cleanAPIURL(*in.APIURL); err != nil {
				return c, err
			}
		}
		var token string
		if in.Token != nil {
			if token, err = cleanToken(*in.Token); err != nil {
				return c, err
			}
		} else {
			plain, err := s.Box.Open(c.SealedToken, associated(orgID, c.ID))
			if err != nil {
				return c, err
			}
			token = string(plain)
		}
		if err := s.check(ctx, apiURL, token); err != nil {
			return c, err
		}
		if c.SealedToken, err = s.Box.Seal([]byte(token), associated(orgID, c.ID)); err != nil {
			return c, err
		}
		c.APIURL = apiURL
	}
	if in.WriteTrackingURL != nil {
		c.WriteTrackingURL = *in.WriteTrackingURL
	}
	if in.WriteEvents != nil {
		c.WriteEvents = *in.WriteEvents
	}
	c.UpdatedAt = s.now()
	return c, s.Store.Write().UpdateOnportConnection(ctx, c)
}

// validID reports whether id can be a connection's (32 hex digits).
func validID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

func notFound() error { return waybill.Errorf(waybill.ENOTFOUND, "Onport connection not found.") }

// Connection returns one of the organization's connections.
func (s *Service) Connection(ctx context.Context, orgID int64, id string) (waybill.OnportConnection, error) {
	if !validID(id) {
		return waybill.OnportConnection{}, notFound()
	}
	return s.Store.Read().OnportConnection(ctx, orgID, id)
}

// Connections lists the organization's connections.
func (s *Service) Connections(ctx context.Context, orgID int64) ([]waybill.OnportConnection, error) {
	return s.Store.Read().OnportConnections(ctx, orgID)
}

// DeleteConnection removes a connection: its webhook URLs stop working and
// its token is gone. The orders and trackings it made stay.
func (s *Service) DeleteConnection(ctx context.Context, orgID int64, id string) (waybill.OnportConnection, error) {
	if !validID(id) {
		return waybill.OnportConnection{}, notFound()
	}
	var c waybill.OnportConnection
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		if c, err = tx.OnportConnection(ctx, orgID, id); err != nil {
			return err
		}
		return tx.DeleteOnportConnection(ctx, orgID, id)
	})
	return c, err
}
