// Package tools pins the development-only Go tools (linters, spec diff,
// benchmark comparison) in a module of their own, so that they never enter
// the go.mod of the module that users import. Run them with
// `go tool -modfile=tools/go.mod NAME` from the repository root.
package tools
