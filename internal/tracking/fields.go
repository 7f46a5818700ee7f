package tracking

import "github.com/waybillhq/waybill"

// The tracking service takes the core's typed inputs; their rules live with
// them in package waybill (TrackingFields.Validate and the rest), once for
// every face. These names keep the service's callers short.
type (
	// Fields are the caller-editable fields of a tracking.
	Fields = waybill.TrackingFields
	// CreateInput is a request to start following a parcel.
	CreateInput = waybill.CreateTrackingInput
	// UpdateInput changes a tracking.
	UpdateInput = waybill.UpdateTrackingInput
	// Notifications are the recipients of a tracking's customer notifications.
	Notifications = waybill.TrackingNotifications
)

func fieldInvalid(format string, args ...any) error {
	return waybill.Invalid(waybill.ReasonFieldInvalid, format, args...)
}
