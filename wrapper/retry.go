package wrapper

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// RetryStrategy selects whether failed attempts are retried.
type RetryStrategy string

const (
	// RetryStrategyBackoff retries with exponential backoff.
	RetryStrategyBackoff RetryStrategy = "backoff"
	// RetryStrategyNone sends one attempt only.
	RetryStrategyNone RetryStrategy = "none"
)

// BackoffStrategy is the schedule of waits between attempts. The n-th wait
// (n from 0) is InitialInterval × Exponent^n, capped at MaxInterval, then
// multiplied by a random factor in [1 − RandomizationFactor,
// 1 + RandomizationFactor].
type BackoffStrategy struct {
	// InitialInterval is the wait before the second attempt. Default 500 ms.
	InitialInterval time.Duration
	// MaxInterval caps a wait before randomization. Default 60 s.
	MaxInterval time.Duration
	// Exponent multiplies the wait after each attempt; at least 1. Default 1.5.
	Exponent float64
	// MaxElapsedTime is the time budget of one call, counted from its first
	// attempt: no new attempt starts once a wait would pass it. Default one
	// minute; Clerk's own SDKs use one hour.
	MaxElapsedTime time.Duration
	// RandomizationFactor spreads waits to keep clients from retrying in
	// step; from 0 (exact waits) to below 1. Default 0.5.
	RandomizationFactor float64
}

// RetryConfig decides which failures are retried and how long to wait. The
// zero value is invalid: start from DefaultRetryConfig.
type RetryConfig struct {
	// Strategy is RetryStrategyBackoff or RetryStrategyNone.
	Strategy RetryStrategy
	// Backoff is the wait schedule; it is ignored with RetryStrategyNone.
	Backoff BackoffStrategy
	// RetryConnectionErrors retries attempts that got no usable HTTP
	// response: a failed dial for every method, and a connection lost later
	// only for GET and DELETE, because a POST may already have reached Clerk.
	// A host that DNS reports as nonexistent, an untrusted certificate and a
	// stop by the redirect policy are never retried.
	RetryConnectionErrors bool
}

// DefaultRetryConfig returns the configuration a Client uses unless
// WithRetryConfig sets another: backoff from 500 ms to 60 s with exponent
// 1.5 and randomization factor 0.5, at most one minute per call, and
// connection errors retried.
func DefaultRetryConfig() RetryConfig {
	return RetryConfig{
		Strategy: RetryStrategyBackoff,
		Backoff: BackoffStrategy{
			InitialInterval:     500 * time.Millisecond,
			MaxInterval:         60 * time.Second,
			Exponent:            1.5,
			MaxElapsedTime:      time.Minute,
			RandomizationFactor: 0.5,
		},
		RetryConnectionErrors: true,
	}
}

func (rc RetryConfig) validate() error {
	switch rc.Strategy {
	case RetryStrategyNone:
		return nil
	case RetryStrategyBackoff:
	default:
		return fmt.Errorf("retry strategy %q is invalid; use RetryStrategyBackoff or RetryStrategyNone, or start from DefaultRetryConfig()", rc.Strategy)
	}

	b := rc.Backoff
	switch {
	case b.InitialInterval <= 0:
		return fmt.Errorf("Backoff.InitialInterval %v is not positive; DefaultRetryConfig uses 500ms", b.InitialInterval)
	case b.MaxInterval < b.InitialInterval:
		return fmt.Errorf("Backoff.MaxInterval %v is less than InitialInterval %v", b.MaxInterval, b.InitialInterval)
	case math.IsNaN(b.Exponent) || math.IsInf(b.Exponent, 0) || b.Exponent < 1:
		return fmt.Errorf("Backoff.Exponent %v is invalid; use 1 or more, DefaultRetryConfig uses 1.5", b.Exponent)
	case b.MaxElapsedTime <= 0:
		return fmt.Errorf("Backoff.MaxElapsedTime %v is not positive; DefaultRetryConfig uses 1m0s", b.MaxElapsedTime)
	case b.MaxInterval > maxRetryDuration || b.MaxElapsedTime > maxRetryDuration:
		return fmt.Errorf("Backoff.MaxInterval %v or MaxElapsedTime %v is over %v, the longest wait or budget the client accepts", b.MaxInterval, b.MaxElapsedTime, maxRetryDuration)
	case math.IsNaN(b.RandomizationFactor) || b.RandomizationFactor < 0 || b.RandomizationFactor >= 1:
		return fmt.Errorf("Backoff.RandomizationFactor %v is outside [0, 1); DefaultRetryConfig uses 0.5", b.RandomizationFactor)
	}
	return nil
}

// isRetryableStatus reports whether a response status is worth another
// attempt: 429 and every 5XX except 501 Not Implemented, which will not
// change on retry.
func isRetryableStatus(status int) bool {
	return status == http.StatusTooManyRequests || (status >= 500 && status <= 599 && status != http.StatusNotImplemented)
}

// callBackOff is one call's backoff schedule. It wraps backoff/v4's
// ExponentialBackOff and adds two things that package lacks. A Retry-After
// delay from the last response replaces the computed one. A wait that would
// pass the context's deadline stops the loop, so that the caller gets the
// last response's error at once instead of a deadline error later.
type callBackOff struct {
	// exponential is held by value so that a call allocates one backoff
	// object, not two.
	exponential backoff.ExponentialBackOff
	deadline    time.Time // zero when the context has none
	retryAfter  time.Duration
	hasRetry    bool // whether retryAfter was set by the last attempt
	// stopReason is why NextBackOff stopped the loop, for the log.
	stopReason string
}

func newCallBackOff(strategy BackoffStrategy, deadline time.Time) *callBackOff {
	// The fields are set directly rather than through NewExponentialBackOff's
	// functional options, which allocate a closure each. Reset, which
	// backoff.RetryNotify calls before the first attempt, starts the clock.
	return &callBackOff{
		exponential: backoff.ExponentialBackOff{
			InitialInterval:     strategy.InitialInterval,
			RandomizationFactor: strategy.RandomizationFactor,
			Multiplier:          strategy.Exponent,
			MaxInterval:         strategy.MaxInterval,
			MaxElapsedTime:      strategy.MaxElapsedTime,
			Stop:                backoff.Stop,
			Clock:               backoff.SystemClock,
		},
		deadline: deadline,
	}
}

// setRetryAfter records the delay that the last response asked for.
func (b *callBackOff) setRetryAfter(delay time.Duration) {
	b.retryAfter = delay
	b.hasRetry = true
}

// NextBackOff implements backoff.BackOff.
func (b *callBackOff) NextBackOff() time.Duration {
	// The computed schedule decides whether another attempt fits in the
	// budget, even when Retry-After then sets the wait. Without that bound a
	// server sending Retry-After: 0 could draw thousands of attempts.
	next := b.exponential.NextBackOff()
	if next == backoff.Stop {
		b.hasRetry = false
		b.stopReason = "the computed schedule's next wait would pass MaxElapsedTime"
		return backoff.Stop
	}
	source := "the next wait"
	if b.hasRetry {
		b.hasRetry = false
		next = b.retryAfter
		source = "the Retry-After wait of " + next.String()
	}
	// Written as a subtraction so that no sum can overflow. validate caps the
	// intervals, so next is never negative; the check is defensive.
	if next < 0 || next > b.exponential.MaxElapsedTime-b.exponential.GetElapsedTime() {
		b.stopReason = source + " would pass MaxElapsedTime"
		return backoff.Stop
	}
	if !b.deadline.IsZero() && time.Until(b.deadline) < next {
		b.stopReason = source + " would pass the context deadline"
		return backoff.Stop
	}
	return next
}

// Reset implements backoff.BackOff.
func (b *callBackOff) Reset() {
	b.exponential.Reset()
	b.hasRetry = false
}

// maxRetryDuration bounds MaxInterval, MaxElapsedTime and a parsed
// Retry-After, so that no arithmetic on them can overflow a time.Duration.
const maxRetryDuration = 24 * time.Hour

// parseRetryAfter reads a Retry-After header given in seconds or as an HTTP
// date. It reports false for a missing, negative or unparseable value, in
// which case the backoff schedule decides the wait. A date in the past means
// no wait.
func parseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	seconds, err := strconv.ParseInt(value, 10, 64)
	if errors.Is(err, strconv.ErrRange) && seconds > 0 {
		// More seconds than an int64 holds: past every budget, like 3600.
		return maxRetryDuration, true
	}
	if err == nil {
		if seconds < 0 {
			return 0, false
		}
		if seconds > int64(maxRetryDuration/time.Second) {
			return maxRetryDuration, true
		}
		return time.Duration(seconds) * time.Second, true
	}
	date, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	delay := date.Sub(now)
	switch {
	case delay < 0:
		return 0, true
	case delay > maxRetryDuration:
		return maxRetryDuration, true
	}
	return delay, true
}
