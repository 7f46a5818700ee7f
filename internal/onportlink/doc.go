// Package onportlink is the Onport connector: Waybill acting as the
// tracking integration of an organization's own Onport account, as
// Onport's guide for custom tracking integrations describes it (seeds/000).
//
// An organization connects its account once (CreateConnection: the API URL
// and a token, checked with one read and kept sealed with
// WAYBILL_SECRET_KEY). Onport then calls the connection's webhook URLs when
// a sale is dropshipped and when a dropshipment is acknowledged (or with the
// custom channel's fulfillment bundle); Receive answers once the webhook is
// committed as a job, and a repeat of the same webhook is taken in once.
// The job fetches the resource with the includes the guide names
// (Customer and SaleItem for a sale; Purchase and DropshipmentItem for a
// dropshipment) within Onport's throttle for the token (Throttle), and
// makes the order and one tracking per dropshipment through the commerce
// core. Write-back (the dropshipment's trackingUrl, tracking events) goes
// out as jobs of its own within the write budget.
package onportlink
