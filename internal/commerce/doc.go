// Package commerce is the core of orders and shipments: channels, sales and
// their lines, vendors (dropship providers), purchases, dropshipments and
// variants. Every write goes through Apply or Ship, so the synchronous API
// and the asynchronous inbound processor accept and reject the same
// payloads with the same messages.
package commerce
