package bench_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/clerklists/clerklists/wrapper"
)

// scriptedResponse is one failed attempt's response. A zero retryAfter
// sends no Retry-After header.
type scriptedResponse struct {
	status     int
	retryAfter time.Duration
}

// scheduleServer responds to each call to ListAllowlistIdentifiers with the
// failures of its script in order and then with an empty list, and records
// when each attempt arrived.
type scheduleServer struct {
	*httptest.Server
	failures []scriptedResponse

	mu       sync.Mutex
	arrivals []time.Time
}

func newScheduleServer(tb testing.TB, failures []scriptedResponse) *scheduleServer {
	tb.Helper()
	s := &scheduleServer{failures: failures}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		attempt := len(s.arrivals) % (len(s.failures) + 1)
		s.arrivals = append(s.arrivals, time.Now())
		s.mu.Unlock()

		if attempt == len(s.failures) {
			writeJSON(w, []byte("[]"))
			return
		}
		failure := s.failures[attempt]
		if failure.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(failure.retryAfter/time.Second)))
		}
		http.Error(w, http.StatusText(failure.status), failure.status)
	}))
	tb.Cleanup(s.Close)
	return s
}

// takeArrivals returns the recorded arrival times and clears them.
func (s *scheduleServer) takeArrivals() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	arrivals := s.arrivals
	s.arrivals = nil
	return arrivals
}

// exactBackoff returns a retry configuration whose waits are exactly
// initial, 2 × initial, 4 × initial and so on, because its
// RandomizationFactor is 0.
func exactBackoff(initial time.Duration) wrapper.RetryConfig {
	config := wrapper.DefaultRetryConfig()
	config.Backoff = wrapper.BackoffStrategy{
		InitialInterval:     initial,
		MaxInterval:         time.Minute,
		Exponent:            2,
		MaxElapsedTime:      time.Minute,
		RandomizationFactor: 0,
	}
	return config
}

// scheduleCase is a script of failures and the waits the wrapper owes
// between the attempts: a Retry-After delay replaces the backoff wait it
// falls on, and the schedule advances regardless.
type scheduleCase struct {
	name     string
	initial  time.Duration
	failures []scriptedResponse
	waits    []time.Duration
}

var scheduleCases = []scheduleCase{
	{
		name:     "backoff",
		initial:  20 * time.Millisecond,
		failures: []scriptedResponse{{status: 503}, {status: 503}, {status: 503}},
		waits:    []time.Duration{20 * time.Millisecond, 40 * time.Millisecond, 80 * time.Millisecond},
	},
	{
		name:     "retry-after",
		initial:  20 * time.Millisecond,
		failures: []scriptedResponse{{status: 429, retryAfter: time.Second}, {status: 503}},
		waits:    []time.Duration{time.Second, 40 * time.Millisecond},
	},
}

// runSchedule makes one call against srv and returns, for each wait, how
// much later than owed the next attempt arrived.
func runSchedule(tb testing.TB, client *wrapper.Client, srv *scheduleServer, waits []time.Duration) []time.Duration {
	tb.Helper()
	if _, err := client.ListAllowlistIdentifiers(context.Background(), nil); err != nil {
		tb.Fatalf("ListAllowlistIdentifiers failed after its scripted failures: %v", err)
	}
	arrivals := srv.takeArrivals()
	if len(arrivals) != len(waits)+1 {
		tb.Fatalf("server saw %d attempts, want %d", len(arrivals), len(waits)+1)
	}

	lateness := make([]time.Duration, len(waits))
	for i, wait := range waits {
		lateness[i] = arrivals[i+1].Sub(arrivals[i]) - wait
	}
	return lateness
}

func newScheduleClient(tb testing.TB, srv *scheduleServer, initial time.Duration) *wrapper.Client {
	tb.Helper()
	client, err := wrapper.New(secretKey, wrapper.WithBaseURL(srv.URL), wrapper.WithRetryConfig(exactBackoff(initial)))
	if err != nil {
		tb.Fatalf("wrapper.New failed: %v", err)
	}
	return client
}

// scheduleSlack is how late an attempt may arrive in TestRetrySchedule. It
// is generous so that a loaded machine does not fail the test;
// BenchmarkRetrySchedule measures the actual lateness.
const scheduleSlack = time.Second

// TestRetrySchedule checks that no attempt comes before its wait, whether
// the wait comes from Retry-After or from the backoff schedule, and that
// none comes much later.
func TestRetrySchedule(t *testing.T) {
	for _, tc := range scheduleCases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newScheduleServer(t, tc.failures)
			client := newScheduleClient(t, srv, tc.initial)

			for i, late := range runSchedule(t, client, srv, tc.waits) {
				if late < 0 {
					t.Errorf("attempt %d came %v after attempt %d, want at least %v", i+2, tc.waits[i]+late, i+1, tc.waits[i])
				}
				if late > scheduleSlack {
					t.Errorf("attempt %d came %v after attempt %d, want less than %v", i+2, tc.waits[i]+late, i+1, tc.waits[i]+scheduleSlack)
				}
			}
		})
	}
}

// BenchmarkRetrySchedule runs the cases of TestRetrySchedule and reports
// how late the attempts arrived against the waits owed: max-late-ns over
// all waits of the run, and min-late-ns, which is never negative when no
// attempt comes early. ns/op is one whole call.
func BenchmarkRetrySchedule(b *testing.B) {
	for _, tc := range scheduleCases {
		b.Run(tc.name, func(b *testing.B) {
			srv := newScheduleServer(b, tc.failures)
			client := newScheduleClient(b, srv, tc.initial)

			maxLate, minLate := time.Duration(-1<<63), time.Duration(1<<63-1)
			for b.Loop() {
				for _, late := range runSchedule(b, client, srv, tc.waits) {
					maxLate = max(maxLate, late)
					minLate = min(minLate, late)
				}
			}
			b.ReportMetric(float64(maxLate.Nanoseconds()), "max-late-ns")
			b.ReportMetric(float64(minLate.Nanoseconds()), "min-late-ns")
		})
	}
}
