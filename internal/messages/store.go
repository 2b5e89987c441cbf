package messages

import (
	"context"
	"time"
)

// Store is what the service needs from the database. Territory-owned rows
// are always read with their territory; blocks and the e-mail state belong
// to a member, across territories.
type Store interface {
	// WithTx runs fn with a Store bound to one transaction (nested calls
	// join the outer one).
	WithTx(ctx context.Context, fn func(tx Store) error) error

	// CreateConversation inserts c unless the starter already has a
	// conversation about the subject; either way c ends up holding the row.
	CreateConversation(ctx context.Context, c *Conversation) error
	Conversation(ctx context.Context, territoryID, id int64) (*Conversation, error)
	// SetSubjectTitle refreshes the title kept for the inbox.
	SetSubjectTitle(ctx context.Context, territoryID, id int64, title string) error
	// Unread returns userID's unread count in a conversation.
	Unread(ctx context.Context, territoryID, conversationID, userID int64) (int, error)

	// LockNotifications takes the row lock on userID's e-mail state,
	// creating the row when needed. Every transaction that adds or reads
	// userID's incoming messages takes it first, so message ids given to
	// one recipient follow the order of their digests.
	LockNotifications(ctx context.Context, userID int64) error
	// MarkPending sets pending_since to at unless it is already set.
	MarkPending(ctx context.Context, userID int64, at time.Time) error
	InsertMessage(ctx context.Context, m *Message) error
	// Delivered records m as the conversation's last message: both
	// participants' inbox order, and one more unread for recipientID.
	Delivered(ctx context.Context, c *Conversation, m *Message, recipientID int64) error
	// Messages returns the newest limit messages, oldest first, and
	// whether older ones were left out.
	Messages(ctx context.Context, territoryID, conversationID int64, limit int) ([]Message, bool, error)
	// MessagesAround returns up to n messages of a conversation before
	// messageID and up to n after it, with it, oldest first.
	MessagesAround(ctx context.Context, territoryID, conversationID, messageID int64, n int) ([]Message, error)
	Message(ctx context.Context, territoryID, id int64) (*Message, error)
	// MarkRead moves userID's read mark to upto and recounts what is left.
	MarkRead(ctx context.Context, territoryID, conversationID, userID, upto int64) error
	// ClearPendingIfRead forgets a waiting digest when userID has no
	// unread message left in any territory.
	ClearPendingIfRead(ctx context.Context, userID int64) error
	Inbox(ctx context.Context, territoryID, userID int64, limit int) ([]InboxEntry, error)
	UnreadCount(ctx context.Context, territoryID, userID int64) (int, error)
	RemoveMessage(ctx context.Context, territoryID, id int64, at time.Time) error

	// Block is idempotent.
	Block(ctx context.Context, blockerID, blockedID int64, at time.Time) error
	Unblock(ctx context.Context, blockerID, blockedID int64) error
	// Blocked reports a block between a and b in either direction.
	Blocked(ctx context.Context, a, b int64) (bool, error)
	BlockedBy(ctx context.Context, blockerID int64) ([]int64, error)

	// InsertReport returns a Conflict error when the reporter already
	// reported the message.
	InsertReport(ctx context.Context, r *Report) error
	Report(ctx context.Context, territoryID, id int64) (*Report, error)
	OpenReports(ctx context.Context, territoryID int64, limit int) ([]Report, error)
	// ResolveReport closes an open report; Conflict when already resolved.
	ResolveReport(ctx context.Context, territoryID, id, by int64, at time.Time, resolution string) error

	NotificationState(ctx context.Context, userID int64) (*NotificationState, error)
	// DueDigests lists members whose digest is due: pending since before
	// pendingBefore and last sent before sentBefore (or never).
	DueDigests(ctx context.Context, pendingBefore, sentBefore time.Time, limit int) ([]int64, error)
	// ClaimDigest clears pending_since with the same guard as DueDigests,
	// so that of several instances only one gets the row; ok is false for
	// the others. It returns the state as it was.
	ClaimDigest(ctx context.Context, userID int64, pendingBefore, sentBefore time.Time) (st NotificationState, ok bool, err error)
	// UnreadAfter returns userID's unread incoming messages with an id
	// above after, oldest first, up to limit, and how many there are.
	UnreadAfter(ctx context.Context, userID, after int64, limit int) ([]DigestItem, int, error)
	// DigestSent records a digest listing messages up to upto.
	DigestSent(ctx context.Context, userID int64, at time.Time, upto int64) error
	// RestoreDigest puts back a claimed state whose e-mail could not be sent.
	RestoreDigest(ctx context.Context, st NotificationState) error

	// MemberData reads what one member wrote and blocked, everywhere.
	MemberData(ctx context.Context, userID int64) (*MemberData, error)
}

// DigestItem is one unread message listed in a digest e-mail.
type DigestItem struct {
	MessageID    int64
	TerritoryID  int64
	SenderID     int64
	SubjectTitle string
	Body         string
	CreatedAt    time.Time
}
