package booking

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/calendar"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Calendar feeds (RFC 5545, written by internal/calendar): times in the
// territory's zone with its TZID and a VTIMEZONE, so calendar programs
// show the local times members booked.

const (
	feedPast   = 30 * 24 * time.Hour
	feedFuture = 365 * 24 * time.Hour
)

// ResourceFeed is the public calendar of a resource: busy times, no names.
func (s *Service) ResourceFeed(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, lang string) ([]byte, error) {
	r, err := s.Resource(ctx, actor, ter, id)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	list, err := s.store.Reservations(ctx, ter.ID, ReservationFilter{ResourceID: id, From: now.Add(-feedPast), To: now.Add(feedFuture),
		Statuses: []Status{StatusOffered, StatusPending, StatusConfirmed, StatusCheckedOut}})
	if err != nil {
		return nil, fmt.Errorf("booking: feed of resource %d: %w", id, err)
	}
	busy := map[bool]string{false: "Réservé", true: "Booked"}[lang == "en"]
	events := make([]calendar.Event, 0, len(list))
	for _, res := range list {
		summary := busy
		if r.Quantity > 1 {
			summary = fmt.Sprintf("%s (%d/%d)", busy, res.Quantity, r.Quantity)
		}
		events = append(events, calendar.Event{UID: fmt.Sprintf("reservation-%d@%s", res.ID, ter.Slug), Start: res.Start, End: res.End,
			Summary: summary, Status: calendar.Confirmed})
	}
	return writeFeed(r.Name, ter.Location(), now, events)
}

// MemberFeed is a member's own reservations, found by the secret token of
// their feed address.
func (s *Service) MemberFeed(ctx context.Context, ter *territory.Territory, token string) ([]byte, error) {
	if len(token) < 20 {
		return nil, errs.E(errs.NotFound, "err.booking.feed_not_found")
	}
	userID, err := s.store.FeedOwner(ctx, ter.ID, token)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	list, err := s.store.Reservations(ctx, ter.ID, ReservationFilter{UserID: userID, From: now.Add(-feedPast), To: now.Add(feedFuture),
		Statuses: []Status{StatusOffered, StatusPending, StatusConfirmed, StatusCheckedOut, StatusReturned}})
	if err != nil {
		return nil, fmt.Errorf("booking: member feed: %w", err)
	}
	events := make([]calendar.Event, 0, len(list))
	for _, res := range list {
		st := calendar.Confirmed
		if res.Status == StatusPending || res.Status == StatusOffered {
			st = calendar.Tentative
		}
		events = append(events, calendar.Event{UID: fmt.Sprintf("reservation-%d@%s", res.ID, ter.Slug), Start: res.Start, End: res.End,
			Summary: res.ResourceName, Status: st, Description: string(res.Status)})
	}
	return writeFeed(ter.Name, ter.Location(), now, events)
}

func newToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// FeedToken returns the secret token of actor's feed, making one the first time.
func (s *Service) FeedToken(ctx context.Context, actor access.Actor, ter *territory.Territory) (string, error) {
	if err := actor.RequireUser(); err != nil {
		return "", err
	}
	return s.store.FeedToken(ctx, ter.ID, actor.UserID, newToken(), s.clock())
}

// ResetFeedToken replaces actor's feed address: the old one stops working.
func (s *Service) ResetFeedToken(ctx context.Context, actor access.Actor, ter *territory.Territory) (string, error) {
	if err := actor.RequireUser(); err != nil {
		return "", err
	}
	tok := newToken()
	return tok, s.store.ResetFeedToken(ctx, ter.ID, actor.UserID, tok, s.clock())
}

func writeFeed(name string, loc *time.Location, now time.Time, events []calendar.Event) ([]byte, error) {
	data, err := calendar.Feed{ProductID: "-//Sharing City//Booking//FR", Name: name, Location: loc, Stamp: now, Events: events}.Bytes()
	if err != nil {
		return nil, fmt.Errorf("booking: write feed: %w", err)
	}
	return data, nil
}

// FeedFilename makes a file name of a resource's name.
func FeedFilename(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-") + ".ics"
}
