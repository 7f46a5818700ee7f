package tracking_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/config"
	"github.com/waybillhq/waybill/internal/queue"
	"github.com/waybillhq/waybill/internal/secretbox"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/testdb"
	"github.com/waybillhq/waybill/internal/tracking"
)

// recordingCarrier answers every number as not found and remembers the
// credentials each fetch carried.
type recordingCarrier struct {
	mu    sync.Mutex
	creds []map[string]string
}

func (c *recordingCarrier) Fetch(_ context.Context, req carrier.FetchRequest) (carrier.FetchResult, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.creds = append(c.creds, req.Credentials)
	return carrier.FetchResult{}, carrier.ErrNotFound
}

func (c *recordingCarrier) fetches() []map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]map[string]string(nil), c.creds...)
}

// openRaw opens a migrated store on a fresh database and returns it with
// the SQLite file's path ("" on PostgreSQL).
func openRaw(t *testing.T, engine string) (*store.Store, string) {
	t.Helper()
	ctx := context.Background()
	url := testdb.URL(t, engine)
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx, queue.Migrate(st.Writer(), st.Engine())); err != nil {
		t.Fatal(err)
	}
	_, source, _ := config.ParseDatabaseURL(url)
	if engine != store.SQLite {
		source = ""
	}
	return st, source
}

// storedBytes is everything the database holds of courier connections:
// on SQLite the raw bytes of the file and its write-ahead log, on
// PostgreSQL every column of every row as text.
func storedBytes(t *testing.T, st *store.Store, path string) []byte {
	t.Helper()
	if path != "" {
		var all []byte
		for _, p := range []string{path, path + "-wal"} {
			b, err := os.ReadFile(p)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		if len(all) == 0 {
			t.Fatal("the SQLite file is empty")
		}
		return all
	}
	rows, err := st.Writer().Query(`SELECT public_id, slug, credentials, credential_keys FROM courier_connections`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var buf bytes.Buffer
	for rows.Next() {
		var a, b, c, d string
		if err := rows.Scan(&a, &b, &c, &d); err != nil {
			t.Fatal(err)
		}
		buf.WriteString(a + b + c + d)
	}
	if buf.Len() == 0 {
		t.Fatal("no courier connection rows")
	}
	return buf.Bytes()
}

func newKeyBox(t testing.TB) *secretbox.Box {
	t.Helper()
	b, err := secretbox.Parse(secretbox.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCredentialsSealedAtRest: a connection's secrets are not in the
// database file (or rows), not in anything the service returns, and not in
// any log line, yet reach the carrier on a poll: the tracking's own
// connection when it names one, else the organization's first for the
// courier.
func TestCredentialsSealedAtRest(t *testing.T) {
	const (
		secretA = "Zq8-client-secret-AAAA-1111"
		secretB = "Zq8-client-secret-BBBB-2222"
		idA     = "client-id-alpha-7731"
	)
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st, path := openRaw(t, engine)
			q, err := queue.New(st.Writer(), queue.Options{Engine: st.Engine()}, queue.Handlers{})
			if err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			rec := &recordingCarrier{}
			reg := carrier.NewRegistry()
			reg.Register("ups", rec)
			svc := &tracking.Service{Store: st, Queue: q, Carriers: reg, Secrets: newKeyBox(t),
				Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
			org, err := st.Write().CreateOrg(ctx, "acme", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			first, err := svc.CreateConnection(ctx, org.ID, "ups", map[string]string{"client_id": idA, "client_secret": secretA})
			if err != nil {
				t.Fatal(err)
			}
			second, err := svc.UpdateConnection(ctx, org.ID, first.ID, map[string]string{"client_id": idA, "client_secret": secretA, "account_number": "ACCT-90210"})
			if err != nil {
				t.Fatal(err)
			}
			other, err := svc.CreateConnection(ctx, org.ID, "ups", map[string]string{"client_id": "id-b", "client_secret": secretB})
			if err != nil {
				t.Fatal(err)
			}
			list, _, _, err := svc.ListConnections(ctx, org.ID, "", 10, 0)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := svc.Connection(ctx, org.ID, first.ID)
			deleted, err := svc.DeleteConnection(ctx, org.ID, other.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range append(list, first, second, got, deleted) {
				if c.Credentials != nil || c.Sealed != "" || len(c.CredentialKeys) == 0 {
					t.Errorf("the service returned a connection with secrets or without key names: %+v", c)
				}
			}
			other, err = svc.CreateConnection(ctx, org.ID, "ups", map[string]string{"client_id": "id-b", "client_secret": secretB})
			if err != nil {
				t.Fatal(err)
			}

			// The default connection, then the tracking's own.
			dflt, err := svc.Create(ctx, org.ID, tracking.CreateInput{TrackingNumber: "1Z999AA10123456784", Slug: "ups"})
			if err != nil {
				t.Fatal(err)
			}
			own := tracking.CreateInput{TrackingNumber: "1Z999AA10123456785", Slug: "ups"}
			own.Fields.CourierConnectionID = &other.ID
			named, err := svc.Create(ctx, org.ID, own)
			if err != nil {
				t.Fatal(err)
			}
			// A tracking naming another courier's connection uses the
			// courier's first.
			dhlConn, err := svc.CreateConnection(ctx, org.ID, "dhl", map[string]string{"api_key": "dhl-key"})
			if err != nil {
				t.Fatal(err)
			}
			wrong := tracking.CreateInput{TrackingNumber: "1Z999AA10123456786", Slug: "ups"}
			wrong.Fields.CourierConnectionID = &dhlConn.ID
			misnamed, err := svc.Create(ctx, org.ID, wrong)
			if err != nil {
				t.Fatal(err)
			}
			for _, tr := range []waybill.Tracking{dflt, named, misnamed} {
				if err := svc.Poll(ctx, org.ID, tr.ID, tr.NextPollAt); err != nil {
					t.Fatal(err)
				}
			}
			fetches := rec.fetches()
			if len(fetches) != 3 || fetches[0]["client_secret"] != secretA || fetches[0]["account_number"] != "ACCT-90210" ||
				fetches[1]["client_secret"] != secretB || fetches[2]["client_secret"] != secretA {
				t.Fatalf("the carrier saw %d fetches; want the first connection's, the named one's, then the first's secrets", len(fetches))
			}

			raw := storedBytes(t, st, path)
			for _, secret := range []string{secretA, secretB, idA, "ACCT-90210"} {
				if bytes.Contains(raw, []byte(secret)) {
					t.Errorf("the database holds %q in clear", secret)
				}
				if strings.Contains(logs.String(), secret) {
					t.Errorf("a log line shows %q", secret)
				}
			}
			if !bytes.Contains(raw, []byte("wbx1.")) {
				t.Error("no sealed value in the database")
			}
		})
	}
}

// TestCheckStoredCredentials: with connections stored, no key refuses to
// start; a plain-text row of an older Waybill and a row sealed with a
// retired key are sealed again with the current key; a key that opens
// nothing refuses to start; a sealed value moved to another connection
// does not open.
func TestCheckStoredCredentials(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st, _ := openRaw(t, engine)
			org, err := st.Write().CreateOrg(ctx, "acme", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			noKey := &tracking.Service{Store: st}
			if n, err := noKey.CheckStoredCredentials(ctx); err != nil || n != 0 {
				t.Fatalf("empty database: %d, %v", n, err)
			}
			legacy := waybill.CourierConnection{OrgID: org.ID, Slug: "dhl", Sealed: `{"api_key":"legacy-plain-key-4455"}`,
				CreatedAt: time.Now(), UpdatedAt: time.Now()}
			if err := st.Write().InsertConnection(ctx, &legacy); err != nil {
				t.Fatal(err)
			}
			if _, err := noKey.CheckStoredCredentials(ctx); err == nil || !strings.Contains(err.Error(), "WAYBILL_SECRET_KEY is not set") {
				t.Fatalf("connections without a key: err = %v", err)
			}
			oldKey, newKey := secretbox.GenerateKey(), secretbox.GenerateKey()
			oldBox, _ := secretbox.Parse(oldKey)
			withOld := &tracking.Service{Store: st, Secrets: oldBox}
			if n, err := withOld.CheckStoredCredentials(ctx); err != nil || n != 1 {
				t.Fatalf("plain-text row: resealed %d, %v; want 1", n, err)
			}
			if col := credentialsColumn(t, st); strings.Contains(col, "legacy-plain-key-4455") || !strings.HasPrefix(col, "wbx1.") {
				t.Errorf("after sealing, the stored credentials are %q", col)
			}
			shown, _ := withOld.Connection(ctx, org.ID, legacy.ID)
			if len(shown.CredentialKeys) != 1 || shown.CredentialKeys[0] != "api_key" {
				t.Errorf("sealing again lost the key names: %v", shown.CredentialKeys)
			}
			rotated, _ := secretbox.Parse(newKey + "," + oldKey)
			withBoth := &tracking.Service{Store: st, Secrets: rotated}
			if n, err := withBoth.CheckStoredCredentials(ctx); err != nil || n != 1 {
				t.Fatalf("rotation: resealed %d, %v; want 1", n, err)
			}
			newOnly, _ := secretbox.Parse(newKey)
			if n, err := (&tracking.Service{Store: st, Secrets: newOnly}).CheckStoredCredentials(ctx); err != nil || n != 0 {
				t.Fatalf("after rotation, the new key alone: %d, %v", n, err)
			}
			if _, err := withOld.CheckStoredCredentials(ctx); err == nil || !strings.Contains(err.Error(), "WAYBILL_SECRET_KEY") {
				t.Fatalf("a key that opens nothing: err = %v", err)
			}

			// A sealed value copied onto another connection does not open.
			moved, _ := st.Read().Connection(ctx, org.ID, legacy.ID)
			moved.ID = ""
			if err := st.Write().InsertConnection(ctx, &moved); err != nil {
				t.Fatal(err)
			}
			if _, err := (&tracking.Service{Store: st, Secrets: newOnly}).CheckStoredCredentials(ctx); err == nil {
				t.Fatal("a sealed value moved to another connection opened")
			}
		})
	}
}

// credentialsColumn is the credentials column of every connection row,
// as stored.
func credentialsColumn(t *testing.T, st *store.Store) string {
	t.Helper()
	rows, err := st.Writer().Query(`SELECT credentials FROM courier_connections ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var all string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		all += s
	}
	return all
}
