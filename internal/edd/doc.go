// Package edd predicts delivery dates before a parcel ships, as AfterShip's
// estimated-delivery-date predict API does, from Waybill's own delivered
// history.
//
// A prediction takes the finest group of past deliveries with enough
// samples (courier, service and origin→destination lane; then courier and
// lane; then courier and scope, domestic or international) and answers the
// median of their transit days as the date, and the 10th to 90th
// percentile as the window, claiming the share of that group's deliveries
// that fell inside the window as its coverage. With too little history it
// falls back to AfterShip's "custom EDD" rule: the pickup date (given, or
// computed from the order time, the cut-off, the business days and the
// processing time) plus a configured transit time. Each prediction says
// which source it used.
//
// The statistics (Predictor) are pure; Service reads the organization's
// history from the store.
package edd
