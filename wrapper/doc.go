// Package wrapper is the hand-written client for the allow-list and
// block-list endpoints of Clerk's Backend API. It sits on top of the
// generated package gen and adds what the generated code does not:
//
//   - bearer authentication with the instance's secret key,
//   - retries with exponential backoff (github.com/cenkalti/backoff/v4),
//     configured per client and overridable per call,
//   - input validation before any request is sent,
//   - typed errors, found with errors.As: *ClerkErrors for Clerk's JSON
//     error body on a status that the operation declares in openapi.yaml,
//     *SDKError for every other failed response (a 401 on a create, every
//     429 and 5XX), *ArgumentError for invalid input before any request, and
//     *AttemptsError when the last attempt failed without a usable response.
//
// A Client is safe for concurrent use, and each call gets its own backoff
// schedule. The secret key is kept out of Error() texts, logs and formatted
// values. A key that a server sends back is redacted where it arrives as
// sent or, in Clerk's error fields, in any JSON escape form. A
// percent-encoded echo can remain in SDKError.Body, which Error() never
// prints.
//
// # Retries
//
// DefaultRetryConfig retries 429 and every 5XX status except 501, with an
// initial interval of 500 ms, a maximum interval of 60 s, an exponent of 1.5,
// a randomization factor of 0.5 and a maximum elapsed time of one minute per
// call. Clerk's own SDKs allow one hour; this client stops sooner because
// its callers usually sit on a user's sign-up path. Connection errors are
// retried, except that a POST whose connection was lost after it was sent is
// not replayed, because Clerk may already have applied it. A Retry-After
// header, in seconds or as an HTTP date, replaces the computed delay, while
// the computed schedule still decides whether another attempt fits. When
// that delay would pass the call's remaining time budget or the context
// deadline, the call returns the last error at once instead of sleeping.
package wrapper
