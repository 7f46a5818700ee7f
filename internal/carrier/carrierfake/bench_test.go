package carrierfake_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/waybillhq/waybill/internal/carrier"
	"github.com/waybillhq/waybill/internal/carrier/carrierfake"
)

// BenchmarkPoll measures one poll of a number (a new number each time,
// so each answer carries one scan) through each connector against its
// fake on loopback: HTTP, JSON on both sides and the mapping, with the
// token cached. For the batch connectors, BenchmarkPollBatch asks for
// MaxBatch numbers per call and reports numbers per second.
func BenchmarkPoll(b *testing.B) {
	for _, tc := range cases {
		b.Run(tc.slug, func(b *testing.B) {
			clk := carrierfake.NewClock(time.Now())
			conn, _, _ := tc.start(b, clk)
			for i := 0; b.Loop(); i++ {
				req := carrier.FetchRequest{Slug: tc.slug, TrackingNumber: fmt.Sprintf("%s%d", tc.number, i), Credentials: tc.creds}
				if _, err := conn.Fetch(context.Background(), req); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "polls/s")
		})
	}
}

func BenchmarkPollBatch(b *testing.B) {
	for _, tc := range cases {
		clk := carrierfake.NewClock(time.Now())
		conn, _, _ := tc.start(b, clk)
		bc, ok := conn.(carrier.BatchConnector)
		if !ok {
			continue
		}
		b.Run(tc.slug, func(b *testing.B) {
			n := 0
			for b.Loop() {
				reqs := make([]carrier.FetchRequest, bc.MaxBatch())
				for j := range reqs {
					reqs[j] = carrier.FetchRequest{Slug: tc.slug, TrackingNumber: fmt.Sprintf("%s%d", tc.number, n), Credentials: tc.creds}
					n++
				}
				if _, err := bc.FetchBatch(context.Background(), reqs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "numbers/s")
		})
	}
}
