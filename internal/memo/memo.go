// Package memo keeps rendered responses in memory, each with the version of
// the data it was rendered from, bounded in entries and in bytes. Faces use
// it to answer a request whose read returned data they rendered before
// without rendering it again: the read still happens, and only an entry of
// the version it returned is used, so nothing is ever invalidated.
package memo

import "sync"

// Memo maps keys to values made from data of a version V. Safe for
// concurrent use; a nil *Memo keeps nothing.
type Memo[K comparable, V comparable, E any] struct {
	mu            sync.Mutex
	max           int // entries
	maxBytes      int // sizes of the entries kept, in all
	maxEntryBytes int // size of one entry
	bytes         int // sizes of the entries kept, in all
	entries       map[K]kept[V, E]
}

type kept[V comparable, E any] struct {
	version V
	value   E
	size    int
}

// New returns a memo of at most max entries whose sizes add up to at most
// maxBytes, none of them over maxEntryBytes.
func New[K comparable, V comparable, E any](max, maxBytes, maxEntryBytes int) *Memo[K, V, E] {
	return &Memo[K, V, E]{max: max, maxBytes: maxBytes, maxEntryBytes: maxEntryBytes, entries: make(map[K]kept[V, E])}
}

// Get returns the value kept for key if it was made from data of version,
// and false otherwise (nothing kept, or a value of another version).
func (m *Memo[K, V, E]) Get(key K, version V) (E, bool) {
	var zero E
	if m == nil {
		return zero, false
	}
	m.mu.Lock()
	k, ok := m.entries[key]
	m.mu.Unlock()
	if !ok || k.version != version {
		return zero, false
	}
	return k.value, true
}

// Put keeps value, made from data of version and size bytes large, for
// key, replacing what was kept for it; when the memo is full, arbitrary
// other entries make room. A value over the largest entry, or over the
// whole budget, is not kept. The memo never changes value: it is shared
// with every Get that returns it.
func (m *Memo[K, V, E]) Put(key K, version V, value E, size int) {
	if m == nil || size > min(m.maxEntryBytes, m.maxBytes) {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.entries[key]; ok {
		delete(m.entries, key)
		m.bytes -= old.size
	}
	for k, old := range m.entries {
		if len(m.entries) < m.max && m.bytes+size <= m.maxBytes {
			break
		}
		delete(m.entries, k)
		m.bytes -= old.size
	}
	m.entries[key] = kept[V, E]{version: version, value: value, size: size}
	m.bytes += size
}

// Len returns the number of entries kept, and Bytes their sizes in all.
func (m *Memo[K, V, E]) Len() int {
	if m == nil {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// Bytes returns the sizes of the entries kept, added up.
func (m *Memo[K, V, E]) Bytes() int {
	if m == nil {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.bytes
}
