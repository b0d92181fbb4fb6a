package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/clerklists/clerklists/clerkfake"
	"github.com/clerklists/clerklists/wrapper"
)

func ExampleNew() {
	client, err := wrapper.New("sk_test_0123456789",
		wrapper.WithBaseURL("https://api.clerk.com/v1"),
		wrapper.WithUserAgent("my-service/1.2"),
	)
	if err != nil {
		log.Fatal(err)
	}
	// Formatting a client never prints the secret key.
	fmt.Println(client)

	_, err = wrapper.New("")
	fmt.Println(err)
	// Output:
	// wrapper.Client{BaseURL: "https://api.clerk.com/v1/", SecretKey: sk_test_[REDACTED]}
	// clerk: New: secret key is empty; pass the sk_test_… or sk_live_… key from the Clerk Dashboard
}

func ExampleClient_CreateAllowlistIdentifier() {
	fake, err := clerkfake.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer fake.Close()
	client, err := wrapper.New(fake.SecretKey(), wrapper.WithBaseURL(fake.URL()))
	if err != nil {
		log.Fatal(err)
	}

	created, err := client.CreateAllowlistIdentifier(context.Background(), "ada@example.com", false)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*created.Identifier, *created.IdentifierType, *created.Object)
	// Output:
	// ada@example.com email_address allowlist_identifier
}

func ExampleClerkErrors() {
	fake, err := clerkfake.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer fake.Close()
	client, err := wrapper.New(fake.SecretKey(), wrapper.WithBaseURL(fake.URL()))
	if err != nil {
		log.Fatal(err)
	}

	_, err = client.DeleteBlocklistIdentifier(context.Background(), "blid_does_not_exist")
	var clerkErrors *wrapper.ClerkErrors
	if errors.As(err, &clerkErrors) {
		fmt.Println(clerkErrors.StatusCode, clerkErrors.Errors[0].Code)
	}
	// Output:
	// 404 resource_not_found
}

func ExampleSDKError() {
	fake, err := clerkfake.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer fake.Close()
	client, err := wrapper.New(fake.SecretKey(), wrapper.WithBaseURL(fake.URL()))
	if err != nil {
		log.Fatal(err)
	}

	// A proxy in front of Clerk responds with an HTML page.
	err = fake.FailNext(1, clerkfake.Fault{Status: 502, ContentType: "text/html", Body: []byte("<h1>Bad gateway</h1>")})
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.ListBlocklistIdentifiers(context.Background(), wrapper.WithoutRetries())
	var sdkError *wrapper.SDKError
	if errors.As(err, &sdkError) {
		fmt.Println(sdkError.StatusCode, sdkError.ContentType, string(sdkError.Body))
	}
	// Output:
	// 502 text/html <h1>Bad gateway</h1>
}

func ExampleWithRetries() {
	fake, err := clerkfake.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer fake.Close()
	client, err := wrapper.New(fake.SecretKey(), wrapper.WithBaseURL(fake.URL()))
	if err != nil {
		log.Fatal(err)
	}

	// Two 503s, then success: a fast schedule for this call only.
	if err := fake.FailNext(2, clerkfake.Fault{Status: 503}); err != nil {
		log.Fatal(err)
	}
	retry := wrapper.DefaultRetryConfig()
	retry.Backoff.InitialInterval = 10 * time.Millisecond
	retry.Backoff.MaxElapsedTime = 5 * time.Second
	list, err := client.ListBlocklistIdentifiers(context.Background(), wrapper.WithRetries(retry))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(list.Data), fake.Requests("ListBlocklistIdentifiers"))
	// Output:
	// 0 3
}
