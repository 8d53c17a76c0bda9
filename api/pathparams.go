package api

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
)

// decodeParams unescapes path parameters exactly once. Echo routes on the
// raw path whenever the request's escaping is not Go's canonical one, and
// then hands parameters over still escaped: a payee name sent by curl with
// lowercase escapes (%e5%85%89…) or a name holding "/" sent as %2F would
// otherwise be looked up escaped and answer 404. When the raw path is
// canonical, Echo routed on the decoded path and the values are already
// plain, so nothing is done twice.
func decodeParams(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().URL.RawPath == "" {
			return next(c)
		}
		vals := c.ParamValues()
		out := make([]string, len(vals))
		for i, v := range vals {
			d, err := url.PathUnescape(v)
			if err != nil {
				return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Field: c.ParamNames()[i],
					Message: "the path segment " + c.ParamNames()[i] + " is not valid percent-encoding"}
			}
			out[i] = d
		}
		c.SetParamValues(out...)
		return next(c)
	}
}
