package mobility

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// A member's calendar feed (RFC 5545) of the departures they drive and the
// seats they booked, at a secret address: the member's id and an HMAC of
// it under the platform's secret, so no token is stored. Times are in UTC
// (calendar programs show them in the reader's zone).

const (
	feedPast   = 30 * 24 * time.Hour
	feedFuture = 90 * 24 * time.Hour
)

func (s *Service) feedMAC(territoryID, userID int64) string {
	m := hmac.New(sha256.New, s.opts.FeedSecret)
	fmt.Fprintf(m, "mobility-feed:%d:%d", territoryID, userID)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// FeedToken returns the secret token of actor's feed of trips.
func (s *Service) FeedToken(actor access.Actor, ter *territory.Territory) (string, error) {
	if err := actor.RequireUser(); err != nil {
		return "", err
	}
	if len(s.opts.FeedSecret) == 0 {
		return "", errs.E(errs.NotFound, "err.mobility.feed_not_found")
	}
	return strconv.FormatInt(actor.UserID, 10) + "." + s.feedMAC(ter.ID, actor.UserID), nil
}

// MemberFeed writes the calendar of the member whose token it is.
func (s *Service) MemberFeed(ctx context.Context, ter *territory.Territory, token string) ([]byte, error) {
	notFound := errs.E(errs.NotFound, "err.mobility.feed_not_found")
	id, mac, ok := strings.Cut(token, ".")
	userID, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil || len(s.opts.FeedSecret) == 0 || !hmac.Equal([]byte(mac), []byte(s.feedMAC(ter.ID, userID))) {
		return nil, notFound
	}
	now := s.clock()
	from, to := now.Add(-feedPast), now.Add(feedFuture)
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, "-//Sharing City//Carpooling//FR")
	cal.Props.SetText("X-WR-CALNAME", ter.Name)
	add := func(uid, summary, status string, start time.Time, seconds int64) {
		ev := ical.NewEvent()
		ev.Props.SetText(ical.PropUID, uid)
		ev.Props.SetDateTime(ical.PropDateTimeStamp, now)
		ev.Props.SetDateTime(ical.PropDateTimeStart, start.UTC())
		ev.Props.SetDateTime(ical.PropDateTimeEnd, start.UTC().Add(time.Duration(max(seconds, 600))*time.Second))
		ev.Props.SetText(ical.PropSummary, summary)
		ev.Props.SetText(ical.PropStatus, status)
		cal.Children = append(cal.Children, ev.Component)
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
			add(fmt.Sprintf("trip-occurrence-%d@%s", o.ID, ter.Slug), "🚗 "+a+" → "+b, "CONFIRMED", o.DepartsAt, t.RouteSeconds)
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
		status := "CONFIRMED"
		if b.Status == BookingPending {
			status = "TENTATIVE"
		}
		add(fmt.Sprintf("trip-booking-%d@%s", b.ID, ter.Slug), b.FromLabel+" → "+b.ToLabel, status, b.DepartsAt, 0)
	}
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, fmt.Errorf("mobility: encode feed: %w", err)
	}
	return buf.Bytes(), nil
}
