package mobility

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/calendar"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// A member's calendar feed (RFC 5545) of the departures they drive and the
// seats they booked, at a secret address: the member's id, the address's
// generation and an HMAC of both under the platform's secret; only the
// generation is stored, bumped when the member replaces the address. The
// feed is written by internal/calendar: times in the territory's zone with
// its TZID and a VTIMEZONE (the 07:40 commute reads 07:40 Europe/Paris),
// which calendar programs show in the reader's zone as before.

const (
	feedPast   = 30 * 24 * time.Hour
	feedFuture = 90 * 24 * time.Hour
)

func (s *Service) feedMAC(territoryID, userID int64, gen int) string {
	m := hmac.New(sha256.New, s.opts.FeedSecret)
	fmt.Fprintf(m, "mobility-feed:%d:%d", territoryID, userID)
	if gen > 0 {
		fmt.Fprintf(m, ":%d", gen)
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// feedToken is "ID.MAC" for the first address (generation 0, as before
// addresses could be replaced) and "ID.GEN.MAC" after.
func (s *Service) feedToken(territoryID, userID int64, gen int) string {
	id := strconv.FormatInt(userID, 10)
	if gen > 0 {
		id += "." + strconv.Itoa(gen)
	}
	return id + "." + s.feedMAC(territoryID, userID, gen)
}

// FeedToken returns the secret token of actor's feed of trips.
func (s *Service) FeedToken(ctx context.Context, actor access.Actor, ter *territory.Territory) (string, error) {
	return s.memberToken(ctx, actor, ter, s.store.FeedGeneration)
}

// ResetFeedToken gives actor a new feed address: the old one stops working.
func (s *Service) ResetFeedToken(ctx context.Context, actor access.Actor, ter *territory.Territory) (string, error) {
	return s.memberToken(ctx, actor, ter, s.store.BumpFeedGeneration)
}

// memberToken is actor's token at the generation gen gives.
func (s *Service) memberToken(ctx context.Context, actor access.Actor, ter *territory.Territory,
	gen func(ctx context.Context, territoryID, userID int64) (int, error)) (string, error) {
	if err := actor.RequireUser(); err != nil {
		return "", err
	}
	if len(s.opts.FeedSecret) == 0 {
		return "", errs.E(errs.NotFound, "err.mobility.feed_not_found")
	}
	g, err := gen(ctx, ter.ID, actor.UserID)
	if err != nil {
		return "", err
	}
	return s.feedToken(ter.ID, actor.UserID, g), nil
}

// MemberFeed writes the calendar of the member whose token it is.
func (s *Service) MemberFeed(ctx context.Context, ter *territory.Territory, token string) ([]byte, error) {
	notFound := errs.E(errs.NotFound, "err.mobility.feed_not_found")
	parts := strings.Split(token, ".")
	if len(parts) < 2 || len(parts) > 3 || len(s.opts.FeedSecret) == 0 {
		return nil, notFound
	}
	userID, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		return nil, notFound
	}
	gen := 0
	if len(parts) == 3 {
		if gen, err = strconv.Atoi(parts[1]); err != nil || gen <= 0 {
			return nil, notFound
		}
	}
	if !hmac.Equal([]byte(token), []byte(s.feedToken(ter.ID, userID, gen))) {
		return nil, notFound
	}
	current, err := s.store.FeedGeneration(ctx, ter.ID, userID)
	if err != nil {
		return nil, err
	}
	if current != gen {
		return nil, notFound
	}
	now := s.clock()
	from, to := now.Add(-feedPast), now.Add(feedFuture)
	var events []calendar.Event
	add := func(uid, summary, status string, start time.Time, seconds int64) {
		events = append(events, calendar.Event{UID: uid, Start: start, End: start.Add(time.Duration(max(seconds, 600)) * time.Second),
			Summary: summary, Status: status})
	}
	trips, err := s.store.TripsOf(ctx, ter.ID, userID, 200)
	if err != nil {
		return nil, err
	}
	for _, t := range trips {
		if t.Kind != KindOffer || t.Status != TripActive {
			continue
		}
		occs, err := s.store.Occurrences(ctx, ter.ID, t.ID, from, 200)
		if err != nil {
			return nil, err
		}
		for _, o := range occs {
			if o.DepartsAt.After(to) || o.Status != TripActive {
				continue
			}
			a, b := t.From.Label, t.To.Label
			if o.Return {
				a, b = b, a
			}
			add(fmt.Sprintf("trip-occurrence-%d@%s", o.ID, ter.Slug), "🚗 "+a+" → "+b, calendar.Confirmed, o.DepartsAt, t.RouteSeconds)
		}
	}
	bookings, err := s.store.Bookings(ctx, ter.ID, BookingFilter{PassengerID: userID, Statuses: []BookingStatus{BookingPending, BookingAccepted}})
	if err != nil {
		return nil, err
	}
	for _, b := range bookings {
		if b.DepartsAt.Before(from) || b.DepartsAt.After(to) {
			continue
		}
		status := calendar.Confirmed
		if b.Status == BookingPending {
			status = calendar.Tentative
		}
		add(fmt.Sprintf("trip-booking-%d@%s", b.ID, ter.Slug), b.FromLabel+" → "+b.ToLabel, status, b.DepartsAt, 0)
	}
	data, err := calendar.Feed{ProductID: "-//Sharing City//Carpooling//FR", Name: ter.Name, Location: ter.Location(),
		Stamp: now, Events: events}.Bytes()
	if err != nil {
		return nil, fmt.Errorf("mobility: write feed: %w", err)
	}
	return data, nil
}
