package tracking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/secretbox"
)

// credentialSpec is what a carrier's connector needs in a connection.
type credentialSpec struct {
	required, optional []string
}

// carrierCredentials are the credential keys of the carriers Waybill
// polls. A connection for one of them must hold every required key and
// nothing else than the required and optional ones; a connection for any
// other courier is stored as given.
var carrierCredentials = map[string]credentialSpec{
	"ups":   {required: []string{"client_id", "client_secret"}, optional: []string{"account_number"}},
	"fedex": {required: []string{"client_id", "client_secret"}},
	"usps":  {required: []string{"client_id", "client_secret"}},
	"dhl":   {required: []string{"api_key"}},
}

// needsCredentials reports whether the courier's connector cannot be
// called without a connection.
func needsCredentials(slug string) bool {
	_, ok := carrierCredentials[slug]
	return ok
}

// checkCredentialKeys refuses a credential map that lacks a key the
// carrier requires or has one it does not take.
func checkCredentialKeys(slug string, creds map[string]string) error {
	spec, ok := carrierCredentials[slug]
	if !ok {
		return nil
	}
	for _, k := range spec.required {
		if strings.TrimSpace(creds[k]) == "" {
			return waybill.Invalid(waybill.ReasonFieldRequired, "credentials.%s is required for %s (it takes %s).", k, slug, spec.describe())
		}
	}
	for _, k := range slices.Sorted(maps.Keys(creds)) {
		if !slices.Contains(spec.required, k) && !slices.Contains(spec.optional, k) {
			return fieldInvalid("credentials.%s is not a credential of %s (it takes %s).", k, slug, spec.describe())
		}
	}
	return nil
}

func (s credentialSpec) describe() string {
	out := strings.Join(s.required, " and ")
	if len(s.optional) > 0 {
		out += ", optionally " + strings.Join(s.optional, " and ")
	}
	return out
}

// errNoSecretKey is the answer to storing credentials in a Waybill that
// has no key to seal them with: the operator's to fix, not the caller's.
func errNoSecretKey() error {
	return waybill.Errorf(waybill.EUNPROCESSABLE, "This Waybill cannot store courier credentials: its operator has not set WAYBILL_SECRET_KEY.")
}

// connectionAD is the associated data a connection's credentials are
// sealed with: a sealed value copied to another organization or
// connection does not open.
func connectionAD(orgID int64, id string) []byte {
	return fmt.Appendf(nil, "waybill courier connection\x00%d\x00%s", orgID, id)
}

// sealCredentials sets c.Sealed and c.CredentialKeys from creds.
func (s *Service) sealCredentials(c *waybill.CourierConnection, creds map[string]string) error {
	if !s.Secrets.HasKey() {
		return errNoSecretKey()
	}
	plain, err := json.Marshal(creds)
	if err != nil {
		return fmt.Errorf("encode credentials: %w", err)
	}
	sealed, err := s.Secrets.Seal(plain, connectionAD(c.OrgID, c.ID))
	if err != nil {
		return err
	}
	c.Sealed, c.CredentialKeys = sealed, slices.Sorted(maps.Keys(creds))
	return nil
}

// errCredentials is the error of a stored connection that does not open
// with the configured keys.
var errCredentials = errors.New("courier credentials do not open")

// openCredentials returns the secrets of a stored connection. A value
// stored in plain text by a Waybill older than sealing (a JSON object) is
// read as it is; `waybill serve` seals such values when it starts.
func (s *Service) openCredentials(c waybill.CourierConnection) (map[string]string, error) {
	var plain []byte
	if secretbox.IsSealed(c.Sealed) {
		var err error
		if plain, err = s.Secrets.Open(c.Sealed, connectionAD(c.OrgID, c.ID)); err != nil {
			return nil, fmt.Errorf("%w: connection %s: %w", errCredentials, c.ID, err)
		}
	} else {
		plain = []byte(c.Sealed)
	}
	var creds map[string]string
	if err := json.Unmarshal(plain, &creds); err != nil {
		return nil, fmt.Errorf("%w: connection %s: decode: %w", errCredentials, c.ID, err)
	}
	return creds, nil
}

// checkTimeout bounds the carrier's answer to a credential check.
const checkTimeout = 20 * time.Second

// checkWithCarrier asks the courier's connector, when it can check
// credentials, whether the carrier accepts them: a refusal is EINVALID
// with the carrier's reason, a carrier that cannot be asked EUNAVAILABLE.
func (s *Service) checkWithCarrier(ctx context.Context, slug string, creds map[string]string) error {
	if s.Carriers == nil {
		return nil
	}
	conn, ok := s.Carriers.Lookup(slug)
	if !ok {
		return nil
	}
	checker, ok := conn.(carrier.CredentialChecker)
	if !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	err := checker.CheckCredentials(ctx, creds)
	var refused *carrier.CredentialError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &refused):
		return fieldInvalid("The carrier refused these credentials: %s", carrierReason(refused.Reason))
	default:
		s.logger().Warn("courier credential check failed", "slug", slug, "err", err)
		return waybill.Errorf(waybill.EUNAVAILABLE, "Could not reach %s to check the credentials; try again later.", slug)
	}
}

// CheckStoredCredentials is `waybill serve`'s start-up check: with courier
// connections stored, the secret key must be configured and open every
// one of them. Connections stored in plain text by an older Waybill, or
// sealed with an older key of WAYBILL_SECRET_KEY, are sealed again with
// the first key. It returns how many connections it sealed again.
func (s *Service) CheckStoredCredentials(ctx context.Context) (resealed int, err error) {
	var count int
	err = s.Store.Read().EveryConnection(ctx, func(c waybill.CourierConnection) error {
		count++
		if !s.Secrets.HasKey() {
			return nil
		}
		if secretbox.IsSealed(c.Sealed) && !s.Secrets.NeedsReseal(c.Sealed) {
			_, err := s.openCredentials(c)
			return err
		}
		creds, err := s.openCredentials(c)
		if err != nil {
			return err
		}
		if err := s.sealCredentials(&c, creds); err != nil {
			return err
		}
		resealed++
		return s.Store.Write().UpdateConnection(ctx, &c)
	})
	if err != nil {
		return resealed, fmt.Errorf("courier connections: %w (is WAYBILL_SECRET_KEY the key they were sealed with?)", err)
	}
	if count > 0 && !s.Secrets.HasKey() {
		return 0, fmt.Errorf("%d courier connection(s) are stored but WAYBILL_SECRET_KEY is not set: Waybill needs the key their credentials were sealed with (a new one: openssl rand -base64 32)", count)
	}
	return resealed, nil
}

// pollCredentials returns the connection a poll of t uses and its opened
// secrets: t's own courier_connection_id when it names one of the
// organization's connections for t's courier, else the organization's
// first connection for the courier. ok is false when there is none.
func (s *Service) pollCredentials(ctx context.Context, t waybill.Tracking) (c waybill.CourierConnection, ok bool, err error) {
	err = waybill.Errorf(waybill.ENOTFOUND, "no connection named")
	if t.CourierConnectionID != "" && validID(t.CourierConnectionID) {
		c, err = s.Store.ReadIn(ctx).Connection(ctx, t.OrgID, t.CourierConnectionID)
		if err == nil && c.Slug != t.Slug {
			err = waybill.Errorf(waybill.ENOTFOUND, "the named connection is another courier's")
		}
	}
	if waybill.ErrorCode(err) == waybill.ENOTFOUND {
		c, err = s.Store.ReadIn(ctx).FirstConnection(ctx, t.OrgID, t.Slug)
	}
	if waybill.ErrorCode(err) == waybill.ENOTFOUND {
		return c, false, nil
	} else if err != nil {
		return c, false, err
	}
	if c.Credentials, err = s.openCredentials(c); err != nil {
		return c, false, err
	}
	return c, true, nil
}

// carrierReason makes a carrier's refusal fit to show: one line of
// printable text, at most 300 characters.
func carrierReason(reason string) string {
	reason = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return ' '
		}
		return r
	}, reason)
	if r := []rune(strings.TrimSpace(reason)); len(r) > 300 {
		return string(r[:300]) + "…"
	} else if len(r) == 0 {
		return "no reason given"
	}
	return strings.TrimSpace(reason)
}
