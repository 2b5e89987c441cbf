package booking

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Calendar feeds (RFC 5545). Times are written in the territory's zone with
// its TZID and a VTIMEZONE built from Go's zone data over the feed's range,
// so calendar programs show the local times members booked.

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
	events := make([]feedEvent, 0, len(list))
	for _, res := range list {
		summary := busy
		if r.Quantity > 1 {
			summary = fmt.Sprintf("%s (%d/%d)", busy, res.Quantity, r.Quantity)
		}
		events = append(events, feedEvent{uid: fmt.Sprintf("reservation-%d@%s", res.ID, ter.Slug), start: res.Start, end: res.End,
			summary: summary, status: "CONFIRMED"})
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
	events := make([]feedEvent, 0, len(list))
	for _, res := range list {
		st := "CONFIRMED"
		if res.Status == StatusPending || res.Status == StatusOffered {
			st = "TENTATIVE"
		}
		events = append(events, feedEvent{uid: fmt.Sprintf("reservation-%d@%s", res.ID, ter.Slug), start: res.Start, end: res.End,
			summary: res.ResourceName, status: st, description: string(res.Status)})
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

type feedEvent struct {
	uid, summary, status, description string
	start, end                        time.Time
}

func writeFeed(name string, loc *time.Location, now time.Time, events []feedEvent) ([]byte, error) {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, "-//Sharing City//Booking//FR")
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	cal.Props.SetText("X-WR-CALNAME", name)
	cal.Props.SetText("X-WR-TIMEZONE", loc.String())
	from, to := now.Add(-feedPast), now.Add(feedFuture)
	for _, e := range events {
		if e.start.Before(from) {
			from = e.start
		}
		if e.end.After(to) {
			to = e.end
		}
	}
	if loc != time.UTC {
		cal.Children = append(cal.Children, vtimezone(loc, from, to))
	}
	for _, e := range events {
		ev := ical.NewEvent()
		ev.Props.SetText(ical.PropUID, e.uid)
		ev.Props.SetDateTime(ical.PropDateTimeStamp, now.UTC())
		ev.Props.SetDateTime(ical.PropDateTimeStart, e.start.In(loc))
		ev.Props.SetDateTime(ical.PropDateTimeEnd, e.end.In(loc))
		ev.Props.SetText(ical.PropSummary, e.summary)
		ev.Props.SetText(ical.PropStatus, e.status)
		ev.Props.SetText(ical.PropTransparency, "OPAQUE")
		if e.description != "" {
			ev.Props.SetText(ical.PropDescription, e.description)
		}
		cal.Children = append(cal.Children, ev.Component)
	}
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, fmt.Errorf("booking: encode feed: %w", err)
	}
	return buf.Bytes(), nil
}

// vtimezone describes loc between from and to: one observance per
// transition, plus the one in force at from.
func vtimezone(loc *time.Location, from, to time.Time) *ical.Component {
	tz := ical.NewComponent(ical.CompTimezone)
	tz.Props.SetText(ical.PropTimezoneID, loc.String())
	add := func(at time.Time, before, after time.Time) {
		name := ical.CompTimezoneStandard
		if after.IsDST() {
			name = ical.CompTimezoneDaylight
		}
		c := ical.NewComponent(name)
		_, offFrom := before.Zone()
		abbr, offTo := after.Zone()
		start := ical.NewProp(ical.PropDateTimeStart)
		start.Value = at.Add(time.Duration(offFrom) * time.Second).UTC().Format("20060102T150405")
		c.Props.Set(start)
		c.Props.SetText(ical.PropTimezoneOffsetFrom, offset(offFrom))
		c.Props.SetText(ical.PropTimezoneOffsetTo, offset(offTo))
		c.Props.SetText(ical.PropTimezoneName, abbr)
		tz.Children = append(tz.Children, c)
	}
	t := from.In(loc)
	zoneStart, _ := t.ZoneBounds()
	if zoneStart.IsZero() {
		zoneStart = time.Date(1970, 1, 1, 0, 0, 0, 0, loc)
	}
	add(zoneStart, zoneStart.Add(-time.Second).In(loc), zoneStart.In(loc))
	for i := 0; i < 200; i++ {
		_, end := t.ZoneBounds()
		if end.IsZero() || end.After(to) {
			break
		}
		add(end, end.Add(-time.Second).In(loc), end.In(loc))
		t = end.In(loc)
	}
	return tz
}

func offset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	return fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec/60%60)
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
