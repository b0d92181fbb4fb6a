package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/clerklists/clerklists/gen"
	"github.com/clerklists/clerklists/wrapper"
)

// The values that every benchmark call sends.
const (
	benchIdentifier   = "user000000@example.com"
	benchIdentifierID = "alid_2ZkQ8b1xV0000000"
)

// rawIdentifier is the struct a developer writes for an allow-list entry
// when calling the API with net/http and encoding/json alone: plain fields
// where the generated model has pointers.
type rawIdentifier struct {
	ID             string `json:"id"`
	Object         string `json:"object"`
	Identifier     string `json:"identifier"`
	IdentifierType string `json:"identifier_type"`
	InvitationID   string `json:"invitation_id"`
	InstanceID     string `json:"instance_id"`
	CreatedAt      int64  `json:"created_at"`
	UpdatedAt      int64  `json:"updated_at"`
}

type rawDeleted struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Deleted bool   `json:"deleted"`
}

// rawClient is the baseline: the code a developer writes with net/http and
// encoding/json, with no retries, no input checks and no error mapping
// beyond the status code.
type rawClient struct {
	httpClient *http.Client
	baseURL    string
	secretKey  string
}

func (c *rawClient) createAllowlistIdentifier(ctx context.Context, identifier string, notify bool) (*rawIdentifier, error) {
	body, err := json.Marshal(struct {
		Identifier string `json:"identifier"`
		Notify     bool   `json:"notify"`
	}{identifier, notify})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+"/allowlist_identifiers", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.secretKey)
	req.Header.Set("Content-Type", "application/json")

	var created rawIdentifier
	if err := c.do(req, &created); err != nil {
		return nil, err
	}
	return &created, nil
}

func (c *rawClient) deleteAllowlistIdentifier(ctx context.Context, identifierID string) (*rawDeleted, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, c.baseURL+"/allowlist_identifiers/"+url.PathEscape(identifierID), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.secretKey)

	var deleted rawDeleted
	if err := c.do(req, &deleted); err != nil {
		return nil, err
	}
	return &deleted, nil
}

func (c *rawClient) listAllowlistIdentifiers(ctx context.Context, limit int) ([]rawIdentifier, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/allowlist_identifiers?limit=%d", c.baseURL, limit), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.secretKey)

	var list []rawIdentifier
	if err := c.do(req, &list); err != nil {
		return nil, err
	}
	return list, nil
}

func (c *rawClient) do(req *http.Request, v any) error {
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: status %s", req.Method, req.URL.Path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// newGenClient returns the generated client, authenticated by a request
// editor, that sends through httpClient to srv.
func newGenClient(tb testing.TB, srv *fixtureServer, httpClient *http.Client) *gen.ClientWithResponses {
	tb.Helper()
	bearer := "Bearer " + secretKey
	client, err := gen.NewClientWithResponses(srv.baseURL,
		gen.WithHTTPClient(httpClient),
		gen.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", bearer)
			return nil
		}))
	if err != nil {
		tb.Fatalf("gen.NewClientWithResponses failed: %v", err)
	}
	return client
}

func genCreate(ctx context.Context, client *gen.ClientWithResponses, identifier string, notify bool) (*gen.AllowlistIdentifier, error) {
	resp, err := client.CreateAllowlistIdentifierWithResponse(ctx, gen.CreateAllowlistIdentifierRequest{Identifier: identifier, Notify: &notify})
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, fmt.Errorf("CreateAllowlistIdentifier: status %s", resp.Status())
	}
	return resp.JSON200, nil
}

func genDelete(ctx context.Context, client *gen.ClientWithResponses, identifierID string) (*gen.DeletedObject, error) {
	resp, err := client.DeleteAllowlistIdentifierWithResponse(ctx, identifierID)
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, fmt.Errorf("DeleteAllowlistIdentifier: status %s", resp.Status())
	}
	return resp.JSON200, nil
}

// genList decodes the entries too: the generated Parse function keeps the
// listing as raw JSON because it is a oneOf of two shapes.
func genList(ctx context.Context, client *gen.ClientWithResponses, limit int) (gen.AllowlistIdentifierList, error) {
	resp, err := client.ListAllowlistIdentifiersWithResponse(ctx, &gen.ListAllowlistIdentifiersParams{Limit: &limit})
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, fmt.Errorf("ListAllowlistIdentifiers: status %s", resp.Status())
	}
	return resp.JSON200.AsAllowlistIdentifierList()
}

// implementations are the three clients that every benchmark compares.
type implementations struct {
	raw     *rawClient
	gen     *gen.ClientWithResponses
	wrapper *wrapper.Client
}

// newImplementations builds the three clients over one *http.Client, so
// that they share the transport and its connection pool settings.
func newImplementations(tb testing.TB, srv *fixtureServer, httpClient *http.Client) implementations {
	tb.Helper()
	return implementations{
		raw:     &rawClient{httpClient: httpClient, baseURL: srv.baseURL, secretKey: secretKey},
		gen:     newGenClient(tb, srv, httpClient),
		wrapper: newWrapperClient(tb, srv, httpClient),
	}
}

// mixedCall sends call number i of a workload that cycles through create,
// delete and a list of 10, so that every request shape is in the mix.
type mixedCall func(ctx context.Context, i int) error

func (impls implementations) mixed() map[string]mixedCall {
	return map[string]mixedCall{
		"raw": func(ctx context.Context, i int) error {
			var err error
			switch i % 3 {
			case 0:
				_, err = impls.raw.createAllowlistIdentifier(ctx, benchIdentifier, false)
			case 1:
				_, err = impls.raw.deleteAllowlistIdentifier(ctx, benchIdentifierID)
			default:
				_, err = impls.raw.listAllowlistIdentifiers(ctx, 10)
			}
			return err
		},
		"gen": func(ctx context.Context, i int) error {
			var err error
			switch i % 3 {
			case 0:
				_, err = genCreate(ctx, impls.gen, benchIdentifier, false)
			case 1:
				_, err = genDelete(ctx, impls.gen, benchIdentifierID)
			default:
				_, err = genList(ctx, impls.gen, 10)
			}
			return err
		},
		"wrapper": func(ctx context.Context, i int) error {
			var err error
			switch i % 3 {
			case 0:
				_, err = impls.wrapper.CreateAllowlistIdentifier(ctx, benchIdentifier, false)
			case 1:
				_, err = impls.wrapper.DeleteAllowlistIdentifier(ctx, benchIdentifierID)
			default:
				_, err = impls.wrapper.ListAllowlistIdentifiers(ctx, &wrapper.ListAllowlistIdentifiersParams{Limit: 10})
			}
			return err
		},
	}
}

// implementationNames is the order of the sub-benchmarks.
var implementationNames = []string{"raw", "gen", "wrapper"}
