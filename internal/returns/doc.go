// Package returns is the core of returns: which items of an order a
// shopper may send back (the organization's window, before-delivery rule
// and non-returnable items), the return's state machine
// (waybill.ReturnStatus.Next), the quantities every return of an order
// claims (enforced by the database), the return parcel as a tracking with
// shipment_direction "return", and the follow-up work of each change: the
// return.* event and its webhook deliveries, and the shopper's email, all
// written in the change's own transaction.
//
// Faces translate: internal/web serves the shopper's pages, and the admin
// face serves /v1/returns. Neither imports the store.
package returns
