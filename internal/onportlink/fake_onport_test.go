package onportlink_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// fakeOnport answers like an Onport account: one sale (id 1) with two
// vendors, its two dropshipments (11 and 12), and records every request.
type fakeOnport struct {
	token string
	mu    sync.Mutex
	gets  []request
	write []request
	// numbers are the dropshipments' tracking numbers, by id.
	numbers map[string]string
}

type request struct {
	at          time.Time
	method      string
	path, query string
	body        string
}

func newFakeOnport(token string) *fakeOnport {
	return &fakeOnport{token: token, numbers: map[string]string{"11": "SBXDELIVERED0001", "12": "1Z999AA10123456784"}}
}

func (f *fakeOnport) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	rec := request{at: time.Now(), method: r.Method, path: r.URL.Path, query: r.URL.RawQuery, body: string(body)}
	if r.Method == http.MethodGet {
		f.gets = append(f.gets, rec)
	} else {
		f.write = append(f.write, rec)
	}
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		http.Error(w, `{"message":"Unauthorized"}`, http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/channels.json":
		_, _ = io.WriteString(w, `[{"id": 7, "name": "Custom"}]`)
	case r.Method == http.MethodGet && r.URL.Path == "/api/sales/1.json":
		_, _ = io.WriteString(w, `{"id": 1, "reference": "10001", "dateOrdered": "2026-11-04T09:44:44.762Z",
			"shippingFirstName": "Ada", "shippingLastName": "Lovelace", "shippingAddressLineOne": "1 Main St",
			"shippingCity": "Beverly Hills", "shippingState": "California", "shippingCountry": "US", "shippingZip": "90210",
			"billingFirstName": null, "notes": null,
			"customer": {"id": 5, "firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com", "phone": "+13105550100"},
			"sale_items": [
				{"id": 101, "name": "Lamp", "quantity": 1, "price": 40, "dropshipProviderId": 900},
				{"id": 102, "name": "Shade", "quantity": 2, "price": 10, "dropshipProviderId": 901}]}`)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/dropshipments/"):
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/dropshipments/"), ".json")
		number, ok := f.numbers[id]
		if !ok {
			http.Error(w, `{"message":"Not found"}`, http.StatusNotFound)
			return
		}
		item, provider, qty, company := "101", "900", 1, "Sandbox"
		if id == "12" {
			item, provider, qty, company = "102", "901", 2, "UPS"
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"id": json.Number(id), "saleId": 1, "purchaseId": 50, "trackingNumber": number,
			"trackingCompany": company, "serviceLevel": nil,
			"purchase":           map[string]any{"id": 50, "dropshipProviderId": json.Number(provider)},
			"dropshipment_items": []map[string]any{{"id": 1, "saleItemId": json.Number(item), "quantity": qty}}})
	case r.Method == http.MethodPut || r.Method == http.MethodPost:
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{}`)
	default:
		http.Error(w, `{"message":"Not found"}`, http.StatusNotFound)
	}
}

func (f *fakeOnport) requests() (gets, writes []request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.gets...), append([]request(nil), f.write...)
}
