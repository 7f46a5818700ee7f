package tracking

import (
	"context"
	"errors"

	"github.com/waybillhq/waybill"
)

// CreateClaimed is Create for a request whose API key is remembered as
// belonging to organization orgID under key generation gen
// (tenant.Service.CachedKey) but not confirmed. The create is first made
// at gen (CreateAtKeyGeneration), which costs the key no read of its own.
// authenticate, which authenticates the key and returns its
// organization's id, is called only when that create did not succeed, so
// callers can rely on:
//   - a tracking returned without a call to authenticate was committed in
//     a transaction that read gen: the key was valid after the request
//     arrived;
//   - an error of authenticate (a revoked key: 401) is returned before
//     any other error, so a request with a bad key never learns whether
//     its body was valid;
//   - when the generation moved on, or the key now authenticates for
//     another organization, the create is made again for the organization
//     authenticated, as if the request had authenticated first.
func (s *Service) CreateClaimed(ctx context.Context, orgID int64, in CreateInput, gen int64, authenticate func() (int64, error)) (waybill.Tracking, error) {
	t, err := s.CreateAtKeyGeneration(ctx, orgID, in, gen)
	if err == nil {
		return t, nil
	}
	authenticated, authErr := authenticate()
	if authErr != nil {
		return waybill.Tracking{}, authErr
	}
	if errors.Is(err, ErrKeyGenerationMoved) || authenticated != orgID {
		return s.Create(ctx, authenticated, in)
	}
	return waybill.Tracking{}, err
}
