package mobility

import (
	"context"
	"encoding/json"
	"time"
)

// Job kinds of the module.
const (
	JobExtend = "mobility.extend" // periodic: materialise weekly schedules up to the horizon
	JobSweep  = "mobility.sweep"  // periodic: reminders before departures, contributions after
)

// RegisterJobs hooks the module's jobs into the queue (jobs.Queue's
// Register and Every). Extending is idempotent: an occurrence is unique by
// trip, local date and direction.
func (s *Service) RegisterJobs(register func(kind string, h func(ctx context.Context, args json.RawMessage) error), every func(kind string, interval time.Duration)) {
	register(JobExtend, func(ctx context.Context, _ json.RawMessage) error {
		n, err := s.ExtendHorizon(ctx)
		if n > 0 {
			s.log.InfoContext(ctx, "mobility: schedules extended", "occurrences", n)
		}
		return err
	})
	every(JobExtend, s.opts.ExtendEvery)
	register(JobSweep, func(ctx context.Context, _ json.RawMessage) error {
		_, _, err := s.Sweep(ctx)
		return err
	})
	every(JobSweep, s.opts.SweepEvery)
}
