// Package notify renders and sends customer notifications: one email or SMS
// per status change of a tracking, with the link to its tracking page.
//
// It holds the templates (per organization, status and language, with
// defaults in English, German, French and Spanish), an email sender that
// speaks SMTP through github.com/wneessen/go-mail, and an SMS sender that
// speaks Twilio's Messages API. Senders classify every failure as temporary
// (worth retrying) or permanent (the provider refused this message), keeping
// the provider's answer, so that the caller records a permanent failure once
// and retries a temporary one with backoff.
package notify
