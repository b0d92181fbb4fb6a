//go:build contract

package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// contractSpectralResult is one entry of `spectral lint --format json`.
type contractSpectralResult struct {
	Code     string `json:"code"`
	Message  string `json:"message"`
	Severity int    `json:"severity"` // 0 error, 1 warning, 2 information, 3 hint
}

// TestContractSpectralFindsMutations lints copies of openapi.yaml with the
// project's ruleset, as `make contract` lints the original. The unmodified
// copy must be clean, and each mutation must produce the named rule at
// warning or error, which --fail-severity warn turns into a failure.
func TestContractSpectralFindsMutations(t *testing.T) {
	root := contractRepoRoot(t)
	spectral := filepath.Join(root, "node_modules", ".bin", "spectral")
	if _, err := os.Stat(spectral); err != nil {
		contractSkipOrFail(t, "%s is missing: %v; run `npm ci` or `make contract`", spectral, err)
	}
	spec := string(contractReadFile(t, filepath.Join(root, "openapi.yaml")))

	tests := []struct {
		name     string
		mutate   func(t *testing.T, spec string) string
		wantRule string // empty for the unmodified copy
	}{
		{name: "unmodified copy", mutate: func(_ *testing.T, spec string) string { return spec }},
		{
			name: "duplicate operationId",
			mutate: func(t *testing.T, spec string) string {
				return contractReplaceOnce(t, spec, "operationId: DeleteBlocklistIdentifier\n", "operationId: DeleteAllowlistIdentifier\n")
			},
			wantRule: "operation-operationId-unique",
		},
		{
			name: "undeclared tag",
			mutate: func(t *testing.T, spec string) string {
				return contractReplaceOnce(t, spec,
					"      operationId: ListBlocklistIdentifiers\n      summary: List the block-list\n      description: Returns every identifier on the instance's block-list with their total count.\n      tags:\n        - Allow-list / Block-list\n",
					"      operationId: ListBlocklistIdentifiers\n      summary: List the block-list\n      description: Returns every identifier on the instance's block-list with their total count.\n      tags:\n        - Block-list\n")
			},
			wantRule: "operation-tag-defined",
		},
		{
			name: "operation without description",
			mutate: func(t *testing.T, spec string) string {
				return contractReplaceOnce(t, spec, "      description: Deletes one block-list entry by its identifier ID.\n", "")
			},
			wantRule: "operation-description",
		},
		{
			name: "unused component",
			mutate: func(t *testing.T, spec string) string {
				return contractReplaceOnce(t, spec, "  schemas:\n", "  schemas:\n    Unused:\n      type: string\n      description: Referenced by nothing.\n")
			},
			wantRule: "oas3-unused-component",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := contractWriteFile(t, t.TempDir(), "openapi.yaml", []byte(tt.mutate(t, spec)))
			result := contractRunTool(t, root, nil, spectral, "lint",
				"--ruleset", filepath.Join(root, "contract", "spectral.yaml"),
				"--fail-severity", "warn", "--format", "json", "--quiet", path)

			var results []contractSpectralResult
			if err := json.Unmarshal(result.stdout, &results); err != nil {
				t.Fatalf("%s: output is not Spectral's JSON: %v\nstdout:\n%s\nstderr:\n%s", result.command, err, result.stdout, result.stderr)
			}
			failing := slices.DeleteFunc(slices.Clone(results), func(r contractSpectralResult) bool { return r.Severity > 1 })

			if tt.wantRule == "" {
				if result.exitCode != 0 || len(failing) > 0 {
					t.Errorf("spectral on the unmodified copy exited with %d and found %+v, want 0 and none", result.exitCode, failing)
				}
				return
			}
			if result.exitCode == 0 {
				t.Errorf("spectral exited with 0, want a failure for %s", tt.wantRule)
			}
			i := slices.IndexFunc(failing, func(r contractSpectralResult) bool { return r.Code == tt.wantRule })
			if i < 0 {
				t.Errorf("spectral findings = %+v, want %s at warning or error", failing, tt.wantRule)
				return
			}
			t.Logf("found: %s: %s", failing[i].Code, failing[i].Message)
		})
	}
}
