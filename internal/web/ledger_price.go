package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/ledger"
	"github.com/sharingcity/sharingcity/internal/offers"
)

// The price of a listing in the ledger (TIME or a local currency), on the
// offers module's new-listing and edit forms: fields ledger_currency
// (empty for no price) and ledger_amount, saved through ledger.SetPrice,
// which the exchange pays when both sides mark it done.

// listingEditView is the offers form's view (new or edit) with the
// ledger's currencies.
type listingEditView struct {
	listingFormView
	LedgerCurrencies []*ledger.Currency
}

func (s *Server) listingEditView(ctx context.Context, p *Page, v listingFormView) listingEditView {
	curs, err := s.Ledger.Currencies(ctx, p.Territory)
	if err != nil {
		curs = nil // the form still edits the listing; the price fields hide
	}
	return listingEditView{listingFormView: v, LedgerCurrencies: curs}
}

// fillLedgerPrice shows the listing's current price in the form.
func (s *Server) fillLedgerPrice(ctx context.Context, p *Page, listingID int64) {
	pr, err := s.Ledger.Price(ctx, p.Territory, listingID)
	if err != nil {
		return
	}
	cur, err := s.Ledger.Currency(ctx, p.Territory, pr.Currency)
	if err != nil {
		return
	}
	p.Form.Set("ledger_currency", pr.Currency)
	p.Form.Set("ledger_amount", amountText(pr.Amount, cur.Code, cur.Decimals, p.Lang))
}

// ledgerPriceFromForm reads the price fields: no currency is no price
// (amount 0, which removes one). Bad input comes back as fields.
func (s *Server) ledgerPriceFromForm(r *http.Request, p *Page) (string, int64, []errs.FieldError, error) {
	code := strings.TrimSpace(p.Form.Get("ledger_currency"))
	if code == "" {
		return "", 0, nil, nil
	}
	n, _, err := s.parseAmountField(r, p.Territory, code, "ledger_amount", p.Form.Get("ledger_amount"))
	e, ok := errs.As(err)
	switch {
	case err == nil:
		return code, n, nil, nil
	case !ok || e.Kind != errs.Invalid:
		return "", 0, nil, err
	case len(e.Fields) == 0: // the currency
		return "", 0, []errs.FieldError{{Field: "ledger_currency", Key: e.Key, Args: e.Args}}, nil
	}
	return "", 0, e.Fields, nil
}

// saveLedgerPrice sets (or with amount 0 removes) the listing's price.
func (s *Server) saveLedgerPrice(ctx context.Context, p *Page, listingID int64, code string, amount int64) error {
	if code == "" {
		code = ledger.TimeCode
	}
	_, err := s.Ledger.SetPrice(ctx, p.Actor, p.Territory, s.Offers, listingID, code, amount, "")
	return err
}

// priceNewListing saves the price of listing l, just created from the new
// form (the fields were read before, so only a rare failure is left, such
// as a currency removed meanwhile). The listing exists then, so the form
// comes back as its edit form, where posting again does not create a
// second one. It reports whether the handler may go on.
func (s *Server) priceNewListing(w http.ResponseWriter, r *http.Request, p *Page, l *offers.Listing, code string, amount int64) bool {
	if code == "" {
		return true
	}
	err := s.saveLedgerPrice(r.Context(), p, l.ID, code, amount)
	if err == nil {
		return true
	}
	k := errs.KindOf(err)
	if k == errs.Internal || k == errs.Unauthenticated {
		s.renderError(w, r, err)
		return false
	}
	p.Errors = append(p.Errors, p.L.T("ledger.price_after_create"))
	p.setErr(err)
	s.renderEditForm(w, r, p, l, statusOf(k))
	return false
}
