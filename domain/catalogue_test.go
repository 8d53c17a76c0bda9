package domain

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// declaredTypes answers the types of this package's source (tests aside)
// that have a method named method: what the compiler knows as commands or
// events, whether or not anyone remembered to catalogue them.
func declaredTypes(t *testing.T, method string) []string {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Name.Name != method {
				continue
			}
			recv := fn.Recv.List[0].Type
			if star, ok := recv.(*ast.StarExpr); ok {
				recv = star.X
			}
			out = append(out, recv.(*ast.Ident).Name)
		}
	}
	slices.Sort(out)
	return out
}

func typeNames[T any](specs []T, zero func(T) any) []string {
	var out []string
	for _, s := range specs {
		out = append(out, reflect.TypeOf(zero(s)).Name())
	}
	slices.Sort(out)
	return out
}

// TestCatalogueHoldsEveryCommandAndEvent: every type with a decider is a
// catalogued command and every type with an EventType is a catalogued
// event, so neither can be added without the ways in and the folds
// learning of it through their own catalogue tests.
func TestCatalogueHoldsEveryCommandAndEvent(t *testing.T) {
	if got, want := typeNames(Commands(), func(d CommandSpec) any { return d.Body }), declaredTypes(t, "decide"); !slices.Equal(got, want) {
		t.Errorf("catalogued commands %v, types with a decider %v", got, want)
	}
	if got, want := typeNames(Events(), func(e EventSpec) any { return e.Zero }), declaredTypes(t, "EventType"); !slices.Equal(got, want) {
		t.Errorf("catalogued events %v, types with an EventType %v", got, want)
	}
}

// TestCatalogueEntriesAreWhole: each command has a unique name and route,
// a summary, a role, a path whose :id matches its Param (and Decode fills
// that field), and writes only catalogued events; each event is written by
// some command and known to State.Apply.
func TestCatalogueEntriesAreWhole(t *testing.T) {
	routes := map[string]string{}
	written := map[EventType]bool{}
	for _, d := range Commands() {
		if d.Name == "" || d.Summary == "" || d.Role != FinanceRole || d.Method != "POST" {
			t.Errorf("%T: name %q, summary %q, role %q, method %q", d.Body, d.Name, d.Summary, d.Role, d.Method)
		}
		if other, dup := routes[d.Method+" "+d.Path]; dup {
			t.Errorf("%s and %s share the route %s", d.Name, other, d.Path)
		}
		routes[d.Method+" "+d.Path] = d.Name
		if hasID := strings.Contains(d.Path, "/:id"); hasID != (d.Param != "") {
			t.Errorf("%s: path %s, param %q: a path parameter :id needs the field it fills, and only then", d.Name, d.Path, d.Param)
		}
		if got, ok := CommandNamed(d.Name); !ok || reflect.TypeOf(got.Body) != reflect.TypeOf(d.Body) {
			t.Errorf("%s: CommandNamed answers %T", d.Name, got.Body)
		}
		if got, ok := CommandOf(d.Body); !ok || got.Name != d.Name {
			t.Errorf("%T: CommandOf answers %q", d.Body, got.Name)
		}
		cmd, err := d.Decode([]byte(`{}`), "X-PARAM", json.Unmarshal)
		if err != nil || reflect.TypeOf(cmd) != reflect.TypeOf(d.Body) {
			t.Fatalf("%s: Decode answers %T, %v", d.Name, cmd, err)
		}
		if d.Param != "" {
			field := reflect.ValueOf(cmd).FieldByNameFunc(func(n string) bool { return strings.EqualFold(n, d.Param) })
			if !field.IsValid() || field.String() != "X-PARAM" {
				t.Errorf("%s: the path parameter does not fill field %q", d.Name, d.Param)
			}
		}
		if len(d.Writes) == 0 {
			t.Errorf("%s writes no event type", d.Name)
		}
		for _, typ := range d.Writes {
			if _, ok := eventsByType[typ]; !ok {
				t.Errorf("%s writes %q, not a catalogued event", d.Name, typ)
			}
			written[typ] = true
		}
	}
	for _, e := range Events() {
		if e.Zero.EventType() != e.Type {
			t.Errorf("%T is catalogued as %q", e.Zero, e.Type)
		}
		if !written[e.Type] {
			t.Errorf("no command writes %q", e.Type)
		}
		// An id, so that a reversal does not name itself as the zero value
		// would (which no decider can answer).
		sample, err := DecodeEvent(string(e.Type), []byte(`{"id":"E1"}`))
		if err != nil {
			t.Errorf("%q does not decode: %v", e.Type, err)
			continue
		}
		if !NewState().apply(sample) {
			t.Errorf("State.Apply does not know %q", e.Type)
		}
	}
}
