package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/clerklists/clerklists"
	"github.com/clerklists/clerklists/clerkfake"
	"github.com/clerklists/clerklists/gen"
	"github.com/clerklists/clerklists/wrapper"
)

// contractFakeCallTimeout bounds one call to clerkfake.
const contractFakeCallTimeout = 10 * time.Second

// contractFakeMaxBody caps the response bodies that contractExchangeRecorder
// keeps; the largest here is a list of a few dozen entries.
const contractFakeMaxBody = 1 << 20

// contractExchange is one request with the response it got.
type contractExchange struct {
	request *http.Request // a clone without the body
	status  int
	header  http.Header
	body    []byte
}

// contractExchangeRecorder is an http.RoundTripper that keeps every request
// and response, for validation after the session.
type contractExchangeRecorder struct {
	next http.RoundTripper

	mu        sync.Mutex
	exchanges []contractExchange
}

func (r *contractExchangeRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}

	body, readErr := io.ReadAll(io.LimitReader(resp.Body, contractFakeMaxBody))
	closeErr := resp.Body.Close()
	if readErr != nil {
		return nil, readErr
	}
	if closeErr != nil {
		return nil, closeErr
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))

	r.mu.Lock()
	r.exchanges = append(r.exchanges, contractExchange{
		request: req.Clone(context.Background()),
		status:  resp.StatusCode,
		header:  resp.Header.Clone(),
		body:    body,
	})
	r.mu.Unlock()
	return resp, nil
}

func (r *contractExchangeRecorder) recorded() []contractExchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.exchanges)
}

// last returns the newest exchange and fails the test when there is none.
func (r *contractExchangeRecorder) last(t *testing.T) contractExchange {
	t.Helper()
	all := r.recorded()
	if len(all) == 0 {
		t.Fatalf("no response was recorded")
	}
	return all[len(all)-1]
}

// contractResponseValidator checks responses against openapi.yaml with
// kin-openapi, independently of the validation inside clerkfake.
type contractResponseValidator struct {
	router routers.Router
}

func contractNewResponseValidator(t *testing.T, baseURL string) *contractResponseValidator {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(clerklists.OpenAPISpec())
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	// Routing needs a server that matches the fake's URL, such as
	// http://127.0.0.1:41234/v1, instead of Clerk's production URL.
	doc.Servers = openapi3.Servers{{URL: baseURL}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("build a router from openapi.yaml: %v", err)
	}
	return &contractResponseValidator{router: router}
}

// validate returns the operation ID of the exchange and an error when its
// status, headers or body break openapi.yaml. An undeclared status is an
// error too.
func (v *contractResponseValidator) validate(ex contractExchange) (string, error) {
	route, pathParams, err := v.router.FindRoute(ex.request)
	if err != nil {
		return "", fmt.Errorf("%s %s matches no operation of openapi.yaml: %w", ex.request.Method, ex.request.URL.Path, err)
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    ex.request,
			PathParams: pathParams,
			Route:      route,
		},
		Status:  ex.status,
		Header:  ex.header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	input.SetBodyBytes(ex.body)
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		return route.Operation.OperationID, fmt.Errorf("%s status %d: %w", route.Operation.OperationID, ex.status, err)
	}
	return route.Operation.OperationID, nil
}

// contractStartFake starts clerkfake and returns a wrapper client for it
// that never retries and records every exchange.
func contractStartFake(t *testing.T) (*clerkfake.Server, *wrapper.Client, *contractExchangeRecorder) {
	t.Helper()
	fake, err := clerkfake.Start()
	if err != nil {
		t.Fatalf("clerkfake.Start() = %v", err)
	}
	t.Cleanup(fake.Close)

	recorder := &contractExchangeRecorder{next: http.DefaultTransport}
	return fake, contractFakeClient(t, fake.URL(), fake.SecretKey(), recorder), recorder
}

func contractFakeClient(t *testing.T, baseURL, secretKey string, recorder *contractExchangeRecorder) *wrapper.Client {
	t.Helper()
	noRetries := wrapper.DefaultRetryConfig()
	noRetries.Strategy = wrapper.RetryStrategyNone
	client, err := wrapper.New(secretKey,
		wrapper.WithBaseURL(baseURL),
		wrapper.WithHTTPClient(&http.Client{Transport: recorder, Timeout: contractFakeCallTimeout}),
		wrapper.WithRetryConfig(noRetries),
	)
	if err != nil {
		t.Fatalf("wrapper.New(%q) = %v", baseURL, err)
	}
	return client
}

// contractWantStatus checks that err carries the given HTTP status: nil for
// 200, or a *wrapper.ClerkErrors with that status.
func contractWantStatus(t *testing.T, call string, err error, status int) {
	t.Helper()
	if status == http.StatusOK {
		if err != nil {
			t.Errorf("%s = %v, want success", call, err)
		}
		return
	}
	var clerkErrors *wrapper.ClerkErrors
	if !errors.As(err, &clerkErrors) {
		t.Errorf("%s = %v (%T), want *wrapper.ClerkErrors with status %d", call, err, err, status)
		return
	}
	if clerkErrors.StatusCode != status {
		t.Errorf("%s status = %d, want %d", call, clerkErrors.StatusCode, status)
	}
}

// TestContractFakeResponsesMatchSpec runs a scripted session of all six
// operations, with every error status that openapi.yaml declares, and
// validates each response that the wrapper received against openapi.yaml.
// It also checks that the session reached every declared status, so that a
// change to the fake cannot quietly shrink what is validated.
func TestContractFakeResponsesMatchSpec(t *testing.T) {
	fake, client, recorder := contractStartFake(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	contractRunFakeSession(t, ctx, fake, client, recorder)

	validator := contractNewResponseValidator(t, fake.URL())
	covered := make(map[string]bool)
	for _, ex := range recorder.recorded() {
		operationID, err := validator.validate(ex)
		if err != nil {
			t.Errorf("clerkfake response breaks openapi.yaml: %v; body: %s", err, ex.body)
			continue
		}
		covered[operationID+" "+strconv.Itoa(ex.status)] = true
	}

	for _, want := range contractDeclaredStatuses(t) {
		if !covered[want] {
			t.Errorf("the session never got %s, which openapi.yaml declares; extend contractRunFakeSession", want)
		}
	}
	if violations := fake.SpecViolations(); len(violations) > 0 {
		t.Errorf("fake.SpecViolations() = %q, want none", violations)
	}
}

// TestContractFakeValidatorRejectsBrokenResponses proves that the validation
// above can fail: recorded responses of the fake, broken in one way each,
// must be rejected.
func TestContractFakeValidatorRejectsBrokenResponses(t *testing.T) {
	fake, client, recorder := contractStartFake(t)
	ctx, cancel := context.WithTimeout(context.Background(), contractFakeCallTimeout)
	defer cancel()

	if _, err := client.CreateAllowlistIdentifier(ctx, "ada@example.com", false); err != nil {
		t.Fatalf("CreateAllowlistIdentifier = %v", err)
	}
	if _, err := client.DeleteBlocklistIdentifier(ctx, "blid_missing"); err == nil {
		t.Fatalf("DeleteBlocklistIdentifier(blid_missing) = nil, want a 404")
	}
	exchanges := recorder.recorded()
	if len(exchanges) != 2 {
		t.Fatalf("recorded %d exchanges, want 2", len(exchanges))
	}
	created, notFound := exchanges[0], exchanges[1]
	validator := contractNewResponseValidator(t, fake.URL())

	tests := []struct {
		name   string
		base   contractExchange
		mutate func(body map[string]any, ex *contractExchange)
	}{
		{name: "unmodified create as control", base: created},
		{
			name: "unknown property", base: created,
			mutate: func(body map[string]any, _ *contractExchange) { body["label"] = "vip" },
		},
		{
			name: "unknown enum value", base: created,
			mutate: func(body map[string]any, _ *contractExchange) { body["identifier_type"] = "passkey" },
		},
		{
			name: "wrong type", base: created,
			mutate: func(body map[string]any, _ *contractExchange) { body["created_at"] = "yesterday" },
		},
		{
			name: "undeclared status", base: notFound,
			mutate: func(_ map[string]any, ex *contractExchange) { ex.status = http.StatusConflict },
		},
		{
			name: "error without code", base: notFound,
			mutate: func(body map[string]any, _ *contractExchange) {
				body["errors"] = []any{map[string]any{"message": "not found", "long_message": "not found"}}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := tt.base
			if tt.mutate != nil {
				var body map[string]any
				if err := json.Unmarshal(ex.body, &body); err != nil {
					t.Fatalf("recorded body is not a JSON object: %v", err)
				}
				tt.mutate(body, &ex)
				data, err := json.Marshal(body)
				if err != nil {
					t.Fatalf("encode mutated body: %v", err)
				}
				ex.body = data
			}

			_, err := validator.validate(ex)
			switch {
			case tt.mutate == nil && err != nil:
				t.Errorf("validate(unmodified response) = %v, want nil", err)
			case tt.mutate != nil && err == nil:
				t.Errorf("validate(%s) = nil, want an error; body: %s", tt.name, ex.body)
			case err != nil:
				t.Logf("rejected: %v", err)
			}
		})
	}
}

// contractRunFakeSession drives every operation through success and each
// declared error. Statuses the wrapper cannot provoke come from elsewhere: a
// 401 from a client with another key, a 402 from a queued clerkfake fault,
// and a 400 from a raw request with an unknown body property.
func contractRunFakeSession(t *testing.T, ctx context.Context, fake *clerkfake.Server, client *wrapper.Client, recorder *contractExchangeRecorder) {
	t.Helper()

	var allowIDs []string
	for _, identifier := range []string{"ada@example.com", "*@example.org", "+15555550100", "0x" + strings.Repeat("ab", 20)} {
		created, err := client.CreateAllowlistIdentifier(ctx, identifier, true)
		contractWantStatus(t, "CreateAllowlistIdentifier", err, http.StatusOK)
		if err == nil {
			allowIDs = append(allowIDs, *created.Id)
		}
	}
	_, err := client.CreateAllowlistIdentifier(ctx, "ada@example.com", false)
	contractWantStatus(t, "CreateAllowlistIdentifier(duplicate)", err, http.StatusUnprocessableEntity)
	_, err = client.CreateAllowlistIdentifier(ctx, "not an identifier", false)
	contractWantStatus(t, "CreateAllowlistIdentifier(invalid)", err, http.StatusUnprocessableEntity)

	_, err = client.ListAllowlistIdentifiers(ctx, nil)
	contractWantStatus(t, "ListAllowlistIdentifiers", err, http.StatusOK)
	_, err = client.ListAllowlistIdentifiers(ctx, &wrapper.ListAllowlistIdentifiersParams{Paginated: true, Limit: 2, Offset: 1})
	contractWantStatus(t, "ListAllowlistIdentifiers(paginated)", err, http.StatusOK)
	if len(allowIDs) > 0 {
		_, err = client.DeleteAllowlistIdentifier(ctx, allowIDs[0])
		contractWantStatus(t, "DeleteAllowlistIdentifier", err, http.StatusOK)
	}
	_, err = client.DeleteAllowlistIdentifier(ctx, "alid_missing")
	contractWantStatus(t, "DeleteAllowlistIdentifier(missing)", err, http.StatusNotFound)

	blocked, err := client.CreateBlocklistIdentifier(ctx, "mallory@example.com")
	contractWantStatus(t, "CreateBlocklistIdentifier", err, http.StatusOK)
	_, err = client.CreateBlocklistIdentifier(ctx, "mallory@example.com")
	contractWantStatus(t, "CreateBlocklistIdentifier(duplicate)", err, http.StatusUnprocessableEntity)
	_, err = client.ListBlocklistIdentifiers(ctx)
	contractWantStatus(t, "ListBlocklistIdentifiers", err, http.StatusOK)
	if blocked != nil {
		_, err = client.DeleteBlocklistIdentifier(ctx, *blocked.Id)
		contractWantStatus(t, "DeleteBlocklistIdentifier", err, http.StatusOK)
	}
	_, err = client.DeleteBlocklistIdentifier(ctx, "blid_missing")
	contractWantStatus(t, "DeleteBlocklistIdentifier(missing)", err, http.StatusNotFound)

	wrongKey := contractFakeClient(t, fake.URL(), "sk_test_wrong", recorder)
	_, err = wrongKey.ListAllowlistIdentifiers(ctx, nil)
	contractWantStatus(t, "ListAllowlistIdentifiers(wrong key)", err, http.StatusUnauthorized)
	_, err = wrongKey.ListBlocklistIdentifiers(ctx)
	contractWantStatus(t, "ListBlocklistIdentifiers(wrong key)", err, http.StatusUnauthorized)

	paymentRequired := []struct {
		operationID string
		call        func() error
	}{
		{clerkfake.OperationListAllowlistIdentifiers, func() error { _, err := client.ListAllowlistIdentifiers(ctx, nil); return err }},
		{clerkfake.OperationCreateAllowlistIdentifier, func() error { _, err := client.CreateAllowlistIdentifier(ctx, "grace@example.com", false); return err }},
		{clerkfake.OperationDeleteAllowlistIdentifier, func() error { _, err := client.DeleteAllowlistIdentifier(ctx, "alid_any"); return err }},
		{clerkfake.OperationListBlocklistIdentifiers, func() error { _, err := client.ListBlocklistIdentifiers(ctx); return err }},
		{clerkfake.OperationCreateBlocklistIdentifier, func() error { _, err := client.CreateBlocklistIdentifier(ctx, "eve@example.com"); return err }},
		{clerkfake.OperationDeleteBlocklistIdentifier, func() error { _, err := client.DeleteBlocklistIdentifier(ctx, "blid_any"); return err }},
	}
	for _, pr := range paymentRequired {
		if err := fake.FailNext(1, clerkfake.Fault{OperationID: pr.operationID, Status: http.StatusPaymentRequired}); err != nil {
			t.Fatalf("fake.FailNext(402 for %s) = %v", pr.operationID, err)
		}
		contractWantStatus(t, pr.operationID+"(fault 402)", pr.call(), http.StatusPaymentRequired)
	}

	raw := &http.Client{Transport: recorder, Timeout: contractFakeCallTimeout}
	for _, path := range []string{"/allowlist_identifiers", "/blocklist_identifiers"} {
		status := contractPostRaw(t, ctx, raw, fake, path, `{"identifier":"ada@example.com","role":"admin"}`)
		if status != http.StatusBadRequest {
			t.Errorf("POST %s with an unknown property = %d, want 400", path, status)
		}
	}
}

func contractPostRaw(t *testing.T, ctx context.Context, client *http.Client, fake *clerkfake.Server, path, body string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, fake.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatalf("http.NewRequest(POST %s) = %v", path, err)
	}
	req.Header.Set("Authorization", "Bearer "+fake.SecretKey())
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST %s = %v", path, err)
	}
	_ = resp.Body.Close() // The recorder has read the body already.
	return resp.StatusCode
}

// contractDeclaredStatuses returns "operationId status" for every response
// that openapi.yaml declares.
func contractDeclaredStatuses(t *testing.T) []string {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(clerklists.OpenAPISpec())
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	var declared []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, status := range op.Responses.Keys() {
				declared = append(declared, op.OperationID+" "+status)
			}
		}
	}
	slices.Sort(declared)
	return declared
}

// contractModelEntry is one entry of the model lists.
type contractModelEntry struct {
	id, identifier string
}

// contractModel is what the allow-list and the block-list should contain:
// entries in creation order, so the API lists them reversed.
type contractModel struct {
	allow, block []contractModelEntry
}

func contractNewest(entries []contractModelEntry) []contractModelEntry {
	reversed := slices.Clone(entries)
	slices.Reverse(reversed)
	return reversed
}

// Identifiers that the property test draws from. The pools are small so that
// duplicates and deletions of existing entries are frequent. The last one of
// each pool is no identifier type that Clerk accepts.
var (
	contractAllowPool = []string{"ada@example.com", "grace@example.com", "*@example.org", "+15555550100", "+15555550101", "0x" + strings.Repeat("0a", 20), "nobody"}
	contractBlockPool = []string{"mallory@example.com", "eve@example.com", "+15555550199", "*@spam.example", "not-an-identifier"}
)

// Seeds and steps of the property test: five fixed sequences of 80 calls.
var contractPropertySeeds = []uint64{1, 7, 42, 1337, 20260512}

const contractPropertySteps = 80

// contractPropertyAction is one kind of step of the property test. It calls
// the API, compares the result with the model, updates the model and
// returns the first disagreement.
type contractPropertyAction func(ctx context.Context, rng *rand.Rand, client *wrapper.Client, model *contractModel) error

// contractPropertyActions are the step kinds with their weights, which add
// up to 100.
var contractPropertyActions = []struct {
	weight int
	action contractPropertyAction
}{
	{30, contractStepCreateAllow},
	{20, contractStepCreateBlock},
	{15, contractStepDeleteAllow},
	{10, contractStepDeleteBlock},
	{15, contractStepListAllow},
	{10, contractStepListBlock},
}

// TestContractFakeAgreesWithModel runs random sequences of create, list and
// delete on both lists through the wrapper and checks each result against
// a model of the lists.
func TestContractFakeAgreesWithModel(t *testing.T) {
	for _, seed := range contractPropertySeeds {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			fake, client, _ := contractStartFake(t)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()

			rng := rand.New(rand.NewPCG(seed, seed))
			model := &contractModel{}
			for step := range contractPropertySteps {
				if err := contractPickAction(rng)(ctx, rng, client, model); err != nil {
					t.Fatalf("seed %d step %d: %v", seed, step, err)
				}
			}
			if violations := fake.SpecViolations(); len(violations) > 0 {
				t.Errorf("fake.SpecViolations() = %q, want none", violations)
			}
		})
	}
}

// TestContractModelCheckFindsDrift proves that the property test can fail:
// identifiers created behind the model's back must make the next step that
// touches them disagree.
func TestContractModelCheckFindsDrift(t *testing.T) {
	tests := []struct {
		name   string
		action contractPropertyAction
	}{
		{name: "allow-list shows unknown entry", action: contractStepListAllow},
		{name: "block-list shows unknown entry", action: contractStepListBlock},
		{name: "create of same identifier fails", action: func(ctx context.Context, _ *rand.Rand, client *wrapper.Client, model *contractModel) error {
			created, err := client.CreateAllowlistIdentifier(ctx, "ada@example.com", false)
			entry, ok, checkErr := contractCheckCreate("CreateAllowlistIdentifier", "ada@example.com", model.allow, contractAllowPool, err)
			if ok {
				entry.id = *created.Id
				model.allow = append(model.allow, entry)
			}
			return checkErr
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, client, _ := contractStartFake(t)
			ctx, cancel := context.WithTimeout(context.Background(), contractFakeCallTimeout)
			defer cancel()

			if _, err := client.CreateAllowlistIdentifier(ctx, "ada@example.com", false); err != nil {
				t.Fatalf("CreateAllowlistIdentifier outside the model = %v", err)
			}
			if _, err := client.CreateBlocklistIdentifier(ctx, "mallory@example.com"); err != nil {
				t.Fatalf("CreateBlocklistIdentifier outside the model = %v", err)
			}
			err := tt.action(ctx, rand.New(rand.NewPCG(1, 1)), client, &contractModel{})
			if err == nil {
				t.Fatalf("step against an empty model = nil, want a disagreement")
			}
			t.Logf("found: %v", err)
		})
	}
}

func contractPickAction(rng *rand.Rand) contractPropertyAction {
	n := rng.IntN(100)
	for _, a := range contractPropertyActions {
		if n < a.weight {
			return a.action
		}
		n -= a.weight
	}
	return contractPropertyActions[len(contractPropertyActions)-1].action
}

func contractStepCreateAllow(ctx context.Context, rng *rand.Rand, client *wrapper.Client, model *contractModel) error {
	identifier := contractAllowPool[rng.IntN(len(contractAllowPool))]
	created, err := client.CreateAllowlistIdentifier(ctx, identifier, rng.IntN(2) == 0)
	entry, ok, checkErr := contractCheckCreate("CreateAllowlistIdentifier", identifier, model.allow, contractAllowPool, err)
	if ok {
		entry.id = *created.Id
		model.allow = append(model.allow, entry)
	}
	return checkErr
}

func contractStepCreateBlock(ctx context.Context, rng *rand.Rand, client *wrapper.Client, model *contractModel) error {
	identifier := contractBlockPool[rng.IntN(len(contractBlockPool))]
	created, err := client.CreateBlocklistIdentifier(ctx, identifier)
	entry, ok, checkErr := contractCheckCreate("CreateBlocklistIdentifier", identifier, model.block, contractBlockPool, err)
	if ok {
		entry.id = *created.Id
		model.block = append(model.block, entry)
	}
	return checkErr
}

func contractStepDeleteAllow(ctx context.Context, rng *rand.Rand, client *wrapper.Client, model *contractModel) error {
	id, i := contractPickID(rng, model.allow, "alid_")
	_, err := client.DeleteAllowlistIdentifier(ctx, id)
	removed, checkErr := contractCheckDelete("DeleteAllowlistIdentifier", id, i, err)
	if removed {
		model.allow = slices.Delete(model.allow, i, i+1)
	}
	return checkErr
}

func contractStepDeleteBlock(ctx context.Context, rng *rand.Rand, client *wrapper.Client, model *contractModel) error {
	id, i := contractPickID(rng, model.block, "blid_")
	_, err := client.DeleteBlocklistIdentifier(ctx, id)
	removed, checkErr := contractCheckDelete("DeleteBlocklistIdentifier", id, i, err)
	if removed {
		model.block = slices.Delete(model.block, i, i+1)
	}
	return checkErr
}

func contractStepListAllow(ctx context.Context, rng *rand.Rand, client *wrapper.Client, model *contractModel) error {
	params := wrapper.ListAllowlistIdentifiersParams{
		Limit:     rng.IntN(6), // 0 sends no limit, so Clerk's default of 10 applies
		Offset:    rng.IntN(len(model.allow) + 2),
		Paginated: rng.IntN(2) == 0,
	}
	call := fmt.Sprintf("ListAllowlistIdentifiers(%+v)", params)
	page, err := client.ListAllowlistIdentifiers(ctx, &params)
	if err != nil {
		return fmt.Errorf("%s = %w", call, err)
	}

	limit := params.Limit
	if limit == 0 {
		limit = 10
	}
	newest := contractNewest(model.allow)
	want := newest[min(params.Offset, len(newest)):min(params.Offset+limit, len(newest))]
	if err := contractCheckEntries(call, contractAllowEntries(page.Data), want); err != nil {
		return err
	}
	switch {
	case params.Paginated && page.TotalCount == nil:
		return fmt.Errorf("%s.TotalCount = nil, want %d", call, len(model.allow))
	case params.Paginated && *page.TotalCount != int64(len(model.allow)):
		return fmt.Errorf("%s.TotalCount = %d, want %d", call, *page.TotalCount, len(model.allow))
	case !params.Paginated && page.TotalCount != nil:
		return fmt.Errorf("%s.TotalCount = %d, want nil", call, *page.TotalCount)
	}
	return nil
}

func contractStepListBlock(ctx context.Context, _ *rand.Rand, client *wrapper.Client, model *contractModel) error {
	list, err := client.ListBlocklistIdentifiers(ctx)
	if err != nil {
		return fmt.Errorf("ListBlocklistIdentifiers = %w", err)
	}
	if err := contractCheckEntries("ListBlocklistIdentifiers", contractBlockEntries(list.Data), contractNewest(model.block)); err != nil {
		return err
	}
	if list.TotalCount != int64(len(model.block)) {
		return fmt.Errorf("ListBlocklistIdentifiers.TotalCount = %d, want %d", list.TotalCount, len(model.block))
	}
	return nil
}

// contractCheckCreate checks a create call against the model and reports
// whether the model gains an entry. An identifier already on the list gets
// form_identifier_exists, and the last one of the pool, which is no
// identifier type, gets form_param_format_invalid.
func contractCheckCreate(call, identifier string, list []contractModelEntry, pool []string, err error) (contractModelEntry, bool, error) {
	wantCode := ""
	switch {
	case identifier == pool[len(pool)-1]:
		wantCode = "form_param_format_invalid"
	case slices.ContainsFunc(list, func(e contractModelEntry) bool { return e.identifier == identifier }):
		wantCode = "form_identifier_exists"
	}

	if wantCode == "" {
		if err != nil {
			return contractModelEntry{}, false, fmt.Errorf("%s(%s) = %w, want success", call, identifier, err)
		}
		return contractModelEntry{identifier: identifier}, true, nil
	}
	if err == nil {
		return contractModelEntry{}, false, fmt.Errorf("%s(%s) succeeded, want a 422 with code %s", call, identifier, wantCode)
	}
	var clerkErrors *wrapper.ClerkErrors
	if !errors.As(err, &clerkErrors) || clerkErrors.StatusCode != http.StatusUnprocessableEntity || !clerkErrors.HasCode(wantCode) {
		return contractModelEntry{}, false, fmt.Errorf("%s(%s) = %w, want a 422 with code %s", call, identifier, err, wantCode)
	}
	return contractModelEntry{}, false, nil
}

// contractPickID returns the ID of a random entry and its index, or, one
// time in four and always for an empty list, an ID that no entry has and -1.
func contractPickID(rng *rand.Rand, list []contractModelEntry, prefix string) (string, int) {
	if len(list) == 0 || rng.IntN(4) == 0 {
		return prefix + "missing" + strconv.Itoa(rng.IntN(1000)), -1
	}
	i := rng.IntN(len(list))
	return list[i].id, i
}

// contractCheckDelete checks a delete call and reports whether the model
// loses the entry at index i. Index -1 stands for an ID that no entry has.
func contractCheckDelete(call, id string, i int, err error) (bool, error) {
	if i < 0 {
		if err == nil {
			return false, fmt.Errorf("%s(%s) succeeded, want a 404", call, id)
		}
		var clerkErrors *wrapper.ClerkErrors
		if !errors.As(err, &clerkErrors) || clerkErrors.StatusCode != http.StatusNotFound {
			return false, fmt.Errorf("%s(%s) = %w, want a 404", call, id, err)
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s(%s) = %w, want success", call, id, err)
	}
	return true, nil
}

func contractAllowEntries(data []gen.AllowlistIdentifier) []contractModelEntry {
	entries := make([]contractModelEntry, 0, len(data))
	for _, d := range data {
		entries = append(entries, contractModelEntry{id: contractDeref(d.Id), identifier: contractDeref(d.Identifier)})
	}
	return entries
}

func contractBlockEntries(data []gen.BlocklistIdentifier) []contractModelEntry {
	entries := make([]contractModelEntry, 0, len(data))
	for _, d := range data {
		entries = append(entries, contractModelEntry{id: contractDeref(d.Id), identifier: contractDeref(d.Identifier)})
	}
	return entries
}

func contractDeref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func contractCheckEntries(call string, got, want []contractModelEntry) error {
	if !slices.Equal(got, want) {
		return fmt.Errorf("%s entries = %v, want %v", call, got, want)
	}
	return nil
}
