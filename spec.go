// Package clerklists is a Go client for the allow-list and block-list
// endpoints of Clerk's Backend API.
//
// Service code imports package wrapper. Package gen holds the models and
// client that oapi-codegen generates from openapi.yaml, and package clerkfake
// is an in-memory Clerk for tests. This root package only embeds the
// OpenAPI document that the other packages are built from.
package clerklists

import _ "embed"

//go:embed openapi.yaml
var openAPISpec string

// OpenAPISpec returns a copy of openapi.yaml, the OpenAPI 3.0 document that
// gen/ is generated from and that clerkfake validates traffic against.
func OpenAPISpec() []byte {
	return []byte(openAPISpec)
}
