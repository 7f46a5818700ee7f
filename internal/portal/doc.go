// Package portal is the core service behind the hosted tracking pages: it
// finds the trackings a page shows (by page token, tracking number or order
// number), decides what a visitor may see (no personal data without proof of
// the order; the organization's courier and location masking), and keeps
// each organization's branding. It returns plain view values; rendering them
// is the web face's work.
package portal
