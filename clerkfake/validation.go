package clerkfake

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/clerklists/clerklists"
)

// basePath is the path prefix of every operation, as in Clerk's server URL
// https://api.clerk.com/v1.
const basePath = "/v1"

// maxRequestBodyBytes caps the request bodies that the fake reads. Valid
// bodies of the six operations are a few hundred bytes.
const maxRequestBodyBytes = 1 << 20

// validator routes requests to the operations of openapi.yaml and checks
// requests and responses against it. It is read-only after newValidator, so
// concurrent requests share it.
type validator struct {
	router         routers.Router
	methods        []string // every method that some operation uses, sorted
	requestOptions *openapi3filter.Options
}

// newValidator loads openapi.yaml and checks that handled contains exactly
// the operation IDs that the document declares.
func newValidator(handled []string) (*validator, error) {
	doc, err := openapi3.NewLoader().LoadFromData(clerklists.OpenAPISpec())
	if err != nil {
		return nil, fmt.Errorf("clerkfake: load openapi.yaml: %w", err)
	}

	// The document's only server is https://api.clerk.com/v1, which no request
	// to the fake matches. A relative server keeps the base path and matches
	// any scheme and host.
	doc.Servers = openapi3.Servers{{URL: basePath}}

	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("clerkfake: build router from openapi.yaml: %w", err)
	}

	var declared, methods []string
	for _, pathItem := range doc.Paths.Map() {
		for method, operation := range pathItem.Operations() {
			declared = append(declared, operation.OperationID)
			if !slices.Contains(methods, method) {
				methods = append(methods, method)
			}
		}
	}
	slices.Sort(declared)
	slices.Sort(methods)
	if !slices.Equal(declared, handled) {
		return nil, fmt.Errorf("clerkfake: openapi.yaml declares operations %v but clerkfake handles %v", declared, handled)
	}

	return &validator{
		router:  router,
		methods: methods,
		requestOptions: &openapi3filter.Options{
			// The Server checks the secret key itself before validation, so that
			// a missing key gets Clerk's 401 rather than a 400.
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
			// Without details, a schema error names the field and the rule but
			// does not dump the schema and the value into the message.
			SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()},
			// kin-openapi v0.153.0 fills in the default of a property that is
			// missing or null, so "notify": null would become "notify": false
			// and pass. Skipping defaults makes null fail with "Value is not
			// nullable" and leaves the body as the client sent it.
			SkipSettingDefaults: true,
		},
	}, nil
}

// findRoute returns the operation that r is for, or a 404 or 405 apiError
// when no operation matches.
func (v *validator) findRoute(r *http.Request) (*routers.Route, map[string]string, *apiError) {
	if route, pathParams, ok := v.match(r); ok {
		return route, pathParams, nil
	}

	// The legacy router of kin-openapi v0.153.0 reports a wrong method on a
	// templated path such as /allowlist_identifiers/{identifier_id} as an
	// unknown path, so the other methods are tried one by one to tell a 405
	// from a 404.
	var allowed []string
	for _, method := range v.methods {
		probe := r.Clone(r.Context())
		probe.Method = method
		if _, _, ok := v.match(probe); ok {
			allowed = append(allowed, method)
		}
	}
	if len(allowed) > 0 {
		return nil, nil, errMethodNotAllowed(r.Method, r.URL.Path, allowed)
	}
	return nil, nil, errPathNotFound(r.URL.Path)
}

// match returns the operation whose path template, filled in with the path
// parameters, is exactly the path of r. The legacy router also accepts a
// trailing slash and an empty path parameter, which would route DELETE
// /v1/allowlist_identifiers to DeleteAllowlistIdentifier with an empty ID.
func (v *validator) match(r *http.Request) (*routers.Route, map[string]string, bool) {
	route, pathParams, err := v.router.FindRoute(r)
	if err != nil {
		return nil, nil, false
	}

	// The router takes parameter values from the escaped path, so the
	// comparison is with the escaped path too.
	path := basePath + route.Path
	for name, value := range pathParams {
		if value == "" {
			return nil, nil, false
		}
		path = strings.ReplaceAll(path, "{"+name+"}", value)
	}
	if path != r.URL.EscapedPath() {
		return nil, nil, false
	}
	return route, pathParams, true
}

// validateRequest checks the request of input against its operation in
// openapi.yaml and, for an operation with a request body, checks that the body
// is one JSON value in UTF-8. It reads the body and puts it back unchanged.
func (v *validator) validateRequest(ctx context.Context, input *openapi3filter.RequestValidationInput) *apiError {
	input.Options = v.requestOptions
	r := input.Request

	var body []byte
	if input.Route.Operation.RequestBody != nil {
		var apiErr *apiError
		if body, apiErr = readRequestBody(r); apiErr != nil {
			return apiErr
		}
	}

	if err := openapi3filter.ValidateRequest(ctx, input); err != nil {
		return errSpecViolation(err)
	}

	// kin-openapi ignores the charset parameter, decodes only the first JSON
	// value of a body and lets encoding/json replace bytes that are not UTF-8,
	// so checkJSONBody checks the body as the client sent it.
	if len(body) > 0 {
		return checkJSONBody(r.Header.Get("Content-Type"), body)
	}
	return nil
}

// errSpecViolation turns an error from openapi3filter.ValidateRequest into a
// 400 request_invalid whose message is the error text.
func errSpecViolation(err error) *apiError {
	apiErr := &apiError{
		status:      http.StatusBadRequest,
		code:        codeRequestInvalid,
		message:     err.Error(),
		longMessage: "The request does not match the OpenAPI document that clerkfake enforces: " + err.Error(),
	}
	if paramName := violatedParam(err); paramName != "" {
		apiErr.meta = map[string]any{"param_name": paramName}
	}
	return apiErr
}

// violatedParam returns the name of the query parameter or top-level body
// property that err is about, or "" when err names none.
func violatedParam(err error) string {
	requestErr, ok := errors.AsType[*openapi3filter.RequestError](err)
	if !ok {
		return ""
	}
	if requestErr.Parameter != nil {
		return requestErr.Parameter.Name
	}

	schemaErr, ok := errors.AsType[*openapi3.SchemaError](err)
	if !ok {
		return ""
	}
	if pointer := schemaErr.JSONPointer(); len(pointer) > 0 {
		return pointer[0]
	}
	return ""
}

// validateResponse checks a JSON response body against the operation that
// input was routed to. kin-openapi passes a status that the operation does
// not declare, such as 401 on CreateAllowlistIdentifier, without checks.
func (v *validator) validateResponse(ctx context.Context, input *openapi3filter.RequestValidationInput, status int, header http.Header, body []byte) error {
	responseInput := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: input,
		Status:                 status,
		Header:                 header,
		Options:                &openapi3filter.Options{},
	}
	responseInput.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(ctx, responseInput)
}
