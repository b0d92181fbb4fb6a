//go:build contract

package tests

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// contractMatchPath limits oasdiff to the allow-list and block-list paths of
// Clerk's Backend API.
const contractMatchPath = `^/(allowlist|blocklist)_identifiers(/|$)`

// oasdiff's JSON output encodes a finding's level as a number.
const (
	contractLevelWarn = 2
	contractLevelErr  = 3
)

// contractOasdiffFinding is one entry of `oasdiff breaking --format json`.
type contractOasdiffFinding struct {
	ID        string `json:"id"`
	Text      string `json:"text"`
	Level     int    `json:"level"`
	Operation string `json:"operation"`
	Path      string `json:"path"`
}

func (f contractOasdiffFinding) String() string {
	return fmt.Sprintf("[%s] level %d %s %s: %s", f.ID, f.Level, f.Operation, f.Path, f.Text)
}

// contractAcceptedFinding is one line of contract/oasdiff-accepted.txt.
type contractAcceptedFinding struct {
	id, method, path, reason string
	line                     int
}

func (a contractAcceptedFinding) matches(f contractOasdiffFinding) bool {
	return a.id == f.ID && a.method == f.Operation && a.path == f.Path
}

// TestContractOasdiff runs the pinned oasdiff in both directions over the
// allow-list and block-list paths, failing on warnings, with the severity of
// a removed error status raised to error. With openapi.yaml as the base it
// accepts no finding. With the published spec as the base it accepts exactly
// the findings listed in contract/oasdiff-accepted.txt.
func TestContractOasdiff(t *testing.T) {
	root := contractRepoRoot(t)
	clerkSpec := contractClerkSpecPath(t)
	ours := filepath.Join(root, "openapi.yaml")

	t.Run("openapi.yaml as base", func(t *testing.T) {
		for _, f := range contractRunOasdiff(t, ours, clerkSpec, true) {
			t.Errorf("oasdiff finding with openapi.yaml as base: %s", f)
		}
	})

	t.Run("published spec as base", func(t *testing.T) {
		accepted := contractReadAccepted(t, filepath.Join(root, "contract", "oasdiff-accepted.txt"))
		unaccepted, unused := contractFilterAccepted(contractRunOasdiff(t, clerkSpec, ours, true), accepted)
		for _, f := range unaccepted {
			t.Errorf("oasdiff finding with the published spec as base is not in contract/oasdiff-accepted.txt: %s", f)
		}
		for _, a := range unused {
			t.Errorf("contract/oasdiff-accepted.txt line %d (%s %s %s) matches no finding; remove it", a.line, a.id, a.method, a.path)
		}
	})
}

// TestContractOasdiffFindsMutations proves that both directions can fail,
// and that the severity-levels file is what turns a removed error status
// into a failure.
func TestContractOasdiffFindsMutations(t *testing.T) {
	root := contractRepoRoot(t)
	clerkSpec := contractClerkSpecPath(t)
	oursText := string(contractReadFile(t, filepath.Join(root, "openapi.yaml")))
	accepted := contractReadAccepted(t, filepath.Join(root, "contract", "oasdiff-accepted.txt"))

	// The blocklist delete is the last operation before components.
	const deleteBlocklist404 = "        '404':\n          $ref: '#/components/responses/NotFound'\ncomponents:"
	tests := []struct {
		name           string
		mutate         func(t *testing.T, spec string) string
		oursIsBase     bool
		severityLevels bool
		wantID         string // empty means no finding is expected
		wantOperation  string
		wantPath       string
	}{
		{
			name: "error status only in openapi.yaml",
			mutate: func(t *testing.T, spec string) string {
				return contractReplaceOnce(t, spec, deleteBlocklist404,
					"        '404':\n          $ref: '#/components/responses/NotFound'\n        '409':\n          $ref: '#/components/responses/UnprocessableEntity'\ncomponents:")
			},
			oursIsBase: true, severityLevels: true,
			wantID: "response-non-success-status-removed", wantOperation: "DELETE", wantPath: "/blocklist_identifiers/{identifier_id}",
		},
		{
			name: "error status only in openapi.yaml without severity levels",
			mutate: func(t *testing.T, spec string) string {
				return contractReplaceOnce(t, spec, deleteBlocklist404,
					"        '404':\n          $ref: '#/components/responses/NotFound'\n        '409':\n          $ref: '#/components/responses/UnprocessableEntity'\ncomponents:")
			},
			oursIsBase: true, severityLevels: false,
		},
		{
			name: "limit maximum above the published one",
			mutate: func(t *testing.T, spec string) string {
				return contractReplaceOnce(t, spec, "        maximum: 500\n", "        maximum: 1000\n")
			},
			oursIsBase: true, severityLevels: true,
			wantID: "request-parameter-max-decreased", wantOperation: "GET", wantPath: "/allowlist_identifiers",
		},
		{
			name: "published error status missing from openapi.yaml",
			mutate: func(t *testing.T, spec string) string {
				return contractReplaceOnce(t, spec, deleteBlocklist404, "components:")
			},
			oursIsBase: false, severityLevels: true,
			wantID: "response-non-success-status-removed", wantOperation: "DELETE", wantPath: "/blocklist_identifiers/{identifier_id}",
		},
		{
			name: "enum value added in openapi.yaml",
			mutate: func(t *testing.T, spec string) string {
				return contractReplaceOnce(t, spec, "        - web3_wallet\n", "        - web3_wallet\n        - passkey\n")
			},
			oursIsBase: false, severityLevels: true,
			wantID: "response-property-enum-value-added", wantOperation: "POST", wantPath: "/blocklist_identifiers",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mutated := contractWriteFile(t, t.TempDir(), "openapi.yaml", []byte(tt.mutate(t, oursText)))
			base, revision := clerkSpec, mutated
			if tt.oursIsBase {
				base, revision = mutated, clerkSpec
			}

			findings := contractRunOasdiff(t, base, revision, tt.severityLevels)
			if tt.wantID == "" {
				if len(findings) > 0 {
					t.Errorf("oasdiff findings = %v, want none", findings)
				}
				return
			}
			if !tt.oursIsBase {
				// In this direction TestContractOasdiff fails only on findings
				// that the accepted list does not match, so the mutation's
				// finding must not be one of them.
				findings, _ = contractFilterAccepted(findings, accepted)
			}
			for _, f := range findings {
				if f.ID == tt.wantID && f.Operation == tt.wantOperation && f.Path == tt.wantPath && f.Level == contractLevelErr {
					t.Logf("found: %s", f)
					return
				}
			}
			t.Errorf("oasdiff findings = %v, want an error [%s] at %s %s", findings, tt.wantID, tt.wantOperation, tt.wantPath)
		})
	}
}

// contractRunOasdiff runs `oasdiff breaking base revision` through the
// tools module, with --fail-on WARN, and returns its findings. It checks
// that the exit code agrees with the findings, so that a crash cannot pass
// for a clean result.
func contractRunOasdiff(t *testing.T, base, revision string, severityLevels bool) []contractOasdiffFinding {
	t.Helper()
	root := contractRepoRoot(t)
	args := []string{
		"tool", "-modfile=" + filepath.Join(root, "tools", "go.mod"), "oasdiff", "breaking", base, revision,
		"--match-path", contractMatchPath,
		"--fail-on", "WARN",
		"--format", "json",
	}
	if severityLevels {
		args = append(args, "--severity-levels", filepath.Join(root, "contract", "oasdiff-severity-levels.txt"))
	}
	result := contractRunTool(t, root, nil, "go", args...)

	var findings []contractOasdiffFinding
	if out := bytes.TrimSpace(result.stdout); len(out) > 0 {
		if err := json.Unmarshal(out, &findings); err != nil {
			t.Fatalf("%s: output is not oasdiff's JSON: %v\nstdout:\n%s\nstderr:\n%s", result.command, err, result.stdout, result.stderr)
		}
	}
	failing := 0
	for _, f := range findings {
		if f.Level >= contractLevelWarn {
			failing++
		}
	}
	switch {
	case result.exitCode == 0 && failing == 0, result.exitCode == 1 && failing > 0:
		return findings
	default:
		t.Fatalf("%s exited with %d and reported %d findings at WARN or above; stderr:\n%s", result.command, result.exitCode, failing, result.stderr)
		return nil
	}
}

// contractFilterAccepted returns the findings that no accepted line
// matches, and the accepted lines that match no finding.
func contractFilterAccepted(findings []contractOasdiffFinding, accepted []contractAcceptedFinding) (unaccepted []contractOasdiffFinding, unused []contractAcceptedFinding) {
	used := make([]bool, len(accepted))
	for _, f := range findings {
		matched := false
		for i, a := range accepted {
			if a.matches(f) {
				used[i], matched = true, true
			}
		}
		if !matched {
			unaccepted = append(unaccepted, f)
		}
	}
	for i, a := range accepted {
		if !used[i] {
			unused = append(unused, a)
		}
	}
	return unaccepted, unused
}

// contractReadAccepted parses contract/oasdiff-accepted.txt.
func contractReadAccepted(t *testing.T, path string) []contractAcceptedFinding {
	t.Helper()
	var accepted []contractAcceptedFinding
	scanner := bufio.NewScanner(bytes.NewReader(contractReadFile(t, path)))
	for line := 1; scanner.Scan(); line++ {
		text := strings.TrimSpace(scanner.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Fields(text)
		if len(fields) < 4 || !strings.HasPrefix(fields[2], "/") || strings.ToUpper(fields[1]) != fields[1] {
			t.Fatalf("%s line %d is invalid: want a rule ID, an upper-case HTTP method, a path and a reason; got %q", path, line, text)
		}
		accepted = append(accepted, contractAcceptedFinding{
			id: fields[0], method: fields[1], path: fields[2],
			reason: strings.Join(fields[3:], " "),
			line:   line,
		})
	}
	if err := scanner.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return accepted
}
