package console

import (
	"io"
	"log/slog"
	"net/http"
	"slices"
	"testing"

	"github.com/fundledger/fundledger/api"
)

// TestFileRoutesAreTheAPIsDownloads checks the console's table of
// downloads against the API's real route table: every entry is a GET
// route of the API that takes as_of and each query parameter the table
// lets a link carry, so no offered link can be one the API refuses.
func TestFileRoutesAreTheAPIsDownloads(t *testing.T) {
	s := api.New(api.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	c := New(s, Options{})
	for path, query := range fileRoutes {
		rt, ok := c.route(http.MethodGet, path)
		if !ok {
			t.Errorf("the console offers %s, which is no GET route of the API", path)
			continue
		}
		if !slices.Contains(rt.Query, "as_of") {
			t.Errorf("%s takes no as_of, but the console adds the cut to every download", path)
		}
		for k := range query {
			if !slices.Contains(rt.Query, k) {
				t.Errorf("the console sends %s with %s, which the route does not take (it takes %v)", path, k, rt.Query)
			}
		}
	}
}
