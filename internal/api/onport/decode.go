package onport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/waybillhq/waybill"
	"github.com/waybillhq/waybill/internal/commerce"
)

// DecodeWrite decodes the body of a custom-channel write of the given kind
// (waybill.InboundManualSale, ...) into commerce's typed write. A body that
// is not JSON, or whose values have the wrong types, is a
// *commerce.Problems (EINVALID); the write's own rules are checked by
// commerce when it is applied. The inbound processor is given this
// function, so queued messages are decoded as the synchronous API decodes
// them.
func DecodeWrite(kind string, body []byte) (commerce.Write, error) {
	switch kind {
	case waybill.InboundManualSale:
		var b manualSaleBody
		if err := decodeJSON(body, &b); err != nil {
			return nil, err
		}
		return b.write(), nil
	case waybill.InboundProducts:
		// An array of variants, or an object {"variants": [...]}.
		var vs []variantBody
		if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '{' {
			var wrapped struct {
				Variants []variantBody `json:"variants"`
			}
			if err := decodeJSON(body, &wrapped); err != nil {
				return nil, err
			}
			vs = wrapped.Variants
		} else if err := decodeJSON(body, &vs); err != nil {
			return nil, err
		}
		in := &commerce.VariantImport{}
		for _, v := range vs {
			in.Variants = append(in.Variants, commerce.VariantInput{SKU: string(v.SKU), ExternalID: string(v.ExternalID), Name: v.Name,
				Price: v.Price, ProductExternalID: string(v.ProductExternalID), ProductName: v.ProductName, VendorSKUs: vendorSKUs(v.VendorSKUs)})
		}
		return in, nil
	case waybill.InboundAcknowledge, waybill.InboundDisconnect:
		var es []skuBatchBody
		if err := decodeJSON(body, &es); err != nil {
			return nil, err
		}
		in := &commerce.VendorSKUBatch{Disconnect: kind == waybill.InboundDisconnect}
		for _, e := range es {
			in.Entries = append(in.Entries, commerce.SKUBatchEntry{SKU: string(e.SKU), VendorSKUs: vendorSKUs(e.VendorSKUs)})
		}
		return in, nil
	}
	return nil, waybill.Invalid(waybill.ReasonFieldInvalid, "unknown message kind %q", kind)
}

// decodeShip decodes a ship body; commerce.Ship validates it.
func decodeShip(body []byte) (commerce.ShipInput, error) {
	var b shipBody
	if err := decodeJSON(body, &b); err != nil {
		return commerce.ShipInput{}, err
	}
	in := commerce.ShipInput{TrackingNumber: b.TrackingNumber, TrackingCompany: b.TrackingCompany, TrackingURL: b.TrackingURL,
		ServiceLevel: b.ServiceLevel}
	for _, it := range b.Items {
		in.Items = append(in.Items, commerce.ShipItemInput{PurchaseItemID: it.PurchaseItemID, SaleItemID: it.SaleItemID, Quantity: it.Quantity})
	}
	return in, nil
}

// PeekExternalID returns the external id of a manual-sale body, or "" when
// the body has none or is not one (it is checked in full later). The
// ingester classifies a message as new or an update by it.
func PeekExternalID(kind string, body []byte) string {
	if kind != waybill.InboundManualSale {
		return ""
	}
	var head struct {
		ExternalID flexString `json:"externalId"`
	}
	if json.Unmarshal(body, &head) != nil {
		return ""
	}
	id := strings.TrimSpace(string(head.ExternalID))
	if len(id) > commerce.MaxExternalIDLen {
		return ""
	}
	return id
}

// CheckBody refuses a body that holds invalid UTF-8, or a JSON string
// (a key or a value) with a control character (C0, DEL or C1) other than tab, carriage
// return and newline: a *commerce.Problems (EINVALID, the face's 400). It is
// the one check both paths share: the asynchronous endpoints run it before
// a message is queued, so that no such message joins another tenant's
// group commit, and decodeJSON runs it for the synchronous writes. A body
// that is not JSON passes: it is recorded and refused by the processor.
func CheckBody(body []byte) error {
	if !utf8.Valid(body) {
		return commerce.NewProblems("body is not valid UTF-8")
	}
	if plainJSONText(body) {
		return nil
	}
	return checkTokens(body)
}

// checkTokens is CheckBody's full check: every string token of body,
// decoded, up to the end or the first syntax error.
func checkTokens(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // the end, or a syntax error reported by the decoder later
		}
		if s, ok := tok.(string); ok && !waybill.CleanText(s) {
			return commerce.NewProblems("a string of the body contains a control character")
		}
	}
}

// plainJSONText reports, for a body that is valid UTF-8, that no JSON
// string in it can hold a control character, without tokenizing it: no raw
// control character other than tab, newline and carriage return (C0, DEL,
// or C1, which UTF-8 writes as 0xC2 0x80–0x9F) and no escape other than
// \", \\, \/, \n, \r and \t. Escapes are read in pairs from the start;
// up to the first syntax error (where CheckBody's tokenizer stops) every
// backslash is inside a string, so the pairs are the decoder's. When it
// reports false, CheckBody tokenizes. It is CheckBody's fast path: the
// tokenizer was a fifth of the asynchronous endpoints' CPU.
func plainJSONText(body []byte) bool {
	for i := 0; i < len(body); i++ {
		switch b := body[i]; {
		case b == '\\':
			i++
			if i == len(body) {
				return true // a lone backslash at the end: a syntax error
			}
			switch body[i] {
			case '"', '\\', '/', 'n', 'r', 't':
			default:
				return false // \b, \f, \u or not an escape: let the tokenizer judge
			}
		case b < 0x20:
			if b != '\t' && b != '\n' && b != '\r' {
				return false
			}
		case b == 0x7f:
			return false
		case b == 0xc2:
			if i+1 < len(body) && body[i+1] >= 0x80 && body[i+1] <= 0x9f {
				return false
			}
		}
	}
	return true
}

// decodeJSON decodes one JSON value; anything after it, or a value of the
// wrong shape, is a *commerce.Problems with a message that is safe to show.
func decodeJSON(body []byte, v any) error {
	if err := CheckBody(body); err != nil {
		return err
	}
	// null decodes into any Go value as nothing at all: a ship of null
	// would ship every open line. No payload is null.
	if string(bytes.TrimSpace(body)) == "null" {
		return commerce.NewProblems("invalid JSON: the payload is null")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return commerce.NewProblems("invalid JSON: " + jsonProblem(err))
	}
	if dec.More() {
		return commerce.NewProblems("invalid JSON: unexpected data after the payload")
	}
	return nil
}

func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "payload"
		}
		return fmt.Sprintf("%s must be %s, not %s", field, kindName(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("syntax error at byte %d", syntaxErr.Offset)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "the body is empty or truncated"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func kindName(k string) string {
	switch k {
	case "int", "int64", "float64":
		return "a number"
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	case "bool":
		return "a boolean"
	}
	return k
}
