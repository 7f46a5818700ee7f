package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/waybillhq/waybill/internal/testdb"
)

// importCSV returns a CSV of n rows in AfterShip's import columns, with
// header spellings as people write them. Every rejectEvery-th row (when
// not 0) has an email address that is not one, and so is rejected; the
// others are distinct valid rows.
func importCSV(n, rejectEvery int) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"Courier", "Tracking Number", "Order Number", "Title", "Emails", "Phone", "Customer Name",
		"destination_country", "LANGUAGE", "custom_fields.sku"})
	slugs := []string{"dhl", "ups", "fedex", "usps"}
	for i := 1; i <= n; i++ {
		email := fmt.Sprintf("buyer%d@example.com", i)
		if rejectEvery > 0 && i%rejectEvery == 0 {
			email = "not-an-email"
		}
		_ = w.Write([]string{slugs[i%len(slugs)], fmt.Sprintf("WBIMP%010d", i), fmt.Sprintf("#%d", 10000+i),
			fmt.Sprintf("Order %d", i), email, "+14155550100", "Ann Lee", "USA", "en", fmt.Sprintf("SKU-%d", i%97)})
	}
	w.Flush()
	return b.String()
}

// TestWriteImportCSV writes importCSV(WAYBILL_IMPORT_ROWS or 100,000, 1000)
// to the file named by WAYBILL_IMPORT_CSV, for the import benchmark
// (docs/BENCHMARKS.md).
func TestWriteImportCSV(t *testing.T) {
	path := os.Getenv("WAYBILL_IMPORT_CSV")
	if path == "" {
		t.Skip("WAYBILL_IMPORT_CSV not set")
	}
	n := 100_000
	if v := os.Getenv("WAYBILL_IMPORT_ROWS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(path, []byte(importCSV(n, 1000)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestImportHelpAndBadLines(t *testing.T) {
	out, _, code := cli(t, "import", "--help")
	if code != 0 || !strings.HasPrefix(out, "usage: waybill import") || !strings.Contains(out, "--resume") {
		t.Errorf("import --help: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{
		{"import"}, {"import", "--batch", "0", "--api-key", "k", "x.csv"}, {"import", "--batch", "1001", "--api-key", "k", "x.csv"},
		{"import", "--api-key", "k", "a.csv", "b.csv"}, {"import", "--nope", "x.csv"},
	} {
		if _, errOut, code := cli(t, args...); code != 2 || !strings.Contains(errOut, "usage: waybill import") {
			t.Errorf("%q: exit %d\n%s", args, code, errOut)
		}
	}
	t.Setenv("WAYBILL_API_KEY", "")
	if _, errOut, code := cli(t, "import", "x.csv"); code != 2 || !strings.Contains(errOut, "--api-key") {
		t.Errorf("no key: exit %d\n%s", code, errOut)
	}
}

// TestImportResumesAndWritesRejects imports a file through a proxy that
// stops the import after the server committed its second batch but before
// the answer arrived. --resume then finishes it: every valid row is
// imported once, the rejected rows are in the rejects file once each with
// their reasons, and a second run of the file creates nothing.
func TestImportResumesAndWritesRejects(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			p := startServe(t, testdb.URL(t, engine), "WAYBILL_LOG_LEVEL=warn")
			const key = "wb_test_bootstrap_key_0001"
			dir := t.TempDir()
			file := filepath.Join(dir, "trackings.csv")
			// 60 rows: every 7th rejected (8 of them), and rows 59 and 60
			// repeat rows 1 and 2 (same courier and number).
			data := importCSV(58, 7)
			lines := strings.Split(strings.TrimSpace(data), "\n")
			data += lines[1] + "\n" + lines[2] + "\n"
			if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
			const valid = 58 - 8

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var batches atomic.Int32
			proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				req, _ := http.NewRequest(r.Method, p.URL+r.URL.Path, bytes.NewReader(body))
				req.Header = r.Header.Clone()
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadGateway)
					return
				}
				answer, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if batches.Add(1) == 2 {
					// Committed on the server; the client never hears of it.
					cancel()
					<-r.Context().Done()
					return
				}
				w.WriteHeader(res.StatusCode)
				_, _ = w.Write(answer)
			}))
			defer proxy.Close()

			args := []string{"import", "--url", proxy.URL, "--api-key", key, "--batch", "10", file}
			var out, errOut bytes.Buffer
			err := run(ctx, args, strings.NewReader(""), &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), "--resume") {
				t.Fatalf("interrupted import: %v\n%s%s", err, out.String(), errOut.String())
			}
			state, ok, err := loadImportState(file + ".checkpoint")
			if err != nil || !ok || state.Rows != 10 {
				t.Fatalf("checkpoint after the interruption: %+v %v %v", state, ok, err)
			}
			if n := countTrackings(t, p, key); n != 18 {
				t.Fatalf("%d trackings after two batches (one unanswered), want 18", n)
			}

			out.Reset()
			errOut.Reset()
			err = run(context.Background(), append(args[:len(args)-1], "--resume", file), strings.NewReader(""), &out, &errOut)
			if err != nil {
				t.Fatalf("resumed import: %v\n%s%s", err, out.String(), errOut.String())
			}
			summary := lastLine(out.String())
			if !strings.Contains(summary, "50 rows") || !strings.Contains(summary, fmt.Sprintf("%d created", valid-9)) ||
				!strings.Contains(summary, "8 rejected") {
				t.Errorf("resumed summary: %q\n%s", summary, out.String())
			}
			if !strings.Contains(out.String(), "import: 60/60 rows (100%)") {
				t.Errorf("no progress lines:\n%s", out.String())
			}
			if n := countTrackings(t, p, key); n != valid {
				t.Fatalf("%d trackings after the resumed import, want %d", n, valid)
			}
			if _, err := os.Stat(file + ".checkpoint"); !os.IsNotExist(err) {
				t.Errorf("the checkpoint outlived a finished import: %v", err)
			}
			checkRejects(t, filepath.Join(dir, "trackings.rejects.csv"), 8)

			// A second run of the whole file creates nothing.
			out.Reset()
			err = run(context.Background(), append(args[:len(args)-1:len(args)-1], "--url", p.URL, file), strings.NewReader(""), &out, &errOut)
			if err != nil || !strings.Contains(lastLine(out.String()), "0 created, 52 already existed, 8 rejected") {
				t.Fatalf("second run: %v\n%s", err, out.String())
			}
			if n := countTrackings(t, p, key); n != valid {
				t.Fatalf("%d trackings after the second run, want %d", n, valid)
			}
			checkRejects(t, filepath.Join(dir, "trackings.rejects.csv"), 8)
		})
	}
}

// checkRejects reads the rejects file: want rows, each with its line, a
// reason and the row's own cells.
func checkRejects(t *testing.T, path string, want int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != want+1 || strings.Join(records[0][:5], ",") != "line,error_code,error_reason,error_message,Courier" {
		t.Fatalf("rejects file: %d records, header %q", len(records), records[0])
	}
	seen := map[string]bool{}
	for _, r := range records[1:] {
		if r[1] != "invalid" || r[2] != "field_invalid" || !strings.Contains(r[3], "not-an-email") || r[8] != "not-an-email" {
			t.Errorf("reject %q", r)
		}
		line, _ := strconv.Atoi(r[0])
		if line%7 != 1 || seen[r[0]] { // data row i is on line i+1
			t.Errorf("reject of line %s (duplicate: %v)", r[0], seen[r[0]])
		}
		seen[r[0]] = true
	}
}

func countTrackings(t *testing.T, p *process, key string) int {
	t.Helper()
	status, body := p.call(t, "GET", "/v4/trackings?limit=1", key, nil)
	if status != 200 {
		t.Fatalf("list: %d %v", status, body)
	}
	return int(body["data"].(map[string]any)["count"].(float64))
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestImportLayout(t *testing.T) {
	l, err := newImportLayout([]string{"\ufeffTracking Number", "COURIER", "order-number", "E-mail", "custom_fields[Gift Note]", "Warehouse"})
	if err != nil {
		t.Fatal(err)
	}
	row, err := l.row([]string{" 1Z999AA10123456784 ", "ups", "#1", "a@x.com, b@x.com", "wrap it", "W1"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(row)
	if want := `{"custom_fields":{"Gift Note":"wrap it"},"emails":["a@x.com","b@x.com"],"order_number":"#1","slug":"ups","tracking_number":"1Z999AA10123456784"}`; string(got) != want {
		t.Errorf("row %s, want %s", got, want)
	}
	if strings.Join(l.ignored, ",") != "Warehouse" {
		t.Errorf("ignored %q", l.ignored)
	}
	if _, err := l.row([]string{"1", "ups", "#1", "", "", "", "extra"}); err == nil {
		t.Error("a row with more cells than the header passed")
	}
	if _, err := l.row([]string{"1", "ups\xff"}); err == nil {
		t.Error("invalid UTF-8 passed")
	}
	if _, err := newImportLayout([]string{"courier", "title"}); err == nil {
		t.Error("a header without tracking number passed")
	}
	if _, err := newImportLayout([]string{"tracking_number", "courier", "slug"}); err == nil {
		t.Error("two courier columns passed")
	}
}
