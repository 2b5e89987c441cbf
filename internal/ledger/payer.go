package ledger

import (
	"context"
	"fmt"
	"strconv"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/offers"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Listings is what the ledger asks the offers module about a listing.
type Listings interface {
	Get(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*offers.Listing, error)
}

// Payer pays for the exchanges of the offers module: it implements
// offers.Payer with the prices that listings' owners set in the ledger.
type Payer struct {
	svc *Service
}

// Payer returns the hook the offers service calls when an exchange is done.
func (s *Service) Payer() *Payer { return &Payer{svc: s} }

var _ offers.Payer = (*Payer)(nil)

// PayForExchange moves the listing's price, if it has one, between the
// two sides of a done exchange. It runs inside the offers transaction
// (carried in ctx), so a refused payment leaves the exchange accepted.
// The entry's idempotency key is the exchange: it is never paid twice.
func (p *Payer) PayForExchange(ctx context.Context, ex *offers.Exchange) error {
	s := p.svc
	return s.store.WithTx(ctx, func(st Store) error {
		price, err := st.Price(ctx, ex.TerritoryID, ex.ListingID)
		if errs.KindOf(err) == errs.NotFound {
			return nil
		}
		if err != nil {
			return err
		}
		cur, err := st.CurrencyByID(ctx, ex.TerritoryID, price.CurrencyID)
		if err != nil {
			return err
		}
		payer, payee := ex.RequesterID, ex.OwnerID
		if price.Payer == PayerOwner {
			payer, payee = payee, payer
		}
		from, err := s.holderAccount(ctx, st, cur, OwnerMember, payer)
		if err != nil {
			return err
		}
		to, err := s.holderAccount(ctx, st, cur, OwnerMember, payee)
		if err != nil {
			return err
		}
		e := &Entry{TerritoryID: ex.TerritoryID, Kind: EntryPayment, Reason: ex.ListingTitle, Category: price.Category,
			IdemKey: "exchange:" + strconv.FormatInt(ex.ID, 10), ExchangeID: ex.ID, ListingID: ex.ListingID,
			CreatedBy: payer, CreatedAt: s.clock(),
			Postings: []Posting{
				{AccountID: from.ID, TerritoryID: ex.TerritoryID, CurrencyID: cur.ID, Amount: -price.Amount},
				{AccountID: to.ID, TerritoryID: ex.TerritoryID, CurrencyID: cur.ID, Amount: price.Amount}}}
		got, _, err := s.post(ctx, st, e)
		if err != nil {
			return err
		}
		ex.Payment = &offers.PaymentRef{TransferID: strconv.FormatInt(got.ID, 10)}
		return nil
	})
}

// SetPrice prices a listing in a ledger currency: its owner only. For an
// offer the requester pays the owner; for a request, the owner pays.
// amount 0 removes the price.
func (s *Service) SetPrice(ctx context.Context, actor access.Actor, ter *territory.Territory, listings Listings, listingID int64,
	code string, amount int64, category string) (*Price, error) {
	if err := s.requireMember(actor, ter); err != nil {
		return nil, err
	}
	l, err := listings.Get(ctx, actor, ter, listingID)
	if err != nil {
		return nil, err
	}
	if l.OwnerID != actor.UserID {
		return nil, errs.E(errs.Forbidden, "err.listing_owner_only")
	}
	if amount == 0 {
		return nil, s.store.DeletePrice(ctx, ter.ID, listingID)
	}
	var v errs.Validator
	v.Check(amount > 0 && amount <= MaxAmount, "amount", "err.ledger.amount_positive")
	v.Check(ValidCategory(category), "category", "err.ledger.category_unknown")
	if err := v.Err(); err != nil {
		return nil, err
	}
	cur, err := s.currency(ctx, s.store, ter.ID, code)
	if err != nil {
		return nil, err
	}
	p := &Price{TerritoryID: ter.ID, ListingID: listingID, CurrencyID: cur.ID, Currency: cur.Code, Amount: amount,
		Payer: PayerRequester, Category: category, SetBy: actor.UserID, UpdatedAt: s.clock()}
	if l.Kind == offers.KindRequest {
		p.Payer = PayerOwner
	}
	if err := s.store.SetPrice(ctx, p); err != nil {
		return nil, fmt.Errorf("ledger: price of %d: %w", listingID, err)
	}
	return p, nil
}

// Price returns a listing's price, or NotFound. Public, like listings.
func (s *Service) Price(ctx context.Context, ter *territory.Territory, listingID int64) (*Price, error) {
	return s.store.Price(ctx, ter.ID, listingID)
}
