package queue

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestRiverLoggerKeepsWarningsOnly(t *testing.T) {
	var buf bytes.Buffer
	l := riverLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})).With("component", "queue"))
	l.Info("River client started")
	l.Debug("fetching")
	l.With("a", 1).WithGroup("g").Info("still chatter")
	l.Warn("job failed", "attempt", 2)
	l.Error("client stopped badly")
	got := buf.String()
	for _, chatter := range []string{"client started", "fetching", "still chatter"} {
		if strings.Contains(got, chatter) {
			t.Errorf("%q logged:\n%s", chatter, got)
		}
	}
	for _, want := range []string{"level=WARN msg=\"job failed\" component=queue attempt=2", "level=ERROR msg=\"client stopped badly\""} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q:\n%s", want, got)
		}
	}
	if riverLogger(nil) != nil {
		t.Error("riverLogger(nil) is not nil")
	}
}
