package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/clerklists/clerklists/clerkfake"
	"github.com/clerklists/clerklists/gen"
	"github.com/clerklists/clerklists/wrapper"
)

type demo struct {
	client *wrapper.Client
	out    io.Writer
}

// runOperations calls all six operations once and deletes what it created.
func (d *demo) runOperations(ctx context.Context) error {
	d.step("CreateAllowlistIdentifier: allow ada@example.com, without an invitation")
	ada, err := d.client.CreateAllowlistIdentifier(ctx, "ada@example.com", false)
	if err != nil {
		return err
	}
	d.printAllowlist([]gen.AllowlistIdentifier{*ada})

	d.step("CreateAllowlistIdentifier: allow every address at example.org")
	domain, err := d.client.CreateAllowlistIdentifier(ctx, "*@example.org", false)
	if err != nil {
		return err
	}
	d.printAllowlist([]gen.AllowlistIdentifier{*domain})

	d.step("ListAllowlistIdentifiers: first page, paginated to get the total")
	page, err := d.client.ListAllowlistIdentifiers(ctx, &wrapper.ListAllowlistIdentifiersParams{Limit: 10, Paginated: true})
	if err != nil {
		return err
	}
	d.printAllowlist(page.Data)
	if page.TotalCount != nil {
		fmt.Fprintf(d.out, "total_count: %d\n", *page.TotalCount)
	}

	d.step("CreateBlocklistIdentifier: block mallory@example.com")
	mallory, err := d.client.CreateBlocklistIdentifier(ctx, "mallory@example.com")
	if err != nil {
		return err
	}
	d.printBlocklist([]gen.BlocklistIdentifier{*mallory})

	d.step("ListBlocklistIdentifiers")
	blocked, err := d.client.ListBlocklistIdentifiers(ctx)
	if err != nil {
		return err
	}
	d.printBlocklist(blocked.Data)
	fmt.Fprintf(d.out, "total_count: %d\n", blocked.TotalCount)

	d.step("DeleteBlocklistIdentifier and DeleteAllowlistIdentifier: remove what the demo created")
	deletions := []struct {
		id     *string
		delete func(context.Context, string, ...wrapper.CallOption) (*gen.DeletedObject, error)
	}{
		{mallory.Id, d.client.DeleteBlocklistIdentifier},
		{ada.Id, d.client.DeleteAllowlistIdentifier},
		{domain.Id, d.client.DeleteAllowlistIdentifier},
	}
	for _, deletion := range deletions {
		if deletion.id == nil {
			return errors.New("the server returned an identifier without an id, so the demo cannot delete it")
		}
		deleted, err := deletion.delete(ctx, *deletion.id)
		if err != nil {
			return err
		}
		fmt.Fprintf(d.out, "deleted %s %s: %t\n", deleted.Object, value(deleted.Id), deleted.Deleted)
	}
	return nil
}

// runFaults shows both error types and a retried call, using the fake's
// fault injection.
func (d *demo) runFaults(ctx context.Context, fake *clerkfake.Server) error {
	d.step("ClerkErrors: add the same identifier twice")
	if _, err := d.client.CreateBlocklistIdentifier(ctx, "eve@example.com"); err != nil {
		return err
	}
	_, err := d.client.CreateBlocklistIdentifier(ctx, "eve@example.com")
	var clerkErrors *wrapper.ClerkErrors
	if !errors.As(err, &clerkErrors) {
		return fmt.Errorf("expected *wrapper.ClerkErrors for a duplicate, got %w", err)
	}
	fmt.Fprintf(d.out, "error: %v\n", err)
	fmt.Fprintf(d.out, "status %d, code %s, trace ID %s\n", clerkErrors.StatusCode, clerkErrors.Errors[0].Code, clerkErrors.TraceID)

	d.step("SDKError: a proxy responds with 502 and an HTML page (retries off for this call)")
	err = fake.FailNext(1, clerkfake.Fault{
		OperationID: "ListBlocklistIdentifiers",
		Status:      502,
		ContentType: "text/html",
		Body:        []byte("<html><body>Bad gateway</body></html>"),
	})
	if err != nil {
		return err
	}
	_, err = d.client.ListBlocklistIdentifiers(ctx, wrapper.WithoutRetries())
	var sdkError *wrapper.SDKError
	if !errors.As(err, &sdkError) {
		return fmt.Errorf("expected *wrapper.SDKError for an HTML 502, got %w", err)
	}
	fmt.Fprintf(d.out, "error: %v\n", err)
	fmt.Fprintf(d.out, "status %d, content type %s, body %q\n", sdkError.StatusCode, sdkError.ContentType, sdkError.Body)

	d.step("Retry: the first attempt gets 503 with Retry-After: 1, the second succeeds")
	err = fake.FailNext(1, clerkfake.Fault{OperationID: "ListAllowlistIdentifiers", Status: 503, RetryAfter: "1"})
	if err != nil {
		return err
	}
	before := fake.Requests("ListAllowlistIdentifiers")
	start := time.Now()
	page, err := d.client.ListAllowlistIdentifiers(ctx, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "succeeded after %d attempts in %v with %d identifiers\n",
		fake.Requests("ListAllowlistIdentifiers")-before, time.Since(start).Round(10*time.Millisecond), len(page.Data))
	return nil
}

func (d *demo) step(title string) {
	fmt.Fprintf(d.out, "\n== %s\n", title)
}

func (d *demo) printAllowlist(items []gen.AllowlistIdentifier) {
	table := tabwriter.NewWriter(d.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(table, "ID\tIDENTIFIER\tTYPE\tCREATED")
	for _, item := range items {
		fmt.Fprintf(table, "%s\t%s\t%s\t%s\n", value(item.Id), value(item.Identifier), value(item.IdentifierType), millis(item.CreatedAt))
	}
	_ = table.Flush()
}

func (d *demo) printBlocklist(items []gen.BlocklistIdentifier) {
	table := tabwriter.NewWriter(d.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(table, "ID\tIDENTIFIER\tTYPE\tCREATED")
	for _, item := range items {
		fmt.Fprintf(table, "%s\t%s\t%s\t%s\n", value(item.Id), value(item.Identifier), value(item.IdentifierType), millis(item.CreatedAt))
	}
	_ = table.Flush()
}

// value prints an optional field, or "-" when the server left it out.
func value[T any](p *T) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprint(*p)
}

// millis formats a Unix time in milliseconds, the unit Clerk uses.
func millis(p *int64) string {
	if p == nil {
		return "-"
	}
	return time.UnixMilli(*p).UTC().Format(time.RFC3339)
}
