package mobility

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/ledger"
	"github.com/sharingcity/sharingcity/internal/mail"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Sweep sends the reminders of departures coming within RemindBefore and
// pays the contributions in units of departures past by PayAfter. Several
// instances may run it: a reminder is claimed by a guarded UPDATE, and a
// payment carries the booking as its idempotency key, so the ledger moves
// units once whatever happens. It returns the reminders sent and the
// bookings paid.
func (s *Service) Sweep(ctx context.Context) (reminded, paid int, err error) {
	now := s.clock()
	if s.opts.Mail != nil && s.opts.People != nil {
		occs, err := s.store.DueReminders(ctx, now, now.Add(s.opts.RemindBefore), 200)
		if err != nil {
			return 0, 0, fmt.Errorf("mobility: due reminders: %w", err)
		}
		for _, o := range occs {
			n, err := s.remind(ctx, o)
			if err != nil {
				return reminded, paid, err
			}
			reminded += n
		}
	}
	if s.opts.Ledger != nil {
		due, err := s.store.Unpaid(ctx, now.Add(-s.opts.PayAfter), 200)
		if err != nil {
			return reminded, 0, fmt.Errorf("mobility: unpaid: %w", err)
		}
		for _, b := range due {
			ok, err := s.pay(ctx, b)
			if err != nil {
				return reminded, paid, err
			}
			if ok {
				paid++
			}
		}
	}
	return reminded, paid, nil
}

// remind claims an occurrence's reminder and mails its driver and accepted
// passengers; an occurrence nobody booked is claimed and sends nothing.
func (s *Service) remind(ctx context.Context, o Occurrence) (int, error) {
	ok, err := s.store.ClaimReminder(ctx, o.TerritoryID, o.ID)
	if err != nil || !ok {
		return 0, err
	}
	bookings, err := s.store.Bookings(ctx, o.TerritoryID, BookingFilter{OccurrenceID: o.ID, Statuses: []BookingStatus{BookingAccepted}})
	if err != nil || len(bookings) == 0 {
		return 0, err
	}
	ter, err := s.ters.ByID(ctx, o.TerritoryID)
	if err != nil {
		return 0, err
	}
	link := s.opts.BaseURL + "/t/" + ter.Slug + "/trips/" + strconv.FormatInt(o.TripID, 10)
	when := o.LocalDate + " " + o.LocalTime
	to := []int64{bookings[0].DriverID}
	for _, b := range bookings {
		to = append(to, b.PassengerID)
	}
	sent := 0
	for _, uid := range to {
		email, name, lang, err := s.opts.People.Contact(ctx, uid)
		if errs.Is(err, errs.NotFound) {
			continue
		}
		if err != nil {
			return sent, err
		}
		if err := s.opts.Mail.Send(ctx, reminderMail(email, name, lang, when, link)); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

func reminderMail(to, name, lang, when, link string) mail.Message {
	if name == "" {
		name = to
	}
	if lang == "en" {
		return mail.Message{To: to, Subject: "Carpool reminder: " + when,
			Body: "Hello " + name + ",\n\nYour carpool leaves on " + when + " (local time).\n\n" + link + "\n"}
	}
	return mail.Message{To: to, Subject: "Rappel de covoiturage : " + when,
		Body: "Bonjour " + name + ",\n\nVotre covoiturage part le " + when + " (heure locale).\n\n" + link + "\n"}
}

// PayContribution lets the passenger pay a contribution in units after the
// departure, when the automatic payment was refused (or has not run yet).
// The ledger's answer comes back as is: a limit is a Conflict with its
// readable reason.
func (s *Service) PayContribution(ctx context.Context, actor access.Actor, ter *territory.Territory, bookingID int64) (*Booking, error) {
	b, err := s.partyBooking(ctx, actor, ter, bookingID)
	if err != nil {
		return nil, err
	}
	switch err := s.mayBooking(b, actor.UserID, ActPay, s.clock()); {
	case err == errPaid:
		return b, nil
	case err != nil:
		return nil, err
	}
	entry, err := s.transfer(ctx, actor, ter, b)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.SetPaid(ctx, ter.ID, b.ID, entry); err != nil {
		return nil, err
	}
	b.PaidEntry = entry
	return b, nil
}

// transfer moves a booking's units from the passenger to the driver,
// keyed by the booking: however often it is asked, units move once.
func (s *Service) transfer(ctx context.Context, payer access.Actor, ter *territory.Territory, b *Booking) (int64, error) {
	t, err := s.store.GetTrip(ctx, b.TerritoryID, b.TripID)
	if err != nil {
		return 0, err
	}
	tr, err := s.opts.Ledger.Transfer(ctx, payer, ter, ledger.TransferInput{
		To: "member:" + strconv.FormatInt(b.DriverID, 10), Currency: t.Contribution.Currency, Amount: b.UnitsDue,
		Reason: "Covoiturage " + b.DepartsAt.In(ter.Location()).Format("02/01/2006 15:04"), Category: "transport",
		IdemKey: "mobility:booking:" + strconv.FormatInt(b.ID, 10)})
	if err != nil {
		return 0, err
	}
	return tr.ID, nil
}

// pay moves a booking's contribution in units from the passenger to the
// driver. A refusal by the ledger (a limit, a closed account) is recorded
// (-1) and left to the passenger; only other errors are retried.
func (s *Service) pay(ctx context.Context, b *Booking) (bool, error) {
	ter, err := s.ters.ByID(ctx, b.TerritoryID)
	if err != nil {
		return false, err
	}
	// The passenger agreed to the contribution by booking: the payment is
	// made in their name.
	payer := access.Actor{UserID: b.PassengerID, Roles: map[int64]access.Role{ter.ID: access.Member}}
	entry, err := s.transfer(ctx, payer, ter, b)
	switch k := errs.KindOf(err); {
	case err == nil:
	case k == errs.Invalid || k == errs.Conflict || k == errs.Forbidden || k == errs.NotFound:
		entry = -1
		s.log.WarnContext(ctx, "mobility: contribution refused by the ledger", "booking", b.ID, "err", err)
	default:
		return false, fmt.Errorf("mobility: pay booking %d: %w", b.ID, err)
	}
	ok, err := s.store.SetPaid(ctx, b.TerritoryID, b.ID, entry)
	return ok && entry > 0, err
}

// DefaultEmissionFactor is the kg of CO2 per km of an average car (ADEME,
// Base Empreinte): each passenger-km shared is a car-km not driven.
const DefaultEmissionFactor = 0.218

// Month is a month of carpooling in a territory.
type Month struct {
	Month       string  `json:"month"` // YYYY-MM, local
	Trips       int     `json:"trips"` // departures with at least one accepted booking
	Seats       int     `json:"seats_filled"`
	PassengerKm float64 `json:"km_shared"` // seats times the route's length
	CO2Kg       float64 `json:"co2_avoided_kg"`
}

// Indicators are the territory's figures per month over [from, to), all
// public (no names), optionally for the trips to one organisation.
type Indicators struct {
	EmissionFactor float64 `json:"emission_factor_kg_per_km"`
	Months         []Month `json:"months"`
}

// Indicators computes the figures per month.
func (s *Service) Indicators(ctx context.Context, territoryID, organisationID int64, from, to time.Time) (*Indicators, error) {
	if !to.After(from) || to.Sub(from) > 5*366*24*time.Hour {
		return nil, errs.E(errs.Invalid, "err.mobility.range")
	}
	months, err := s.store.Indicators(ctx, territoryID, organisationID, from, to)
	if err != nil {
		return nil, err
	}
	for i := range months {
		months[i].PassengerKm = float64(int(months[i].PassengerKm*10+0.5)) / 10
		months[i].CO2Kg = float64(int(months[i].PassengerKm*s.opts.EmissionFactor*10+0.5)) / 10
	}
	return &Indicators{EmissionFactor: s.opts.EmissionFactor, Months: months}, nil
}
