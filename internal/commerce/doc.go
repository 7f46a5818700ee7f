// Package commerce is the core of orders and shipments: channels, sales and
// their lines, vendors (dropship providers), purchases, dropshipments and
// variants. Every write goes through Apply or Ship, so the synchronous API
// and the asynchronous inbound processor accept and reject the same writes
// with the same messages. Commerce knows no wire format: faces decode their
// bodies into its typed writes (ManualSale, VariantImport, VendorSKUBatch,
// ShipInput), whose Validate holds the business limits.
package commerce
