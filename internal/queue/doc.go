// Package queue runs Waybill's follow-up work (carrier polls, webhook
// deliveries, inbound processing) on River, in the same database as the data.
//
// River stays behind this package: the rest of Waybill inserts jobs with
// plain Go values inside a store transaction, and registers plain functions
// as handlers. A job inserted in a transaction exists exactly when that
// transaction commits, so acknowledged work is never lost.
package queue
