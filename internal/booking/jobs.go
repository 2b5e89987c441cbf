package booking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/jobs"
	"github.com/sharingcity/sharingcity/internal/mail"
)

// Job kinds of the module.
const (
	JobOfferExpire = "booking.offer_expire" // one per offer, at its expiry
	JobMail        = "booking.mail"         // one per notice (offer, approved, refused)
	JobSweep       = "booking.sweep"        // periodic: reminders, and expiries a lost job missed
)

// RegisterJobs hooks the module's jobs into the queue (jobs.Queue's
// Register and Every). All are idempotent: reminders are claimed by a
// guarded UPDATE of a bit, expiries check the status again.
func (s *Service) RegisterJobs(register func(kind string, h func(ctx context.Context, args json.RawMessage) error), every func(kind string, interval time.Duration)) {
	register(JobOfferExpire, func(ctx context.Context, raw json.RawMessage) error {
		var a jobArgs
		if err := json.Unmarshal(raw, &a); err != nil {
			return jobs.Permanent(err)
		}
		ter, err := s.ters.ByID(ctx, a.TerritoryID)
		if err != nil {
			return jobs.Permanent(err)
		}
		return s.ExpireOffer(ctx, ter, a.ReservationID)
	})
	register(JobMail, func(ctx context.Context, raw json.RawMessage) error {
		var a jobArgs
		if err := json.Unmarshal(raw, &a); err != nil {
			return jobs.Permanent(err)
		}
		err := s.notify(ctx, a.TerritoryID, a.ReservationID, a.What)
		if errs.Is(err, errs.NotFound) {
			return jobs.Permanent(err)
		}
		return err
	})
	register(JobSweep, func(ctx context.Context, _ json.RawMessage) error {
		_, err := s.Sweep(ctx)
		return err
	})
	every(JobSweep, s.opts.SweepEvery)
}

// Sweep expires offers past their time and sends the due reminders; it
// returns how many reminders went out. Several instances may run it: each
// reminder is claimed once.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.clock()
	var failed []error
	offers, err := s.store.ExpiredOffers(ctx, now, 500)
	if err != nil {
		return 0, fmt.Errorf("booking: expired offers: %w", err)
	}
	for _, o := range offers {
		ter, err := s.ters.ByID(ctx, o.TerritoryID)
		if err == nil {
			err = s.ExpireOffer(ctx, ter, o.ID)
		}
		if err != nil {
			failed = append(failed, err)
		}
	}
	holds, err := s.store.HoldCandidates(ctx, now, 500)
	if err != nil {
		return 0, fmt.Errorf("booking: holds: %w", err)
	}
	for _, h := range holds {
		ter, err := s.ters.ByID(ctx, h[0])
		if err == nil {
			err = s.ReviewHolds(ctx, ter, h[1])
		}
		if err != nil {
			failed = append(failed, err)
		}
	}
	sent := 0
	for _, bit := range []int{RemindStart, RemindDue, RemindOverdue} {
		due, err := s.store.DueReminders(ctx, bit, now, s.opts.RemindBefore, 500)
		if err != nil {
			return sent, fmt.Errorf("booking: due reminders: %w", err)
		}
		for _, r := range due {
			ok, err := s.store.ClaimReminder(ctx, r.TerritoryID, r.ID, bit)
			if err != nil || !ok {
				if err != nil {
					failed = append(failed, err)
				}
				continue
			}
			if err := s.sendReminder(ctx, r, bit); err != nil {
				// Give the claim back so the next sweep tries again.
				if uerr := s.store.UnclaimReminder(context.WithoutCancel(ctx), r.TerritoryID, r.ID, bit); uerr != nil {
					err = errors.Join(err, uerr)
				}
				if !errs.Is(err, errs.NotFound) {
					failed = append(failed, err)
				}
				continue
			}
			sent++
		}
	}
	if len(failed) > 5 {
		failed = failed[:5]
	}
	return sent, errors.Join(failed...)
}

func (s *Service) sendReminder(ctx context.Context, r *Reservation, bit int) error {
	what := map[int]string{RemindStart: "start", RemindDue: "due", RemindOverdue: "overdue"}[bit]
	return s.mailAbout(ctx, r, what)
}

// notify sends the notice what about a reservation.
func (s *Service) notify(ctx context.Context, territoryID, id int64, what string) error {
	r, err := s.store.GetReservation(ctx, territoryID, id)
	if err != nil {
		return err
	}
	return s.mailAbout(ctx, r, what)
}

func (s *Service) mailAbout(ctx context.Context, r *Reservation, what string) error {
	if s.mail == nil || s.people == nil {
		return nil
	}
	ter, err := s.ters.ByID(ctx, r.TerritoryID)
	if err != nil {
		return err
	}
	email, name, lang, err := s.people.Contact(ctx, r.UserID)
	if err != nil {
		return err
	}
	link := strings.TrimRight(s.opts.BaseURL, "/") + "/t/" + ter.Slug + "/reservations"
	m := noticeMail(email, name, lang, what, r, ter.Location(), link)
	return s.mail.Send(ctx, m)
}

// noticeMail writes the e-mails in French (default) or English.
func noticeMail(to, name, lang, what string, r *Reservation, loc *time.Location, link string) mail.Message {
	en := lang == "en"
	layout := "02/01/2006 15:04"
	if en {
		layout = "2006-01-02 15:04"
	}
	start, end := r.Start.In(loc).Format(layout), r.End.In(loc).Format(layout)
	var subject, body string
	switch what {
	case "offer":
		until := ""
		if r.OfferExpiresAt != nil {
			until = r.OfferExpiresAt.In(loc).Format(layout)
		}
		subject = map[bool]string{false: "Une place s'est libérée : " + r.ResourceName, true: "A slot opened up: " + r.ResourceName}[en]
		body = map[bool]string{
			false: fmt.Sprintf("« %s » est disponible du %s au %s, comme vous l'attendiez.\nIl vous est réservé jusqu'au %s : confirmez-le sur votre page de réservations, sinon il passera à la personne suivante.", r.ResourceName, start, end, until),
			true:  fmt.Sprintf("“%s” is free from %s to %s, as you were waiting for.\nIt is held for you until %s: take it up on your reservations page, or it goes to the next person.", r.ResourceName, start, end, until),
		}[en]
	case "approved":
		subject = map[bool]string{false: "Réservation acceptée : " + r.ResourceName, true: "Reservation approved: " + r.ResourceName}[en]
		body = map[bool]string{false: fmt.Sprintf("Votre réservation de « %s » du %s au %s est acceptée.", r.ResourceName, start, end),
			true: fmt.Sprintf("Your reservation of “%s” from %s to %s is approved.", r.ResourceName, start, end)}[en]
	case "refused":
		subject = map[bool]string{false: "Réservation refusée : " + r.ResourceName, true: "Reservation refused: " + r.ResourceName}[en]
		body = map[bool]string{false: fmt.Sprintf("Votre réservation de « %s » du %s au %s n'a pas été acceptée.\n%s", r.ResourceName, start, end, r.StaffNote),
			true: fmt.Sprintf("Your reservation of “%s” from %s to %s was not approved.\n%s", r.ResourceName, start, end, r.StaffNote)}[en]
	case "start":
		subject = map[bool]string{false: "Rappel : " + r.ResourceName + " le " + start, true: "Reminder: " + r.ResourceName + " on " + start}[en]
		body = map[bool]string{false: fmt.Sprintf("Votre réservation de « %s » commence le %s (jusqu'au %s).", r.ResourceName, start, end),
			true: fmt.Sprintf("Your reservation of “%s” starts on %s (until %s).", r.ResourceName, start, end)}[en]
	case "due":
		subject = map[bool]string{false: "À rendre bientôt : " + r.ResourceName, true: "Due soon: " + r.ResourceName}[en]
		body = map[bool]string{false: fmt.Sprintf("« %s » est à rendre le %s. Si personne ne l'attend, vous pouvez prolonger l'emprunt.", r.ResourceName, end),
			true: fmt.Sprintf("“%s” is due back on %s. If nobody is waiting for it, you can renew the loan.", r.ResourceName, end)}[en]
	case "held":
		subject = map[bool]string{false: "Pas encore revenu : " + r.ResourceName, true: "Not back yet: " + r.ResourceName}[en]
		body = map[bool]string{false: fmt.Sprintf("« %s », que vous avez réservé du %s au %s, n'est pas encore revenu : l'emprunt précédent est en retard. Votre réservation attend son retour ; nous vous écrirons dès qu'il sera là.", r.ResourceName, start, end),
			true: fmt.Sprintf("“%s”, which you booked from %s to %s, is not back yet: the previous loan is overdue. Your reservation waits for its return; we will write as soon as it is here.", r.ResourceName, start, end)}[en]
	case "released":
		subject = map[bool]string{false: "De retour : " + r.ResourceName, true: "Back: " + r.ResourceName}[en]
		body = map[bool]string{false: fmt.Sprintf("« %s » est revenu : votre réservation du %s au %s tient.", r.ResourceName, start, end),
			true: fmt.Sprintf("“%s” is back: your reservation from %s to %s stands.", r.ResourceName, start, end)}[en]
	case "overdue":
		subject = map[bool]string{false: "En retard : " + r.ResourceName, true: "Overdue: " + r.ResourceName}[en]
		body = map[bool]string{false: fmt.Sprintf("« %s » devait être rendu le %s. Merci de le rapporter : d'autres l'attendent peut-être, et vous ne pourrez rien emprunter d'autre avant.", r.ResourceName, end),
			true: fmt.Sprintf("“%s” was due back on %s. Please bring it back: others may be waiting, and you cannot borrow anything else until then.", r.ResourceName, end)}[en]
	}
	greet := map[bool]string{false: "Bonjour", true: "Hello"}[en]
	if name != "" {
		greet += " " + name
	}
	return mail.Message{To: to, Subject: subject, Body: greet + ",\n\n" + body + "\n\n" + link + "\n"}
}
