package api

import "github.com/labstack/echo/v4"

// RegisteredRoutes answers the routes the router answers, so that the
// external tests can compare them with the OpenAPI document; the router
// itself stays unexported.
func RegisteredRoutes(s *Server) []*echo.Route { return s.router.Routes() }
