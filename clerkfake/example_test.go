package clerkfake_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strings"

	"github.com/clerklists/clerklists/clerkfake"
)

func ExampleStart() {
	srv, err := clerkfake.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	req, err := http.NewRequest(http.MethodPost, srv.URL()+"/allowlist_identifiers",
		strings.NewReader(`{"identifier": "ada@example.com"}`))
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+srv.SecretKey())
	req.Header.Set("Content-Type", "application/json")

	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()

	var created struct {
		ID             string `json:"id"`
		IdentifierType string `json:"identifier_type"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&created); err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, created.IdentifierType, strings.HasPrefix(created.ID, "alid_"))
	fmt.Println(srv.Requests(clerkfake.OperationCreateAllowlistIdentifier))
	// Output:
	// 200 email_address true
	// 1
}
