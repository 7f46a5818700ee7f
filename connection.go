package waybill

import "time"

// CourierConnection is an organization's account with one carrier: the
// credentials Waybill uses to ask the carrier about the organization's
// parcels. The secrets themselves travel only sealed (Sealed, made by the
// tracking service with the process's secret key); the connection shows
// which credentials it holds (CredentialKeys), never their values.
// Credentials is set only on the poller's own path, opened for a carrier
// call, and never by the methods that faces call.
type CourierConnection struct {
	ID    string
	OrgID int64
	Slug  string
	// CredentialKeys names the stored credentials, sorted.
	CredentialKeys []string
	// Sealed is the credentials map as a sealed value ("wbx1...").
	Sealed string
	// Credentials are the opened secrets; nil except on the poller's path.
	Credentials map[string]string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}
