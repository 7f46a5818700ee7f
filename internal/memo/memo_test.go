package memo

import (
	"fmt"
	"testing"
)

// TestMemoBoundsItsBytes: the memo never holds more than its byte budget,
// however many distinct keys arrive, keeps its count of bytes true through
// replacements, and does not keep a value over its largest entry.
func TestMemoBoundsItsBytes(t *testing.T) {
	const budget, largest = 1 << 20, 256 << 10
	m := New[string, int, []byte](1024, budget, largest)
	for i := range 200 {
		key := fmt.Sprintf("x-%d", i)
		m.Put(key, 1, make([]byte, 100<<10), 100<<10)
		m.Put(key, 2, make([]byte, 50<<10+i), 50<<10+i) // replaced at once
	}
	sum := 0
	for _, k := range m.entries {
		sum += len(k.value)
		if k.size != len(k.value) {
			t.Fatalf("an entry of %d bytes counted as %d", len(k.value), k.size)
		}
	}
	if sum != m.Bytes() || sum > budget {
		t.Fatalf("kept %d bytes (counted %d) in %d entries, budget %d", sum, m.Bytes(), m.Len(), budget)
	}
	if sum < budget/2 {
		t.Errorf("only %d bytes in %d entries kept within a budget of %d bytes", sum, m.Len(), budget)
	}
	m.Put("big", 1, make([]byte, largest+1), largest+1)
	if _, ok := m.Get("big", 1); ok {
		t.Error("a value over the largest entry was kept")
	}
}

// TestMemoAnswersOnlyItsVersion: Get returns a value only for the version
// it was made from, and the latest Put for a key wins.
func TestMemoAnswersOnlyItsVersion(t *testing.T) {
	m := New[string, int, string](4, 100, 100)
	m.Put("a", 1, "one", 3)
	if v, ok := m.Get("a", 1); !ok || v != "one" {
		t.Fatalf("Get(a, 1) = %q, %v; want one, true", v, ok)
	}
	if _, ok := m.Get("a", 2); ok {
		t.Error("Get(a, 2) answered a value made from version 1")
	}
	m.Put("a", 2, "two", 3)
	if _, ok := m.Get("a", 1); ok {
		t.Error("Get(a, 1) answered after version 2 replaced it")
	}
	if v, ok := m.Get("a", 2); !ok || v != "two" {
		t.Fatalf("Get(a, 2) = %q, %v; want two, true", v, ok)
	}
	var none *Memo[string, int, string]
	none.Put("a", 1, "one", 3)
	if _, ok := none.Get("a", 1); ok || none.Len() != 0 {
		t.Error("a nil memo kept something")
	}
}
