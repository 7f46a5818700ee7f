package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

const importUsage = `usage: waybill import [flags] FILE.csv

Create a tracking for every row of a CSV file in AfterShip's CSV import
format, through a running Waybill's POST /v1/trackings/batch.

Columns (header names matched case-insensitively, spaces or underscores):
  tracking_number (required), courier, title, order_id, order_number,
  order_path, customer_name, email, sms/phone, destination_country,
  origin_country, language, note, order_date, tracking_postal_code,
  tracking_ship_date, tracking_account_number, tracking_key,
  tracking_origin_country, tracking_destination_country, tracking_state,
  and custom_fields.NAME for each custom field. Emails and phones hold
  several values separated by commas. Other columns are ignored, with a
  warning.

Each row gets the rules of a v4 create; a row that breaks one is written,
with its reason, to the rejects file, and the others are imported. Rows
are never imported twice: a second run of the same file creates nothing.
After an interruption, --resume continues after the last batch the server
committed (recorded in the checkpoint file).`

// importOptions are the flags of waybill import.
type importOptions struct {
	url, apiKey, rejects, checkpoint string
	batch                            int
	resume                           bool
}

// importCounts are the outcomes so far.
type importCounts struct {
	Created  int `json:"created"`
	Exists   int `json:"exists"`
	Rejected int `json:"rejected"`
}

// importCommand runs `waybill import`.
func importCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cl := newCmdLine("import", importUsage, stdout, stderr)
	var o importOptions
	cl.fs.StringVar(&o.url, "url", envOr("WAYBILL_URL", "http://127.0.0.1:8080"), "Waybill's base URL (WAYBILL_URL)")
	cl.fs.StringVar(&o.apiKey, "api-key", os.Getenv("WAYBILL_API_KEY"), "the organization's API key (WAYBILL_API_KEY)")
	cl.fs.Lookup("api-key").DefValue = "" // help must not print a key
	cl.fs.StringVar(&o.rejects, "rejects", "", "CSV file for rejected rows and their reasons (default FILE.rejects.csv)")
	cl.fs.StringVar(&o.checkpoint, "checkpoint", "", "where the rows done are recorded (default FILE.checkpoint)")
	cl.fs.IntVar(&o.batch, "batch", 500, "rows per request, 1 to 1000")
	cl.fs.BoolVar(&o.resume, "resume", false, "skip the rows the checkpoint file says an earlier run imported")
	operands, err := cl.parse(args, 1, 1)
	if err != nil {
		return err
	}
	switch {
	case o.batch < 1 || o.batch > 1000:
		return cl.fail("--batch must be between 1 and 1000")
	case o.apiKey == "":
		return cl.fail("--api-key (or WAYBILL_API_KEY) is required")
	}
	path := operands[0]
	base := strings.TrimSuffix(path, ".csv")
	if o.rejects == "" {
		o.rejects = base + ".rejects.csv"
	}
	if o.checkpoint == "" {
		o.checkpoint = path + ".checkpoint"
	}
	return runImport(ctx, path, o, stdout, stderr)
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// importRun is one run of an import.
type importRun struct {
	o       importOptions
	client  *batchClient
	layout  *importLayout
	rejects *rejectsFile
	state   importState
	prog    *progress
}

// pendingRow is a row read and not yet settled.
type pendingRow struct {
	line   int
	record []string
	row    map[string]any // nil: refused before sending, for reason
	reason rowError
}

// maxBatchBody keeps a request well under the server's batch body limit.
const maxBatchBody = 4 << 20

func runImport(ctx context.Context, path string, o importOptions, stdout, stderr io.Writer) error {
	total, err := countRows(path)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	r := csv.NewReader(f)
	r.FieldsPerRecord, r.LazyQuotes, r.ReuseRecord = -1, true, false
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: read the header: %w", path, err)
	}
	layout, err := newImportLayout(header)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for _, h := range layout.ignored {
		fmt.Fprintf(stderr, "waybill import: ignoring column %q\n", h)
	}

	run := &importRun{o: o, client: newBatchClient(o.url, o.apiKey), layout: layout}
	fresh := importState{File: path, Size: fi.Size(), Header: strings.Join(header, ",")}
	run.state = fresh
	if o.resume {
		st, ok, err := loadImportState(o.checkpoint)
		switch {
		case err != nil:
			return err
		case !ok:
			fmt.Fprintf(stderr, "waybill import: no checkpoint at %s; starting at the first row\n", o.checkpoint)
		case st.Size != fresh.Size || st.Header != fresh.Header:
			return fmt.Errorf("the checkpoint %s is of another file (or %s changed since); remove it to start over", o.checkpoint, path)
		default:
			run.state = st
		}
	} else if _, ok, _ := loadImportState(o.checkpoint); ok {
		fmt.Fprintf(stderr, "waybill import: %s holds an earlier run's progress; starting over (rows already imported are not created again; --resume skips them)\n", o.checkpoint)
	}
	if run.rejects, err = openRejects(o.rejects, header, run.state.Rows > 0); err != nil {
		return err
	}
	defer run.rejects.Close()

	for i := 0; i < run.state.Rows; i++ {
		if _, err := r.Read(); err == io.EOF {
			break
		} else if err != nil {
			return fmt.Errorf("%s: skip the rows done: %w", path, err)
		}
	}
	run.prog = newProgress(stdout, total, run.state.Rows)
	start := time.Now()
	startRows := run.state.Rows

	var batch []pendingRow
	size := 0
	for {
		record, err := r.Read()
		if err == io.EOF {
			break
		}
		p := pendingRow{record: record}
		var parseErr *csv.ParseError
		if errors.As(err, &parseErr) {
			p.line = parseErr.StartLine
		} else if len(record) > 0 {
			p.line, _ = r.FieldPos(0)
		}
		if err != nil {
			p.reason = rowError{Code: "invalid", Reason: "csv_invalid", Message: err.Error()}
		} else if p.row, err = layout.row(record); err != nil {
			p.reason = rowError{Code: "invalid", Reason: "csv_invalid", Message: err.Error()}
		}
		rowSize := 0
		if p.row != nil {
			b, _ := json.Marshal(p.row)
			rowSize = len(b) + 1
		}
		if len(batch) > 0 && (len(batch) >= o.batch || size+rowSize > maxBatchBody) {
			if err := run.settle(ctx, batch); err != nil {
				return err
			}
			batch, size = nil, 0
		}
		batch = append(batch, p)
		size += rowSize
	}
	if len(batch) > 0 {
		if err := run.settle(ctx, batch); err != nil {
			return err
		}
	}
	run.prog.update(run.state.Rows, run.state.Counts, true)
	if err := os.Remove(o.checkpoint); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	c := run.state.Counts
	elapsed := time.Since(start)
	fmt.Fprintf(stdout, "imported %s: %d rows in %s (%.0f rows/s): %d created, %d already existed, %d rejected",
		path, run.state.Rows-startRows, elapsed.Round(time.Millisecond), float64(run.state.Rows-startRows)/elapsed.Seconds(),
		c.Created, c.Exists, c.Rejected)
	if c.Rejected > 0 {
		fmt.Fprintf(stdout, " (reasons in %s)", o.rejects)
	}
	fmt.Fprintln(stdout)
	return nil
}

// settle sends the batch's rows, writes its rejected rows, then records
// the batch as done: a run interrupted at any point resumes at a batch
// boundary, and the server's idempotence covers a batch sent twice.
func (run *importRun) settle(ctx context.Context, batch []pendingRow) error {
	var rows []map[string]any
	var sent []int
	for i, p := range batch {
		if p.row != nil {
			rows = append(rows, p.row)
			sent = append(sent, i)
		}
	}
	if len(rows) > 0 {
		results, err := run.client.send(ctx, rows)
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("interrupted after %d rows (recorded in %s); run again with --resume to continue", run.state.Rows, run.o.checkpoint)
			}
			return fmt.Errorf("import stopped after %d rows (recorded in %s; --resume continues): %w", run.state.Rows, run.o.checkpoint, err)
		}
		for k, res := range results {
			p := &batch[sent[k]]
			switch res.Status {
			case "created":
				run.state.Counts.Created++
			case "exists":
				run.state.Counts.Exists++
			default:
				if res.Error != nil {
					p.reason = *res.Error
				} else {
					p.reason = rowError{Code: "invalid", Message: "rejected"}
				}
				p.row = nil
			}
		}
	}
	for _, p := range batch {
		if p.row == nil {
			run.state.Counts.Rejected++
			if err := run.rejects.write(p); err != nil {
				return err
			}
		}
	}
	if err := run.rejects.Flush(); err != nil {
		return err
	}
	run.state.Rows += len(batch)
	if err := run.state.save(run.o.checkpoint); err != nil {
		return err
	}
	run.prog.update(run.state.Rows, run.state.Counts, false)
	return nil
}

// countRows counts the data rows of a CSV file (records after the header).
func countRows(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord, r.LazyQuotes, r.ReuseRecord = -1, true, true
	n := -1
	for {
		_, err := r.Read()
		if err == io.EOF {
			break
		}
		var parseErr *csv.ParseError
		if err != nil && !errors.As(err, &parseErr) {
			return 0, err
		}
		n++
	}
	return max(n, 0), nil
}
