//go:build contract

package tests

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// contractDefaultClerkSpec is Clerk's published Backend API spec, relative to
// the repository root, used when CLERK_SPEC is unset. The Makefile has the
// same default.
const contractDefaultClerkSpec = "../shared/clerk-openapi/bapi-2026-05-12.yml"

// contractToolTimeout bounds one run of oasdiff, Spectral, the code generator
// or the Go build of the regeneration drill.
const contractToolTimeout = 3 * time.Minute

// contractInCI reports whether the tests run in CI, where a missing input is
// a failure instead of a reason to skip.
func contractInCI() bool {
	return os.Getenv("CI") == "true"
}

// contractSkipOrFail skips the test outside CI and fails it in CI, so that a
// CI run cannot pass without running the check.
func contractSkipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	if contractInCI() {
		t.Fatalf(format+" (CI=true, so this is a failure, not a skip)", args...)
	}
	t.Skipf(format, args...)
}

// contractRepoRoot returns the absolute path of the repository root, the
// parent of this package's directory.
func contractRepoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatalf("filepath.Abs(..) = %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "openapi.yaml")); err != nil {
		t.Fatalf("repository root %s has no openapi.yaml: %v", root, err)
	}
	return root
}

// contractClerkSpecPath returns the absolute path of Clerk's published spec:
// CLERK_SPEC when set, else contractDefaultClerkSpec. A relative path is
// taken from the repository root, as the Makefile does.
func contractClerkSpecPath(t *testing.T) string {
	t.Helper()
	path := os.Getenv("CLERK_SPEC")
	if path == "" {
		path = contractDefaultClerkSpec
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(contractRepoRoot(t), path)
	}
	if _, err := os.Stat(path); err != nil {
		contractSkipOrFail(t, "Clerk's published spec %s is not readable: %v; set CLERK_SPEC to its path", path, err)
	}
	return path
}

// contractLoadDoc loads and validates an OpenAPI document from a file.
func contractLoadDoc(t *testing.T, path string) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		t.Fatalf("load OpenAPI document %s: %v", path, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("OpenAPI document %s is invalid: %v", path, err)
	}
	return doc
}

// contractToolResult is the outcome of one external command.
type contractToolResult struct {
	command  string
	stdout   []byte
	stderr   []byte
	exitCode int
}

// contractRunTool runs name with args in dir and returns its output and exit
// code. It fails the test only when the command cannot start or times out,
// because a non-zero exit code is a finding that the caller inspects.
func contractRunTool(t *testing.T, dir string, env []string, name string, args ...string) contractToolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), contractToolTimeout)
	defer cancel()

	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr

	result := contractToolResult{command: name + " " + strings.Join(args, " ")}
	err := cmd.Run()
	result.stdout, result.stderr = stdout.Bytes(), stderr.Bytes()
	if ctx.Err() != nil {
		t.Fatalf("%s timed out after %v; stderr:\n%s", result.command, contractToolTimeout, result.stderr)
	}
	if err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			t.Fatalf("%s did not run: %v", result.command, err)
		}
		result.exitCode = exitErr.ExitCode()
	}
	return result
}

// contractWriteFile writes data to a new file under dir and returns its path.
func contractWriteFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatalf("create directory for %s: %v", path, err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
	return path
}

// contractReadFile returns the contents of a file or fails the test.
func contractReadFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return data
}

// contractReplaceOnce returns text with old replaced by replacement, and fails
// the test unless old occurs exactly once. The mutation tests use it, so a
// spec edit that moves their anchor text breaks them loudly instead of
// leaving the spec unmutated.
func contractReplaceOnce(t *testing.T, text, old, replacement string) string {
	t.Helper()
	if n := strings.Count(text, old); n != 1 {
		t.Fatalf("mutation anchor %q occurs %d times in the spec, want exactly 1; update the test to the new spec text", old, n)
	}
	return strings.Replace(text, old, replacement, 1)
}
