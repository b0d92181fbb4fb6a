// Package gen contains the models and HTTP client that oapi-codegen generates
// from openapi.yaml. Do not edit clerk.gen.go: change openapi.yaml or
// oapi-codegen.yaml and run `make generate`.
//
// Most callers want package wrapper, which adds authentication, retries and
// typed errors on top of this package.
package gen

//go:generate go tool oapi-codegen -config ../oapi-codegen.yaml ../openapi.yaml
