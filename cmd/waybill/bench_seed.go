package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/config"
	"github.com/waybillhq/waybill/internal/store"
	"github.com/waybillhq/waybill/internal/tenant"
)

// seedOrg is an organization `waybill bench seed` created, with its API key
// in clear (the database keeps only its hash).
type seedOrg struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Key  string `json:"key"`
}

// seedReport is what `waybill bench seed` prints: `waybill bench scale`
// reads it back (--seed-file) for the keys and the seed's present.
type seedReport struct {
	DatabaseEngine string    `json:"engine"`
	Now            time.Time `json:"now"`
	Seconds        float64   `json:"seconds"`
	Orgs           []seedOrg `json:"orgs"`
	store.SeedResult
}

// benchSeed runs `waybill bench seed`: it migrates the database, creates
// the organizations (bench-001 …) with a key each, and fills them with
// trackings through store.Seed, then schedules each active tracking's next
// poll. Progress goes to stderr, the report (JSON, with the keys) to stdout.
func benchSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := config.LoadEnv()
	if err != nil {
		return err
	}
	var (
		trackings, orgs, batch, inboundEvery int
		seed                                 uint64
		span                                 time.Duration
		quiet                                bool
	)
	err = parseBench("seed", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "sqlite:PATH or postgres://... (WAYBILL_DATABASE_URL)")
		fs.Lookup("database-url").DefValue = config.Mask(cfg.DatabaseURL)
		fs.IntVar(&trackings, "trackings", 1_000_000, "trackings to write, spread evenly over the organizations")
		fs.IntVar(&orgs, "orgs", 100, "organizations to create")
		fs.IntVar(&batch, "batch", 5000, "trackings per transaction")
		fs.IntVar(&inboundEvery, "inbound-every", 5, "one inbound message (api log) per this many trackings; 0 for none")
		fs.Uint64Var(&seed, "seed", 1, "random seed: the same seed writes the same data")
		fs.DurationVar(&span, "span", 180*24*time.Hour, "trackings are created over this much time up to now")
		fs.BoolVar(&quiet, "quiet", false, "no progress on stderr")
	})
	if err != nil {
		return err
	}
	switch {
	case cfg.DatabaseURL == "":
		return usageError{errors.New("bench seed: --database-url (or WAYBILL_DATABASE_URL) is required")}
	case trackings < 0 || orgs < 1 || orgs > 9999 || batch < 1 || inboundEvery < 0 || span <= 0:
		return usageError{errors.New("bench seed: --trackings must not be negative, --orgs must be 1 to 9999, --batch and --span positive, --inbound-every not negative")}
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	report := seedReport{DatabaseEngine: st.Engine(), Now: start.UTC().Truncate(time.Second)}
	tenants := &tenant.Service{Store: st}
	ids := make([]int64, 0, orgs)
	for i := range orgs {
		org, key, err := tenants.CreateOrg(ctx, fmt.Sprintf("bench-%03d", i+1))
		if waybill.ErrorCode(err) == waybill.ECONFLICT {
			return fmt.Errorf("bench seed: organization bench-%03d exists already: seed an empty database", i+1)
		} else if err != nil {
			return err
		}
		report.Orgs = append(report.Orgs, seedOrg{ID: org.ID, Name: org.Name, Key: key})
		ids = append(ids, org.ID)
	}
	lastReport := time.Now()
	res, err := st.Seed(ctx, store.SeedOptions{
		Trackings: trackings, OrgIDs: ids, Now: report.Now, Span: span, Seed: seed, Batch: batch, InboundEvery: inboundEvery,
		Progress: func(done int) {
			if quiet || (time.Since(lastReport) < 5*time.Second && done < trackings) {
				return
			}
			lastReport = time.Now()
			el := time.Since(start).Seconds()
			fmt.Fprintf(stderr, "bench seed: %d/%d trackings, %.0f s, %.0f/s\n", done, trackings, el, float64(done)/el)
		},
		// Each active tracking's next poll in its row, as a serving
		// process schedules it (tracking.PollClaims).
		Polls: func(ctx context.Context, polls []store.SeedPoll) error {
			due := make([]store.PollDue, len(polls))
			for i, p := range polls {
				due[i] = store.PollDue{OrgID: p.OrgID, ID: p.TrackingID, Due: p.Due}
			}
			return st.Write().SchedulePolls(ctx, due)
		},
	})
	report.SeedResult = res
	report.Seconds = time.Since(start).Seconds()
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(report)
}
