package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/waybillhq/waybill/internal/config"
	"github.com/waybillhq/waybill/internal/store"
)

// The bench scripts' helpers, so that they need only the README's tools
// (go, curl, jq, psql): a webhook receiver, a free port and a SQLite
// statement.

// benchSink answers every request with 200 until ctx is done, and reports
// on stderr how many POSTs it received. `waybill bench seed` points each
// organization's endpoint at http://127.0.0.1:9/hooks/ORG; with a sink
// there (and WAYBILL_WEBHOOK_ALLOW_PRIVATE=true on the server) the seed's
// deliveries succeed as most real endpoints' do, instead of failing and
// being retried for days beside whatever is measured.
func benchSink(ctx context.Context, args []string, stderr io.Writer) error {
	var addr, addrFile string
	err := parseBench("sink", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&addr, "addr", "127.0.0.1:9", "listen address")
		fs.StringVar(&addrFile, "addr-file", "", "write the bound address to this file")
	})
	if err != nil {
		return err
	}
	var received atomic.Int64
	body := []byte(`{"ok":true}` + "\n")
	err = serveBench(ctx, "webhook sink", addr, addrFile, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.Method == http.MethodPost {
			received.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}), stderr)
	fmt.Fprintf(stderr, "webhook sink: %d deliveries received\n", received.Load())
	return err
}

// benchFreePort prints a TCP port of 127.0.0.1 that was free a moment ago.
func benchFreePort(args []string, stdout, stderr io.Writer) error {
	if err := parseBench("free-port", args, stderr, func(*flag.FlagSet) {}); err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	fmt.Fprintln(stdout, l.Addr().(*net.TCPAddr).Port)
	return nil
}

// benchSQL runs one statement on a database (a bench's SQLite file, which
// has no client of the README's tools; psql serves PostgreSQL) and prints
// its rows, one a line, the columns separated by spaces (NULL as empty).
func benchSQL(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := config.LoadEnv()
	if err != nil {
		return err
	}
	cl := newCmdLine("bench sql", "usage: waybill bench sql [--database-url U] STATEMENT\n\n"+benchUsage, stderr, stderr)
	cl.databaseFlag(&cfg)
	operands, err := cl.parse(args, 1, 1)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return usageError{errors.New("bench sql: --database-url (or WAYBILL_DATABASE_URL) is required")}
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	rows, err := st.Writer().QueryContext(ctx, operands[0])
	if err != nil {
		return fmt.Errorf("bench sql: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("bench sql: %w", err)
	}
	values, dest := make([]any, len(cols)), make([]any, len(cols))
	for i := range values {
		dest[i] = &values[i]
	}
	fields := make([]string, len(cols))
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("bench sql: %w", err)
		}
		for i, v := range values {
			switch v := v.(type) {
			case nil:
				fields[i] = ""
			case []byte:
				fields[i] = string(v)
			default:
				fields[i] = fmt.Sprint(v)
			}
		}
		fmt.Fprintln(stdout, strings.Join(fields, " "))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("bench sql: %w", err)
	}
	return nil
}
