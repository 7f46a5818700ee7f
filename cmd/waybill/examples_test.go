package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/carrier/dhl/dhlfake"
	"github.com/waybillhq/waybill/internal/carrier/fedex/fedexfake"
	"github.com/waybillhq/waybill/internal/carrier/ups/upsfake"
	"github.com/waybillhq/waybill/internal/carrier/usps/uspsfake"
	"github.com/waybillhq/waybill/internal/notify/notifytest"
	"github.com/waybillhq/waybill/internal/testdb"
)

// examplesDir holds the README's walkthroughs, one bash script each.
const examplesDir = "../../docs/examples"

// exampleServerEnv is how TestExamples runs `waybill serve` (the README
// names the same settings): the sandbox courier scans every second,
// webhooks may go to the loopback receiver, notifications go to a local
// SMTP server, and carrier credentials can be sealed. The test adds the
// mail server's and the carrier fakes' addresses.
var exampleServerEnv = []string{
	"WAYBILL_SANDBOX_STEP=250ms",
	"WAYBILL_WEBHOOK_ALLOW_PRIVATE=true",
	"WAYBILL_WEBHOOK_RETRY_SCHEDULE=1s,2s,5s",
	"WAYBILL_MAIL_FROM=Acme <notify@acme.example>",
	"WAYBILL_SECRET_KEY=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
}

// TestExamples runs every docs/examples/*.sh against a fresh `waybill
// serve` on each engine, all scripts of an engine at once (each makes its
// own organization, so none depends on another), and checks that the README
// shows each script's commands as written. A failing script's transcript
// (its commands and their real output) is logged; with
// WAYBILL_EXAMPLES_TRANSCRIPTS=dir every transcript is written there, which
// is what the README's blocks are pasted from.
func TestExamples(t *testing.T) {
	t.Parallel() // a process test: it waits on its servers, so two share the cores well
	for _, tool := range []string{"bash", "curl", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("the walkthrough scripts need %s, which is not installed (.ci/run installs it)", tool)
			}
			t.Skipf("the walkthrough scripts need %s, which is not installed", tool)
		}
	}
	scripts, err := filepath.Glob(filepath.Join(examplesDir, "*.sh"))
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no walkthrough scripts in %s (%v)", examplesDir, err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("README", func(t *testing.T) {
		for _, script := range scripts {
			src, err := os.ReadFile(script)
			if err != nil {
				t.Fatal(err)
			}
			checkReadmeShows(t, string(readme), filepath.Base(script), parseExample(string(src)))
		}
	})
	transcripts := os.Getenv("WAYBILL_EXAMPLES_TRANSCRIPTS")
	trace := filepath.Join(t.TempDir(), "trace.sh")
	// Before each top-level command, the line it starts on, on stderr (which
	// the test merges with stdout, so the order holds).
	if err := os.WriteFile(trace, []byte(`trap 'printf "\036%s\n" "$LINENO" >&2' DEBUG`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The scripts mostly wait on their server, so they run several at a
	// time, both engines together, on goroutines of their own rather than
	// as parallel subtests: those would queue for go test's -parallel
	// slots (GOMAXPROCS, two on the build machine) with the package's
	// other process tests, which took this test from about a minute to
	// seven in CI.
	slots := make(chan struct{}, exampleConcurrency)
	var engines sync.WaitGroup
	for _, engine := range testdb.Engines() {
		engines.Go(func() {
			t.Run(engine, func(t *testing.T) {
				box := startInbox(t)
				// Links in pages, mails and webhooks name the port the server
				// bound (startServe listens on 127.0.0.1:0).
				env := append([]string{fmt.Sprintf("WAYBILL_SMTP_URL=smtp://127.0.0.1:%d?starttls=off", box.mail.Port)}, exampleServerEnv...)
				// The carriers' fakes, polled on a cadence more than three thousand times faster.
				env = append(env, "WAYBILL_POLL_SCALE=0.0003")
				for name, fake := range map[string]http.Handler{"UPS": upsfake.New(nil), "FEDEX": fedexfake.New(nil), "USPS": uspsfake.New(nil), "DHL": dhlfake.New(nil)} {
					srv := httptest.NewServer(fake)
					t.Cleanup(srv.Close)
					env = append(env, "WAYBILL_CARRIER_"+name+"_URL="+srv.URL)
				}
				dbURL := testdb.URL(t, engine)
				p := startServe(t, dbURL, env...)
				var running sync.WaitGroup
				defer running.Wait()
				for _, script := range scripts {
					name := strings.TrimSuffix(filepath.Base(script), ".sh")
					running.Go(func() {
						slots <- struct{}{}
						defer func() { <-slots }()
						t.Run(name, func(t *testing.T) {
							src, err := os.ReadFile(script)
							if err != nil {
								t.Fatal(err)
							}
							abs, _ := filepath.Abs(script)
							ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
							defer cancel()
							cmd := exec.CommandContext(ctx, "bash", abs)
							cmd.Dir = t.TempDir()
							cmd.Env = append(os.Environ(),
								"PATH="+filepath.Dir(binary)+string(os.PathListSeparator)+os.Getenv("PATH"),
								"WAYBILL_URL="+p.URL, "WAYBILL_DATABASE_URL="+dbURL,
								"RECEIVER_URL="+box.URL, "BASH_ENV="+trace)
							// The waybill command gets the server's settings, as on the
							// server's machine (onport sync opens sealed tokens).
							cmd.Env = append(cmd.Env, exampleServerEnv...)
							var out bytes.Buffer
							cmd.Stdout, cmd.Stderr = &out, &out
							runErr := cmd.Run()
							blocks := parseExample(string(src))
							text := transcript(blocks, out.String(), 0)
							if transcripts != "" {
								short := transcript(blocks, out.String(), 200)
								if err := os.WriteFile(filepath.Join(transcripts, engine+"-"+name+".txt"), []byte(short), 0o644); err != nil {
									t.Error(err)
								}
							}
							if runErr != nil {
								t.Fatalf("%s: %v\n%s\nserver log (tail):\n%s", name, runErr, text, tail(p.stderr.String(), 3000))
							}
						})
					})
				}
			})
		})
	}
	engines.Wait()
}

// exampleConcurrency is how many walkthrough scripts run at once.
const exampleConcurrency = 6

// exampleBlock is one command of a walkthrough script as written: the line
// it starts on, its lines, and the comment lines right above it.
type exampleBlock struct {
	line     int
	text     string
	comments string
	shown    bool // part of the walkthrough, not the preamble or a check
}

// parseExample splits a script into commands. Lines before "# ---" are the
// preamble (settings and the check helpers); after it, every command but a
// check (check ..., check_not ...) is the walkthrough the README shows. A command goes on while
// its line ends with a backslash, a single quote is open, or a here-document
// has not reached its end word.
func parseExample(src string) []exampleBlock {
	lines := strings.Split(src, "\n")
	heredoc := regexp.MustCompile(`<<-?'?"?([A-Za-z_]+)'?"?`)
	var blocks []exampleBlock
	inBody := false
	var comments []string
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "# ---":
			inBody, comments = true, nil
			continue
		case trimmed == "":
			comments = nil
			continue
		case strings.HasPrefix(trimmed, "#"):
			comments = append(comments, line)
			continue
		}
		b := exampleBlock{line: i + 1, comments: strings.Join(comments, "\n")}
		comments = nil
		text := []string{line}
		end := ""
		if m := heredoc.FindStringSubmatch(line); m != nil {
			end = m[1]
		}
		for i+1 < len(lines) {
			joined := strings.Join(text, "\n")
			open := strings.HasSuffix(text[len(text)-1], "\\") || strings.Count(joined, "'")%2 == 1
			if end != "" {
				open = strings.TrimSpace(text[len(text)-1]) != end || len(text) == 1
			}
			if !open {
				break
			}
			i++
			text = append(text, lines[i])
		}
		b.text = strings.Join(text, "\n")
		b.shown = inBody && !strings.HasPrefix(trimmed, "check")
		blocks = append(blocks, b)
	}
	return blocks
}

// transcript interleaves the script's shown commands, as written, with
// their output: out holds the trace lines ("\x1e" and a line number) that
// BASH_ENV's DEBUG trap writes before each top-level command. With width > 0,
// output lines longer than width runes are cut there and end in "…".
func transcript(blocks []exampleBlock, out string, width int) string {
	var sb strings.Builder
	var current *exampleBlock
	for _, line := range strings.SplitAfter(out, "\n") {
		if n, ok := strings.CutPrefix(line, "\x1e"); ok {
			num, err := strconv.Atoi(strings.TrimSpace(n))
			if err != nil {
				continue
			}
			b := blockAt(blocks, num)
			if b == nil || b == current {
				continue
			}
			current = b
			if b.shown {
				if b.comments != "" {
					if sb.Len() > 0 {
						sb.WriteString("\n")
					}
					sb.WriteString(b.comments + "\n")
				}
				sb.WriteString("$ " + b.text + "\n")
			}
			continue
		}
		if r := []rune(strings.TrimSuffix(line, "\n")); width > 0 && len(r) > width {
			line = string(r[:width]) + "…\n"
		}
		sb.WriteString(line)
	}
	return sb.String()
}

// blockAt is the command whose lines include line number n.
func blockAt(blocks []exampleBlock, n int) *exampleBlock {
	for i := range blocks {
		b := &blocks[i]
		if n >= b.line && n < b.line+strings.Count(b.text, "\n")+1 {
			return b
		}
	}
	return nil
}

// checkReadmeShows fails unless the README links the script and shows each
// of its walkthrough commands (spacing and line breaks aside), so the
// README cannot drift from what the test runs.
func checkReadmeShows(t *testing.T, readme, script string, blocks []exampleBlock) {
	t.Helper()
	if !strings.Contains(readme, "docs/examples/"+script) {
		t.Errorf("README.md does not point to docs/examples/%s", script)
	}
	flat := flatten(readme)
	for _, b := range blocks {
		if b.shown && !strings.Contains(flat, flatten(b.text)) {
			t.Errorf("README.md does not show this command of docs/examples/%s (line %d):\n%s", script, b.line, b.text)
		}
	}
}

// flatten joins continued lines and collapses white space.
func flatten(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\\\n", " ")), " ")
}

// inbox is the walkthroughs' outside world on loopback: an HTTP server that
// keeps every POST, PUT or PATCH it receives (GET PATH?n=K gives the K-th
// body received at PATH, GET PATH?n=K&headers=1 its headers, 404 until
// then), and an SMTP server whose mails GET /_mail/ADDRESS?n=K gives.
type inbox struct {
	URL  string
	mail *notifytest.SMTPServer

	mu       sync.Mutex
	received map[string][]*http.Request
	bodies   map[*http.Request][]byte
}

func startInbox(t *testing.T) *inbox {
	t.Helper()
	box := &inbox{mail: notifytest.StartSMTP(t), received: map[string][]*http.Request{}, bodies: map[*http.Request][]byte{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: box, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	box.URL = "http://" + ln.Addr().String()
	return box
}

func (box *inbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		box.mu.Lock()
		box.received[r.URL.Path] = append(box.received[r.URL.Path], r)
		box.bodies[r] = body
		box.mu.Unlock()
		_, _ = io.WriteString(w, "ok\n")
		return
	}
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || n < 1 {
		http.Error(w, "say which request: ?n=1 is the first", http.StatusBadRequest)
		return
	}
	if addr, ok := strings.CutPrefix(r.URL.Path, "/_mail/"); ok {
		var got [][]byte
		for _, m := range box.mail.Mails() {
			for _, to := range m.To {
				if strings.EqualFold(to, addr) {
					got = append(got, m.Raw)
				}
			}
		}
		if n > len(got) {
			http.Error(w, "not yet", http.StatusNotFound)
			return
		}
		_, _ = w.Write(got[n-1])
		return
	}
	box.mu.Lock()
	reqs := box.received[r.URL.Path]
	var req *http.Request
	if n <= len(reqs) {
		req = reqs[n-1]
	}
	body := box.bodies[req]
	box.mu.Unlock()
	if req == nil {
		http.Error(w, "not yet", http.StatusNotFound)
		return
	}
	if r.URL.Query().Get("headers") != "" {
		_ = req.Header.Write(w)
		return
	}
	_, _ = w.Write(body)
}
