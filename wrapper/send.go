package wrapper

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// Response bodies are read through these bounds. A successful body longer
// than maxResponseBytes is an SDKError; a list of 500 identifiers is about
// 150 KiB. Error bodies are read up to maxErrorReadBytes, enough for any
// Clerk error JSON.
const (
	maxResponseBytes  = 8 << 20
	maxErrorReadBytes = 64 << 10
	// maxDrainBytes is how much of an unread body is discarded so that the
	// connection can be reused; a longer rest closes the connection instead.
	maxDrainBytes = 64 << 10
)

// operation describes one endpoint for the send loop.
type operation struct {
	id     string // operationId in openapi.yaml
	method string
	// declared lists the error statuses that openapi.yaml declares with a
	// ClerkErrors body.
	declared []int
}

func (op *operation) declaresStatus(status int) bool {
	for _, declared := range op.declared {
		if declared == status {
			return true
		}
	}
	return false
}

// replayable reports whether an attempt whose connection broke after the
// request was sent may be sent again. GET and DELETE are idempotent; a POST
// may already have created an identifier.
func (op *operation) replayable() bool {
	return op.method == http.MethodGet || op.method == http.MethodDelete
}

// requestBuilder returns a new request for serverURL, with a fresh body, for
// every attempt. The request carries ctx, the call's context including any
// WithTimeout deadline, so that attempt need not copy it with WithContext.
type requestBuilder func(ctx context.Context, serverURL string) (*http.Request, error)

// response is a successful response whose body has been read and closed.
type response struct {
	http *http.Response
	body []byte
	// attempts is the number of attempts the call made, for the SDKError
	// of a body that does not decode.
	attempts int
	// attemptKey is the key the request was sent with, to redact it from
	// that SDKError.
	attemptKey *secretKey
}

// decodeError returns the SDKError for a successful response whose body
// is not what the operation expects.
func (r *response) decodeError(op *operation, message string, cause error) *SDKError {
	r.attemptKey.redactHeader(r.http.Header)
	sdkError := newSDKError(op.id, r.http, r.attemptKey.redact(r.body), false, message, cause)
	sdkError.Attempts = r.attempts
	return sdkError
}

// send runs one call: it validates ctx and opts, then sends attempts until
// one succeeds, a failure is not retryable, or the retry budget, the
// timeout or the context ends the call. A 2XX response is returned with its
// body; anything else becomes an error.
func (c *Client) send(ctx context.Context, op *operation, build requestBuilder, opts []CallOption) (*response, error) {
	if c == nil || c.key == nil {
		return nil, &ArgumentError{Operation: op.id, Argument: "client", Reason: "client is nil or a zero Client; create it with wrapper.New"}
	}
	if ctx == nil {
		return nil, &ArgumentError{Operation: op.id, Argument: "context", Reason: "context is nil; pass context.Background() or the request's context"}
	}
	cc, err := c.newCallConfig(op.id, opts)
	if err != nil {
		return nil, err
	}
	if cc.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cc.timeout)
		defer cancel()
	}
	serverURL := c.baseURL
	if cc.serverURL != "" {
		serverURL = cc.serverURL
	}

	var (
		attempts int
		lastErr  error
		policy   backoff.BackOff = &backoff.StopBackOff{}
		schedule *callBackOff
	)
	if cc.retry.Strategy == RetryStrategyBackoff {
		deadline, _ := ctx.Deadline()
		schedule = newCallBackOff(cc.retry.Backoff, deadline)
		policy = schedule
	}

	attempt := func() (*response, error) {
		attempts++
		resp, retryAfter, err := c.attempt(ctx, op, build, serverURL, cc)
		if err == nil {
			return resp, nil
		}
		// Retryability is decided on the raw error, before the key is
		// redacted from its text.
		retryable := c.isRetryable(ctx, op, err, cc.retry)
		err = c.key.redactError(err)
		if ctx.Err() != nil {
			// The context ended this attempt. lastErr keeps the previous
			// attempt's error, which finalError joins with this one.
			return nil, backoff.Permanent(err)
		}
		lastErr = err
		if !retryable {
			return nil, backoff.Permanent(err)
		}
		if schedule != nil && retryAfter >= 0 {
			schedule.setRetryAfter(retryAfter)
		}
		return nil, err
	}

	var notify backoff.Notify
	if c.logger != nil {
		notify = func(err error, delay time.Duration) {
			c.logger.InfoContext(ctx, "clerk: retrying after a failed attempt",
				"operation", op.id, "attempt", attempts, "delay", delay, "error", err)
		}
	}

	resp, err := backoff.RetryNotifyWithData(attempt, backoff.WithContext(policy, ctx), notify)
	if err == nil {
		resp.attempts = attempts
		return resp, nil
	}
	err = finalError(ctx, op, err, lastErr, attempts)
	if c.logger != nil && schedule != nil && schedule.stopReason != "" {
		c.logger.InfoContext(ctx, "clerk: stopped retrying",
			"operation", op.id, "attempts", attempts, "reason", schedule.stopReason, "error", err)
	}
	return nil, err
}

// attempt sends one request and reads its response. For a failed response
// it also returns the Retry-After delay, or -1 when the response had none.
func (c *Client) attempt(ctx context.Context, op *operation, build requestBuilder, serverURL string, cc callConfig) (*response, time.Duration, error) {
	req, err := build(ctx, serverURL)
	if err != nil {
		return nil, -1, &ArgumentError{Operation: op.id, Argument: "request", Reason: err.Error()}
	}
	for name, values := range cc.header {
		req.Header[name] = values
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	c.setAuthorization(req)

	httpResp, err := c.httpClient.Do(req) //nolint:bodyclose // readBody closes it on every path below.
	if err != nil {
		return nil, -1, err
	}

	if httpResp.StatusCode < 200 {
		// net/http returns a 1XX response only for 101 Switching Protocols,
		// whose body is the raw connection: reading it would block beyond
		// every timeout, so it is closed unread.
		_ = httpResp.Body.Close()
		c.key.redactHeader(httpResp.Header)
		return nil, -1, newSDKError(op.id, httpResp, nil, false, "unexpected informational status; Clerk's API never switches protocols", nil)
	}

	success := httpResp.StatusCode >= 200 && httpResp.StatusCode <= 299
	limit := int64(maxErrorReadBytes)
	if success {
		limit = maxResponseBytes
	}
	body, truncated, readErr := readBody(httpResp.Body, httpResp.ContentLength, limit)
	if readErr != nil {
		// The body was cut mid-stream: a connection error, retried like one.
		return nil, -1, fmt.Errorf("reading the body of a %s response: %w", statusText(httpResp.StatusCode), readErr)
	}

	if success && !truncated {
		return &response{http: httpResp, body: body, attemptKey: c.key}, -1, nil
	}
	// From here on the body and headers only go into an error.
	body = c.key.redact(body)
	c.key.redactHeader(httpResp.Header)
	if success {
		return nil, -1, newSDKError(op.id, httpResp, body, true, "response body is larger than the 8 MiB limit", nil)
	}

	retryAfter := time.Duration(-1)
	if delay, ok := parseRetryAfter(httpResp.Header.Get("Retry-After"), time.Now()); ok {
		retryAfter = delay
	}
	err = responseError(op, httpResp, body, truncated)
	var clerkErrors *ClerkErrors
	if errors.As(err, &clerkErrors) {
		c.key.redactClerkErrors(clerkErrors)
	}
	return nil, retryAfter, err
}

// readBody reads at most limit bytes, then drains a bounded rest so that the
// connection can be reused, and closes the body on every path.
// contentLength is the response's, -1 when unknown.
func readBody(body io.ReadCloser, contentLength, limit int64) ([]byte, bool, error) {
	defer func() { _ = body.Close() }()

	data, err := readUpTo(body, contentLength, limit+1)
	if err != nil {
		return nil, false, err
	}
	if int64(len(data)) <= limit {
		return data, false, nil
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(body, maxDrainBytes))
	return data[:limit], true, nil
}

// readUpTo reads body until io.EOF or until it has max bytes. A body whose
// contentLength is known and below max is read into one buffer of that size,
// plus one byte for the read that finds io.EOF. io.ReadAll would grow its
// buffer about ten times for a list of 500 identifiers and then copy the
// whole body once more.
func readUpTo(body io.Reader, contentLength, max int64) ([]byte, error) {
	if contentLength < 0 || contentLength >= max {
		return io.ReadAll(io.LimitReader(body, max))
	}

	data := make([]byte, 0, contentLength+1)
	for len(data) < cap(data) {
		n, err := body.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
	}
	// The body is longer than its Content-Length. net/http's transport
	// never returns such a body, but a custom RoundTripper might.
	rest, err := io.ReadAll(io.LimitReader(body, max-int64(len(data))))
	if err != nil {
		return nil, err
	}
	return append(data, rest...), nil
}

// isRetryable decides whether a failed attempt is followed by another.
func (c *Client) isRetryable(ctx context.Context, op *operation, err error, rc RetryConfig) bool {
	if ctx.Err() != nil {
		return false
	}

	var clerkErrors *ClerkErrors
	if errors.As(err, &clerkErrors) {
		return isRetryableStatus(clerkErrors.StatusCode)
	}
	var sdkError *SDKError
	if errors.As(err, &sdkError) {
		// Inside the loop the only 2XX SDKError is a body over the size
		// limit, which the next attempt would repeat.
		return isRetryableStatus(sdkError.StatusCode)
	}
	var argumentError *ArgumentError
	if errors.As(err, &argumentError) {
		return false
	}

	if !rc.RetryConnectionErrors {
		return false
	}
	if isPermanentTransportError(err) {
		return false
	}
	return isDialError(err) || op.replayable()
}

// isPermanentTransportError reports whether a request failed for a reason
// that another attempt cannot change. The reasons are a host that DNS reports
// as nonexistent (a mistyped base URL), an untrusted server certificate, a
// plain HTTP answer to TLS, and a stop by the redirect policy.
func isPermanentTransportError(err error) bool {
	var (
		dnsErr          *net.DNSError
		certificateErr  *tls.CertificateVerificationError
		unknownAuth     x509.UnknownAuthorityError
		hostnameErr     x509.HostnameError
		invalidCert     x509.CertificateInvalidError
		recordHeaderErr tls.RecordHeaderError
		redirectErr     *redirectError
	)
	switch {
	case errors.As(err, &dnsErr):
		return dnsErr.IsNotFound
	case errors.As(err, &certificateErr), errors.As(err, &unknownAuth), errors.As(err, &hostnameErr),
		errors.As(err, &invalidCert), errors.As(err, &recordHeaderErr), errors.As(err, &redirectErr):
		return true
	}
	return false
}

// isDialError reports whether err happened while connecting, before any
// byte of the request was written, so that even a POST can be resent.
func isDialError(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// finalError shapes the error that a call returns: the attempt count is
// recorded, the backoff package's types are gone, and when the context
// ended the call after a failed attempt, the context error is joined with
// that attempt's error. The *http.Client's per-attempt Timeout also gives
// errors that match context.DeadlineExceeded, so ctx itself decides whether
// the context ended the call.
func finalError(ctx context.Context, op *operation, err, lastErr error, attempts int) error {
	contextEnded := ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))
	if !contextEnded {
		return setAttempts(err, op, attempts)
	}
	if lastErr != nil {
		return &canceledError{ctxErr: err, lastErr: setAttempts(lastErr, op, attempts)}
	}
	return &AttemptsError{Operation: op.id, Attempts: attempts, Err: err}
}

func setAttempts(err error, op *operation, attempts int) error {
	var clerkErrors *ClerkErrors
	if errors.As(err, &clerkErrors) {
		clerkErrors.Attempts = attempts
		return err
	}
	var sdkError *SDKError
	if errors.As(err, &sdkError) {
		sdkError.Attempts = attempts
		return err
	}
	var argumentError *ArgumentError
	if errors.As(err, &argumentError) {
		return err
	}
	return &AttemptsError{Operation: op.id, Attempts: attempts, Err: err}
}
