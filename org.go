package waybill

import "time"

// Organization is a tenant. Every other record belongs to exactly one.
type Organization struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// APIKey describes a stored key. The key itself is shown once, at creation,
// and stored only as a hash.
type APIKey struct {
	ID        int64     `json:"id"`
	OrgID     int64     `json:"org_id"`
	Prefix    string    `json:"prefix"`
	CreatedAt time.Time `json:"created_at"`
}
