package jobs

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"
)

// bookkeepingTimeout bounds the writes that record a job's outcome. They run
// on a context detached from shutdown, so a forced stop still records them.
const bookkeepingTimeout = 30 * time.Second

// sweepEvery spaces the housekeeping of idle workers: failing jobs whose
// last lease ran out and pruning old failures are not urgent.
const sweepEvery = time.Minute

// Start runs the workers in the background until Stop. ctx only lends its
// values: cancelling it does not stop the queue, so a shutdown signal can
// let running jobs finish through Stop. A stopped queue does not restart.
func (q *Queue) Start(ctx context.Context) error {
	q.mu.Lock()
	if q.started {
		q.mu.Unlock()
		return errors.New("jobs: queue already started")
	}
	for kind := range q.every {
		if q.handlers[kind] == nil {
			q.mu.Unlock()
			return fmt.Errorf("jobs: periodic kind %s has no handler", kind)
		}
	}
	q.started = true // freezes Register and Every
	q.mu.Unlock()

	if err := q.ensurePeriodic(ctx); err != nil {
		q.mu.Lock()
		q.started = false
		q.mu.Unlock()
		return err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	q.stopping, q.done, q.cancel = make(chan struct{}), make(chan struct{}), cancel
	go q.dispatch(runCtx, q.stopping, q.done)
	return nil
}

// Stop claims no more jobs and waits for the running ones. When ctx ends
// first, their contexts are cancelled, Stop waits for the handlers to
// return, gives the interrupted jobs back to the queue without counting the
// attempt, and returns ctx's error.
func (q *Queue) Stop(ctx context.Context) error {
	q.mu.Lock()
	if !q.started || q.stopping == nil {
		q.mu.Unlock()
		return nil
	}
	stopping, done, cancel := q.stopping, q.done, q.cancel
	q.stopping = nil
	q.mu.Unlock()

	close(stopping)
	finished := make(chan struct{})
	go func() {
		<-done // no running.Add after this: Wait must not race with it
		q.running.Wait()
		close(finished)
	}()
	defer cancel()
	select {
	case <-finished:
		return nil
	case <-ctx.Done():
		cancel()
		<-finished
		return ctx.Err()
	}
}

// dispatch claims a job whenever a worker slot is free and runs it in its
// own goroutine; when nothing is due it sleeps until the poll interval or a
// local Enqueue.
func (q *Queue) dispatch(ctx context.Context, stopping <-chan struct{}, done chan<- struct{}) {
	defer close(done)

	slots := make(chan struct{}, q.opts.Workers)
	var swept time.Time
	idle := time.NewTimer(q.opts.Poll)
	defer idle.Stop()
	for {
		select {
		case slots <- struct{}{}:
		case <-stopping:
			return
		}
		c, err := q.claim(ctx)
		if err == nil && c != nil {
			q.running.Add(1)
			go func() {
				defer q.running.Done()
				defer func() { <-slots }()
				if err := q.run(ctx, c); err != nil {
					q.log.Error("jobs: recording outcome", "job", c.id, "kind", c.kind, "err", err)
				}
			}()
			continue
		}
		<-slots
		if err != nil {
			q.log.Error("jobs: claiming", "err", err)
		}
		idle.Reset(q.opts.Poll)
		select {
		case <-stopping:
			return
		case <-q.wake:
		case <-idle.C:
			if time.Since(swept) >= sweepEvery {
				swept = time.Now()
				if err := q.sweep(ctx); err != nil {
					q.log.Error("jobs: sweeping", "err", err)
				}
			}
		}
	}
}

// RunDue runs every job due now, one after another, and returns how many ran
// (failures included). It is for tests and the CLI; it may run beside Start.
func (q *Queue) RunDue(ctx context.Context) (ran int, err error) {
	if err := q.ensurePeriodic(ctx); err != nil {
		return 0, err
	}
	if err := q.sweep(ctx); err != nil {
		return 0, err
	}
	for {
		c, err := q.claim(ctx)
		if err != nil {
			return ran, err
		}
		if c == nil {
			return ran, nil
		}
		ran++
		if err := q.run(ctx, c); err != nil {
			return ran, err
		}
	}
}

// run calls the handler of a claimed job, renewing its lease meanwhile, and
// records the outcome. The error is about recording, not about the job.
func (q *Queue) run(ctx context.Context, c *claimed) error {
	h, interval := q.handler(c.kind)
	hctx, cancel := context.WithTimeout(ctx, q.opts.Timeout)
	hctx = context.WithValue(hctx, infoKey{}, Info{ID: c.id, Kind: c.kind, Attempt: c.attempts, MaxAttempts: c.maxAttempts})
	stopRenew := q.renewLease(hctx, c)
	start := time.Now()
	err := call(hctx, h, c)
	stopRenew()
	cancel()

	bctx, bcancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeepingTimeout)
	defer bcancel()
	log := q.log.With("job", c.id, "kind", c.kind, "attempt", c.attempts, "took", time.Since(start))
	var perm *permanentError
	switch {
	case err == nil:
		log.Debug("jobs: done")
		err = q.succeed(bctx, c, interval)
	case ctx.Err() != nil:
		// Stopped under us: the job did nothing wrong.
		log.Info("jobs: interrupted by shutdown, given back", "err", err)
		err = q.reschedule(bctx, c, q.now(), err, true)
	case errors.As(err, &perm) || c.attempts >= c.maxAttempts:
		log.Error("jobs: failed for good", "err", err)
		err = q.fail(bctx, c, interval, err)
	default:
		delay := q.opts.Backoff(c.attempts)
		log.Warn("jobs: failed, will retry", "err", err, "in", delay)
		err = q.reschedule(bctx, c, q.now().Add(delay), err, false)
	}
	if errors.Is(err, errLeaseLost) {
		log.Warn("jobs: lease lost while running: another worker took the job over (raise Options.Lease?)")
		return nil
	}
	return err
}

// call runs h, turning a panic into an error so one bad job cannot take the
// instance down.
func call(ctx context.Context, h Handler, c *claimed) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	if h == nil {
		return Permanent(fmt.Errorf("no handler for kind %q", c.kind))
	}
	return h(ctx, c.args)
}

// renewLease extends the claim every third of the lease while the handler
// runs, so only a dead worker's jobs are taken over.
func (q *Queue) renewLease(ctx context.Context, c *claimed) (stop func()) {
	quit := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(q.opts.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				if err := q.extend(ctx, c); err != nil && ctx.Err() == nil {
					q.log.Warn("jobs: renewing lease", "job", c.id, "err", err)
				}
			}
		}
	}()
	return func() {
		close(quit)
		<-finished
	}
}
