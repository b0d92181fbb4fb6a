package tests

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clerklists/clerklists/clerkfake"
	"github.com/clerklists/clerklists/wrapper"
)

// TestClientErrorsOmitSecretKey produces one error of every kind the client
// returns and checks each for the secret keys. Every other client test runs
// the same check on the errors it asserts.
func TestClientErrorsOmitSecretKey(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		produce func(t *testing.T) error
	}{
		{name: "ClerkErrors 401 for a wrong key", produce: func(t *testing.T) error {
			f := clientStartFake(t)
			client, _ := f.newClientWithKey(t, clientWrongSecretKey)
			_, err := client.ListAllowlistIdentifiers(clientCallContext(t), nil)
			return err
		}},
		{name: "SDKError undeclared 401 for a wrong key", produce: func(t *testing.T) error {
			f := clientStartFake(t)
			client, _ := f.newClientWithKey(t, clientWrongSecretKey)
			_, err := client.CreateAllowlistIdentifier(clientCallContext(t), "ada@example.com", true)
			return err
		}},
		{name: "ClerkErrors 422 duplicate", produce: func(t *testing.T) error {
			f := clientStartFake(t)
			ctx := clientCallContext(t)
			if _, err := f.client.CreateBlocklistIdentifier(ctx, "mallory@example.com"); err != nil {
				return fmt.Errorf("first CreateBlocklistIdentifier: %w", err)
			}
			_, err := f.client.CreateBlocklistIdentifier(ctx, "mallory@example.com")
			return err
		}},
		{name: "SDKError after exhausted retries", produce: func(t *testing.T) error {
			f := clientStartFake(t, wrapper.WithRetryConfig(clientFastRetry(30*time.Millisecond)))
			f.failNext(t, 1000, clerkfake.Fault{Status: http.StatusServiceUnavailable})
			_, err := f.client.ListBlocklistIdentifiers(clientCallContext(t))
			return err
		}},
		{name: "SDKError for an undecodable 200", produce: func(t *testing.T) error {
			f := clientStartFake(t)
			f.failNext(t, 1, clerkfake.Fault{Status: http.StatusOK, Body: []byte("{")})
			_, err := f.client.DeleteAllowlistIdentifier(clientCallContext(t), "alid_1")
			return err
		}},
		{name: "AttemptsError for a refused dial", produce: func(t *testing.T) error {
			client, _ := clientNewClient(t, clientClosedBaseURL(t), clientSecretKey, wrapper.WithRetryConfig(clientFastRetry(30*time.Millisecond)))
			_, err := client.CreateBlocklistIdentifier(clientCallContext(t), "mallory@example.com")
			return err
		}},
		{name: "context canceled during backoff", produce: func(t *testing.T) error {
			ctx, cancel := context.WithCancel(clientCallContext(t))
			defer cancel()
			retry := clientSlowRetry()
			retry.Backoff.InitialInterval = 20 * time.Second
			f := clientStartFake(t,
				wrapper.WithRetryConfig(retry),
				wrapper.WithLogger(slog.New(clientCancelHandler{cancel: cancel, records: &atomic.Int32{}})))
			f.failNext(t, 1, clerkfake.Fault{Status: http.StatusServiceUnavailable})
			_, err := f.client.ListAllowlistIdentifiers(ctx, nil)
			return err
		}},
		{name: "ArgumentError for a dot-dot identifier ID", produce: func(t *testing.T) error {
			f := clientStartFake(t)
			_, err := f.client.DeleteBlocklistIdentifier(clientCallContext(t), "..")
			return err
		}},
		{name: "ArgumentError for WithHeader Authorization carrying the key", produce: func(t *testing.T) error {
			f := clientStartFake(t)
			_, err := f.client.ListBlocklistIdentifiers(clientCallContext(t), wrapper.WithHeader("Authorization", "Bearer "+clientSecretKey))
			return err
		}},
		{name: "ArgumentError for WithServerURL with the key as password", produce: func(t *testing.T) error {
			f := clientStartFake(t)
			_, err := f.client.ListBlocklistIdentifiers(clientCallContext(t), wrapper.WithServerURL("http://user:"+clientSecretKey+"@127.0.0.1/v1"))
			return err
		}},
		{name: "New with a trailing newline on the key", produce: func(t *testing.T) error {
			_, err := wrapper.New(clientSecretKey + "\n")
			return err
		}},
		{name: "New with a leading tab on the key", produce: func(t *testing.T) error {
			_, err := wrapper.New("\t" + clientSecretKey)
			return err
		}},
		{name: "New with the key as URL password", produce: func(t *testing.T) error {
			_, err := wrapper.New(clientSecretKey, wrapper.WithBaseURL("https://user:"+clientSecretKey+"@api.clerk.com/v1"))
			return err
		}},
		{name: "New with plain http to a remote host", produce: func(t *testing.T) error {
			_, err := wrapper.New(clientSecretKey, wrapper.WithBaseURL("http://clerk.example.com/v1"))
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.produce(t)
			if err == nil {
				t.Fatalf("%s error = nil, want an error", tt.name)
			}
			clientCheckNoSecret(t, tt.name, err)
		})
	}
}

func TestClientFormatOmitsSecretKey(t *testing.T) {
	t.Parallel()
	f := clientStartFake(t)

	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		clientCheckTextNoSecret(t, fmt.Sprintf("fmt.Sprintf(%q, client)", verb), fmt.Sprintf(verb, f.client))
	}
	clientCheckTextNoSecret(t, "client.String()", f.client.String())
}

// clientLogBuffer is an io.Writer safe for the concurrent writes of a
// slog.Handler.
type clientLogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *clientLogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *clientLogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestClientLogOmitsSecretKey(t *testing.T) {
	t.Parallel()
	logs := &clientLogBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f := clientStartFake(t, wrapper.WithLogger(logger))
	f.failNext(t, 2, clerkfake.Fault{OperationID: clerkfake.OperationCreateAllowlistIdentifier, Status: http.StatusServiceUnavailable})

	_, err := f.client.CreateAllowlistIdentifier(clientCallContext(t), "ada@example.com", true)
	clientCheckNoError(t, `CreateAllowlistIdentifier("ada@example.com", true) after two 503s`, err)

	output := logs.String()
	lines := strings.Split(strings.TrimSpace(output), "\n")
	if len(lines) != 2 {
		t.Errorf("CreateAllowlistIdentifier after two 503s logged %d records, want 2, one per retry:\n%s", len(lines), output)
	}
	for _, line := range lines {
		if !strings.Contains(line, `"operation":"CreateAllowlistIdentifier"`) {
			t.Errorf("log record = %s, want the operation CreateAllowlistIdentifier", line)
		}
		if strings.Contains(line, "ada@example.com") {
			t.Errorf("log record = %s, want no identifier value", line)
		}
	}
	clientCheckTextNoSecret(t, "log output", output)
}

func TestClientHeaderOptionErrorsOmitSecretKey(t *testing.T) {
	t.Parallel()
	f := clientStartFake(t)

	tests := []struct {
		name    string
		produce func(t *testing.T) error
	}{
		{name: "WithHeader value with a newline", produce: func(t *testing.T) error {
			_, err := f.client.ListBlocklistIdentifiers(clientCallContext(t), wrapper.WithHeader("X-Api-Key", clientSecretKey+"\n"))
			return err
		}},
		{name: "WithUserAgent value with a newline", produce: func(t *testing.T) error {
			_, err := wrapper.New(clientSecretKey, wrapper.WithUserAgent("my-service "+clientSecretKey+"\n"))
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.produce(t)
			if err == nil {
				t.Fatalf("%s error = nil, want an error", tt.name)
			}
			clientCheckNoSecret(t, tt.name, err)
		})
	}
}
