package tracking

import (
	"context"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/courier"
	"github.com/waybillhq/waybill/internal/store"
)

// maxCredentials bounds a connection's credential map.
const maxCredentials = 20

func validateCredentials(creds map[string]string) error {
	if len(creds) == 0 {
		return waybill.Invalid(waybill.ReasonFieldRequired, "credentials is required.")
	}
	if len(creds) > maxCredentials {
		return fieldInvalid("credentials has more than %d keys.", maxCredentials)
	}
	for k, v := range creds {
		if k == "" || !waybill.CleanLine(k, 128) || !waybill.CleanLine(v, 4096) {
			return fieldInvalid("credentials: keys must be 1 to 128 characters and values at most 4096, without control characters.")
		}
	}
	return nil
}

// CreateConnection stores carrier credentials for the organization. For a
// carrier Waybill polls, the credentials must be the ones it takes
// (carrierCredentials) and, when its connector can check them, accepted
// by the carrier. They are stored sealed; the connection returned, like
// every connection this service returns, names its credentials without
// their values.
func (s *Service) CreateConnection(ctx context.Context, orgID int64, slug string, creds map[string]string) (waybill.CourierConnection, error) {
	if _, ok := courier.Lookup(slug); !ok {
		return waybill.CourierConnection{}, waybill.Invalid(waybill.ReasonSlugInvalid, "The value of courier_slug is invalid.")
	}
	if err := s.acceptCredentials(ctx, slug, creds); err != nil {
		return waybill.CourierConnection{}, err
	}
	now := s.now()
	c := waybill.CourierConnection{ID: store.NewPublicID(), OrgID: orgID, Slug: slug, CreatedAt: now, UpdatedAt: now}
	if err := s.sealCredentials(&c, creds); err != nil {
		return waybill.CourierConnection{}, err
	}
	return shown(c), s.Store.Write().InsertConnection(ctx, &c)
}

// acceptCredentials runs every check of credentials before they are
// stored, the carrier's own last.
func (s *Service) acceptCredentials(ctx context.Context, slug string, creds map[string]string) error {
	if err := validateCredentials(creds); err != nil {
		return err
	}
	if err := checkCredentialKeys(slug, creds); err != nil {
		return err
	}
	if !s.Secrets.HasKey() {
		return errNoSecretKey()
	}
	return s.checkWithCarrier(ctx, slug, creds)
}

// UpdateConnection replaces a connection's credentials, with the checks
// of CreateConnection.
func (s *Service) UpdateConnection(ctx context.Context, orgID int64, id string, creds map[string]string) (waybill.CourierConnection, error) {
	if err := validateCredentials(creds); err != nil {
		return waybill.CourierConnection{}, err
	}
	if !validID(id) {
		return waybill.CourierConnection{}, connectionNotFound()
	}
	current, err := s.Store.Read().Connection(ctx, orgID, id)
	if err != nil {
		return waybill.CourierConnection{}, err
	}
	if err := s.acceptCredentials(ctx, current.Slug, creds); err != nil {
		return waybill.CourierConnection{}, err
	}
	var c waybill.CourierConnection
	err = s.Store.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		if c, err = tx.Connection(ctx, orgID, id); err != nil {
			return err
		}
		if err := s.sealCredentials(&c, creds); err != nil {
			return err
		}
		c.UpdatedAt = s.now()
		return tx.UpdateConnection(ctx, &c)
	})
	return shown(c), err
}

// Connection returns one of the organization's connections.
func (s *Service) Connection(ctx context.Context, orgID int64, id string) (waybill.CourierConnection, error) {
	if !validID(id) {
		return waybill.CourierConnection{}, connectionNotFound()
	}
	c, err := s.Store.Read().Connection(ctx, orgID, id)
	return shown(c), err
}

// DeleteConnection removes a connection and returns it as it was.
func (s *Service) DeleteConnection(ctx context.Context, orgID int64, id string) (waybill.CourierConnection, error) {
	if !validID(id) {
		return waybill.CourierConnection{}, connectionNotFound()
	}
	var c waybill.CourierConnection
	err := s.Store.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		if c, err = tx.Connection(ctx, orgID, id); err != nil {
			return err
		}
		return tx.DeleteConnection(ctx, orgID, id)
	})
	return shown(c), err
}

// ListConnections pages through the organization's connections.
func (s *Service) ListConnections(ctx context.Context, orgID int64, slug string, limit int, before int64) ([]waybill.CourierConnection, int, int64, error) {
	if !waybill.CleanLine(slug, waybill.MaxCodeLen) {
		return nil, 0, 0, fieldInvalid("The value of courier_slug is invalid.")
	}
	conns, total, next, err := s.Store.Read().ListConnections(ctx, orgID, slug, limit, before)
	for i := range conns {
		conns[i] = shown(conns[i])
	}
	return conns, total, next, err
}

// shown is a connection as faces may see it: without its sealed value
// (which is no use to them) or any opened secret.
func shown(c waybill.CourierConnection) waybill.CourierConnection {
	c.Sealed, c.Credentials = "", nil
	return c
}

// connectionNotFound is the answer for an id that cannot be a connection's,
// given without a query.
func connectionNotFound() error {
	return waybill.Errorf(waybill.ENOTFOUND, "Courier connection does not exist.")
}
