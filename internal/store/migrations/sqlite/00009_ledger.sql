-- +goose Up
-- Time bank and local currencies (internal/ledger): a double-entry ledger.
-- Amounts are integers in the smallest unit (minutes for TIME). Entries and
-- postings are immutable (triggers below): a correction is a reversing entry.
-- Each account's balance is kept on its row, changed only by a guarded
-- UPDATE in the transaction that writes the postings; the CHECK is a
-- second net under the limits. `sharingcity ledger verify` recomputes all.
CREATE TABLE ledger_currencies (
    id            INTEGER PRIMARY KEY,
    territory_id  INTEGER NOT NULL REFERENCES territories(id),
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    decimals      INTEGER NOT NULL CHECK (decimals BETWEEN 0 AND 4),
    kind          TEXT NOT NULL CHECK (kind IN ('time', 'mutual', 'issued')),
    default_lower INTEGER NOT NULL CHECK (default_lower <= 0),
    default_upper INTEGER CHECK (default_upper IS NULL OR default_upper > 0),
    created_at    TIMESTAMP NOT NULL,
    UNIQUE (territory_id, code)
);

-- owner_kind: member (owner_id = user), organisation (owner_id = org),
-- issuing (owner_id = 0) or clearing (owner_id = the partner territory).
-- System accounts have no limits (NULL).
CREATE TABLE ledger_accounts (
    id           INTEGER PRIMARY KEY,
    territory_id INTEGER NOT NULL REFERENCES territories(id),
    currency_id  INTEGER NOT NULL REFERENCES ledger_currencies(id),
    owner_kind   TEXT NOT NULL CHECK (owner_kind IN ('member', 'organisation', 'issuing', 'clearing')),
    owner_id     INTEGER NOT NULL,
    balance      INTEGER NOT NULL DEFAULT 0,
    lower_limit  INTEGER,
    upper_limit  INTEGER,
    closed_at    TIMESTAMP,
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (currency_id, owner_kind, owner_id),
    CHECK (lower_limit IS NULL OR balance >= lower_limit),
    CHECK (upper_limit IS NULL OR balance <= upper_limit)
);
CREATE INDEX ledger_accounts_owner ON ledger_accounts(territory_id, owner_kind, owner_id);

-- idem_key is unique per territory: the same request twice finds the
-- first entry instead of moving units again (NULLs do not collide).
CREATE TABLE ledger_entries (
    id           INTEGER PRIMARY KEY,
    territory_id INTEGER NOT NULL REFERENCES territories(id),
    kind         TEXT NOT NULL CHECK (kind IN ('transfer', 'timebank', 'payment', 'deposit', 'redemption', 'reversal', 'partner')),
    reason       TEXT NOT NULL DEFAULT '',
    category     TEXT NOT NULL DEFAULT '',
    idem_key     TEXT,
    exchange_id  INTEGER,
    listing_id   INTEGER,
    reverses_id  INTEGER REFERENCES ledger_entries(id),
    created_by   INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (territory_id, idem_key)
);
CREATE INDEX ledger_entries_time ON ledger_entries(territory_id, created_at);
CREATE UNIQUE INDEX ledger_entries_reversed ON ledger_entries(reverses_id) WHERE reverses_id IS NOT NULL;

-- Both indexes cover amount, so verify and statements read no table rows.
CREATE TABLE ledger_postings (
    id           INTEGER PRIMARY KEY,
    entry_id     INTEGER NOT NULL REFERENCES ledger_entries(id),
    territory_id INTEGER NOT NULL,
    account_id   INTEGER NOT NULL REFERENCES ledger_accounts(id),
    currency_id  INTEGER NOT NULL,
    amount       INTEGER NOT NULL CHECK (amount <> 0)
);
CREATE INDEX ledger_postings_entry ON ledger_postings(entry_id, currency_id, amount);
CREATE INDEX ledger_postings_account ON ledger_postings(account_id, entry_id, amount);

-- +goose StatementBegin
CREATE TRIGGER ledger_postings_immutable_u BEFORE UPDATE ON ledger_postings
BEGIN SELECT RAISE(ABORT, 'ledger postings are immutable'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_postings_immutable_d BEFORE DELETE ON ledger_postings
BEGIN SELECT RAISE(ABORT, 'ledger postings are immutable'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_entries_immutable_u BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_entries_immutable_d BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable'); END;
-- +goose StatementEnd

-- Euros in (deposit) and out (redemption) of an issued currency; units is
-- what the entry issued or withdrew from the issuing account.
CREATE TABLE ledger_deposits (
    id           INTEGER PRIMARY KEY,
    territory_id INTEGER NOT NULL REFERENCES territories(id),
    currency_id  INTEGER NOT NULL REFERENCES ledger_currencies(id),
    entry_id     INTEGER NOT NULL UNIQUE REFERENCES ledger_entries(id),
    kind         TEXT NOT NULL CHECK (kind IN ('deposit', 'redemption')),
    euro_cents   INTEGER NOT NULL CHECK (euro_cents > 0),
    units        INTEGER NOT NULL CHECK (units > 0),
    account_id   INTEGER NOT NULL REFERENCES ledger_accounts(id),
    note         TEXT NOT NULL DEFAULT '',
    created_by   INTEGER NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX ledger_deposits_currency ON ledger_deposits(territory_id, currency_id);

-- A time-bank record: hours of a service between a provider and a
-- receiver, posted when both agree, disputable for a while after.
CREATE TABLE ledger_timebank (
    id             INTEGER PRIMARY KEY,
    territory_id   INTEGER NOT NULL REFERENCES territories(id),
    provider_id    INTEGER NOT NULL,
    receiver_id    INTEGER NOT NULL,
    minutes        INTEGER NOT NULL CHECK (minutes > 0),
    category       TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    recorded_by    INTEGER NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'posted', 'confirmed', 'declined', 'disputed', 'upheld', 'reversed')),
    entry_id       INTEGER REFERENCES ledger_entries(id),
    reversal_id    INTEGER REFERENCES ledger_entries(id),
    dispute_until  TIMESTAMP,
    disputed_by    INTEGER NOT NULL DEFAULT 0,
    dispute_reason TEXT NOT NULL DEFAULT '',
    resolved_by    INTEGER NOT NULL DEFAULT 0,
    resolution     TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    CHECK (provider_id <> receiver_id)
);
CREATE INDEX ledger_timebank_provider ON ledger_timebank(territory_id, provider_id);
CREATE INDEX ledger_timebank_receiver ON ledger_timebank(territory_id, receiver_id);
CREATE INDEX ledger_timebank_status ON ledger_timebank(territory_id, status);

-- Partner territories trade through their clearing accounts; a pair is
-- stored once, smaller id first.
CREATE TABLE ledger_partners (
    territory_a INTEGER NOT NULL REFERENCES territories(id),
    territory_b INTEGER NOT NULL REFERENCES territories(id),
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (territory_a, territory_b),
    CHECK (territory_a < territory_b)
);

-- The price of a listing in a ledger currency, paid when an exchange of it
-- is done; payer says which side pays (the requester for an offer).
CREATE TABLE ledger_prices (
    territory_id INTEGER NOT NULL REFERENCES territories(id),
    listing_id   INTEGER NOT NULL,
    currency_id  INTEGER NOT NULL REFERENCES ledger_currencies(id),
    amount       INTEGER NOT NULL CHECK (amount > 0),
    payer        TEXT NOT NULL CHECK (payer IN ('requester', 'owner')),
    category     TEXT NOT NULL DEFAULT '',
    set_by       INTEGER NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (territory_id, listing_id)
);

-- +goose Down
DROP TABLE ledger_prices;
DROP TABLE ledger_partners;
DROP TABLE ledger_timebank;
DROP TABLE ledger_deposits;
DROP TABLE ledger_postings;
DROP TABLE ledger_entries;
DROP TABLE ledger_accounts;
DROP TABLE ledger_currencies;
