package web

import "net/http"

func (s *Server) offerRoutes(page func(string, http.HandlerFunc)) {
}
