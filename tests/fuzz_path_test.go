package tests

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/clerklists/clerklists/wrapper"
)

// FuzzIdentifierIDPath sends any identifier ID to both delete operations
// against a real server. For the IDs that the client documents as invalid
// it must return an *ArgumentError without a request. For any other ID it
// must send exactly one request whose path ends in one segment that the
// server decodes back to the ID.
func FuzzIdentifierIDPath(f *testing.F) {
	server := newRecordingServer(f, `{"deleted":true}`)
	transport := newCountingTransport()
	f.Cleanup(transport.base.CloseIdleConnections)
	client, err := wrapper.New(testSecretKey,
		wrapper.WithBaseURL(server.URL+"/v1"),
		wrapper.WithHTTPClient(&http.Client{Transport: transport, Timeout: defaultHTTPTimeout}),
		wrapper.WithRetryConfig(clientRetry))
	if err != nil {
		f.Fatalf("wrapper.New() = %v, want no error", err)
	}
	deletes := []struct {
		operation string
		prefix    string
		call      func(ctx context.Context, id string) error
	}{
		{"DeleteAllowlistIdentifier", "/v1/allowlist_identifiers/", func(ctx context.Context, id string) error {
			_, err := client.DeleteAllowlistIdentifier(ctx, id, wrapper.WithoutRetries())
			return err
		}},
		{"DeleteBlocklistIdentifier", "/v1/blocklist_identifiers/", func(ctx context.Context, id string) error {
			_, err := client.DeleteBlocklistIdentifier(ctx, id, wrapper.WithoutRetries())
			return err
		}},
	}

	f.Fuzz(func(t *testing.T, id string) {
		documentedInvalid := strings.TrimSpace(id) == "" || id == "." || id == ".." || !utf8.ValidString(id)
		for _, del := range deletes {
			server.take()
			err := del.call(t.Context(), id)
			requests := server.take()
			call := del.operation + "(" + strings.ToValidUTF8(id, "?") + ")"

			if documentedInvalid {
				checkArgumentError(t, err, call, del.operation, "identifier ID")
				if len(requests) != 0 {
					t.Errorf("%s sent %d requests, want 0", call, len(requests))
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s = %v, want no error", call, err)
			}
			if len(requests) != 1 {
				t.Fatalf("%s sent %d requests, want 1", call, len(requests))
			}
			checkIDSegment(t, call, requests[0], del.prefix, id)
		}
	})
}
