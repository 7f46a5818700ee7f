package web

import (
	"fmt"
	"testing"

	"github.com/waybillhq/waybill/internal/portal"
)

// TestRenderedPagesBoundTheirBytes: the memo never holds more bodies than
// its byte budget, however many distinct keys arrive (visitors varying
// Accept-Language), keeps its count of bytes true through replacements,
// and does not keep a body over maxKeptPageBytes.
func TestRenderedPagesBoundTheirBytes(t *testing.T) {
	const budget = 1 << 20
	c := newRenderedPages(1024, budget)
	page := func(n int) *renderedPage { return newRenderedPage(make([]byte, n), "", true) }
	for i := range 200 {
		key := renderedKey{path: "/t/abc", acceptLanguage: fmt.Sprintf("x-%d", i)}
		p := page(100 << 10)
		c.Put(key, portal.Version{}, p, len(p.body))
		p = page(50<<10 + i)
		c.Put(key, portal.Version{}, p, len(p.body)) // replaced at once
	}
	if sum := c.Bytes(); sum > budget || sum < budget/2 {
		t.Fatalf("kept %d bytes in %d pages, budget %d", sum, c.Len(), budget)
	}
	big := renderedKey{path: "/t/big"}
	p := page(maxKeptPageBytes + 1)
	c.Put(big, portal.Version{}, p, len(p.body))
	if _, ok := c.Get(big, portal.Version{}); ok {
		t.Error("a body over maxKeptPageBytes was kept")
	}
}
