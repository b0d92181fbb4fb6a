package clerkfake

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadRequestBodyFailure covers a body that fails mid-read, which a test
// client cannot cause reliably over a real connection.
func TestReadRequestBodyFailure(t *testing.T) {
	body := iotest.ErrReader(errors.New("connection reset by peer"))
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/v1/allowlist_identifiers", body)

	data, apiErr := readRequestBody(req)
	if apiErr == nil {
		t.Fatalf("readRequestBody() = %q, nil, want an error", data)
	}
	if apiErr.status != http.StatusBadRequest {
		t.Errorf("status = %d, want 400", apiErr.status)
	}
	if apiErr.code != codeRequestInvalid {
		t.Errorf("code = %q, want %q", apiErr.code, codeRequestInvalid)
	}
	if want := "reading failed: connection reset by peer"; !strings.Contains(apiErr.message, want) {
		t.Errorf("message = %q, want it to contain %q", apiErr.message, want)
	}
}

func TestInvalidUTF8Offset(t *testing.T) {
	tests := []struct {
		name string
		data string
		want int
	}{
		{name: "empty", data: "", want: 0},
		{name: "valid ASCII", data: "abc", want: 3},
		{name: "valid multibyte", data: "zoë", want: 4},
		{name: "invalid first byte", data: "\xffabc", want: 0},
		{name: "invalid after multibyte", data: "ë\xff", want: 2},
		{name: "truncated sequence at end", data: "ab\xe2\x82", want: 2},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := invalidUTF8Offset([]byte(tt.data)); got != tt.want {
				t.Errorf("invalidUTF8Offset(%q) = %d, want %d", tt.data, got, tt.want)
			}
		})
	}
}
