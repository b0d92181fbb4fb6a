// Package clerkfake is an in-memory fake of Clerk's Backend API for the six
// allow-list and block-list operations, for tests and demos.
//
// Start runs a Server on an ephemeral port of 127.0.0.1, and URL returns the
// base URL to give a client, such as http://127.0.0.1:41234/v1. NewHandler
// returns a Server that does not listen, for mounting in an httptest.Server.
// Each Server has its own state, secret key and instance ID, and all its
// methods are safe for concurrent use.
//
// Every request for one of the six operations is checked against openapi.yaml,
// the document that package clerklists embeds, with
// github.com/getkin/kin-openapi. So is the response, unless it is a Fault. A
// response that breaks the document is replaced with a 500 and listed by
// SpecViolations, so tests can assert that none was listed.
//
// A request is handled in this order, and the first step that fails decides
// the response:
//
//   - Routing: 404 resource_not_found for an unknown path, 405
//     method_not_allowed with an Allow header for a wrong method.
//   - A Fault queued with FailNext, sent as the test defined it.
//   - The secret key: 401 authorization_header_format_invalid when the
//     Authorization header is missing or not "Bearer <key>", and 401
//     clerk_key_invalid for a wrong key. Neither response contains a key.
//   - openapi.yaml: 400 request_invalid, whose message names the violation,
//     such as an unknown body property, a null value or a limit above 500. A
//     body larger than 1 MiB gets 413 request_body_too_large. A JSON body
//     must also be exactly one JSON value encoded as UTF-8, and a charset in
//     Content-Type must be utf-8, or the request gets 400 request_invalid.
//   - The operation: 422 form_param_format_invalid for an identifier of no
//     known type or with a control character, 422 form_identifier_exists for
//     an identifier already on the list, and 404 resource_not_found for an
//     unknown identifier ID.
//
// Error bodies have Clerk's ClerkErrors shape with one error, and their
// clerk_trace_id repeats the fresh trace ID of the Clerk-Trace-Id header.
//
// The type of an identifier follows from its form. A value with an @ and no
// control character is an email_address, which includes *@domain patterns. A
// + followed by digits is a phone_number, and 0x followed by 40 hexadecimal
// digits is a web3_wallet.
// Lists are ordered newest first. Timestamps are Unix milliseconds.
package clerkfake
