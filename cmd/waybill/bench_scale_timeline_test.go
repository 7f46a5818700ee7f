package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestCallTimelineRecordsEachCall checks that the timeline writes one line
// per call, once its body is closed, under the kind named before it, with
// the call's status; and that a nil timeline ignores everything.
func TestCallTimelineRecordsEachCall(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, "page")
	}))
	defer srv.Close()
	var out bytes.Buffer
	tl := newCallTimeline(http.DefaultTransport, &out)
	client := &http.Client{Transport: tl}
	for i, c := range []struct{ op, path string }{{"list", "/"}, {"list", "/"}, {"get", "/missing"}} {
		tl.setOp(c.op)
		resp, err := client.Get(srv.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(out.Bytes(), []byte("\n")); n != i {
			t.Fatalf("call %d: %d lines before its body was closed, want %d", i, n, i)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		resp.Body.Close() // a second Close records nothing more
	}
	tl.record(time.Now(), 0) // a store call, as timeCalls records it

	var got []timedCall
	dec := json.NewDecoder(&out)
	for dec.More() {
		var c timedCall
		if err := dec.Decode(&c); err != nil {
			t.Fatal(err)
		}
		got = append(got, c)
	}
	want := []struct {
		op     string
		status int
	}{{"list", 200}, {"list", 200}, {"get", 404}, {"get", 0}}
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].Op != w.op || got[i].Status != w.status || got[i].StartUs == 0 || got[i].Ms < 0 {
			t.Errorf("line %d = %+v, want op %q status %d", i, got[i], w.op, w.status)
		}
	}

	var none *callTimeline
	none.setOp("ignored")
	none.record(time.Now(), 200)
}
