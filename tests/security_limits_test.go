package tests

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/clerklists/clerklists/wrapper"
)

// The read bounds of wrapper/send.go, restated here because they are not
// exported: a successful body is read up to 8 MiB, an error body up to
// 64 KiB, and the rest of either is drained up to 64 KiB more.
const (
	successReadBound = 8 << 20
	errorReadBound   = 64 << 10
	drainBound       = 64 << 10
)

// streamBody writes total bytes of a repeated pattern and stops early when
// the client has gone.
func streamBody(w http.ResponseWriter, attempt, status int, contentType string, total int) {
	w.Header().Set("Clerk-Trace-Id", fmt.Sprintf("trace-%d", attempt))
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	chunk := bodyPattern(32 << 10)
	for written := 0; written < total; written += len(chunk) {
		if _, err := w.Write(chunk[:min(len(chunk), total-written)]); err != nil {
			return
		}
	}
}

// bodyPattern returns n bytes that tell their own offset apart, so that a
// wrong slice of the body shows.
func bodyPattern(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "%07d|", i)
	}
	return b.Bytes()[:n]
}

// TestResponseBodyBounds checks that bodies are read through their bounds,
// however much the server sends, and that SDKError.Body is cut to
// MaxErrorBodyBytes.
func TestResponseBodyBounds(t *testing.T) {
	tests := []struct {
		name          string
		status        int
		contentType   string
		bodyBytes     int
		maxRead       int64
		wantTruncated bool
		wantMessage   string
	}{
		{
			name: "success larger than 8 MiB", status: http.StatusOK, contentType: "application/json",
			bodyBytes: 32 << 20, maxRead: successReadBound + 1 + drainBound,
			wantTruncated: true, wantMessage: "larger than the 8 MiB limit",
		},
		{
			name: "error larger than 64 KiB", status: http.StatusInternalServerError, contentType: "text/plain",
			bodyBytes: 4 << 20, maxRead: errorReadBound + 1 + drainBound,
			wantTruncated: true, wantMessage: "status not declared",
		},
		{
			name: "declared JSON error larger than 64 KiB", status: http.StatusPaymentRequired, contentType: "application/json",
			bodyBytes: 1 << 20, maxRead: errorReadBound + 1 + drainBound,
			wantTruncated: true, wantMessage: "larger than the 64 KiB limit",
		},
		{
			name: "error larger than the Body cap", status: http.StatusNotImplemented, contentType: "text/plain",
			bodyBytes: 10 << 10, maxRead: 10 << 10,
			wantTruncated: true, wantMessage: "status not declared",
		},
		{
			name: "error at the Body cap", status: http.StatusNotImplemented, contentType: "text/plain",
			bodyBytes: wrapper.MaxErrorBodyBytes, maxRead: wrapper.MaxErrorBodyBytes,
			wantTruncated: false, wantMessage: "status not declared",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			server := newCountingServer(t, func(w http.ResponseWriter, _ *http.Request, attempt int) {
				streamBody(w, attempt, tt.status, tt.contentType, tt.bodyBytes)
			})
			client := newTestClient(t, server.URL+"/v1", defaultHTTPTimeout, clientRetry)

			_, err := client.ListBlocklistIdentifiers(t.Context(), wrapper.WithoutRetries())

			sdkError := checkSDKError(t, err, "ListBlocklistIdentifiers", tt.status, 1)
			if got := client.transport.bytesRead.Load(); got > tt.maxRead {
				t.Errorf("ListBlocklistIdentifiers() read %d body bytes, want at most %d", got, tt.maxRead)
			}
			wantBody := bodyPattern(min(tt.bodyBytes, wrapper.MaxErrorBodyBytes))
			if !bytes.Equal(sdkError.Body, wantBody) {
				t.Errorf("SDKError.Body = %d bytes starting %q, want the first %d bytes of the body", len(sdkError.Body), sdkError.Body[:min(len(sdkError.Body), 32)], len(wantBody))
			}
			if sdkError.BodyTruncated != tt.wantTruncated {
				t.Errorf("SDKError.BodyTruncated = %v, want %v", sdkError.BodyTruncated, tt.wantTruncated)
			}
			if !strings.Contains(sdkError.Message, tt.wantMessage) {
				t.Errorf("SDKError.Message = %q, want it to contain %q", sdkError.Message, tt.wantMessage)
			}
			client.transport.checkBodiesClosed(t)
		})
	}
}
