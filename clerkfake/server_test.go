package clerkfake_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerklists/clerklists/clerkfake"
)

func TestStartInvalidOption(t *testing.T) {
	const badKey = "sk_test_has space"

	tests := []struct {
		name string
		opt  clerkfake.Option
	}{
		{name: "nil option", opt: nil},
		{name: "empty secret key", opt: clerkfake.WithSecretKey("")},
		{name: "secret key with space", opt: clerkfake.WithSecretKey(badKey)},
		{name: "secret key with line break", opt: clerkfake.WithSecretKey("sk_test_x\r\nX-Injected: 1")},
		{name: "secret key with non-ASCII", opt: clerkfake.WithSecretKey("sk_test_clé")},
		{name: "all interfaces", opt: clerkfake.WithAddr("0.0.0.0:0")},
		{name: "empty host", opt: clerkfake.WithAddr(":0")},
		{name: "host name", opt: clerkfake.WithAddr("localhost:0")},
		{name: "non-loopback IP", opt: clerkfake.WithAddr("192.0.2.1:0")},
		{name: "missing port", opt: clerkfake.WithAddr("127.0.0.1")},
		{name: "named port", opt: clerkfake.WithAddr("127.0.0.1:http")},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := clerkfake.Start(tt.opt)
			if err == nil {
				srv.Close()
				t.Fatalf("Start(%s) error = nil, want an error", tt.name)
			}
			if strings.Contains(err.Error(), badKey) {
				t.Errorf("Start() error = %q, want it without the secret key", err)
			}

			if _, err := clerkfake.NewHandler(tt.opt); err == nil {
				t.Errorf("NewHandler(%s) error = nil, want an error", tt.name)
			}
		})
	}
}

func TestStartURL(t *testing.T) {
	urlPattern := regexp.MustCompile(`^http://127\.0\.0\.1:[0-9]+/v1$`)

	tests := []struct {
		name string
		opts []clerkfake.Option
	}{
		{name: "default"},
		{name: "loopback address", opts: []clerkfake.Option{clerkfake.WithAddr("127.0.0.1:0")}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startFake(t, tt.opts...)
			if got := f.URL(); !urlPattern.MatchString(got) {
				t.Errorf("URL() = %q, want http://127.0.0.1:<port>/v1", got)
			}
			if r := f.do(http.MethodGet, "/blocklist_identifiers", "", nil); r.status != http.StatusOK {
				t.Errorf("status = %d, want 200", r.status)
			}
		})
	}
}

func TestStartServersAreIndependent(t *testing.T) {
	first := startFake(t)
	second := startFake(t)

	if first.URL() == second.URL() {
		t.Errorf("URL() = %q for both servers, want different ports", first.URL())
	}
	created := first.create("/allowlist_identifiers", "ada@example.com")
	if got := listIdentifiers(t, second, "/allowlist_identifiers"); len(got) != 0 {
		t.Errorf("second server has %d entries, want 0", len(got))
	}
	if other := second.create("/allowlist_identifiers", "ada@example.com"); other.InstanceID == created.InstanceID {
		t.Errorf("instance_id = %q on both servers, want different", other.InstanceID)
	}
}

func TestNewHandlerInHTTPTestServer(t *testing.T) {
	srv, err := clerkfake.NewHandler(clerkfake.WithSecretKey("sk_test_handler"))
	if err != nil {
		t.Fatalf("NewHandler() error = %v", err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	if got := srv.URL(); got != "" {
		t.Errorf("URL() = %q, want empty for a handler", got)
	}
	client := ts.Client()
	client.Timeout = 10 * time.Second

	r := send(t, client, ts.URL+"/v1/blocklist_identifiers", srv.SecretKey(), http.MethodPost, `{"identifier":"eve@example.com"}`, nil)
	if r.status != http.StatusOK {
		t.Errorf("POST status = %d, want 200 (body %s)", r.status, r.body)
	}
	r = send(t, client, ts.URL+"/v1/blocklist_identifiers", srv.SecretKey(), http.MethodGet, "", nil)
	if got := decode[identifierPage](t, r).TotalCount; got != 1 {
		t.Errorf("total_count = %d, want 1", got)
	}

	srv.Close() // does nothing for a handler
	r = send(t, client, ts.URL+"/v1/blocklist_identifiers", srv.SecretKey(), http.MethodGet, "", nil)
	if r.status != http.StatusOK {
		t.Errorf("status after Close = %d, want 200 while httptest serves", r.status)
	}
	if violations := srv.SpecViolations(); len(violations) > 0 {
		t.Errorf("SpecViolations() = %q, want none", violations)
	}
}

func TestCloseIdempotent(t *testing.T) {
	srv, err := clerkfake.Start()
	if err != nil {
		t.Fatalf("Start() error = %v", err)
	}
	client := &http.Client{Timeout: 10 * time.Second}

	// An idle keep-alive connection must not hold Close up.
	if r := send(t, client, srv.URL()+"/blocklist_identifiers", srv.SecretKey(), http.MethodGet, "", nil); r.status != http.StatusOK {
		t.Errorf("status before Close = %d, want 200", r.status)
	}

	var wg sync.WaitGroup
	for range 4 {
		wg.Go(srv.Close)
	}
	wg.Wait()
	srv.Close()

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL()+"/blocklist_identifiers", nil)
	if err != nil {
		t.Fatalf("NewRequest() error = %v", err)
	}
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("GET after Close: status = %d, want a connection error", resp.StatusCode)
	}
}

func TestConcurrentRequests(t *testing.T) {
	const (
		workers          = 8
		createsPerWorker = 25
		listsPerWorker   = 5
		faults           = 10
	)

	f := startFake(t)
	fault := clerkfake.Fault{OperationID: clerkfake.OperationListAllowlistIdentifiers, Status: http.StatusServiceUnavailable, RetryAfter: "1"}
	if err := f.FailNext(faults, fault); err != nil {
		t.Fatalf("FailNext() error = %v", err)
	}

	var (
		wg            sync.WaitGroup
		mu            sync.Mutex
		faultsSeen    int
		allowlistIDs  = make(map[string]bool)
		blocklistIDs  = make(map[string]bool)
		duplicateSeen bool
	)
	for worker := range workers {
		wg.Go(func() {
			for i := range createsPerWorker {
				path, ids := "/allowlist_identifiers", allowlistIDs
				if i%2 == 1 {
					path, ids = "/blocklist_identifiers", blocklistIDs
				}
				created := f.create(path, fmt.Sprintf("worker%d-%d@example.com", worker, i))

				mu.Lock()
				duplicateSeen = duplicateSeen || ids[created.ID]
				ids[created.ID] = true
				mu.Unlock()
			}
			for range listsPerWorker {
				r := f.do(http.MethodGet, "/allowlist_identifiers?paginated=true", "", nil)
				switch r.status {
				case http.StatusOK:
				case http.StatusServiceUnavailable:
					mu.Lock()
					faultsSeen++
					mu.Unlock()
				default:
					t.Errorf("GET /allowlist_identifiers status = %d, want 200 or 503", r.status)
				}
			}
		})
	}
	wg.Wait()

	if duplicateSeen {
		t.Errorf("some identifier ID was returned twice")
	}
	if faultsSeen != faults {
		t.Errorf("503 responses = %d, want %d", faultsSeen, faults)
	}

	wantAllowlist := workers * ((createsPerWorker + 1) / 2)
	wantBlocklist := workers * (createsPerWorker / 2)
	if got := len(listIdentifiers(t, f, "/allowlist_identifiers")); got != wantAllowlist {
		t.Errorf("allow-list entries = %d, want %d", got, wantAllowlist)
	}
	if got := len(listIdentifiers(t, f, "/blocklist_identifiers")); got != wantBlocklist {
		t.Errorf("block-list entries = %d, want %d", got, wantBlocklist)
	}
	if got := len(allowlistIDs) + len(blocklistIDs); got != workers*createsPerWorker {
		t.Errorf("distinct identifier IDs = %d, want %d", got, workers*createsPerWorker)
	}

	wantRequests := map[string]int{
		clerkfake.OperationCreateAllowlistIdentifier: wantAllowlist,
		clerkfake.OperationCreateBlocklistIdentifier: wantBlocklist,
		// One more for the listIdentifiers call above.
		clerkfake.OperationListAllowlistIdentifiers: workers*listsPerWorker + 1,
	}
	for operationID, want := range wantRequests {
		if got := f.Requests(operationID); got != want {
			t.Errorf("Requests(%s) = %d, want %d", operationID, got, want)
		}
	}
}
