package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// importState is the checkpoint of an import: how many data rows of which
// file are settled (sent, committed, and their rejects written), and what
// became of them. It is rewritten whole after every batch.
type importState struct {
	File   string       `json:"file"`
	Size   int64        `json:"size"`   // the file's size, to notice another file
	Header string       `json:"header"` // the file's header, likewise
	Rows   int          `json:"rows_done"`
	Counts importCounts `json:"counts"`
}

// save writes the state atomically: a crash leaves the old checkpoint or
// the new one, never half of one.
func (s importState) save(path string) error {
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// loadImportState reads a checkpoint; ok is false when there is none.
func loadImportState(path string) (s importState, ok bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return s, false, nil
	} else if err != nil {
		return s, false, err
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return s, false, fmt.Errorf("the checkpoint %s is damaged (%v); remove it to start over", path, err)
	}
	return s, true, nil
}

// rowError is why a row was rejected: the /v1 error of the row.
type rowError struct {
	Code    string `json:"code"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// rejectsFile is the CSV of rejected rows: the line of the row in the
// imported file, the reason, then the row's own cells under its own
// header, so that it can be corrected and imported again as it is.
type rejectsFile struct {
	f *os.File
	*csv.Writer
}

// rejectColumns come before the imported file's own columns.
var rejectColumns = []string{"line", "error_code", "error_reason", "error_message"}

// openRejects creates the rejects file, or appends to it when resuming.
func openRejects(path string, header []string, resume bool) (*rejectsFile, error) {
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if resume {
		flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return nil, err
	}
	rf := &rejectsFile{f: f, Writer: csv.NewWriter(f)}
	if fi, err := f.Stat(); err == nil && fi.Size() == 0 {
		if err := rf.Write(append(append([]string(nil), rejectColumns...), header...)); err != nil {
			f.Close()
			return nil, err
		}
	}
	return rf, nil
}

func (rf *rejectsFile) write(p pendingRow) error {
	rec := append([]string{strconv.Itoa(p.line), p.reason.Code, p.reason.Reason, p.reason.Message}, p.record...)
	return rf.Write(rec)
}

// Flush writes buffered rows to the file.
func (rf *rejectsFile) Flush() error {
	rf.Writer.Flush()
	return rf.Writer.Error()
}

// Close flushes and closes the file.
func (rf *rejectsFile) Close() error {
	err := rf.Flush()
	return errors.Join(err, rf.f.Close())
}
