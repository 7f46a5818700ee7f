package waybill

import "time"

// CourierConnection holds an organization's credentials for one carrier
// account. Credentials are secrets: faces show them masked.
type CourierConnection struct {
	ID          string            `json:"id"`
	OrgID       int64             `json:"-"`
	Slug        string            `json:"courier_slug"`
	Credentials map[string]string `json:"credentials"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}
