package api

import (
	"encoding/json"

	"github.com/labstack/echo/v4"
)

// plainJSON is Echo's JSON serializer without HTML escaping, so that
// messages read "<token>" and "&" as written (answers are never HTML).
type plainJSON struct{}

func (plainJSON) Serialize(c echo.Context, i any, indent string) error {
	enc := json.NewEncoder(c.Response())
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	return enc.Encode(i)
}

// Deserialize is Echo's Bind: it reads through readJSON and decodeStrict,
// so a handler that binds gets the same strict rules as every write.
func (plainJSON) Deserialize(c echo.Context, i any) error {
	body, err := readJSON(c)
	if err != nil {
		return err
	}
	return decodeStrict(body, i)
}
