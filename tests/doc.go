// Package tests contains the contract tests of the client, which hold the
// wrapper package against openapi.yaml. They run every operation through
// clerkfake, the in-memory fake of Clerk's Backend API. Responses that the
// fake cannot produce come from scripted HTTP servers on 127.0.0.1. The
// package has no code of its own outside its tests.
package tests
