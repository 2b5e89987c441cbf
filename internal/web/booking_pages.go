package web

import "net/http"

func (s *Server) bookingRoutes(page func(string, http.HandlerFunc)) {}
