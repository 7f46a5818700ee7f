package web

import (
	"fmt"
	"testing"
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
		c.put(key, page(100<<10))
		c.put(key, page(50<<10+i)) // replaced at once
	}
	sum := 0
	for _, p := range c.pages {
		sum += len(p.body)
	}
	if sum != c.bytes || sum > budget {
		t.Fatalf("kept %d bytes (counted %d) in %d pages, budget %d", sum, c.bytes, len(c.pages), budget)
	}
	if sum < budget/2 {
		t.Errorf("only %d bytes in %d pages kept within a budget of %d bytes", sum, len(c.pages), budget)
	}
	big := renderedKey{path: "/t/big"}
	c.put(big, page(maxKeptPageBytes+1))
	if c.pages[big] != nil {
		t.Error("a body over maxKeptPageBytes was kept")
	}
}
