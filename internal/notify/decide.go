package notify

import (
	"slices"
	"time"

	"github.com/waybillhq/waybill"
)

// DefaultSettings are an organization's rules until it stores its own:
// every notifying status, both channels, no delay. A tracking's recipients
// were given to be told, so telling them is the default.
func DefaultSettings() waybill.NotificationSettings {
	return waybill.NotificationSettings{Statuses: slices.Clone(Statuses), Email: true, SMS: true}
}

// Recipient is one address a message goes to.
type Recipient struct {
	Channel string // waybill.ChannelEmail or waybill.ChannelSMS
	Address string
}

// Due returns who hears about an event under settings, following
// AfterShip's rules:
//   - only a tracking_update (a change of status) notifies, never a
//     checkpoint that keeps the status, and only for Statuses that the
//     organization keeps;
//   - a tracking whose first known status is Delivered notifies no one;
//   - a batch of checkpoints makes one status change to the status the
//     batch ends on (waybill.Tracking.Advance), so the statuses it passed
//     through are never announced;
//   - each email and phone number of the tracking once (the store refuses
//     a second message for the same tracking, status and recipient).
//
// Due is pure.
func Due(e waybill.Event, settings waybill.NotificationSettings) []Recipient {
	if e.Type != waybill.EventTrackingUpdate || e.Tracking == nil || !Notifies(e.Tag) {
		return nil
	}
	if e.FirstTag && e.Tag == waybill.TagDelivered {
		return nil
	}
	if !slices.Contains(settings.Statuses, e.Tag) {
		return nil
	}
	var out []Recipient
	seen := map[string]bool{}
	add := func(channel, addr string) {
		if addr == "" || seen[channel+"\x00"+addr] {
			return
		}
		seen[channel+"\x00"+addr] = true
		out = append(out, Recipient{Channel: channel, Address: addr})
	}
	if settings.Email {
		for _, a := range e.Tracking.Emails {
			add(waybill.ChannelEmail, a)
		}
	}
	if settings.SMS {
		for _, a := range e.Tracking.Smses {
			add(waybill.ChannelSMS, a)
		}
	}
	return out
}

// DefaultSchedule is the wait before each retry of a temporary failure:
// after the last, the notification is recorded failed.
var DefaultSchedule = []time.Duration{
	30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour,
}
