//go:build contract

package tests

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// contractOperation is one of the six operations that openapi.yaml takes from
// Clerk's published spec.
type contractOperation struct {
	method, path, operationID string
}

var contractOperations = []contractOperation{
	{"GET", "/allowlist_identifiers", "ListAllowlistIdentifiers"},
	{"POST", "/allowlist_identifiers", "CreateAllowlistIdentifier"},
	{"DELETE", "/allowlist_identifiers/{identifier_id}", "DeleteAllowlistIdentifier"},
	{"GET", "/blocklist_identifiers", "ListBlocklistIdentifiers"},
	{"POST", "/blocklist_identifiers", "CreateBlocklistIdentifier"},
	{"DELETE", "/blocklist_identifiers/{identifier_id}", "DeleteBlocklistIdentifier"},
}

// contractAcceptedDifferences are the differences from the published spec
// that openapi.yaml keeps on purpose, keyed by where they occur, with the
// reason. It is empty: the only accepted difference, the list-shape
// extension of GET /allowlist_identifiers, is checked branch by branch by
// contractCompareListResponse instead.
var contractAcceptedDifferences = map[string]string{}

// contractDifference is one place where the two documents disagree.
type contractDifference struct {
	where  string // operation and location, such as "GET /allowlist_identifiers: parameter query limit: schema.maximum"
	detail string
}

func (d contractDifference) String() string {
	return d.where + ": " + d.detail
}

// TestContractSpecMatchesPublished compares what oasdiff does not: every
// schema keyword of the six operations (additionalProperties, formats, enums,
// types, required lists), the declared statuses in both directions, the
// parameters and the request bodies.
func TestContractSpecMatchesPublished(t *testing.T) {
	published := contractLoadDoc(t, contractClerkSpecPath(t))
	ours := contractLoadDoc(t, filepath.Join(contractRepoRoot(t), "openapi.yaml"))

	seen := make(map[string]bool)
	for _, d := range contractCompareDocs(published, ours) {
		if _, ok := contractAcceptedDifferences[d.where]; ok {
			seen[d.where] = true
			continue
		}
		t.Errorf("openapi.yaml differs from the published spec: %s", d)
	}
	for where, reason := range contractAcceptedDifferences {
		if !seen[where] {
			t.Errorf("accepted difference %q (%s) no longer occurs; remove it from contractAcceptedDifferences", where, reason)
		}
	}
}

// TestContractCompareFindsMutations proves that the comparison fails: each
// case breaks a copy of openapi.yaml in one way that oasdiff does not report
// and expects a difference at that spot.
func TestContractCompareFindsMutations(t *testing.T) {
	published := contractLoadDoc(t, contractClerkSpecPath(t))
	oursPath := filepath.Join(contractRepoRoot(t), "openapi.yaml")

	tests := []struct {
		name      string
		mutate    func(doc *openapi3.T)
		wantWhere string
	}{
		{
			name: "additionalProperties false dropped",
			mutate: func(doc *openapi3.T) {
				doc.Components.Schemas["AllowlistIdentifier"].Value.AdditionalProperties.Has = nil
			},
			wantWhere: "POST /allowlist_identifiers: response 200 application/json: additionalProperties",
		},
		{
			name: "declared error status removed",
			mutate: func(doc *openapi3.T) {
				doc.Paths.Value("/blocklist_identifiers/{identifier_id}").Delete.Responses.Delete("404")
			},
			wantWhere: "DELETE /blocklist_identifiers/{identifier_id}: response 404",
		},
		{
			name: "undeclared error status added",
			mutate: func(doc *openapi3.T) {
				op := doc.Paths.Value("/allowlist_identifiers").Post
				op.Responses.Set("409", op.Responses.Value("422"))
			},
			wantWhere: "POST /allowlist_identifiers: response 409",
		},
		{
			name: "enum value added",
			mutate: func(doc *openapi3.T) {
				schema := doc.Components.Schemas["IdentifierType"].Value
				schema.Enum = append(schema.Enum, "passkey")
			},
			wantWhere: "GET /blocklist_identifiers: response 200 application/json: properties.data.items.properties.identifier_type.enum",
		},
		{
			name: "format changed",
			mutate: func(doc *openapi3.T) {
				doc.Components.Schemas["BlocklistIdentifier"].Value.Properties["created_at"].Value.Format = "int32"
			},
			wantWhere: "POST /blocklist_identifiers: response 200 application/json: properties.created_at.format",
		},
		{
			name: "type changed",
			mutate: func(doc *openapi3.T) {
				doc.Components.Schemas["DeletedObject"].Value.Properties["deleted"].Value.Type = &openapi3.Types{"string"}
			},
			wantWhere: "DELETE /allowlist_identifiers/{identifier_id}: response 200 application/json: properties.deleted.type",
		},
		{
			name: "field renamed",
			mutate: func(doc *openapi3.T) {
				props := doc.Components.Schemas["BlocklistIdentifier"].Value.Properties
				props["type"] = props["identifier_type"]
				delete(props, "identifier_type")
			},
			wantWhere: "POST /blocklist_identifiers: response 200 application/json: properties.identifier_type",
		},
		{
			name: "parameter bound changed",
			mutate: func(doc *openapi3.T) {
				limit := 1000.0
				doc.Components.Parameters["Limit"].Value.Schema.Value.Max = &limit
			},
			wantWhere: "GET /allowlist_identifiers: parameter query limit: schema.maximum",
		},
		{
			name: "request property made required",
			mutate: func(doc *openapi3.T) {
				schema := doc.Components.Schemas["CreateAllowlistIdentifierRequest"].Value
				schema.Required = append(schema.Required, "notify")
			},
			wantWhere: "POST /allowlist_identifiers: requestBody application/json: required",
		},
		{
			name: "paginated page items changed",
			mutate: func(doc *openapi3.T) {
				data := doc.Components.Schemas["PaginatedAllowlistIdentifiers"].Value.Properties["data"].Value
				data.Items = doc.Components.Schemas["BlocklistIdentifier"]
			},
			wantWhere: "GET /allowlist_identifiers: response 200 application/json: oneOf[1] (paginated).data.items",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ours := contractLoadDoc(t, oursPath)
			tt.mutate(ours)

			diffs := contractCompareDocs(published, ours)
			i := slices.IndexFunc(diffs, func(d contractDifference) bool {
				return strings.HasPrefix(d.where, tt.wantWhere)
			})
			if i >= 0 {
				t.Logf("found: %s", diffs[i])
			} else {
				t.Errorf("contractCompareDocs(published, mutated openapi.yaml) has no difference at %q; got:\n%s", tt.wantWhere, contractFormatDifferences(diffs))
			}
		})
	}
}

func contractFormatDifferences(diffs []contractDifference) string {
	if len(diffs) == 0 {
		return "  (none)"
	}
	lines := make([]string, 0, len(diffs))
	for _, d := range diffs {
		lines = append(lines, "  "+d.String())
	}
	return strings.Join(lines, "\n")
}

// contractCompareDocs returns every difference between the six operations of
// published and ours, ignoring prose (descriptions, summaries, titles,
// examples) and extensions, and following every $ref.
func contractCompareDocs(published, ours *openapi3.T) []contractDifference {
	var diffs []contractDifference
	for _, op := range contractOperations {
		name := op.method + " " + op.path
		publishedOp := contractFindOperation(published, op)
		oursOp := contractFindOperation(ours, op)
		switch {
		case publishedOp == nil && oursOp == nil:
			diffs = append(diffs, contractDifference{name, "missing from both documents"})
			continue
		case publishedOp == nil:
			diffs = append(diffs, contractDifference{name, "missing from the published spec"})
			continue
		case oursOp == nil:
			diffs = append(diffs, contractDifference{name, "missing from openapi.yaml"})
			continue
		}

		if publishedOp.OperationID != oursOp.OperationID {
			diffs = append(diffs, contractDifference{name + ": operationId", fmt.Sprintf("published %q, openapi.yaml %q", publishedOp.OperationID, oursOp.OperationID)})
		}
		diffs = append(diffs, contractCompareParameters(name, publishedOp, oursOp)...)
		diffs = append(diffs, contractCompareRequestBodies(name, publishedOp.RequestBody, oursOp.RequestBody)...)
		diffs = append(diffs, contractCompareResponses(name, op, publishedOp.Responses, oursOp.Responses)...)
	}
	return diffs
}

func contractFindOperation(doc *openapi3.T, op contractOperation) *openapi3.Operation {
	item := doc.Paths.Value(op.path)
	if item == nil {
		return nil
	}
	return item.GetOperation(op.method)
}

func contractCompareParameters(name string, publishedOp, oursOp *openapi3.Operation) []contractDifference {
	normalize := func(params openapi3.Parameters) map[string]any {
		result := make(map[string]any)
		for _, ref := range params {
			p := ref.Value
			result[p.In+" "+p.Name] = map[string]any{
				"required":        p.Required,
				"style":           p.Style,
				"explode":         p.Explode,
				"deprecated":      p.Deprecated,
				"allowEmptyValue": p.AllowEmptyValue,
				"schema":          contractNormalizeSchema(p.Schema, 0),
			}
		}
		return result
	}

	var diffs []contractDifference
	contractDiffKeyed(name+": parameter", normalize(publishedOp.Parameters), normalize(oursOp.Parameters), &diffs)
	return diffs
}

func contractCompareRequestBodies(name string, published, ours *openapi3.RequestBodyRef) []contractDifference {
	switch {
	case published == nil && ours == nil:
		return nil
	case published == nil:
		return []contractDifference{{name + ": requestBody", "declared only by openapi.yaml"}}
	case ours == nil:
		return []contractDifference{{name + ": requestBody", "declared only by the published spec"}}
	}

	var diffs []contractDifference
	if published.Value.Required != ours.Value.Required {
		diffs = append(diffs, contractDifference{name + ": requestBody.required", fmt.Sprintf("published %t, openapi.yaml %t", published.Value.Required, ours.Value.Required)})
	}
	contractDiffKeyed(name+": requestBody", contractNormalizeContent(published.Value.Content), contractNormalizeContent(ours.Value.Content), &diffs)
	return diffs
}

func contractCompareResponses(name string, op contractOperation, published, ours *openapi3.Responses) []contractDifference {
	var diffs []contractDifference
	for _, status := range contractUnion(published.Keys(), ours.Keys()) {
		where := name + ": response " + status
		publishedResp, oursResp := published.Value(status), ours.Value(status)
		switch {
		case oursResp == nil:
			diffs = append(diffs, contractDifference{where, "declared by the published spec but not by openapi.yaml"})
			continue
		case publishedResp == nil:
			diffs = append(diffs, contractDifference{where, "declared by openapi.yaml but not by the published spec"})
			continue
		}

		contractDiffValues(where+": headers", slices.Sorted(maps.Keys(publishedResp.Value.Headers)), slices.Sorted(maps.Keys(oursResp.Value.Headers)), &diffs)
		if op.operationID == "ListAllowlistIdentifiers" && status == "200" {
			diffs = append(diffs, contractCompareListResponse(where, publishedResp.Value.Content, oursResp.Value.Content)...)
			continue
		}
		contractDiffKeyed(where, contractNormalizeContent(publishedResp.Value.Content), contractNormalizeContent(oursResp.Value.Content), &diffs)
	}
	return diffs
}

// contractCompareListResponse checks the documented extension of GET
// /allowlist_identifiers. Clerk returns a bare array by default and
// {data, total_count} with paginated=true. The published file lists only the
// array, and openapi.yaml has a oneOf of both, so the first branch must equal
// the published schema and the second must carry the same items.
func contractCompareListResponse(where string, published, ours openapi3.Content) []contractDifference {
	var diffs []contractDifference
	contractDiffValues(where+": media types", slices.Sorted(maps.Keys(published)), slices.Sorted(maps.Keys(ours)), &diffs)
	publishedMedia, oursMedia := published.Get("application/json"), ours.Get("application/json")
	if publishedMedia == nil || oursMedia == nil {
		return append(diffs, contractDifference{where, "application/json is missing from one document"})
	}

	where += " application/json"
	branches := oursMedia.Schema.Value.OneOf
	if len(branches) != 2 {
		return append(diffs, contractDifference{where, fmt.Sprintf("openapi.yaml has %d oneOf branches, want 2: the published array and the paginated page", len(branches))})
	}
	contractDiffValues(where+": oneOf[0] (array)", contractNormalizeSchema(publishedMedia.Schema, 0), contractNormalizeSchema(branches[0], 0), &diffs)

	page := branches[1].Value
	data := page.Properties["data"]
	if data == nil || data.Value.Items == nil {
		return append(diffs, contractDifference{where + ": oneOf[1] (paginated)", "has no data array"})
	}
	contractDiffValues(where+": oneOf[1] (paginated).data.items", contractNormalizeSchema(publishedMedia.Schema.Value.Items, 0), contractNormalizeSchema(data.Value.Items, 0), &diffs)
	return diffs
}

func contractNormalizeContent(content openapi3.Content) map[string]any {
	result := make(map[string]any, len(content))
	for mediaType, media := range content {
		result[mediaType] = contractNormalizeSchema(media.Schema, 0)
	}
	return result
}

// contractMaxSchemaDepth bounds the recursion over nested schemas. The six
// operations nest four levels deep, and without a bound a cycle would never
// end.
const contractMaxSchemaDepth = 32

// contractNormalizeSchema returns a schema as plain JSON values with every
// $ref resolved, prose and extensions removed, and the order of enum and
// required made irrelevant. Every other keyword is kept, so a keyword that
// this function does not name is still compared.
func contractNormalizeSchema(ref *openapi3.SchemaRef, depth int) any {
	if ref == nil || ref.Value == nil {
		return nil
	}
	if depth > contractMaxSchemaDepth {
		return "schema nested deeper than contractMaxSchemaDepth"
	}
	s := ref.Value

	data, err := json.Marshal(s)
	if err != nil {
		return "schema does not encode: " + err.Error()
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return "schema does not decode: " + err.Error()
	}
	for key := range m {
		if strings.HasPrefix(key, "x-") {
			delete(m, key)
		}
	}
	for _, key := range []string{"description", "title", "example", "examples", "externalDocs"} {
		delete(m, key)
	}

	// json.Marshal wrote nested schemas as $ref objects, so each is replaced
	// with its normalized value.
	if len(s.Properties) > 0 {
		props := make(map[string]any, len(s.Properties))
		for name, prop := range s.Properties {
			props[name] = contractNormalizeSchema(prop, depth+1)
		}
		m["properties"] = props
	}
	if s.Items != nil {
		m["items"] = contractNormalizeSchema(s.Items, depth+1)
	}
	if s.Not != nil {
		m["not"] = contractNormalizeSchema(s.Not, depth+1)
	}
	if s.AdditionalProperties.Schema != nil {
		m["additionalProperties"] = contractNormalizeSchema(s.AdditionalProperties.Schema, depth+1)
	}
	for key, refs := range map[string]openapi3.SchemaRefs{"oneOf": s.OneOf, "anyOf": s.AnyOf, "allOf": s.AllOf} {
		if len(refs) == 0 {
			continue
		}
		list := make([]any, 0, len(refs))
		for _, branch := range refs {
			list = append(list, contractNormalizeSchema(branch, depth+1))
		}
		m[key] = list
	}
	if enum, ok := m["enum"].([]any); ok {
		slices.SortFunc(enum, func(a, b any) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	}
	if required, ok := m["required"].([]any); ok {
		slices.SortFunc(required, func(a, b any) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	}
	return m
}

// contractDiffKeyed compares two maps whose keys name parameters or media
// types, and reports each key as "where key:" so that the schema paths below
// it read like "GET /path: parameter query limit: schema.maximum".
func contractDiffKeyed(where string, published, ours map[string]any, diffs *[]contractDifference) {
	for _, key := range contractUnion(slices.Collect(maps.Keys(published)), slices.Collect(maps.Keys(ours))) {
		sub := where + " " + key
		publishedValue, inPublished := published[key]
		oursValue, inOurs := ours[key]
		switch {
		case !inOurs:
			*diffs = append(*diffs, contractDifference{sub, "declared by the published spec but not by openapi.yaml"})
		case !inPublished:
			*diffs = append(*diffs, contractDifference{sub, "declared by openapi.yaml but not by the published spec"})
		default:
			contractDiffValues(sub+":", publishedValue, oursValue, diffs)
		}
	}
}

// contractDiffValues appends a difference for every place where published
// and ours, both plain JSON values, disagree. Map keys extend where with a
// dot, or with a space right after a colon, and list indexes with brackets.
func contractDiffValues(where string, published, ours any, diffs *[]contractDifference) {
	publishedMap, publishedIsMap := published.(map[string]any)
	oursMap, oursIsMap := ours.(map[string]any)
	if publishedIsMap && oursIsMap {
		for _, key := range contractUnion(slices.Collect(maps.Keys(publishedMap)), slices.Collect(maps.Keys(oursMap))) {
			sub := where + "." + key
			if strings.HasSuffix(where, ":") {
				sub = where + " " + key
			}
			publishedValue, inPublished := publishedMap[key]
			oursValue, inOurs := oursMap[key]
			switch {
			case !inOurs:
				*diffs = append(*diffs, contractDifference{sub, fmt.Sprintf("published %s, absent from openapi.yaml", contractShow(publishedValue))})
			case !inPublished:
				*diffs = append(*diffs, contractDifference{sub, fmt.Sprintf("openapi.yaml %s, absent from the published spec", contractShow(oursValue))})
			default:
				contractDiffValues(sub, publishedValue, oursValue, diffs)
			}
		}
		return
	}

	publishedList, publishedIsList := published.([]any)
	oursList, oursIsList := ours.([]any)
	if publishedIsList && oursIsList && len(publishedList) == len(oursList) {
		for i := range publishedList {
			contractDiffValues(fmt.Sprintf("%s[%d]", where, i), publishedList[i], oursList[i], diffs)
		}
		return
	}

	if !reflect.DeepEqual(published, ours) {
		*diffs = append(*diffs, contractDifference{strings.TrimSuffix(where, ":"), fmt.Sprintf("published %s, openapi.yaml %s", contractShow(published), contractShow(ours))})
	}
}

// contractShow returns v as compact JSON, cut to keep messages one line.
func contractShow(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	const maxLen = 160
	if len(data) > maxLen {
		return string(data[:maxLen]) + "…"
	}
	return string(data)
}

func contractUnion(a, b []string) []string {
	union := slices.Concat(a, b)
	slices.Sort(union)
	return slices.Compact(union)
}
