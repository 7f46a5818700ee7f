// Package reqlog carries, in a request's context, what the request log line
// learns while the request is served: which organization it acted for.
// The HTTP server starts a Record for each request; whatever authenticates
// the caller (API key, webhook hash) notes the organization. It imports
// nothing of Waybill's, so any layer may note.
package reqlog

import (
	"context"
	"sync/atomic"
)

// Record is what one request's log line reports besides its HTTP facts.
// Its methods are safe for concurrent use.
type Record struct {
	orgID atomic.Int64
}

type key struct{}

// Start returns ctx carrying a new Record, and the Record.
func Start(ctx context.Context) (context.Context, *Record) {
	r := &Record{}
	return context.WithValue(ctx, key{}, r), r
}

// NoteOrg records that the request acts for organization orgID. It does
// nothing when ctx carries no Record (jobs, the CLI, tests).
func NoteOrg(ctx context.Context, orgID int64) {
	if r, ok := ctx.Value(key{}).(*Record); ok {
		r.orgID.Store(orgID)
	}
}

// OrgID is the organization noted, or 0.
func (r *Record) OrgID() int64 { return r.orgID.Load() }
