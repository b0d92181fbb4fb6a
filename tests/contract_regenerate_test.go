//go:build contract

package tests

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// contractOfflineEnv keeps the Go commands of the drill off the network:
// modules come only from the module cache that `go mod download` fills, and
// no workspace or other toolchain is picked up.
var contractOfflineEnv = []string{"GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod"}

// contractDrillProgram decodes a response of a newer Clerk with the
// regenerated models. It compiles only if the regenerated package has the
// new field Label and the new enum constant Passkey.
const contractDrillProgram = `package main

import (
	"encoding/json"
	"fmt"
	"os"

	"example.com/drill/gen"
)

func main() {
	var entry gen.AllowlistIdentifier
	if err := json.Unmarshal([]byte(os.Args[1]), &entry); err != nil {
		fmt.Fprintln(os.Stderr, "decode:", err)
		os.Exit(1)
	}
	if entry.Label == nil || entry.IdentifierType == nil {
		fmt.Fprintln(os.Stderr, "label or identifier_type missing after decoding")
		os.Exit(1)
	}
	fmt.Printf("label=%s identifier_type=%s valid=%t passkey=%t\n",
		*entry.Label, *entry.IdentifierType, entry.IdentifierType.Valid(), *entry.IdentifierType == gen.Passkey)
}
`

// contractDrillResponse is an allow-list entry from a newer Clerk, with a
// new field and a new identifier type.
const contractDrillResponse = `{"object":"allowlist_identifier","id":"alid_1","identifier":"ada@example.com",` +
	`"identifier_type":"passkey","created_at":1733327400000,"label":"vip"}`

// TestContractRegenerationDrill rehearses what to do when Clerk adds a field
// and an enum value. It adds both to a copy of openapi.yaml and regenerates
// the models with the generator pinned in go.mod. Then it builds a program
// against them in a temporary module and decodes a response that carries
// both. It runs offline once `go mod download` has filled the module cache.
func TestContractRegenerationDrill(t *testing.T) {
	root := contractRepoRoot(t)
	spec := string(contractReadFile(t, filepath.Join(root, "openapi.yaml")))

	spec = contractReplaceOnce(t, spec,
		"      description: One allow-list entry.\n      properties:\n",
		"      description: One allow-list entry.\n      properties:\n        label:\n          type: string\n          description: Label that the drill adds.\n")
	spec = contractReplaceOnce(t, spec, "        - web3_wallet\n", "        - web3_wallet\n        - passkey\n")

	dir := contractGenerateModule(t, root, spec)
	result := contractRunTool(t, dir, contractOfflineEnv, "go", "run", ".", contractDrillResponse)
	if result.exitCode != 0 {
		t.Fatalf("%s in the regenerated module exited with %d; stderr:\n%s", result.command, result.exitCode, result.stderr)
	}
	const want = "label=vip identifier_type=passkey valid=true passkey=true"
	if got := strings.TrimSpace(string(result.stdout)); got != want {
		t.Errorf("drill program output = %q, want %q", got, want)
	}
}

// TestContractRegenerationDrillFailsOnTodaysSpec proves that the drill can
// fail: the same program does not build against models generated from
// today's openapi.yaml, which has neither the field nor the enum value.
func TestContractRegenerationDrillFailsOnTodaysSpec(t *testing.T) {
	root := contractRepoRoot(t)
	spec := string(contractReadFile(t, filepath.Join(root, "openapi.yaml")))

	dir := contractGenerateModule(t, root, spec)
	result := contractRunTool(t, dir, contractOfflineEnv, "go", "build", "-o", os.DevNull, ".")
	if result.exitCode == 0 {
		t.Fatalf("%s against today's models succeeded, want a build failure", result.command)
	}
	stderr := string(result.stderr)
	for _, pattern := range []string{`entry\.Label undefined`, `undefined: gen\.Passkey`} {
		if !regexp.MustCompile(pattern).MatchString(stderr) {
			t.Errorf("build errors lack %q; stderr:\n%s", pattern, stderr)
		}
	}
}

// contractGenerateModule writes spec to a temporary module, generates
// package gen from it with the oapi-codegen that go.mod pins, and adds
// contractDrillProgram. It returns the module's directory.
func contractGenerateModule(t *testing.T, root, spec string) string {
	t.Helper()
	dir := t.TempDir()
	specPath := contractWriteFile(t, dir, "openapi.yaml", []byte(spec))

	// The repository's configuration, with the output moved into the
	// temporary module, so that gen/ is never touched.
	config := string(contractReadFile(t, filepath.Join(root, "oapi-codegen.yaml")))
	config = contractReplaceOnce(t, config, "output: clerk.gen.go\n", "output: "+filepath.Join(dir, "gen", "clerk.gen.go")+"\n")
	configPath := contractWriteFile(t, dir, "oapi-codegen.yaml", []byte(config))
	if err := os.MkdirAll(filepath.Join(dir, "gen"), 0o755); err != nil {
		t.Fatalf("create %s/gen: %v", dir, err)
	}

	// `go tool` runs in the repository so that its go.mod selects the
	// generator version. -mod=mod is left out here, because it could edit
	// the repository's go.mod.
	generate := contractRunTool(t, root, []string{"GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local"},
		"go", "tool", "oapi-codegen", "-config", configPath, specPath)
	if generate.exitCode != 0 {
		t.Fatalf("%s exited with %d; stderr:\n%s", generate.command, generate.exitCode, generate.stderr)
	}

	// The temporary module requires exactly what the repository's module
	// requires, so every module it needs is already in the module cache.
	// Its go.mod keeps the tool line, which only adds a requirement that
	// the repository's go.mod already has.
	goMod := string(contractReadFile(t, filepath.Join(root, "go.mod")))
	goMod = contractReplaceOnce(t, goMod, "module github.com/clerklists/clerklists\n", "module example.com/drill\n")
	contractWriteFile(t, dir, "go.mod", []byte(goMod))
	contractWriteFile(t, dir, "go.sum", contractReadFile(t, filepath.Join(root, "go.sum")))
	contractWriteFile(t, dir, "main.go", []byte(contractDrillProgram))
	return dir
}
