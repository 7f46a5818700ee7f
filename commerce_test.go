package waybill

import "testing"

func TestAddressFullName(t *testing.T) {
	for _, tt := range []struct {
		a    Address
		want string
	}{
		{Address{FirstName: "Ada", LastName: "Lovelace"}, "Ada Lovelace"},
		{Address{FirstName: "Ada"}, "Ada"},
		{Address{LastName: "Lovelace", Name: "ignored"}, "Lovelace"},
		{Address{Name: "ACME Inc"}, "ACME Inc"},
		{Address{}, ""},
	} {
		if got := tt.a.FullName(); got != tt.want {
			t.Errorf("%+v.FullName() = %q, want %q", tt.a, got, tt.want)
		}
	}
}
