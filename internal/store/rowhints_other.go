//go:build !linux

package store

// canAdviseReads: read-ahead advice is used on Linux only.
const canAdviseReads = false

func adviseRead(readerAt, int64, int64) {}

func pageResident(readerAt, int64, int64) bool { return false }
