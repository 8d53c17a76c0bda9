package console

import (
	"slices"
	"strings"

	"github.com/fundledger/fundledger/api"
	"github.com/fundledger/fundledger/domain"
)

// route answers the API's route of method and path (Echo syntax), if the
// API has it: uploads, downloads and query parameters other branches add
// to the API show up in the console as soon as the route exists.
func (c *Console) route(method, path string) (api.Route, bool) {
	for _, rt := range c.api.Routes() {
		if rt.Method == method && rt.Path == path {
			return rt, true
		}
	}
	return api.Route{}, false
}

// routeAccepts reports whether the API's route takes query parameter q.
func (c *Console) routeAccepts(method, path, q string) bool {
	rt, ok := c.route(method, path)
	return ok && slices.Contains(rt.Query, q)
}

// matchRoute answers the API's GET route a concrete path (/v1/ledgers/341504/export) is an instance of.
func (c *Console) matchRoute(method, path string) (api.Route, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for _, rt := range c.api.Routes() {
		if rt.Method != method {
			continue
		}
		pat := strings.Split(strings.Trim(rt.Path, "/"), "/")
		if len(pat) != len(segs) {
			continue
		}
		ok := true
		for i := range pat {
			if !strings.HasPrefix(pat[i], ":") && pat[i] != segs[i] || segs[i] == "" {
				ok = false
				break
			}
		}
		if ok {
			return rt, true
		}
	}
	return api.Route{}, false
}

// command answers the catalogue's command named name.
func command(name string) (domain.CommandSpec, bool) { return domain.CommandNamed(name) }

// uploadRoute answers the API route of command d when it takes files and
// can judge one without writing it (dry_run): the console previews a file
// only by the ledger's own dry run, so a route without one is not offered.
func (c *Console) uploadRoute(d domain.CommandSpec) (api.Route, bool) {
	rt, ok := c.route(d.Method, d.Path)
	return rt, ok && rt.Uploads && slices.Contains(rt.Query, "dry_run")
}

// cmdLink is a link to one command's form or upload.
type cmdLink struct {
	Spec   domain.CommandSpec
	Title  string
	Upload bool
}

// commandsFor answers the commands that act on a record of kind (their
// path parameter names it), or with kind "" those that need none, ledger
// opening left out.
func (c *Console) commandsFor(kind string) []cmdLink {
	var out []cmdLink
	for _, d := range domain.Commands() {
		if d.Name == "open_ledger" || paramKinds[d.Param] != kind && !(kind == "" && d.Param == "") {
			continue
		}
		_, up := c.uploadRoute(d)
		out = append(out, cmdLink{Spec: d, Title: commandTitle(d), Upload: up})
	}
	return out
}
