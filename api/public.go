package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// publicRoutes are the public disclosure surfaces (no token; ID and bank
// numbers masked). They are reserved here and answer 501 until the
// disclosure issue fills in the handlers: replace the handler fields below
// (in public*.go files) and keep the paths, which are the contract.
func (s *Server) publicRoutes() []Route {
	pub := func(path, op, summary, answer string, h echo.HandlerFunc) Route {
		return Route{Method: http.MethodGet, Path: path, OpID: op, Summary: summary, Tag: "public",
			Query: readQuery, Status: http.StatusOK, Answer: answer, handler: h}
	}
	const V = "/v1/public/ledgers/:ledger/villages/:village"
	return []Route{
		pub(V+"/disclosure", "disclosure", "A village's disclosure (公告公示): money received, projects, payouts with masked numbers.", "Read", s.disclosure),
		pub(V+"/disclosure.csv", "disclosureCSV", "The village's disclosure as CSV (UTF-8 with BOM).", "Text", s.disclosureCSV),
		pub(V+"/disclosure.xlsx", "disclosureXLSX", "The village's disclosure as XLSX.", "Binary", s.disclosureXLSX),
		pub("/notice/:ledger/:village", "notice", "The village notice board page (村务公开栏), printable HTML.", "HTML", s.notice),
	}
}

func notYet(c echo.Context) error {
	return newError(http.StatusNotImplemented, "not_implemented", "public disclosure pages are not built yet")
}

func (s *Server) disclosure(c echo.Context) error     { return notYet(c) }
func (s *Server) disclosureCSV(c echo.Context) error  { return notYet(c) }
func (s *Server) disclosureXLSX(c echo.Context) error { return notYet(c) }
func (s *Server) notice(c echo.Context) error         { return notYet(c) }
